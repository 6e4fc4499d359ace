//! Small text helpers every module of the crate uses, and none of which
//! uses another module: escaping for terminals, JSON Pointer tokens,
//! cutting long values short, naming JSON types in messages.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

/// Whether `c` could move the cursor, end a line, start an escape sequence
/// or reorder the text that follows it on a terminal: the C0 and C1
/// controls, DEL, the Unicode bidirectional controls (the marks ALM, LRM and
/// RLM, the embeddings, overrides and isolates) and the line and paragraph
/// separators. Every escaping of outside text uses this one test.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character [`is_terminal_control`] names written as
/// `\u{..}`, so that text from a payload cannot move the cursor, clear a
/// terminal, start a new line or reorder what follows when printed.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_terminal_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes one JSON Pointer reference token.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The reference tokens of a JSON Pointer, unescaped.
pub(crate) fn split_pointer(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A value as compact JSON, cut short when long.
pub(crate) fn render(value: &Value) -> String {
    truncate(&value.to_string(), 60)
}

pub(crate) fn quote(text: &str) -> String {
    render(&Value::String(text.to_owned()))
}

/// `text`, cut at a character boundary to at most `max` bytes plus `…`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The JSON type of a value, as a noun for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
