//! Turning TOML positions and serde messages into [`InputError`]s that name the line and key.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::error::{InputError, InputErrorKind};

/// The 1-based line of byte offset `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

/// The 1-based line where the dotted `path` (numeric segments index arrays) is defined in the
/// TOML `text`, or of its deepest existing prefix. Segments are given separately so that keys
/// containing dots (variant `set` paths) can be located too.
pub fn line_of_key(text: &str, path: &[&str]) -> Option<usize> {
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
pub fn key_at_offset(text: &str, offset: usize) -> Option<String> {
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
pub fn unquoted_dotted_set_key(text: &str) -> Option<(usize, String, usize)> {
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
pub fn has_key(text: &str, path: &[&str]) -> bool {
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

/// Maps a serde/TOML message to an error kind, recognising unknown and missing keys.
pub fn kind_from_message(msg: &str) -> InputErrorKind {
    let backticked = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    let msg = msg.trim();
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let names = backticked(rest);
        if let Some((key, expected)) = names.split_first() {
            return InputErrorKind::UnknownKey { key: key.clone(), expected: expected.to_vec() };
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        if let Some((name, known)) = names.split_first() {
            return InputErrorKind::UnknownName { what: "distribution", name: name.clone(), known: known.to_vec() };
        }
    }
    if let Some(key) = msg.strip_prefix("missing field ").and_then(|rest| backticked(rest).first().cloned()) {
        return InputErrorKind::MissingKey(key);
    }
    InputErrorKind::Invalid(msg.to_string())
}

/// Converts a TOML deserialisation error of `text` (from `file`) into an [`InputError`].
pub fn toml_error(file: &Path, text: Option<&str>, err: &toml::de::Error) -> InputError {
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
    e
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
    }
}
