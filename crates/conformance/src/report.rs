//! What validating one payload found, in terms a person can act on: what
//! kind of problem, where in the payload (a JSON Pointer), which schema
//! keyword, which property and since when the contract documents it, and a
//! sentence.
//!
//! [`Issue`] has exactly one JSON form (its `Serialize`) and one line for
//! people (its `Display`); every output of this project uses those two.

use std::borrow::Cow;
use std::fmt;

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Serialize;
use serde_json::Value;

use crate::escape::{message_safe, terminal_safe};
use crate::text::{quote, render, split_pointer, truncate};

/// The outcome of validating one payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The payload's event type: its `type` when that is a string, whether
    /// or not the document describes it (an unknown one comes with an
    /// [`IssueKind::UnknownEventType`] issue); `None` when the payload has
    /// no string `type`, or could not be read at all.
    pub event_type: Option<String>,
    /// Everything wrong with the payload, empty when it conforms.
    pub errors: Vec<Issue>,
}

impl Report {
    /// Whether the payload conforms: no errors.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// A report of a payload that could not be judged further than `issue`:
    /// for example one refused for its size before it was read
    /// ([`Issue::too_large`]).
    pub fn failed(event_type: Option<String>, issue: Issue) -> Report {
        Report {
            event_type,
            errors: vec![issue],
        }
    }
}

/// A place in a payload's text: both from 1, the column in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in bytes.
    pub column: usize,
}

/// One thing wrong with a payload.
///
/// Its JSON form, the same everywhere:
/// `{"kind", "instance_path", "schema_path", "message", "property"?, "since"?}`.
/// Its `Display` is the line for people: `message` alone for the payload as
/// a whole, `instance_path: message` otherwise, with control characters
/// escaped so that it is safe on a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Issue {
    /// What kind of problem it is, for programs.
    pub kind: IssueKind,
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
    /// The property the issue concerns, when the document describes it: the
    /// missing property of a [`IssueKind::Required`] issue, the property
    /// holding the wrong value otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// The `x-since` the document gives [`Issue::property`]: the date
    /// (`YYYY-MM-DD`) Whereby first documented it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Where in the text the problem is, for [`IssueKind::Syntax`] and
    /// [`IssueKind::DuplicateKey`] (also said in `message`).
    #[serde(skip)]
    pub position: Option<Position>,
}

impl Issue {
    /// An issue of `kind` at `instance_path` (a JSON Pointer, `""` for the
    /// whole payload), with no schema path, property or position.
    pub fn new(kind: IssueKind, instance_path: impl Into<String>, message: String) -> Issue {
        Issue {
            kind,
            instance_path: instance_path.into(),
            schema_path: String::new(),
            message,
            property: None,
            since: None,
            position: None,
        }
    }

    /// A sample that records a delivery rather than carrying an event to
    /// validate: `what` says what it records (for example `a delivery
    /// refused with 401: the signature does not match`).
    pub fn refused_delivery(what: &str) -> Issue {
        Issue::new(
            IssueKind::RefusedDelivery,
            "",
            format!("this line records {what}"),
        )
    }

    /// A payload of `size` bytes (or more: `None` when reading stopped at
    /// the limit) refused for being larger than `limit` bytes, before it was
    /// parsed.
    pub fn too_large(limit: u64, size: Option<u64>) -> Issue {
        let size = size
            .map(|size| format!("{size} bytes, "))
            .unwrap_or_default();
        Issue::new(
            IssueKind::TooLarge,
            "",
            format!(
                "the payload is {size}over the limit of {limit} bytes; no Whereby event is that large"
            ),
        )
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.instance_path.is_empty() {
            write!(f, "{}: ", terminal_safe(&self.instance_path))?;
        }
        f.write_str(&message_safe(&self.message))
    }
}

