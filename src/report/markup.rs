//! The pieces shared by the HTML pages (the workshop report with its decision, cost and
//! sensitivity sections, and the calibration page): one stylesheet, one page shell, charts as
//! inline figures. The pages are [maud] templates: checked at compile time, and every value
//! spliced into them is escaped unless wrapped in [`PreEscaped`] — which only our own constants
//! (the stylesheet) and SVG that plotters already rendered (and escaped) are.

use std::borrow::Cow;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::Chart;

/// The one stylesheet of every page: screen and print (A4, details folded).
pub(crate) const STYLE: &str = include_str!("style.css");

/// A whole page: the head (title, generator, the stylesheet) and `body` inside `<main>`.
pub(crate) fn document(title: &str, version: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ "permeate " (version) };
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main { (body) }
            }
        }
    }
}

/// HTML-escapes text (`&`, `<`, `>`, `"`, `'` and `/`) for a double-quoted attribute of an
/// already-rendered SVG document ([`inline_svg`]); the pages themselves escape through maud.
pub(crate) fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
}

/// `summary.md` made inert where names from the input could make it active (issue 20,
/// defect 20): every `<` becomes `&lt;` (no raw HTML, no `<javascript:…>` autolink), every `](`
/// becomes `]\(` (no inline link or image, whatever its URL) and a `[` opening a line becomes
/// `\[` (no link reference definition). The page itself writes none of these, so renderers show
/// the same text; emphasis, tables and code spans stay as they are.
pub(crate) fn inert_markdown(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.split_inclusive('\n') {
        let body = line.trim_start_matches([' ', '\t']);
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        if body.starts_with('[') {
            out.push('\\');
        }
        out.push_str(&body.replace('<', "&lt;").replace("](", "]\\("));
    }
    out
}

/// An SVG document from plotters made fit for inline use in HTML: the XML namespace
/// declaration is dropped (the HTML parser puts `<svg>` into the SVG namespace itself) and the
/// element gets a role and label for screen readers (the chart's title).
pub(crate) fn inline_svg(chart: &Chart) -> String {
    let svg = chart.svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1);
    svg.replacen("<svg ", &format!(r#"<svg role="img" aria-label="{}" "#, esc(&chart.title)), 1)
}

/// A chart as a figure with its caption (the SVG is plotters' own, already escaped).
pub(crate) fn figure(c: &Chart) -> Markup {
    html! {
        figure id={ "chart-" (c.file.trim_end_matches(".svg")) } {
            (PreEscaped(inline_svg(c)))
            figcaption { (c.caption) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20, defect 20: raw HTML, inline links (`javascript:`), autolinks and link
    /// definitions from names are made inert, rendered by pulldown-cmark (an independent
    /// CommonMark parser): no HTML event and no link survives, and ordinary text is unchanged.
    /// Seen to fail with `inert_markdown` returning its input (an `Html` event for `<script>`).
    #[test]
    fn names_cannot_inject_html_or_links_into_markdown() {
        use pulldown_cmark::{Event, Parser, Tag};
        let names = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "![x](javascript:alert(1))",
            "<javascript:alert(1)>",
            "x\n[ref]: javascript:alert(1)\n[see][ref]",
            "  [ref]: javascript:alert(1)",
        ];
        for name in names {
            let doc = format!(
                "# {name}\n\n- With \"{name}\", 80% have processed an item\n\n| a | b |\n|---|---|\n| {name} | 1 |\n\n{name}\n\n[see][ref]\n"
            );
            let safe = inert_markdown(&doc);
            for ev in Parser::new(&safe) {
                match ev {
                    Event::Html(h) | Event::InlineHtml(h) => panic!("{name:?}: raw HTML {h:?} in {safe}"),
                    Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                        panic!("{name:?}: a link to {dest_url:?} in {safe}")
                    }
                    _ => {}
                }
            }
        }
        let plain = "# acme\n\n**T80** is 3.5 h (95% interval 2–4) [involvement: 0.05 × 180 people × 2 h] | a | b |\n";
        assert_eq!(inert_markdown(plain), plain);
    }
}
