//! Why a document cannot be used to validate payloads.
//!
//! Each variant is a distinct failure a caller can act on: a file to fix, a
//! different document to pass, or a schema to repair.

use std::path::PathBuf;

use crate::escape::path as shown;

/// Why an OpenAPI document cannot be turned into a [`Validator`](crate::Validator).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read the spec file {}", shown(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_DOCUMENT_BYTES`](crate::MAX_DOCUMENT_BYTES).
    #[error(
        "the spec file {} is larger than {max} bytes; give the OpenAPI document itself, such as spec/openapi.yaml",
        shown(path)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        max: u64,
    },
    /// The text is not JSON (a `.json` file, or text that starts with `{`).
    #[error("the spec is not valid JSON; fix its syntax, or give YAML a .yaml extension")]
    Json(#[source] serde_json::Error),
    /// The text cannot be read as YAML: a syntax error, or nesting or
    /// aliases past what the YAML parser reads.
    #[error(
        "the spec cannot be read as YAML (a syntax error, nesting over 128 levels, or aliases repeated too often)"
    )]
    Yaml(#[source] yaml_serde::Error),
    /// The YAML document's aliases repeat so much that, expanded, it would
    /// be larger than `max_bytes` written out as JSON, or hold more than
    /// `max_values` values.
    #[error(
        "the spec's YAML aliases (*name) repeat so much that it would be larger than {} MiB written out as JSON, or hold more than {max_values} values; write the repeated schemas once and refer to them with $ref",
        max_bytes >> 20
    )]
    Expanded {
        /// The limit, in bytes of JSON.
        max_bytes: u64,
        /// The limit, in values.
        max_values: u64,
    },
    /// The YAML document holds what JSON cannot (`.nan`, `.inf`, a merge
    /// key): read as JSON, it would mean something else.
    #[error("the spec's YAML cannot be read as JSON: {reason}")]
    YamlNotJson {
        /// What it holds, and where.
        reason: String,
    },
    /// An object of the document has a key twice: parsers disagree on
    /// which value wins, so the document means different things to
    /// different tools.
    #[error(
        "the spec has a key twice in one object ({reason}); parsers disagree on which value wins: keep one"
    )]
    DuplicateKey {
        /// Which key, and where.
        reason: String,
    },
    /// The file is not a JSON or YAML object, and its name does not say
    /// which it should be (a `Cargo.toml`, say).
    #[error(
        "{} is not an OpenAPI document ({reason}); give an OpenAPI 3.1 document in JSON or YAML, such as spec/openapi.yaml",
        shown(path)
    )]
    NotADocument {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The document does not declare `openapi: 3.1.x`.
    #[error(
        "the spec is not an OpenAPI 3.1 document (its `openapi` is {found}); give a document with `openapi: 3.1.x`"
    )]
    NotOpenApi31 {
        /// What the document's `openapi` field holds, or `missing`.
        found: String,
    },
    /// The date of a contract asked for is not a calendar date.
    #[error(transparent)]
    Date(#[from] crate::history::DateError),
    /// The document has no `webhooks`, or an empty one.
    #[error("the spec describes no webhooks; give a document with a top-level `webhooks` object")]
    NoWebhooks,
    /// A webhook has no JSON request body schema.
    #[error(
        "webhook `{webhook}` has no JSON request body schema; give its operation a `requestBody` with `content.application/json.schema`"
    )]
    MissingSchema {
        /// The webhook's key in `webhooks`.
        webhook: String,
    },
    /// A `$ref` points nowhere in the document, or outside it.
    #[error(
        "webhook `{webhook}` refers to `{reference}`, which the spec does not contain; only references within the document are followed"
    )]
    UnresolvableRef {
        /// The webhook whose request body uses the reference.
        webhook: String,
        /// The reference, as written.
        reference: String,
    },
    /// A schema is not valid draft 2020-12 JSON Schema.
    #[error(
        "the request body schema of webhook `{webhook}` does not compile: {message}; fix the schema"
    )]
    InvalidSchema {
        /// The webhook whose schema failed.
        webhook: String,
        /// What the JSON Schema compiler said.
        message: String,
    },
    /// Two webhooks pin the same event `type`, so a payload could not be
    /// dispatched to one of them.
    #[error(
        "webhooks `{first}` and `{second}` both describe event type `{event_type}`; give each event type one webhook"
    )]
    DuplicateEventType {
        /// The event type.
        event_type: String,
        /// The first webhook describing it.
        first: String,
        /// The second webhook describing it.
        second: String,
    },
    /// Schemas apply one another in place (`$ref`, `allOf`, `anyOf`,
    /// `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`) in a chain too long to validate
    /// without running out of stack.
    #[error(
        "the spec's schemas apply one another in place ($ref, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas) more than {max} deep, at {pointer}; a validator recurses once per step: shorten the chain"
    )]
    TooDeep {
        /// Where a chain that long starts, as a JSON Pointer.
        pointer: String,
        /// The limit.
        max: usize,
    },
    /// A webhook's body schema nests deeper than any payload is read, in
    /// steps into a keyword, into its value and through a `$ref`, each
    /// schema counted once.
    #[error(
        "the request body schema of webhook `{webhook}` nests more than {max} steps deep (into a keyword, into its value, through a $ref){}; no payload that deep is read (at most 128 levels): flatten it",
        via.as_ref().map(|v| format!(", reached through `{v}`")).unwrap_or_default()
    )]
    TooNested {
        /// The webhook whose schema it is.
        webhook: String,
        /// The last reference followed on the way down, if any.
        via: Option<String>,
        /// The limit, in steps.
        max: usize,
    },
    /// A webhook's body schema refers to more distinct schemas than any
    /// webhook needs.
    #[error(
        "the request body schema of webhook `{webhook}` refers to more than {max} distinct schemas with $ref; no webhook needs that many, and compiling them takes time growing faster than their number: write fewer"
    )]
    TooManyReferenced {
        /// The webhook whose schema it is.
        webhook: String,
        /// The limit.
        max: usize,
    },
    /// A schema applies more schemas in place, counted as often as each is
    /// reached, than a validator can try for one value and report on.
    #[error(
        "a schema of the spec applies more than {max} schemas in place ($ref, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas), counting each as often as it is reached, at {pointer}; a validator tries each for one value and reports on each it fails: apply fewer, or apply each once"
    )]
    TooBranched {
        /// The schema, as a JSON Pointer.
        pointer: String,
        /// The limit.
        max: u64,
    },
}
