//! Turning TOML positions and serde messages into [`InputError`]s that name the line and key.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::error::{InputError, InputErrorKind};

/// The 1-based line of byte offset `offset` in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

/// The 1-based line where the dotted `path` (numeric segments index arrays) is defined in the
/// TOML `text`, or of its deepest existing prefix. Segments are given separately so that keys
/// containing dots (variant `set` paths) can be located too.
pub(crate) fn line_of_key(text: &str, path: &[&str]) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut value: DeValue<'_> = DeValue::Table(root.into_inner());
    let mut line = None;
    for seg in path {
        let next = match seg.parse::<usize>() {
            Ok(i) if matches!(value, DeValue::Array(_)) => value.get(i).cloned(),
            _ => value.get(*seg).cloned(),
        };
        match next {
            Some(v) => {
                line = Some(line_of_offset(text, v.span().start));
                value = v.into_inner();
            }
            None => break,
        }
    }
    line
}

/// The dotted path of the innermost key whose value spans byte `offset` of the TOML `text`
/// (array elements appear as their index), e.g. `channels.chat.delay.dist`; failing that, the
/// key whose value starts last before `offset`.
pub(crate) fn key_at_offset(text: &str, offset: usize) -> Option<String> {
    fn walk(value: &DeValue<'_>, path: &mut Vec<String>, out: &mut Vec<(String, std::ops::Range<usize>, usize)>) {
        let children: Vec<(String, &toml::Spanned<DeValue<'_>>)> = match value {
            DeValue::Table(t) => t.iter().map(|(k, v)| (k.get_ref().to_string(), v)).collect(),
            DeValue::Array(a) => a.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => return,
        };
        for (k, v) in children {
            path.push(k);
            out.push((path.join("."), v.span(), path.len()));
            walk(v.get_ref(), path, out);
            path.pop();
        }
    }
    let root = DeTable::parse(text).ok()?.into_inner();
    let mut all = Vec::new();
    walk(&DeValue::Table(root), &mut Vec::new(), &mut all);
    let containing = all.iter().filter(|(_, span, _)| span.contains(&offset)).max_by_key(|(_, _, depth)| *depth);
    let preceding =
        || all.iter().filter(|(_, span, _)| span.start <= offset).max_by_key(|(_, span, depth)| (span.start, *depth));
    containing.or_else(preceding).map(|(path, _, _)| path.clone())
}

/// The first `set` key of any variant written as an unquoted dotted key (which TOML turns into a
/// nested table that would replace a whole section): the variant's index, the key and its line.
/// One parse of the text for all variants.
pub(crate) fn unquoted_dotted_set_key(text: &str) -> Option<(usize, String, usize)> {
    let root = DeTable::parse(text).ok()?.into_inner();
    let variants = root.get("variants")?.get_ref().as_array()?;
    let dotted = |start: usize| {
        start > 0 && text.as_bytes()[..start].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b'.')
    };
    for (index, variant) in variants.iter().enumerate() {
        let Some(set) = variant.get_ref().get("set").and_then(|s| s.get_ref().as_table()) else { continue };
        for (k, v) in set {
            let mut path = vec![k.get_ref().to_string()];
            let mut value = v;
            let mut line = None;
            // Follow the chain of keys written as `a.b.c` (each preceded by a dot in the source).
            while let Some((ik, iv)) =
                value.get_ref().as_table().and_then(|t| t.iter().find(|(ik, _)| dotted(ik.span().start)))
            {
                path.push(ik.get_ref().to_string());
                line = Some(line_of_offset(text, ik.span().start));
                value = iv;
            }
            if let Some(line) = line {
                return Some((index, path.join("."), line));
            }
        }
    }
    None
}

/// Whether the exact key path exists in the TOML `text`.
pub(crate) fn has_key(text: &str, path: &[&str]) -> bool {
    let Ok(root) = DeTable::parse(text) else { return false };
    let mut value: DeValue<'_> = DeValue::Table(root.into_inner());
    for seg in path {
        let next = match seg.parse::<usize>() {
            Ok(i) if matches!(value, DeValue::Array(_)) => value.get(i).cloned(),
            _ => value.get(*seg).cloned(),
        };
        match next {
            Some(v) => value = v.into_inner(),
            None => return false,
        }
    }
    true
}

