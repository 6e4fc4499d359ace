//! The compiled validator: one JSON Schema per webhook, picked by `type`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use jsonschema::{Draft, Registry};
use serde_json::Value;

use crate::document::{self, Webhook};
use crate::error::SpecError;
use crate::parse::parse_payload;
use crate::report::{self, Issue, IssueKind, Properties, Report};
use crate::tape::{Tape, TapeJson};
use crate::text;
use crate::{EMBEDDED_SPEC, Options};

/// The URI the OpenAPI document is registered under, so that its `$ref`s
/// resolve against it.
const DOCUMENT_URI: &str = "urn:whereby-webhooks:openapi";
/// The base URI of the small schema that points into the document.
const ENTRY_URI: &str = "urn:whereby-webhooks:entry";

/// Validates webhook payloads against an OpenAPI 3.1 document.
///
/// Build it once (compiling the schemas is the expensive part) and share it:
/// it is `Send + Sync`, and validating takes `&self`.
pub struct Validator {
    events: Vec<Event>,
    by_type: HashMap<String, usize>,
    /// Each webhook by its key in `webhooks`, for events named outside the
    /// body (a header, as GitHub's `X-GitHub-Event`).
    by_key: HashMap<String, usize>,
    examples: Vec<(String, String, Value)>,
    known_types: String,
    options: Options,
    /// The document, as validated against (closed in strict mode): where
    /// issues find a property's `x-since`.
    document: Value,
    /// The schemas (by JSON Pointer) whose `x-extensible-enum` strict mode
    /// turned into an `enum`, with the values the document lists.
    extensible: HashMap<String, Vec<Value>>,
    /// For a validator of a date: that date, and the event types
    /// documented only later, with the date each arrived.
    dated: Option<(String, BTreeMap<String, String>)>,
    /// For a validator that judges each payload by its `createdAt`: the
    /// contracts of the earlier dates.
    by_created: Option<Box<ByCreated>>,
}

/// The contracts of the dates at which the document changed, each built
/// the first time a payload of its period comes.
struct ByCreated {
    /// The whole document, as given.
    source: Value,
    /// Every date the document changes at, sorted, but the last, which
    /// begins today's contract: the validator itself.
    periods: Vec<(String, OnceLock<Result<Validator, String>>)>,
    /// Each event type with the date it was first documented.
    event_since: HashMap<String, String>,
}

struct Event {
    /// Its key in `webhooks`.
    key: String,
    event_type: String,
    schema_pointer: String,
    schema: jsonschema::Validator,
    /// The same schema, reading a [`Tape`]: decides validity without
    /// building a [`Value`].
    fast: jsonschema::Validator<TapeJson>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("event_types", &self.known_types)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// A validator for the document this crate was built with
    /// ([`EMBEDDED_SPEC`]).
    pub fn embedded(options: Options) -> Result<Validator, SpecError> {
        let document: Value = serde_json::from_str(EMBEDDED_SPEC).map_err(SpecError::Json)?;
        Validator::from_document(&document, options)
    }

