//! Small text helpers every module of the crate uses, and none of which
//! uses another module: JSON Pointer tokens, cutting long values short,
//! naming JSON types in messages. Escaping for terminals is
//! [`escape`](crate::escape)'s, a leaf module too.

use serde_json::Value;

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
