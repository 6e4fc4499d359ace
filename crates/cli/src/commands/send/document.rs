//! A body for one webhook of any OpenAPI document (`send --spec DOC KEY`):
//! another vendor's webhooks, such as GitHub's, or another version of
//! Whereby's.
//!
//! The body comes from, in order: an examples file given with
//! `--examples` (a payload, an array of payloads, or the index of
//! `@octokit/webhooks-examples`, whose entries name their event), the
//! document's own example for that webhook, or a minimal body built from
//! the webhook's schema (each required property, the first of each choice,
//! a placeholder of each format). `send` says which on stderr. A minimal
//! body is what the schema requires, not a realistic event.
//!
//! For a scheme that names the event in a header (GitHub's
//! `X-GitHub-Event`), the header's value is the examples-file entry's name,
//! else the one the scheme's own naming rule turns back into the key (GitHub:
//! `pull-request-closed` with the body's `action` `closed` is
//! `pull_request`), else the example the document gives for that header
//! parameter (GitHub's document gives `issues` for every webhook, so it
//! comes last).

use std::path::Path;

use anyhow::{anyhow, bail};
use serde_json::{Map, Value};
use whereby_webhooks_conformance::resolve_ref;
use whereby_webhooks_signature::{EventAt, Scheme};

/// Where a body came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The examples file.
    ExamplesFile,
    /// The document's example of the webhook.
    Document,
    /// Built from the webhook's schema.
    Minimal,
}

impl Source {
    /// How `send` names it.
    pub fn describe(&self) -> &'static str {
        match self {
            Source::ExamplesFile => "the first example of it in the --examples file",
            Source::Document => "the document's own example of it",
            Source::Minimal => {
                "a minimal body built from its schema (required properties only, placeholder values): \
                 give --examples FILE for a realistic one"
            }
        }
    }
}

/// A body for a webhook, with its event header where the scheme has one.
#[derive(Debug, Clone)]
pub struct Built {
    /// The body.
    pub body: Value,
    /// Where it came from.
    pub source: Source,
    /// The value of the scheme's event header, when the scheme has one.
    pub event_header: Option<String>,
}

/// How deep a minimal body is built: past it, an object is left empty
/// (recursive schemas, such as GitHub's, would otherwise never end).
const MAX_DEPTH: usize = 24;

/// A body for the webhook `key` of `document`.
///
/// # Errors
///
/// When the document has no such webhook, or the webhook no JSON body.
pub fn build(
    document: &Value,
    key: &str,
    examples: Option<&Value>,
    scheme: &Scheme,
) -> anyhow::Result<Built> {
    let Some(webhook) = document.get("webhooks").and_then(|w| w.get(key)) else {
        let keys: Vec<&str> = document
            .get("webhooks")
            .and_then(Value::as_object)
            .map(|w| w.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let near: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| k.starts_with(key.split(['-', '.']).next().unwrap_or(key)))
            .take(8)
            .collect();
        bail!(
            "the document has no webhook `{}` ({} webhooks{})",
            whereby_webhooks_conformance::escape::terminal_safe(key),
            keys.len(),
            if near.is_empty() {
                String::new()
            } else {
                format!("; close: {}", near.join(", "))
            }
        );
    };
    let operation = webhook
        .as_object()
        .and_then(|methods| methods.values().find(|op| op.get("requestBody").is_some()))
        .ok_or_else(|| anyhow!("the webhook `{key}` describes no request body"))?;
    let documented_header = match scheme.event {
        EventAt::Header { header, .. } => header_example(document, operation, header),
        EventAt::BodyField(_) => None,
    };
    let content = resolve_ref(document, &operation["requestBody"])
        .get("content")
        .and_then(|c| c.get("application/json"))
        .ok_or_else(|| anyhow!("the webhook `{key}` has no application/json body"))?;

    if let Some(examples) = examples
        && let Some((body, name)) =
            from_examples(examples, key, scheme, documented_header.as_deref())
    {
        let event_header = name.or_else(|| event_named(scheme, key, &body, documented_header));
        return Ok(Built {
            body,
            source: Source::ExamplesFile,
            event_header,
        });
    }
    let (body, source) = match document_example(document, content) {
        Some(body) => (body, Source::Document),
        None => {
            let schema = content.get("schema").unwrap_or(&Value::Bool(true));
            (minimal(document, schema, 0), Source::Minimal)
        }
    };
    let event_header = event_named(scheme, key, &body, documented_header);
    Ok(Built {
        body,
        source,
        event_header,
    })
}