/// What the reader's Rust-facing words mean for a person, with an example: serde names the raw
/// structs and number types (`struct RawChannel`, `u64`); messages must not.
const PLAIN_WORDS: [(&str, &str); 29] = [
    ("invalid type: map", "invalid type: a table"),
    ("invalid type: sequence", "invalid type: a list"),
    (
        "data did not match any variant of untagged enum OneOrMany",
        "expected a name or a list of names, e.g. \"developer\" or [\"developer\", \"team_lead\"]",
    ),
    (
        "data did not match any variant of untagged enum RawStart",
        "expected a moment with its UTC offset, e.g. \"2026-11-27T15:00:00+01:00\", or { weekly = \"uniform\" }",
    ),
    (
        "data did not match any variant of untagged enum RawReplayStart",
        "expected hours after the log's first message, e.g. 12, or a window, e.g. [0, 168]",
    ),
    (
        "data did not match any variant of untagged enum ColumnRef",
        "expected a column's header, e.g. \"Employee ID\", or its position from 1 with `header = false`, e.g. 2",
    ),
    ("internally tagged enum RawDist", "a distribution table, e.g. { dist = \"exponential\", mean = 2.0 }"),
    ("struct RawScenario", "a scenario table"),
    ("struct RawOrganisation", "a table, e.g. { people = \"people.csv\", links = \"links.csv\" }"),
    ("struct RawGenerate", "a generator table, e.g. [organisation.generate] with units = [...]"),
    ("struct RawBridge", "a table, e.g. { from_unit = \"support\", to_unit = \"development\", channel = \"chat\" }"),
    ("struct RawUnit", "a table, e.g. { name = \"development\", teams = 4, team_size = 6 }"),
    ("struct RawGenChannels", "a table, e.g. { team = \"team_chat\" }"),
    ("struct RawChannel", "a channel table, e.g. { delay = { dist = \"exponential\", mean = 2.0 }, transmit = 0.9 }"),
    ("struct RawRole", "a role table, e.g. { notice = 0.9, processing = { dist = \"fixed\", value = 1.0 } }"),
    ("struct RawSelector", "a selector table, e.g. { role = \"developer\" } or { id = \"community\" }"),
    ("struct RawTarget", "a target table, e.g. { role = \"developer\", threshold = 0.8 }"),
    ("struct RawCommunityManager", "a table, e.g. { id = \"cm\", mandate = true }"),
    ("struct RawReach", "a table, e.g. { role = \"team_lead\", channel = \"chat\" }"),
    ("struct RawMandateEffect", "a table, e.g. { notice = 0.95, processing_factor = 0.5 }"),
    ("struct RawInvolvement", "a table, e.g. { fraction = 0.3 }"),
    ("struct RawOutput", "a table, e.g. { curve_points = 201 }"),
    (
        "struct RawVariant",
        "a variant table, e.g. { name = \"mandate\", set = { \"community_manager.mandate\" = true } }",
    ),
    ("struct RawLink", "a link table, e.g. { source = \"cm\", target = \"alice\", channel = \"chat\" }"),
    ("expected u64", "expected a whole number from 0 to 18446744073709551615, e.g. 1000"),
    ("expected u32", "expected a whole number from 0 to 4294967295, e.g. 200"),
    ("expected f64", "expected a number, e.g. 0.5"),
    ("expected a sequence", "expected a list, e.g. [1, 2]"),
    ("expected a map", "expected a table, e.g. { key = 1 }"),
];

/// `msg` from serde or the TOML reader in words for people (see [`PLAIN_WORDS`]); the reader's
/// nesting limit is said plainly too.
pub(crate) fn plain_message(msg: &str) -> String {
    if msg.contains("recursion limit") || msg.contains("max recursion depth") {
        return "tables, arrays or dotted keys are nested too deeply; the scenario format needs at most a few levels"
            .into();
    }
    let mut out = msg.to_string();
    for (rust, plain) in PLAIN_WORDS {
        out = out.replace(rust, plain);
    }
    out
}

/// Maps a serde/TOML message to an error kind, recognising unknown and missing keys.
pub(crate) fn kind_from_message(msg: &str) -> InputErrorKind {
    let backticked = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    // "`NAME`, expected one of `a`, `b`": the name may itself contain backticks (a quoted key, a
    // mistyped value), so it ends at the last "`, expected" (or "`, there are no ...") and the
    // list after it is split.
    let name_and_list = |rest: &str| -> Option<(String, Vec<String>)> {
        let rest = rest.strip_prefix('`')?;
        match rest.rfind("`, expected").or_else(|| rest.rfind("`, there")) {
            Some(end) => Some((rest[..end].to_string(), backticked(&rest[end + 1..]))),
            None => Some((rest.strip_suffix('`').unwrap_or(rest).to_string(), Vec::new())),
        }
    };
    let msg = msg.trim();
    if let Some((key, expected)) = msg.strip_prefix("unknown field ").and_then(name_and_list) {
        return InputErrorKind::UnknownKey { key, expected };
    }
    if let Some((name, known)) = msg.strip_prefix("unknown variant ").and_then(name_and_list) {
        return InputErrorKind::UnknownName { what: "distribution", name, known };
    }
    if let Some(key) = msg.strip_prefix("missing field ").and_then(|rest| backticked(rest).first().cloned()) {
        return InputErrorKind::MissingKey(key);
    }
    InputErrorKind::Invalid(plain_message(msg))
}