    /// A validator for any OpenAPI 3.1 document with `webhooks`.
    pub fn from_document(document: &Value, options: Options) -> Result<Validator, SpecError> {
        // The chains first: a long chain of `$ref`s is also nested deep,
        // and is better named as what it is.
        document::check_version(document)?;
        document::check_in_place_chains(document)?;
        let webhooks = document::webhooks(document)?;
        let mut extensible = HashMap::new();
        let document = if options.strict {
            let mut closed = document.clone();
            let roots: Vec<String> = webhooks.iter().map(|w| w.schema_pointer.clone()).collect();
            document::close(&mut closed, &roots);
            extensible = document::close_open_lists(&mut closed);
            Cow::Owned(closed)
        } else {
            Cow::Borrowed(document)
        };
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, document.as_ref())
            .and_then(|builder| builder.prepare())
            .map_err(|err| SpecError::InvalidSchema {
                webhook: webhooks[0].key.clone(),
                message: err.to_string(),
            })?;
        let mut events = Vec::with_capacity(webhooks.len());
        let mut examples = Vec::new();
        for webhook in webhooks {
            let schema = compile(jsonschema::options(), &registry, &webhook)?;
            let fast = compile(jsonschema::options_for::<TapeJson>(), &registry, &webhook)?;
            for (name, value) in webhook.examples {
                examples.push((webhook.event_type.clone(), name, value));
            }
            events.push(Event {
                key: webhook.key,
                event_type: webhook.event_type,
                schema_pointer: webhook.schema_pointer,
                schema,
                fast,
            });
        }
        drop(registry);
        let by_type = events
            .iter()
            .enumerate()
            .map(|(index, event)| (event.event_type.clone(), index))
            .collect();
        let by_key = events
            .iter()
            .enumerate()
            .map(|(index, event)| (event.key.clone(), index))
            .collect();
        let known_types = events
            .iter()
            .map(|event| event.event_type.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Validator {
            events,
            by_type,
            by_key,
            examples,
            known_types,
            options,
            document: document.into_owned(),
            extensible,
            dated: None,
            by_created: None,
        })
    }

    /// A validator for the contract of `document` as it stood on `date`
    /// (`YYYY-MM-DD`): only the webhooks, properties and values documented
    /// by then (see [`history`](crate::history)). A payload of an event
    /// type documented later is reported as such, with the date it arrived.
    ///
    /// ```
    /// use whereby_webhooks_conformance::{Options, Validator, EMBEDDED_SPEC};
    ///
    /// let document: serde_json::Value = serde_json::from_str(EMBEDDED_SPEC)?;
    /// let then = Validator::as_of(&document, "2022-10-10", Options::default())?;
    /// // Whereby's own delivery of that day, which today's contract rejects.
    /// let body = br#"{"apiVersion":"1.0","id":"e1","createdAt":"2022-10-10T12:38:56.036Z",
    ///   "type":"room.client.joined","data":{"roomName":"/r","meetingId":"6",
    ///   "roleName":"recorder","numClients":2,"numClientsByRoleName":{"host":1,"recorder":1},
    ///   "metadata":null}}"#;
    /// assert!(then.validate_bytes(body).is_valid());
    /// assert!(!Validator::embedded(Options::default())?.validate_bytes(body).is_valid());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SpecError::Date`] when `date` is not a calendar date, and the
    /// errors of [`Validator::from_document`].
    pub fn as_of(document: &Value, date: &str, options: Options) -> Result<Validator, SpecError> {
        let then = crate::history::as_of(document, date)?;
        let mut validator = Validator::from_document(&then.document, options)?;
        validator.dated = Some((then.judged, then.later));
        Ok(validator)
    }

    /// [`Validator::as_of`] for the document this crate was built with.
    pub fn embedded_as_of(date: &str, options: Options) -> Result<Validator, SpecError> {
        let document: Value = serde_json::from_str(EMBEDDED_SPEC).map_err(SpecError::Json)?;
        Validator::as_of(&document, date, options)
    }

    /// A validator that judges each payload against the contract of its own
    /// `createdAt` date, as [`Validator::as_of`] that date would: a capture
    /// or an archive is judged by what was documented when it was sent. A
    /// payload without a `createdAt` date is judged against today's
    /// contract (which reports the missing date).
    ///
    /// # Errors
    ///
    /// The errors of [`Validator::from_document`].
    pub fn as_of_created(document: &Value, options: Options) -> Result<Validator, SpecError> {
        let mut validator = Validator::from_document(document, options)?;
        let mut dates = crate::history::change_dates(document);
        dates.pop();
        let event_since = document::webhooks(document)?
            .into_iter()
            .filter_map(|webhook| {
                let since = document
                    .get("webhooks")?
                    .get(&webhook.key)?
                    .as_object()?
                    .values()
                    .find_map(|op| op.get("x-since").and_then(Value::as_str))?
                    .to_owned();
                Some((webhook.event_type, since))
            })
            .collect();
        validator.by_created = Some(Box::new(ByCreated {
            source: document.clone(),
            periods: dates
                .into_iter()
                .map(|date| (date, OnceLock::new()))
                .collect(),
            event_since,
        }));
        Ok(validator)
    }

    /// [`Validator::as_of_created`] for the document this crate was built with.
    pub fn embedded_as_of_created(options: Options) -> Result<Validator, SpecError> {
        let document: Value = serde_json::from_str(EMBEDDED_SPEC).map_err(SpecError::Json)?;
        Validator::as_of_created(&document, options)
    }

    /// The date of the contract this validator judges by, for one made by
    /// [`Validator::as_of`] (the date given, or the first day of the docs'
    /// history for an earlier one).
    pub fn date(&self) -> Option<&str> {
        self.dated.as_ref().map(|(date, _)| date.as_str())
    }

    /// Whether this validator judges each payload by its `createdAt`
    /// ([`Validator::as_of_created`]).
    pub fn judges_by_created(&self) -> bool {
        self.by_created.is_some()
    }

    /// The contract a payload created at `created_at` is judged by: the
    /// validator of the last period that began on or before its date, or
    /// `self` for today's.
    fn for_created(&self, created_at: Option<&str>) -> Result<&Validator, String> {
        let Some(by_created) = &self.by_created else {
            return Ok(self);
        };
        let Some(date) = created_at.and_then(crate::history::date_of) else {
            return Ok(self);
        };
        let periods = &by_created.periods;
        let index = periods.partition_point(|(start, _)| start.as_str() <= date);
        if index == periods.len() {
            return Ok(self);
        }
        // Before the first period: the earliest contract.
        let (start, cell) = &periods[index.saturating_sub(1)];
        cell.get_or_init(|| {
            Validator::as_of(&by_created.source, start, self.options).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| format!("the contract as of {start} cannot be built: {e}"))
    }

    /// A validator for the document in a file: YAML for `.yaml` and `.yml`,
    /// JSON for `.json`, and otherwise JSON when the text starts with `{`,
    /// YAML when it does not.
    pub fn from_path(path: &Path, options: Options) -> Result<Validator, SpecError> {
        Validator::from_document(&document::read(path)?, options)
    }

    /// Validates raw bytes, as received. Never panics, whatever the bytes.
    ///
    /// The bytes are read with [`parse_payload`](crate::parse_payload):
    /// UTF-8 JSON text without duplicate keys.
    pub fn validate_bytes(&self, bytes: &[u8]) -> Report {
        if let Some(event_type) = self.accepts(bytes) {
            return Report {
                event_type: Some(event_type.to_owned()),
                errors: Vec::new(),
            };
        }
        match parse_payload(bytes) {
            Ok(value) => self.validate_value(&value),
            Err(issue) => Report::failed(None, *issue),
        }
    }

    /// The event type of `bytes` when they are a valid payload, decided
    /// without building a [`Value`] (about twice as fast as parsing one);
    /// `None` when they are not valid, or not decided here: then
    /// [`Validator::validate_bytes`], or [`parse_payload`] and
    /// [`Validator::validate_value`], tell why. [`Validator::validate_bytes`]
    /// starts with it, so call it directly only to skip building a report.
    ///
    /// ```
    /// use whereby_webhooks_conformance::{Options, Validator};
    ///
    /// let validator = Validator::embedded(Options::default())?;
    /// let (_, _, example) = validator.examples().remove(0);
    /// let bytes = serde_json::to_vec(&example)?;
    /// assert_eq!(validator.accepts(&bytes), example["type"].as_str());
    /// assert_eq!(validator.accepts(b"{}"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accepts(&self, bytes: &[u8]) -> Option<&str> {
        let text = crate::parse::payload_text(bytes).ok()?;
        // Only an object can be an event: anything else is not read twice.
        if !text.trim_start().starts_with('{') {
            return None;
        }
        let tape = Tape::parse(text)?;
        let root = tape.root();
        let event_type = root.member("type")?.as_str()?;
        if self.by_created.is_some() {
            let created_at = root.member("createdAt").and_then(|c| c.as_str());
            let then = self.for_created(created_at).ok()?;
            if !std::ptr::eq(then, self) {
                return then.accepts_tape(root, event_type);
            }
        }
        self.accepts_tape(root, event_type)
    }

    fn accepts_tape(&self, root: crate::tape::TapeNode<'_>, event_type: &str) -> Option<&str> {
        let event = &self.events[*self.by_type.get(event_type)?];
        event
            .fast
            .is_valid(root)
            .then_some(event.event_type.as_str())
    }

    /// Validates a parsed payload.
    pub fn validate_value(&self, value: &Value) -> Report {
        let Value::Object(object) = value else {
            let hint = if value.is_array() {
                "; to validate several events, give one per line (NDJSON), for example `jq -c '.[]' events.json > events.ndjson`"
            } else {
                ""
            };
            return Report::failed(
                None,
                Issue::new(
                    IssueKind::NotAnObject,
                    "",
                    format!(
                        "the payload is {}, not an object{hint}",
                        text::type_name(value)
                    ),
                ),
            );
        };
        let event_type = match object.get("type") {
            Some(Value::String(event_type)) => event_type,
            Some(other) => {
                return Report::failed(
                    None,
                    Issue::new(
                        IssueKind::MissingType,
                        "/type",
                        format!(
                            "\"type\" is {}, not a string naming the event type",
                            text::type_name(other)
                        ),
                    ),
                );
            }
            None => {
                return Report::failed(
                    None,
                    Issue::new(
                        IssueKind::MissingType,
                        "/type",
                        "\"type\" is missing; every event names its event type in \"type\""
                            .to_owned(),
                    ),
                );
            }
        };
        if let Some(by_created) = &self.by_created {
            let created_at = object.get("createdAt").and_then(Value::as_str);
            let date = created_at.and_then(crate::history::date_of);
            // A date before the history is judged as its first day.
            let judged = date.map(|date| date.max(crate::history::HISTORY_START));
            if let (Some(date), Some(since)) = (date, by_created.event_since.get(event_type))
                && judged.is_some_and(|judged| judged < since.as_str())
            {
                return Report::failed(
                    Some(event_type.clone()),
                    Issue::new(
                        IssueKind::UnknownEventType,
                        "/type",
                        format!(
                            "event type {} was first documented on {since}, after this event's \
                             createdAt ({date}): the contract of its date does not have it",
                            text::quote(event_type)
                        ),
                    ),
                );
            }
            match self.for_created(created_at) {
                Ok(then) if !std::ptr::eq(then, self) => return then.validate_value(value),
                Ok(_) => {}
                Err(message) => {
                    return Report::failed(
                        Some(event_type.clone()),
                        Issue::new(IssueKind::Schema, "", message),
                    );
                }
            }
        }
        if let Some((date, later)) = &self.dated
            && let Some(since) = later.get(event_type)
        {
            return Report::failed(
                Some(event_type.clone()),
                Issue::new(
                    IssueKind::UnknownEventType,
                    "/type",
                    format!(
                        "event type {} was first documented on {since}, after {date}: the \
                         contract as of {date} does not have it",
                        text::quote(event_type)
                    ),
                ),
            );
        }
        let Some(&index) = self.by_type.get(event_type) else {
            let suggestion = nearest(event_type, self.event_types()).map_or_else(
                || "; the spec describes".to_owned(),
                |known| format!("; did you mean {known}? The spec describes"),
            );
            return Report::failed(
                Some(event_type.clone()),
                Issue::new(
                    IssueKind::UnknownEventType,
                    "/type",
                    format!(
                        "unknown event type {}{suggestion} {}",
                        text::quote(event_type),
                        self.known_types
                    ),
                ),
            );
        };
        self.validate_event(index, value)
    }

    /// Validates a parsed payload as the webhook under `key` in the
    /// document's `webhooks` (whatever its `type`), for schemes that name
    /// the event outside the body: GitHub's `X-GitHub-Event` header and
    /// the body's `action` make `issues-opened`. An unknown key is
    /// reported as an unknown event type, with the nearest known key.
    pub fn validate_value_as(&self, key: &str, value: &Value) -> Report {
        let Some(&index) = self.by_key.get(key) else {
            let suggestion = nearest(key, self.events.iter().map(|e| e.key.as_str()))
                .map_or_else(String::new, |known| format!("; did you mean {known}?"));
            let count = self.events.len();
            return Report::failed(
                Some(key.to_owned()),
                Issue::new(
                    IssueKind::UnknownEventType,
                    "",
                    format!(
                        "the document has no webhook {} among its {count}{suggestion}",
                        text::quote(key),
                    ),
                ),
            );
        };
        if !value.is_object() {
            return Report::failed(
                Some(key.to_owned()),
                Issue::new(
                    IssueKind::NotAnObject,
                    "",
                    format!("the payload is {}, not an object", text::type_name(value)),
                ),
            );
        }
        self.validate_event(index, value)
    }

    /// [`Validator::accepts`] for the webhook under `key`: `true` when
    /// `bytes` are a valid payload of it, decided without building a
    /// [`Value`]; `false` when they are not, or not decided here.
    pub fn accepts_as(&self, key: &str, bytes: &[u8]) -> bool {
        let Some(&index) = self.by_key.get(key) else {
            return false;
        };
        let Ok(text) = crate::parse::payload_text(bytes) else {
            return false;
        };
        if !text.trim_start().starts_with('{') {
            return false;
        }
        Tape::parse(text).is_some_and(|tape| self.events[index].fast.is_valid(tape.root()))
    }

    fn validate_event(&self, index: usize, value: &Value) -> Report {
        let event = &self.events[index];
        let mut errors = Vec::new();
        if !event.schema.is_valid(value) {
            let properties = Lookup {
                validator: self,
                event,
            };
            for error in event.schema.iter_errors(value) {
                report::issues_from(&error, &properties, &mut errors);
            }
            // Group by place in the payload; keep the schema's order within.
            errors.sort_by(|a, b| a.instance_path.cmp(&b.instance_path));
            // A schema reached twice (a cycle of `$ref`s) reports twice;
            // a payload may have a great many issues, even at one place.
            let first: Vec<bool> = {
                let mut seen: HashSet<&Issue> = HashSet::with_capacity(errors.len());
                errors.iter().map(|issue| seen.insert(issue)).collect()
            };
            let mut first = first.into_iter();
            errors.retain(|_| first.next().unwrap_or(false));
        }
        Report {
            event_type: Some(event.event_type.clone()),
            errors,
        }
    }

    /// The event types the document describes, in document order.
    pub fn event_types(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(|event| event.event_type.as_str())
    }

    /// The request body examples of the document: event type, example name
    /// and payload, in document order.
    pub fn examples(&self) -> Vec<(String, String, Value)> {
        self.examples.clone()
    }

    /// The options the validator was built with.
    pub fn options(&self) -> Options {
        self.options
    }
}

