//! What validating one payload found, in terms a person can act on: where in
//! the payload (a JSON Pointer), which schema keyword, and a sentence.

use std::fmt::Write as _;

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Serialize;
use serde_json::Value;

/// The outcome of validating one payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The event type the payload was validated as: its `type`, when the
    /// document describes it; `None` when the payload could not be
    /// dispatched.
    pub event_type: Option<String>,
    /// Everything wrong with the payload, empty when it conforms.
    pub errors: Vec<Issue>,
}

impl Report {
    /// Whether the payload conforms: no errors.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn failed(event_type: Option<String>, issue: Issue) -> Report {
        Report {
            event_type,
            errors: vec![issue],
        }
    }
}

/// One thing wrong with a payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Where in the payload, as a JSON Pointer: `""` for the payload itself,
    /// `/data/numClients` for a property.
    pub instance_path: String,
    /// Which schema keyword failed, as a JSON Pointer into the OpenAPI
    /// document (for example
    /// `/components/schemas/ClientJoinLeaveData/properties/numClients/minimum`);
    /// `""` when the payload could not be dispatched to a schema.
    pub schema_path: String,
    /// What is wrong, as a sentence fragment that starts lowercase.
    pub message: String,
    /// What kind of problem it is, for programs.
    #[serde(skip)]
    pub kind: IssueKind,
}

impl Issue {
    pub(crate) fn new(instance_path: impl Into<String>, message: String, kind: IssueKind) -> Issue {
        Issue {
            instance_path: instance_path.into(),
            schema_path: String::new(),
            message,
            kind,
        }
    }
}

/// What kind of problem an [`Issue`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// The bytes are not JSON; `line` and `column` (both from 1) say where
    /// the parser stopped.
    Syntax {
        /// The line, from 1.
        line: usize,
        /// The column, from 1, in bytes.
        column: usize,
    },
    /// The bytes are not UTF-8, from `offset` on.
    InvalidUtf8 {
        /// The byte offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// There is nothing but whitespace.
    Empty,
    /// The JSON is not an object.
    NotAnObject,
    /// The object has no `type`, or its `type` is not a string.
    MissingType,
    /// The `type` is not an event type the document describes.
    UnknownType,
    /// The payload does not match its event's schema.
    Schema,
    /// The payload has a property the document does not describe (strict
    /// mode, or a schema that forbids other properties).
    UnknownProperty,
    /// The payload is larger than the reader's limit, so it was not parsed.
    TooLarge,
}

impl IssueKind {
    /// A short stable name: `syntax`, `invalid_utf8`, `empty`,
    /// `not_an_object`, `missing_type`, `unknown_type`, `schema`,
    /// `unknown_property` or `too_large`.
    pub fn name(&self) -> &'static str {
        match self {
            IssueKind::Syntax { .. } => "syntax",
            IssueKind::InvalidUtf8 { .. } => "invalid_utf8",
            IssueKind::Empty => "empty",
            IssueKind::NotAnObject => "not_an_object",
            IssueKind::MissingType => "missing_type",
            IssueKind::UnknownType => "unknown_type",
            IssueKind::Schema => "schema",
            IssueKind::UnknownProperty => "unknown_property",
            IssueKind::TooLarge => "too_large",
        }
    }
}

/// The issues one validation error stands for: usually one; one per
/// property for a list of unexpected properties.
pub(crate) fn issues_from(error: &ValidationError<'_>, out: &mut Vec<Issue>) {
    let instance_path = error.instance_path().as_str();
    let schema_path = error.schema_path().as_str();
    let unknown = match error.kind() {
        ValidationErrorKind::UnevaluatedProperties { unexpected }
        | ValidationErrorKind::AdditionalProperties { unexpected } => unexpected,
        _ => {
            out.push(Issue {
                instance_path: instance_path.to_owned(),
                schema_path: schema_path.to_owned(),
                message: message(error),
                kind: IssueKind::Schema,
            });
            return;
        }
    };
    for name in unknown {
        out.push(Issue {
            instance_path: format!("{instance_path}/{}", crate::document::escape(name)),
            schema_path: schema_path.to_owned(),
            message: format!(
                "unknown property {}: the spec does not describe it",
                quote(name)
            ),
            kind: IssueKind::UnknownProperty,
        });
    }
}

/// A sentence for a validation error, naming the offending value briefly.
fn message(error: &ValidationError<'_>) -> String {
    let instance = error.instance();
    let shown = render(instance);
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            format!("{} is a required property", render(property))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(ty) => format!("\"{ty}\""),
                TypeKind::Multiple(types) => types
                    .iter()
                    .map(|ty| format!("\"{ty}\""))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("{shown} is not of type {expected}")
        }
        ValidationErrorKind::Format { format } => format!("{shown} is not a valid \"{format}\""),
        ValidationErrorKind::Constant { expected_value } => {
            format!("{shown} is not {}", render(expected_value))
        }
        ValidationErrorKind::Enum { options } => {
            format!(
                "{shown} is not one of {}",
                list(options.as_array().into_iter().flatten())
            )
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // An enum published as `oneOf` of documented `const`s.
            let constants: Option<Vec<&Value>> = context
                .iter()
                .map(|branch| match branch.as_slice() {
                    [only] => match only.kind() {
                        ValidationErrorKind::Constant { expected_value } => {
                            Some(expected_value.as_ref())
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            match constants {
                Some(values) if !values.is_empty() => {
                    format!("{shown} is not one of {}", list(values.into_iter()))
                }
                _ => format!("{shown} matches none of the allowed schemas"),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!("{shown} matches more than one of the schemas of which it must match one")
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{shown} is less than the minimum {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{shown} is greater than the maximum {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{shown} is not greater than {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{shown} is not less than {limit}")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("{shown} is shorter than {limit} characters")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("{shown} is longer than {limit} characters")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{shown} does not match the pattern {}", quote(pattern))
        }
        ValidationErrorKind::FalseSchema => format!("{shown} is not allowed here"),
        _ => lowercase_first(&truncate(&error.to_string(), 200)),
    }
}

/// A value as compact JSON, cut short when long.
pub(crate) fn render(value: &Value) -> String {
    truncate(&value.to_string(), 60)
}

fn quote(text: &str) -> String {
    render(&Value::String(text.to_owned()))
}

fn list<'a>(values: impl Iterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for (i, value) in values.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", render(value));
    }
    out
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

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "abc…");
        assert_eq!(truncate("aé", 2), "a…");
    }

    #[test]
    fn kinds_have_distinct_names() {
        let kinds = [
            IssueKind::Syntax { line: 1, column: 1 },
            IssueKind::InvalidUtf8 { offset: 0 },
            IssueKind::Empty,
            IssueKind::NotAnObject,
            IssueKind::MissingType,
            IssueKind::UnknownType,
            IssueKind::Schema,
            IssueKind::UnknownProperty,
            IssueKind::TooLarge,
        ];
        let names: std::collections::HashSet<_> = kinds.iter().map(IssueKind::name).collect();
        assert_eq!(names.len(), kinds.len());
    }
}