/// What kind of problem an [`Issue`] is. Serialised as its stable
/// snake_case name ([`IssueKind::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueKind {
    /// A property the schema requires is missing.
    Required,
    /// A value has the wrong JSON type.
    Type,
    /// A value is not one of a closed list.
    Enum,
    /// A value is not the one value allowed (an event's `type`, for one).
    Const,
    /// A string is not of its format (`date-time`, ...).
    Format,
    /// A number is below its minimum (inclusive or exclusive).
    Minimum,
    /// A number is above its maximum (inclusive or exclusive).
    Maximum,
    /// A string does not match its pattern.
    Pattern,
    /// A property the document does not describe (strict mode, or a schema
    /// that forbids other properties).
    UnknownProperty,
    /// A value of an open list (`x-extensible-enum`) that the document does
    /// not list (strict mode only).
    UnknownValue,
    /// The bytes are not JSON.
    Syntax,
    /// The bytes are not UTF-8: another encoding, or a byte order mark.
    Encoding,
    /// There is nothing but whitespace.
    Empty,
    /// The JSON is not an object.
    NotAnObject,
    /// The object has no `type`, or its `type` is not a string.
    MissingType,
    /// The `type` is not an event type the document describes.
    UnknownEventType,
    /// An object has the same key twice; parsers disagree on which value
    /// wins, so the payload means different things to different readers.
    DuplicateKey,
    /// The payload is larger than the limit it was read with.
    TooLarge,
    /// The sample is the record of a delivery that was refused (wrong
    /// method, too large, unauthentic ...), or keeps no body to validate, so
    /// it must not count as a conforming event.
    RefusedDelivery,
    /// The sample has the shape of a delivery record (a `received_at`, no
    /// `type`), as a tool that records deliveries writes them, but does not
    /// read as one: a line edited or cut by hand, or written by another
    /// tool.
    MalformedRecord,
    /// Any other schema keyword failed.
    Schema,
}

impl IssueKind {
    /// Every kind, in declaration order.
    pub const ALL: [IssueKind; 21] = [
        IssueKind::Required,
        IssueKind::Type,
        IssueKind::Enum,
        IssueKind::Const,
        IssueKind::Format,
        IssueKind::Minimum,
        IssueKind::Maximum,
        IssueKind::Pattern,
        IssueKind::UnknownProperty,
        IssueKind::UnknownValue,
        IssueKind::Syntax,
        IssueKind::Encoding,
        IssueKind::Empty,
        IssueKind::NotAnObject,
        IssueKind::MissingType,
        IssueKind::UnknownEventType,
        IssueKind::DuplicateKey,
        IssueKind::TooLarge,
        IssueKind::RefusedDelivery,
        IssueKind::MalformedRecord,
        IssueKind::Schema,
    ];

