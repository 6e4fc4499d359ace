//! The compiled validator: one JSON Schema per webhook, picked by `type`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
    examples: Vec<(String, String, Value)>,
    known_types: String,
    options: Options,
    /// The document, as validated against (closed in strict mode): where
    /// issues find a property's `x-since`.
    document: Value,
    /// The schemas (by JSON Pointer) whose `x-extensible-enum` strict mode
    /// turned into an `enum`, with the values the document lists.
    extensible: HashMap<String, Vec<Value>>,
}

struct Event {
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
        let known_types = events
            .iter()
            .map(|event| event.event_type.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Validator {
            events,
            by_type,
            examples,
            known_types,
            options,
            document: document.into_owned(),
            extensible,
        })
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
    let limit = (given.chars().count() / 3).max(1);
    known
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