/// The event header's value that, with `body`, the scheme names `key`: the
/// key without its `-ACTION` suffix, `-` written `_` (GitHub's event names
/// have no `-`), if that names the key back; else `documented`. `None` for
/// a scheme that reads the event from the body.
fn event_named(
    scheme: &Scheme,
    key: &str,
    body: &Value,
    documented: Option<String>,
) -> Option<String> {
    let EventAt::Header { action, .. } = scheme.event else {
        return None;
    };
    let suffix = action
        .and_then(|field| body.get(field))
        .and_then(Value::as_str)
        .map(|a| format!("-{}", a.replace('_', "-")));
    let event = suffix
        .as_deref()
        .and_then(|suffix| key.strip_suffix(suffix))
        .unwrap_or(key)
        .replace('-', "_");
    if scheme.webhook_key(Some(&event), body).as_deref() == Some(key) {
        Some(event)
    } else {
        documented
    }
}

/// The example the document gives for the header parameter `name`.
fn header_example(document: &Value, operation: &Value, name: &str) -> Option<String> {
    operation
        .get("parameters")?
        .as_array()?
        .iter()
        .map(|parameter| resolve_ref(document, parameter))
        .find(|parameter| {
            parameter.get("in").and_then(Value::as_str) == Some("header")
                && parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .get("example")?
        .as_str()
        .map(str::to_owned)
}

/// The first payload of the examples file that is the webhook `key`, with
/// the name of its entry (the event) when the file is an index.
fn from_examples(
    examples: &Value,
    key: &str,
    scheme: &Scheme,
    documented_header: Option<&str>,
) -> Option<(Value, Option<String>)> {
    let is_index = |entry: &Value| entry.get("name").is_some() && entry.get("examples").is_some();
    let entries: Vec<&Value> = match examples {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    for entry in entries {
        if is_index(entry) {
            let name = entry["name"].as_str();
            for payload in entry["examples"].as_array().into_iter().flatten() {
                if scheme.webhook_key(name, payload).as_deref() == Some(key) {
                    return Some((payload.clone(), name.map(str::to_owned)));
                }
            }
        } else if scheme.webhook_key(documented_header, entry).as_deref() == Some(key) {
            return Some((entry.clone(), None));
        }
    }
    None
}

/// The document's example of a body: the media type's `example`, the
/// first of its `examples`, or the schema's.
fn document_example(document: &Value, content: &Value) -> Option<Value> {
    if let Some(example) = content.get("example") {
        return Some(example.clone());
    }
    if let Some(first) = content
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|examples| examples.values().next())
    {
        return resolve_ref(document, first).get("value").cloned();
    }
    let schema = resolve_ref(document, content.get("schema")?);
    schema.get("example").cloned().or_else(|| {
        schema
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|examples| examples.first().cloned())
    })
}

/// The least value `schema` accepts, as far as this builder reads schemas:
/// `const`, the first of `enum`, each required property of an object, the
/// first branch of a choice, `allOf` merged, placeholders for formats.
fn minimal(document: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve_ref(document, schema);
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            match minimal(document, part, depth + 1) {
                Value::Object(object) => merged.extend(object),
                other if merged.is_empty() => return other,
                _ => {}
            }
        }
        if !merged.is_empty() || schema.get("properties").is_none() {
            return Value::Object(merged);
        }
    }
    for choice in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(choice).and_then(Value::as_array) {
            // A non-null branch first: a body of nulls says little.
            let branch = branches
                .iter()
                .find(|b| {
                    resolve_ref(document, b).get("type").and_then(Value::as_str) != Some("null")
                })
                .or_else(|| branches.first());
            if let Some(branch) = branch {
                return minimal(document, branch, depth + 1);
            }
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(ty)) => ty.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "object",
    };
    match ty {
        "object" => {
            let mut object = Map::new();
            if depth < MAX_DEPTH {
                let properties = schema.get("properties");
                for name in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let property = properties
                        .and_then(|p| p.get(name))
                        .unwrap_or(&Value::Bool(true));
                    object.insert(name.to_owned(), minimal(document, property, depth + 1));
                }
            }
            Value::Object(object)
        }
        "array" => {
            let count = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(4);
            let item = schema.get("items").unwrap_or(&Value::Bool(true));
            Value::Array(
                (0..count)
                    .map(|_| minimal(document, item, depth + 1))
                    .collect(),
            )
        }
        "string" => Value::String(placeholder(schema)),
        "integer" | "number" => schema
            .get("minimum")
            .filter(|m| m.is_number())
            .cloned()
            .unwrap_or(Value::from(0)),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

/// A string of `schema`'s format, at least `minLength` long.
fn placeholder(schema: &Value) -> String {
    let text = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2026-01-01T00:00:00Z",
        Some("date") => "2026-01-01",
        Some("uri" | "url" | "uri-reference") => "https://example.com/",
        Some("email") => "user@example.com",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("hostname") => "example.com",
        _ => "string",
    };
    let min = schema
        .get("minLength")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(1024);
    let mut text = text.to_owned();
    while (text.chars().count() as u64) < min {
        text.push('x');
    }
    text
}