    /// The stable snake_case name, as serialised: `required`, `type`,
    /// `unknown_property`, ...
    pub fn name(self) -> &'static str {
        match self {
            IssueKind::Required => "required",
            IssueKind::Type => "type",
            IssueKind::Enum => "enum",
            IssueKind::Const => "const",
            IssueKind::Format => "format",
            IssueKind::Minimum => "minimum",
            IssueKind::Maximum => "maximum",
            IssueKind::Pattern => "pattern",
            IssueKind::UnknownProperty => "unknown_property",
            IssueKind::UnknownValue => "unknown_value",
            IssueKind::Syntax => "syntax",
            IssueKind::Encoding => "encoding",
            IssueKind::Empty => "empty",
            IssueKind::NotAnObject => "not_an_object",
            IssueKind::MissingType => "missing_type",
            IssueKind::UnknownEventType => "unknown_event_type",
            IssueKind::DuplicateKey => "duplicate_key",
            IssueKind::TooLarge => "too_large",
            IssueKind::RefusedDelivery => "refused_delivery",
            IssueKind::MalformedRecord => "malformed_record",
            IssueKind::Schema => "schema",
        }
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the document says about properties, for the issues of one payload.
pub(crate) trait Properties {
    /// Whether the property at `instance_path` (tokens, already split) is
    /// one the document describes, and its `x-since` if it has one.
    fn lookup(&self, tokens: &[String]) -> Option<Option<String>>;
    /// The `x-since` of the event itself (its `type`'s), when it has one.
    fn event_since(&self) -> Option<String> {
        self.lookup(&["type".to_owned()]).flatten()
    }
    /// The known values of an open list at `schema_pointer`, when the
    /// failed `enum` there stands for an `x-extensible-enum`.
    fn extensible(&self, schema_pointer: &str) -> Option<&[Value]>;
}

/// The issues one validation error stands for: usually one; one per
/// property for a list of unexpected properties; none for an open-list
/// value that is not even a string (its `type` error says it).
pub(crate) fn issues_from(
    error: &ValidationError<'_>,
    properties: &dyn Properties,
    out: &mut Vec<Issue>,
) {
    let instance_path = error.instance_path().as_str();
    let schema_path = error.schema_path().as_str();
    let tokens = split_pointer(instance_path);
    let issue = |kind, message, property: Option<(String, Option<String>)>| {
        let (property, since) = property.map_or((None, None), |(p, s)| (Some(p), s));
        Issue {
            kind,
            instance_path: instance_path.to_owned(),
            schema_path: schema_path.to_owned(),
            message,
            property,
            since,
            position: None,
        }
    };
    // The property holding the value, when the document knows it.
    let holder = || {
        let name = tokens.last()?;
        let since = properties.lookup(&tokens)?;
        Some((name.clone(), since))
    };
    match error.kind() {
        ValidationErrorKind::UnevaluatedProperties { unexpected }
        | ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(Issue {
                    kind: IssueKind::UnknownProperty,
                    instance_path: format!("{instance_path}/{}", crate::text::escape(name)),
                    schema_path: schema_path.to_owned(),
                    message: format!(
                        "unknown property {}: the spec does not describe it",
                        quote(name)
                    ),
                    property: None,
                    since: None,
                    position: None,
                });
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            let mut path = tokens.clone();
            path.push(name.clone());
            let since = properties.lookup(&path);
            let message = missing(
                &name,
                since.as_ref().and_then(Option::as_deref),
                properties.event_since().as_deref(),
            );
            let known = since.map(|since| (name.clone(), since));
            out.push(issue(IssueKind::Required, message, known));
        }
        ValidationErrorKind::Enum { options } => {
            let parent = schema_path.strip_suffix("/enum").unwrap_or(schema_path);
            match properties.extensible(parent) {
                // An open list closed by strict mode.
                Some(known) => {
                    if error.instance().is_string() {
                        let message = format!(
                            "unknown value {}: the spec lists {} (allowed unless --strict; Whereby may add values)",
                            render(error.instance()),
                            list(known.iter())
                        );
                        out.push(issue(IssueKind::UnknownValue, message, holder()));
                    }
                }
                None => {
                    let message = format!(
                        "{} is not one of {}",
                        render(error.instance()),
                        list(options.as_array().into_iter().flatten())
                    );
                    out.push(issue(IssueKind::Enum, message, holder()));
                }
            }
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }
            if let Some(unknown) = unknown_values_only(context, properties) =>
        {
            out.extend(unknown);
        }
        _ => {
            let (kind, message) = kind_and_message(error);
            out.push(issue(kind, message, holder()));
        }
    }
}

/// The issues of the first branch of an `anyOf`/`oneOf` that fails only
/// on unknown values of open lists: an open list among alternatives (a
/// nullable one, say) that strict mode closed. Reported as such, not as
/// "matches none of the allowed schemas".
fn unknown_values_only(
    branches: &[Vec<ValidationError<'_>>],
    properties: &dyn Properties,
) -> Option<Vec<Issue>> {
    branches.iter().find_map(|branch| {
        let mut inner = Vec::new();
        for error in branch {
            issues_from(error, properties, &mut inner);
        }
        (!inner.is_empty() && inner.iter().all(|i| i.kind == IssueKind::UnknownValue))
            .then_some(inner)
    })
}

/// `missing property NAME`, with when the document says it appeared (and
/// whether with the event itself, `event_since`, in which case no sample of
/// the event predates it).
fn missing(name: &str, since: Option<&str>, event_since: Option<&str>) -> String {
    let name = bare(name);
    match since {
        Some(EARLIEST) => {
            format!("missing property {name} (documented since {EARLIEST} or earlier)")
        }
        Some(since) if Some(since) == event_since => {
            format!("missing property {name} (documented with the event, since {since})")
        }
        Some(since) => format!(
            "missing property {name} (documented since {since}; samples captured before then lack it)"
        ),
        None => format!("missing property {name}"),
    }
}

/// The `x-since` of what is older than Whereby's documentation history.
const EARLIEST: &str = "2022-04-01";

/// A property name as is when it is a plain identifier, quoted otherwise.
fn bare(name: &str) -> Cow<'_, str> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'))
    {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(quote(name))
    }
}

