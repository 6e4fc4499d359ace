//! The compiled validator: one JSON Schema per webhook, picked by `type`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use jsonschema::{Draft, Registry};
use serde_json::Value;

use crate::document::{self, Webhook};
use crate::error::SpecError;
use crate::report::{self, Issue, IssueKind, Report};
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
}

struct Event {
    event_type: String,
    schema: jsonschema::Validator,
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
        let webhooks = document::webhooks(document)?;
        let document = if options.strict {
            let mut closed = document.clone();
            let roots: Vec<String> = webhooks.iter().map(|w| w.schema_pointer.clone()).collect();
            document::close(&mut closed, &roots);
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
            let schema = compile(&registry, &webhook)?;
            for (name, value) in webhook.examples {
                examples.push((webhook.event_type.clone(), name, value));
            }
            events.push(Event {
                event_type: webhook.event_type,
                schema,
            });
        }
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
        })
    }

    /// A validator for the document in a file: YAML for `.yaml` and `.yml`,
    /// JSON for `.json`, and otherwise JSON when the text starts with `{`.
    pub fn from_path(path: &Path, options: Options) -> Result<Validator, SpecError> {
        Validator::from_document(&document::read(path)?, options)
    }

    /// Validates raw bytes, as received. Never panics, whatever the bytes.
    pub fn validate_bytes(&self, bytes: &[u8]) -> Report {
        if bytes
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            return Report::failed(
                None,
                Issue::new("", "the payload is empty".to_owned(), IssueKind::Empty),
            );
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let offset = err.valid_up_to();
                return Report::failed(
                    None,
                    Issue::new(
                        "",
                        format!("the payload is not UTF-8 from byte {offset} on"),
                        IssueKind::InvalidUtf8 { offset },
                    ),
                );
            }
        };
        match serde_json::from_str::<Value>(text) {
            Ok(value) => self.validate_value(&value),
            Err(err) => Report::failed(None, syntax_issue(&err)),
        }
    }

    /// Validates a parsed payload.
    pub fn validate_value(&self, value: &Value) -> Report {
        let Value::Object(object) = value else {
            return Report::failed(
                None,
                Issue::new(
                    "",
                    format!("the payload is {}, not an object", report::type_name(value)),
                    IssueKind::NotAnObject,
                ),
            );
        };
        let event_type = match object.get("type") {
            Some(Value::String(event_type)) => event_type,
            Some(other) => {
                return Report::failed(
                    None,
                    Issue::new(
                        "/type",
                        format!(
                            "\"type\" is {}, not a string naming the event type",
                            report::type_name(other)
                        ),
                        IssueKind::MissingType,
                    ),
                );
            }
            None => {
                return Report::failed(
                    None,
                    Issue::new(
                        "/type",
                        "\"type\" is missing; every event names its event type in \"type\""
                            .to_owned(),
                        IssueKind::MissingType,
                    ),
                );
            }
        };
        let Some(&index) = self.by_type.get(event_type) else {
            return Report::failed(
                None,
                Issue::new(
                    "/type",
                    format!(
                        "unknown event type {}; the spec describes {}",
                        report::render(&Value::String(event_type.clone())),
                        self.known_types
                    ),
                    IssueKind::UnknownType,
                ),
            );
        };
        let event = &self.events[index];
        let mut errors = Vec::new();
        if !event.schema.is_valid(value) {
            for error in event.schema.iter_errors(value) {
                report::issues_from(&error, &mut errors);
            }
            // Group by place in the payload; keep the schema's order within.
            errors.sort_by(|a, b| a.instance_path.cmp(&b.instance_path));
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

fn compile(registry: &Registry<'_>, webhook: &Webhook) -> Result<jsonschema::Validator, SpecError> {
    let entry = serde_json::json!({
        "$ref": format!("{DOCUMENT_URI}#{}", document::fragment(&webhook.schema_pointer)),
    });
    jsonschema::options()
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
                    reference: reason.to_string(),
                }
            }
            _ => SpecError::InvalidSchema {
                webhook: webhook.key.clone(),
                message: format!("{err} at {}", err.schema_path()),
            },
        })
}

fn syntax_issue(err: &serde_json::Error) -> Issue {
    let (line, column) = (err.line(), err.column());
    let reason = err.to_string();
    // serde_json ends its message with " at line L column C"; say it once.
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason.as_str(), |(head, _)| head);
    Issue::new(
        "",
        format!("not valid JSON at line {line}, column {column}: {reason}"),
        IssueKind::Syntax { line, column },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn validator_is_send_and_sync() {
        assert_send_sync::<Validator>();
        assert_send_sync::<Report>();
    }
}