fn compile<'r, F: jsonschema::json::Json>(
    options: jsonschema::ValidationOptions<'r, std::sync::Arc<dyn jsonschema::Retrieve>, F>,
    registry: &'r Registry<'r>,
    webhook: &Webhook,
) -> Result<jsonschema::Validator<F>, SpecError> {
    let entry = serde_json::json!({
        "$ref": format!("{DOCUMENT_URI}#{}", document::fragment(&webhook.schema_pointer)),
    });
    options
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .offline()
        .with_registry(registry)
        .with_base_uri(ENTRY_URI)
        .build(&entry)
        .map_err(|err| match err.kind() {
            jsonschema::error::ValidationErrorKind::Referencing(reason) => {
                SpecError::UnresolvableRef {
                    webhook: webhook.key.clone(),
                    reference: referenced(reason),
                }
            }
            _ => SpecError::InvalidSchema {
                webhook: webhook.key.clone(),
                message: crate::text::truncate(
                    &format!("{err} at {}", err.schema_path()),
                    MESSAGE_MAX,
                ),
            },
        })
}

/// The most of a compiler's message kept: it may quote a schema's value
/// whole (a pattern of megabytes, say).
const MESSAGE_MAX: usize = 600;

/// What a reference that could not be followed pointed to, as the document
/// (or a `$id` in it) made it: the resource, pointer or anchor, not the
/// resolver's sentence about it.
fn referenced(error: &jsonschema::ReferencingError) -> String {
    use jsonschema::ReferencingError as E;
    let reference = match error {
        E::Unretrievable { uri, .. } => uri.clone(),
        E::PointerToNowhere { pointer } => format!("#{pointer}"),
        E::NoSuchAnchor { anchor } | E::InvalidAnchor { anchor } => format!("#{anchor}"),
        other => other.to_string(),
    };
    crate::text::truncate(&reference, MESSAGE_MAX)
}

