//! Reading a payload's bytes into a JSON value, refusing what JSON parsers
//! disagree on.
//!
//! Beyond what `serde_json` refuses, an object with the same key twice is an
//! error ([`IssueKind::DuplicateKey`]): RFC 8259 leaves its meaning open, and
//! parsers differ (most keep the last value, some the first, some refuse),
//! so such a payload means different things to the validator and to the
//! application behind it. The check happens while the value is built, one
//! map look-up per key, and costs nothing when there are no duplicates.
//!
//! Text that is not UTF-8 is named as what it most likely is: a UTF-8 byte
//! order mark, UTF-16 or UTF-32.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

use crate::report::{Issue, IssueKind, Position};
use crate::text::quote;

/// Parses a payload as the validator does: UTF-8 JSON text, one value, no
/// object with the same key twice.
///
/// Use it where a payload is read before being passed to
/// [`Validator::validate_value`](crate::Validator::validate_value), so that
/// the verdict is the one [`Validator::validate_bytes`](crate::Validator::validate_bytes)
/// would give.
///
/// # Errors
///
/// One issue: [`IssueKind::Empty`], [`IssueKind::Encoding`],
/// [`IssueKind::Syntax`] or [`IssueKind::DuplicateKey`], with its location.
pub fn parse_payload(bytes: &[u8]) -> Result<Value, Box<Issue>> {
    let text = payload_text(bytes)?;
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = ValueSeed {
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(err) => Err(Box::new(match duplicate.into_inner() {
            Some(mut tokens) => duplicate_issue(&err, &mut tokens),
            None => syntax_issue(&err, text),
        })),
    }
}

/// What the bytes are instead of UTF-8, when a byte order mark or the
/// zero bytes of ASCII in a wider encoding say it.
fn foreign_encoding(bytes: &[u8]) -> Option<String> {
    const CONVERT: &str =
        "JSON must be UTF-8: convert it, for example with `iconv -f UTF-16 -t UTF-8`";
    let name = match bytes {
        [0xEF, 0xBB, 0xBF, ..] => {
            return Some(
                "the payload starts with a UTF-8 byte order mark (EF BB BF), which JSON text must not have; remove those 3 bytes".to_owned(),
            );
        }
        [0x00, 0x00, 0xFE, 0xFF, ..] | [0xFF, 0xFE, 0x00, 0x00, ..] => {
            return Some(format!(
                "the payload is UTF-32 (it starts with a UTF-32 byte order mark); {}",
                CONVERT.replace("UTF-16", "UTF-32")
            ));
        }
        [0xFE, 0xFF, ..] => "UTF-16 big-endian (it starts with the byte order mark FE FF)",
        [0xFF, 0xFE, ..] => "UTF-16 little-endian (it starts with the byte order mark FF FE)",
        // JSON text starts with ASCII: in UTF-16 without a byte order mark
        // that is one zero byte and one ASCII byte.
        [0x00, b, ..] if b.is_ascii() && *b != 0 => "UTF-16 big-endian (every other byte is zero)",
        [b, 0x00, ..] if b.is_ascii() && *b != 0 && bytes.get(2) != Some(&0) => {
            "UTF-16 little-endian (every other byte is zero)"
        }
        _ => return None,
    };
    Some(format!("the payload is {name}; {CONVERT}"))
}

fn duplicate_issue(err: &serde_json::Error, tokens: &mut [String]) -> Issue {
    // Collected from the innermost level outwards.
    tokens.reverse();
    let pointer: String = tokens
        .iter()
        .map(|token| format!("/{}", crate::text::escape(token)))
        .collect();
    let key = tokens.last().map_or("", String::as_str);
    let (line, column) = (err.line(), err.column());
    let mut issue = Issue::new(
        IssueKind::DuplicateKey,
        pointer,
        format!(
            "duplicate key {} at line {line}, column {column}: parsers disagree on which value wins, so the payload means different things to different readers",
            quote(key)
        ),
    );
    issue.position = Some(Position { line, column });
    issue
}