/// Reads an examples file (JSON): a payload, an array of payloads, or an
/// index of named entries with `examples`.
///
/// # Errors
///
/// When the file cannot be read or is not JSON.
pub fn read_examples(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read(path).map_err(|error| {
        anyhow!(
            "cannot read the examples file {}: {error}",
            whereby_webhooks_conformance::escape::path(path)
        )
    })?;
    serde_json::from_slice(&text).map_err(|error| {
        anyhow!(
            "the examples file {} is not JSON: {error}",
            whereby_webhooks_conformance::escape::path(path)
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use whereby_webhooks_signature::Profile;

    use super::*;

    fn github() -> &'static Scheme {
        Profile::Github.scheme()
    }

    fn document() -> Value {
        json!({
            "openapi": "3.1.0",
            "webhooks": {
                "issues-opened": {"post": {
                    "parameters": [
                        {"name": "X-Github-Event", "in": "header", "example": "issues", "schema": {"type": "string"}}
                    ],
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/opened"}
                    }}}
                }},
                "ping": {"post": {"requestBody": {"content": {"application/json": {
                    "schema": {"type": "object"},
                    "examples": {"first": {"value": {"zen": "Keep it simple."}}}
                }}}}}
            },
            "components": {"schemas": {
                "opened": {
                    "type": "object",
                    "required": ["action", "issue", "repository"],
                    "properties": {
                        "action": {"type": "string", "enum": ["opened"]},
                        "issue": {"allOf": [
                            {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "minimum": 1}}},
                            {"type": "object", "required": ["created_at"], "properties": {"created_at": {"type": "string", "format": "date-time"}}}
                        ]},
                        "repository": {"$ref": "#/components/schemas/repository"}
                    }
                },
                "repository": {
                    "type": "object",
                    "required": ["name", "owner", "parent"],
                    "properties": {
                        "name": {"type": "string", "minLength": 3},
                        "owner": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}}]},
                        "parent": {"$ref": "#/components/schemas/repository"}
                    }
                }
            }}
        })
    }

    #[test]
    fn a_minimal_body_holds_what_the_schema_requires_and_ends() {
        let mut document = document();
        // GitHub's document gives `issues` for every webhook's header.
        document["webhooks"]["issues-opened"]["post"]["parameters"][0]["example"] = json!("push");
        let built = build(&document, "issues-opened", None, github()).expect("built");
        assert_eq!(built.source, Source::Minimal);
        assert_eq!(built.event_header.as_deref(), Some("issues"));
        let body = &built.body;
        assert_eq!(body["action"], "opened");
        assert_eq!(
            body["issue"],
            json!({"id": 1, "created_at": "2026-01-01T00:00:00Z"})
        );
        assert_eq!(body["repository"]["name"], "string");
        assert_eq!(body["repository"]["owner"], json!({"login": "string"}));
        // A recursive schema stops at the depth limit.
        let text = body.to_string();
        assert!(text.len() < 10_000, "{}", text.len());
        assert_eq!(
            github()
                .webhook_key(built.event_header.as_deref(), body)
                .as_deref(),
            Some("issues-opened")
        );
    }

    #[test]
    fn the_examples_file_comes_first_then_the_document() {
        let index = json!([
            {"name": "issues", "examples": [
                {"action": "closed", "n": 1},
                {"action": "opened", "n": 2}
            ]}
        ]);
        let built = build(&document(), "issues-opened", Some(&index), github()).expect("built");
        assert_eq!(built.source, Source::ExamplesFile);
        assert_eq!(built.body["n"], 2);
        assert_eq!(built.event_header.as_deref(), Some("issues"));
        // A plain payload, named by the document's header example.
        let plain = json!({"action": "opened", "n": 3});
        let built = build(&document(), "issues-opened", Some(&plain), github()).expect("built");
        assert_eq!(
            (built.source, built.body["n"].clone()),
            (Source::ExamplesFile, json!(3))
        );
        // Not in the file: the document's own example, where it has one.
        let built = build(&document(), "ping", Some(&index), github()).expect("built");
        assert_eq!(built.source, Source::Document);
        assert_eq!(built.body, json!({"zen": "Keep it simple."}));
    }

    #[test]
    fn an_unknown_webhook_names_the_close_ones() {
        let error = build(&document(), "issues-\u{1b}[2J", None, github()).expect_err("unknown");
        let text = error.to_string();
        assert!(text.contains("issues-opened"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }
}