/// What the document says about the properties of one event.
struct Lookup<'a> {
    validator: &'a Validator,
    event: &'a Event,
}

impl Properties for Lookup<'_> {
    fn lookup(&self, tokens: &[String]) -> Option<Option<String>> {
        let root = self
            .validator
            .document
            .pointer(&self.event.schema_pointer)?;
        document::property_since(&self.validator.document, root, tokens)
    }

    fn extensible(&self, schema_pointer: &str) -> Option<&[Value]> {
        self.validator
            .extensible
            .get(schema_pointer)
            .map(Vec::as_slice)
    }
}

/// The known event type closest to `given`, when it is close enough to be
/// a likely typo: at most a third of its characters differ, ignoring case.
fn nearest<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_lowercase();
    let length = given.chars().count();
    let limit = (length / 3).max(1);
    known
        // Lengths further apart than the limit are further apart than it
        // in edits too: an event type of a megabyte is not compared
        // character by character with every name the document has.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (edit_distance(&given, &candidate.to_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    /// A document whose webhooks pin no `type`, as GitHub's: each is
    /// reached by its key.
    #[test]
    fn webhooks_by_key() {
        let document = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "webhooks": {
                "issues-opened": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["action", "issue"],
                    "properties": {"action": {"const": "opened"}, "issue": {"type": "object"}}
                }}}}}}
            }
        });
        let validator = Validator::from_document(&document, Options::default()).unwrap();
        let good = serde_json::json!({"action": "opened", "issue": {}});
        let bad = serde_json::json!({"action": "opened"});
        assert!(
            validator
                .validate_value_as("issues-opened", &good)
                .is_valid()
        );
        assert!(validator.accepts_as("issues-opened", br#"{"action":"opened","issue":{}}"#));
        assert!(!validator.accepts_as("issues-opened", br#"{"action":"opened"}"#));
        let report = validator.validate_value_as("issues-opened", &bad);
        assert!(!report.is_valid());
        assert_eq!(report.event_type.as_deref(), Some("issues-opened"));
        let unknown = validator.validate_value_as("issues-openned", &good);
        assert_eq!(unknown.errors[0].kind, IssueKind::UnknownEventType);
        assert!(
            unknown.errors[0]
                .message
                .contains("did you mean issues-opened"),
            "{}",
            unknown.errors[0].message
        );
        let not_object = validator.validate_value_as("issues-opened", &serde_json::json!([]));
        assert_eq!(not_object.errors[0].kind, IssueKind::NotAnObject);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        // Deleting from the first string, and inserting into it.
        assert_eq!(edit_distance("cab", "c"), 2);
        assert_eq!(edit_distance("c", "cab"), 2);
        assert_eq!(edit_distance("room.client.joined", "room.client.joined"), 0);
    }

    #[test]
    fn the_nearest_type_is_offered_only_when_close() {
        let known = [
            "room.client.joined",
            "room.client.left",
            "room.session.started",
        ];
        let nearest = |given| nearest(given, known.iter().copied());
        assert_eq!(nearest("room.client.join"), Some("room.client.joined"));
        assert_eq!(nearest("ROOM.CLIENT.LEFT"), Some("room.client.left"));
        assert_eq!(nearest("room.session.start"), Some("room.session.started"));
        assert_eq!(nearest("payment.succeeded"), None);
        // One character of three may differ; two may not.
        assert_eq!(nearest_in("abd", &["abc"]), Some("abc"));
        assert_eq!(nearest_in("axd", &["abc"]), None);
        assert_eq!(nearest_in("a", &["b"]), Some("b"));
    }

    /// An event type of hundreds of kilobytes against thousands of names:
    /// comparing each character with each took tens of billions of steps.
    #[test]
    fn a_long_unknown_type_is_not_compared_with_every_name_at_length() {
        let known: Vec<String> = (0..2_000)
            .map(|i| format!("room.event{i}.changed"))
            .collect();
        let given = format!("room.event1.changed{}", "x".repeat(200_000));
        let (sent, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let found = nearest(&given, known.iter().map(String::as_str)).map(str::to_owned);
            let _ = sent.send(found);
        });
        let found = received
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the nearest name is found within a minute");
        assert_eq!(found, None);
        assert_eq!(
            nearest_in("room.event1.changedx", &["room.event1.changed"]),
            Some("room.event1.changed")
        );
    }

    fn nearest_in<'a>(given: &str, known: &[&'a str]) -> Option<&'a str> {
        nearest(given, known.iter().copied())
    }

    #[test]
    fn a_validator_says_how_it_was_built() {
        for strict in [false, true] {
            let validator = Validator::embedded(Options { strict }).expect("loads");
            assert_eq!(validator.options(), Options { strict });
            let debug = format!("{validator:?}");
            assert!(debug.contains("room.client.joined"), "{debug}");
            assert!(debug.contains(&format!("strict: {strict}")), "{debug}");
        }
    }

    #[test]
    fn validator_is_send_and_sync() {
        assert_send_sync::<Validator>();
        assert_send_sync::<Report>();
    }
}

