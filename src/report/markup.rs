//! Small HTML pieces shared by the report pages (the workshop report, its cost section, the
//! calibration page): escaping and charts as inline figures.

use std::borrow::Cow;

use super::charts::Chart;

/// HTML-escapes text from the scenario or results (`&`, `<`, `>`, `"`, `'` and `/`), for
/// element content and double-quoted attributes.
pub(crate) fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
}

/// An SVG document from plotters made fit for inline use in HTML: the XML namespace
/// declaration is dropped (the HTML parser puts `<svg>` into the SVG namespace itself) and the
/// element gets a role and label for screen readers (the chart's title).
pub(crate) fn inline_svg(chart: &Chart) -> String {
    let svg = chart.svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1);
    svg.replacen("<svg ", &format!(r#"<svg role="img" aria-label="{}" "#, esc(&chart.title)), 1)
}

/// A chart as a figure with its caption.
pub(crate) fn figure(c: &Chart) -> String {
    let id = c.file.trim_end_matches(".svg");
    format!("<figure id=\"chart-{id}\">\n{}<figcaption>{}</figcaption>\n</figure>\n", inline_svg(c), esc(&c.caption))
}