/// The kind and sentence of a validation error other than the ones
/// [`issues_from`] handles itself.
fn kind_and_message(error: &ValidationError<'_>) -> (IssueKind, String) {
    let shown = render(error.instance());
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(ty) => format!("\"{ty}\""),
                TypeKind::Multiple(types) => types
                    .iter()
                    .map(|ty| format!("\"{ty}\""))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            (
                IssueKind::Type,
                format!("{shown} is not of type {expected}"),
            )
        }
        ValidationErrorKind::Format { format } => (
            IssueKind::Format,
            format!("{shown} is not a valid \"{format}\""),
        ),
        ValidationErrorKind::Constant { expected_value } => (
            IssueKind::Const,
            format!("{shown} is not {}", render(expected_value)),
        ),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // A list published as `oneOf` of documented `const`s.
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
                Some(values) if !values.is_empty() => (
                    IssueKind::Enum,
                    format!("{shown} is not one of {}", list(values.into_iter())),
                ),
                _ => (
                    IssueKind::Schema,
                    format!("{shown} matches none of the allowed schemas"),
                ),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => (
            IssueKind::Schema,
            format!("{shown} matches more than one of the schemas of which it must match one"),
        ),
        ValidationErrorKind::Minimum { limit } => (
            IssueKind::Minimum,
            format!("{shown} is less than the minimum {limit}"),
        ),
        ValidationErrorKind::Maximum { limit } => (
            IssueKind::Maximum,
            format!("{shown} is greater than the maximum {limit}"),
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => (
            IssueKind::Minimum,
            format!("{shown} is not greater than {limit}"),
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => (
            IssueKind::Maximum,
            format!("{shown} is not less than {limit}"),
        ),
        ValidationErrorKind::MinLength { limit } => (
            IssueKind::Schema,
            format!("{shown} is shorter than {limit} characters"),
        ),
        ValidationErrorKind::Pattern { pattern } => (
            IssueKind::Pattern,
            format!("{shown} does not match the pattern {}", quote(pattern)),
        ),
        ValidationErrorKind::FalseSchema => {
            (IssueKind::Schema, format!("{shown} is not allowed here"))
        }
        _ => (
            IssueKind::Schema,
            lowercase_first(&truncate(&error.to_string(), 200)),
        ),
    }
}

/// How many values of a list a message shows: a spec's list may be long,
/// and every payload that fails on it gets the message.
const LISTED: usize = 50;

/// The values, each rendered, the first [`LISTED`] of them and how many more.
fn list<'a>(values: impl Iterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    let mut more = 0_usize;
    for (i, value) in values.enumerate() {
        if i >= LISTED {
            more += 1;
            continue;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&render(value));
    }
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
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
    fn kinds_serialise_by_their_names() {
        let mut names = std::collections::HashSet::new();
        for kind in IssueKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).expect("serialisable"),
                Value::from(kind.name())
            );
            assert_eq!(kind.to_string(), kind.name());
            assert!(names.insert(kind.name()), "{kind:?}");
        }
    }

    #[test]
    fn names_are_bare_only_when_plain() {
        assert_eq!(bare("roomName"), "roomName");
        assert_eq!(bare("$a_b-c.d9"), "$a_b-c.d9");
        assert_eq!(bare("a b"), "\"a b\"");
        assert_eq!(bare(""), "\"\"");
    }

    /// A long list is cut: a spec with a list of 200,000 values once made
    /// 1,000 failing payloads print 4 GB.
    #[test]
    fn a_long_list_is_shown_in_part() {
        let values: Vec<Value> = (0..200_000).map(|i| Value::from(format!("v{i}"))).collect();
        let shown = list(values.iter());
        let first: Vec<String> = (0..LISTED).map(|i| format!("\"v{i}\"")).collect();
        assert_eq!(
            shown,
            format!("{} and {} more", first.join(", "), 200_000 - LISTED)
        );
        let short = list(values[..LISTED].iter());
        assert_eq!(short, first.join(", "));
    }
}