#[cfg(test)]
mod tape_tests {
    use super::*;

    /// The tape, not the fallback, accepts every valid example: were it to
    /// refuse them, `validate_bytes` would still be right, only slower.
    #[test]
    fn the_tape_accepts_every_example() {
        for strict in [false, true] {
            let validator = Validator::embedded(Options { strict }).expect("loads");
            for (event_type, name, value) in validator.examples() {
                let bytes = serde_json::to_vec(&value).expect("serialises");
                assert_eq!(
                    validator.accepts(&bytes),
                    Some(event_type.as_str()),
                    "{name} (strict: {strict})"
                );
            }
        }
    }

    #[test]
    fn the_tape_refuses_what_is_not_valid() {
        let validator = Validator::embedded(Options::default()).expect("loads");
        let (_, _, example) = validator.examples().remove(0);
        let mut broken = example.clone();
        broken["apiVersion"] = Value::from("2.0");
        let mut twice = serde_json::to_string(&example).expect("serialises");
        twice.insert_str(1, r#""type":"bogus.event","#);
        for bytes in [
            serde_json::to_vec(&broken).expect("serialises"),
            twice.into_bytes(),
            b"{}".to_vec(),
            b"[]".to_vec(),
        ] {
            assert_eq!(validator.accepts(&bytes), None);
            assert!(!validator.validate_bytes(&bytes).is_valid());
        }
    }
}