/// Converts a TOML deserialisation error of `text` (from `file`) into an [`InputError`].
pub(crate) fn toml_error(file: &Path, text: Option<&str>, err: &toml::de::Error) -> InputError {
    let kind = kind_from_message(err.message());
    let key = match &kind {
        InputErrorKind::UnknownKey { key, .. } | InputErrorKind::MissingKey(key) => Some(key.clone()),
        _ => None,
    };
    let syntax = err.message().contains("expected") && key.is_none() && !err.message().starts_with("invalid");
    let kind = match kind {
        InputErrorKind::Invalid(m) if syntax && text.is_some() => InputErrorKind::Syntax(m),
        k => k,
    };
    let mut e = InputError::new(file, kind);
    e.key = key;
    if let (Some(text), Some(span)) = (text, err.span()) {
        e.line = Some(line_of_offset(text, span.start));
        if e.key.is_none() {
            e.key = key_at_offset(text, span.start);
        }
    }
    if let (InputErrorKind::Invalid(m) | InputErrorKind::Syntax(m), Some(key)) = (&mut e.kind, &e.key) {
        *m = list_example_for(key, m);
    }
    e
}

/// The list keys whose generic example (`[1, 2]`) would mislead, with their own.
const LIST_EXAMPLES: [(&str, &str); 4] = [
    ("at", "[\"Mon 10:00\", \"Thu 09:30\"]"),
    ("holidays", "[\"2026-12-24\", \"2026-12-25\"]"),
    ("units", "[{ name = \"development\", teams = 4, team_size = 6 }]"),
    ("quantiles", "[0.5, 2.0, 8.0, 40.0]"),
];

/// `msg` with the generic list example replaced by the one for `key`'s last part, if it has one.
fn list_example_for(key: &str, msg: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    match LIST_EXAMPLES.iter().find(|(k, _)| *k == last) {
        Some((_, example)) => msg.replace("expected a list, e.g. [1, 2]", &format!("expected a list, e.g. {example}")),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_nested_keys() {
        let text = "name = \"x\"\n[channels.chat]\ndelay = { dist = \"fixed\", value = 1 }\ntransmit = 2\n[[variants]]\nname = \"a\"\nset = { \"channels.chat.transmit\" = 0.5 }\n";
        assert_eq!(line_of_key(text, &["channels", "chat", "transmit"]), Some(4));
        assert_eq!(line_of_key(text, &["variants", "0", "set", "channels.chat.transmit"]), Some(7));
        assert_eq!(line_of_key(text, &["channels", "chat", "nope"]), Some(2));
        let at = text.find("2\n").unwrap();
        assert_eq!(key_at_offset(text, at).as_deref(), Some("channels.chat.transmit"));
        let at = text.find("\"fixed\"").unwrap();
        assert_eq!(key_at_offset(text, at).as_deref(), Some("channels.chat.delay.dist"));
    }

    #[test]
    fn detects_unquoted_dotted_set_keys() {
        let quoted = "name = \"x\"\n[[variants]]\nname = \"a\"\nset = { \"community_manager.mandate\" = true }\n";
        assert_eq!(unquoted_dotted_set_key(quoted), None);
        let whole = "name = \"x\"\n[[variants]]\nname = \"a\"\nset = { involvement = { fraction = 0.3 } }\n";
        assert_eq!(unquoted_dotted_set_key(whole), None);
        let dotted = "name = \"x\"\n[[variants]]\nname = \"a\"\nset = { community_manager.mandate = true }\n";
        assert_eq!(unquoted_dotted_set_key(dotted), Some((0, "community_manager.mandate".into(), 4)));
        let second = format!("{quoted}[[variants]]\nname = \"b\"\nset = {{ a.b = 1 }}\n");
        assert_eq!(unquoted_dotted_set_key(&second), Some((1, "a.b".into(), 7)));
    }

    #[test]
    fn recognises_serde_messages() {
        match kind_from_message("unknown field `trasmit`, expected one of `delay`, `transmit`") {
            InputErrorKind::UnknownKey { key, expected } => {
                assert_eq!(key, "trasmit");
                assert_eq!(expected, vec!["delay", "transmit"]);
            }
            k => panic!("{k:?}"),
        }
        assert!(matches!(kind_from_message("missing field `delay`"), InputErrorKind::MissingKey(k) if k == "delay"));
        // A name with a backtick (found by the fuzzer) keeps the list of known names intact.
        match kind_from_message("unknown variant `lognorm`l`, expected one of `exponential`, `fixed`") {
            InputErrorKind::UnknownName { name, known, .. } => {
                assert_eq!(name, "lognorm`l");
                assert_eq!(known, vec!["exponential", "fixed"]);
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(plain_message("invalid type: map, expected a string"), "invalid type: a table, expected a string");
    }

    /// Issue 20, "also seen": `at = "Mon 10:00"` (not a list) is shown a list of times, not
    /// `[1, 2]` (seen to fail without `list_example_for`).
    #[test]
    fn a_list_of_times_is_shown_a_list_of_times() {
        let text = "[channels.one_on_one]\ntiming = \"scheduled\"\nat = \"Mon 10:00\"\n";
        let err = toml::from_str::<crate::scenario::raw::RawScenario>(text).unwrap_err();
        let e = toml_error(Path::new("s.toml"), Some(text), &err);
        let shown = e.to_string();
        assert!(shown.contains("expected a list, e.g. [\"Mon 10:00\", \"Thu 09:30\"]"), "{shown}");
        assert!(!shown.contains("[1, 2]"), "{shown}");
    }
}
