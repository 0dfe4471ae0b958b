//! Turning TOML positions and serde messages into [`InputError`]s that name the line and key.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::error::{InputError, InputErrorKind};

/// The 1-based line of byte offset `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
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

/// Maps a serde/TOML message to an error kind, recognising unknown and missing keys.
pub fn kind_from_message(msg: &str) -> InputErrorKind {
    let backticked = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let msg = msg.trim();
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let names = backticked(rest);
        if let Some((key, expected)) = names.split_first() {
            return InputErrorKind::UnknownKey {
                key: key.clone(),
                expected: expected.to_vec(),
            };
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        if let Some((name, known)) = names.split_first() {
            return InputErrorKind::UnknownName {
                what: "distribution",
                name: name.clone(),
                known: known.to_vec(),
            };
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        if let Some(key) = backticked(rest).first() {
            return InputErrorKind::MissingKey(key.clone());
        }
    }
    InputErrorKind::Invalid(msg.to_string())
}

/// Converts a TOML deserialisation error of `text` (from `file`) into an [`InputError`].
pub fn toml_error(file: &Path, text: Option<&str>, err: &toml::de::Error) -> InputError {
    let kind = kind_from_message(err.message());
    let key = match &kind {
        InputErrorKind::UnknownKey { key, .. } | InputErrorKind::MissingKey(key) => {
            Some(key.clone())
        }
        _ => None,
    };
    let syntax = err.message().contains("expected")
        && key.is_none()
        && !err.message().starts_with("invalid");
    let kind = match kind {
        InputErrorKind::Invalid(m) if syntax && text.is_some() => InputErrorKind::Syntax(m),
        k => k,
    };
    let mut e = InputError::new(file, kind);
    e.key = key;
    if let (Some(text), Some(span)) = (text, err.span()) {
        e.line = Some(line_of_offset(text, span.start));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_nested_keys() {
        let text = "name = \"x\"\n[channels.chat]\ndelay = { dist = \"fixed\", value = 1 }\ntransmit = 2\n[[variants]]\nname = \"a\"\nset = { \"channels.chat.transmit\" = 0.5 }\n";
        assert_eq!(
            line_of_key(text, &["channels", "chat", "transmit"]),
            Some(4)
        );
        assert_eq!(
            line_of_key(text, &["variants", "0", "set", "channels.chat.transmit"]),
            Some(7)
        );
        assert_eq!(line_of_key(text, &["channels", "chat", "nope"]), Some(2));
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
        assert!(
            matches!(kind_from_message("missing field `delay`"), InputErrorKind::MissingKey(k) if k == "delay")
        );
    }
}