fn syntax_issue(err: &serde_json::Error, text: &str) -> Issue {
    let (line, column) = (err.line(), err.column());
    let reason = err.to_string();
    // serde_json ends its message with " at line L column C"; say it once.
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason.as_str(), |(head, _)| head);
    let start = text.trim_start();
    let looks_like_yaml = start.starts_with("---")
        || start.starts_with("- ")
        || start.starts_with('#')
        || (start.starts_with(char::is_alphabetic)
            && !["true", "false", "null"]
                .iter()
                .any(|word| start.starts_with(word)));
    let hint = if looks_like_yaml {
        "; only JSON is read (this looks like YAML or plain text)"
    } else if reason.starts_with("trailing characters") {
        "; one JSON document per sample: give several events one per line in an .ndjson file"
    } else {
        ""
    };
    let mut issue = Issue::new(
        IssueKind::Syntax,
        "",
        format!("not valid JSON at line {line}, column {column}: {reason}{hint}"),
    );
    issue.position = Some(Position { line, column });
    issue
}

/// The payload's text: refuses empty (or blank) payloads and anything not
/// UTF-8, naming a byte order mark, UTF-16 or UTF-32.
pub(crate) fn payload_text(bytes: &[u8]) -> Result<&str, Box<Issue>> {
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Err(Box::new(Issue::new(
            IssueKind::Empty,
            "",
            "the payload is empty".to_owned(),
        )));
    }
    if let Some(message) = foreign_encoding(bytes) {
        return Err(Box::new(Issue::new(IssueKind::Encoding, "", message)));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.valid_up_to();
            Err(Box::new(Issue::new(
                IssueKind::Encoding,
                "",
                format!("the payload is not UTF-8 from byte {offset} on; JSON must be UTF-8"),
            )))
        }
    }
}

/// Builds a [`Value`] like `Value`'s own `Deserialize`, refusing an object
/// that repeats a key. On a duplicate it records the key, and each level it
/// propagates through adds its own key or index: the path is only built
/// when there is one.
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    duplicate: &'a RefCell<Option<Vec<String>>>,
}

impl ValueSeed<'_> {
    fn locate<E>(self, token: impl FnOnce() -> String, err: E) -> E {
        if let Some(tokens) = self.duplicate.borrow_mut().as_mut() {
            tokens.push(token());
        }
        err
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(err) => return Err(self.locate(|| items.len().to_string(), err)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            match map.entry(key) {
                Entry::Occupied(entry) => {
                    *self.duplicate.borrow_mut() = Some(vec![entry.key().clone()]);
                    return Err(A::Error::custom("duplicate key"));
                }
                Entry::Vacant(entry) => match access.next_value_seed(self) {
                    Ok(value) => {
                        entry.insert(value);
                    }
                    Err(err) => return Err(self.locate(|| entry.key().clone(), err)),
                },
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_that_looks_like_utf16_is_called_utf16() {
        let named = |bytes: &[u8]| foreign_encoding(bytes).unwrap_or_default();
        assert!(named(b"\x00{\x00}").contains("UTF-16 big-endian"));
        assert!(named(b"{\x00}\x00").contains("UTF-16 little-endian"));
        // Zeros, or a byte that is not ASCII, beside the zero: not text
        // that starts with ASCII in UTF-16 (UTF-32 without a mark, say).
        for bytes in [
            &b"\x00\x00\x00{"[..],
            b"{\x00\x00\x00",
            b"\x00\x00",
            b"\x00\xc3\xa9",
            b"\xc3\x00A",
            b"\xc3\x00\x00",
            b"{}",
        ] {
            assert_eq!(foreign_encoding(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn values_are_those_serde_json_builds() {
        let text =
            r#"{"a": [1, -2, 3.5, 1e400, "s\u00e9", true, false, null, {}], "b": {"c": []}}"#;
        let expected: Result<Value, _> = serde_json::from_str(text);
        // serde_json refuses 1e400; so do we.
        assert!(expected.is_err());
        assert_eq!(
            parse_payload(text.as_bytes()).map_err(|i| i.kind),
            Err(IssueKind::Syntax)
        );
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615, "s\u00e9", true, false, null, {}], "b": {"c": []}}"#;
        let expected: Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(parse_payload(text.as_bytes()), Ok(expected));
    }
}
