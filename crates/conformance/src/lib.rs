//! Validate Whereby webhook payloads against the published OpenAPI 3.1
//! document.
//!
//! ```
//! use whereby_webhooks_conformance::{IssueKind, Options, Validator};
//!
//! // Compile once (one schema per event), then validate any number of payloads.
//! let validator = Validator::embedded(Options::default())?;
//!
//! let body = br#"{
//!     "id": "5c8f1b7e", "apiVersion": "1.0", "createdAt": "2026-03-31T09:00:04.512Z",
//!     "type": "room.client.left",
//!     "data": {
//!         "roomName": "/demo", "roomSessionId": "d5e8", "subdomain": "acme",
//!         "displayName": "Ada", "participantId": "a4f1", "metadata": null,
//!         "externalId": null, "roleName": "visitor",
//!         "numClients": 1, "numClientsByRoleName": {"visitor": 1}
//!     }
//! }"#;
//! let report = validator.validate_bytes(body);
//! assert_eq!(report.event_type.as_deref(), Some("room.client.left"));
//! assert!(report.is_valid(), "{:?}", report.errors);
//!
//! // The same delivery with a negative count: one error, where the mistake is.
//! let wrong = String::from_utf8(body.to_vec())?.replace(r#""numClients": 1"#, r#""numClients": -1"#);
//! let report = validator.validate_bytes(wrong.as_bytes());
//! assert!(!report.is_valid());
//! assert_eq!(report.errors.len(), 1);
//! assert_eq!(report.errors[0].instance_path, "/data/numClients");
//! assert_eq!(report.errors[0].kind, IssueKind::Minimum);
//! assert_eq!(report.errors[0].to_string(), "/data/numClients: -1 is less than the minimum 0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The model crate says what Whereby sends as Rust types, and the OpenAPI
//! document is generated from it. Receivers, recorded traffic and other
//! languages are judged by the *document*, so this crate reads the document
//! and never the types: by default the document embedded at build time
//! ([`EMBEDDED_SPEC`], which this crate also hands out to other tools), or
//! any OpenAPI 3.1 document a caller supplies ([`Validator::from_document`],
//! [`Validator::from_path`]), an older or a newer version of the contract, in
//! JSON or YAML.
//!
//! A [`Validator`] compiles one draft 2020-12 schema per webhook once, with
//! formats asserted (`createdAt` must be a real `date-time`), and dispatches
//! each payload on its top-level `type` to exactly one of them. Validating
//! against the union of all events instead would report every branch's
//! complaints for one mistake; dispatching first gives a few errors, each at
//! the JSON Pointer where the payload is wrong.
//!
//! The published schemas are open: Whereby adds properties within an API
//! version, so unknown properties are accepted by default. [`Options::strict`]
//! derives closed copies of the schemas when the validator is built, so that
//! every property the document does not describe is reported, without
//! changing the document itself.
//!
//! A receiver checks the signature before anything else: a
//! [`judge::Judge`] verifies, validates and types a delivery in that order,
//! and returns one [`judge::Verdict`] (the judgement `whereby-webhooks listen`
//! answers with).
//!
//! [`diff`] compares two versions of the document from the receivers' side:
//! which changes can break a receiver written against the old one.

mod document;
mod error;
mod parse;
mod report;
mod tape;
mod text;
mod validator;
mod yaml;

pub mod diff;
pub mod escape;
pub mod history;
pub mod judge;

pub use document::{MAX_DOCUMENT_BYTES, MAX_IN_PLACE_CHAIN, MAX_IN_PLACE_SCHEMAS, resolve_ref};

/// The stack a thread that validates payloads should have: validation
/// recurses once per level of the payload (at most 128) and per schema
/// applied in place (at most [`MAX_IN_PLACE_CHAIN`]), which can outgrow the
/// 2 MiB a spawned thread has by default.
pub const VALIDATION_STACK: usize = 64 << 20;
pub use error::SpecError;
pub use parse::parse_payload;
pub use report::{Issue, IssueKind, Position, Report};
pub use validator::Validator;

/// Reads an OpenAPI document from a file, as [`Validator::from_path`] does:
/// YAML for `.yaml` and `.yml`, JSON for `.json`, and otherwise JSON when
/// the text starts with `{`, YAML when it does not; within
/// [`MAX_DOCUMENT_BYTES`], and refusing a key twice in one object.
///
/// # Errors
///
/// When the file cannot be read, or is not such a document.
pub fn read_document(path: &std::path::Path) -> Result<serde_json::Value, SpecError> {
    document::read(path)
}

/// The OpenAPI 3.1 document this crate was built with, as JSON text.
///
/// These are the bytes of the repository's `spec/openapi.json` at this
/// crate's version (`cargo xtask generate` copies it into the crate, and the
/// drift check keeps the copy identical), so version `x.y.z` of this crate
/// always validates against the contract published as `x.y.z`.
/// [`Validator::embedded`] compiles it; use the text itself to hand exactly
/// the same contract to other tools (a code generator, a mock server, a
/// validator in another language), as `whereby-webhooks spec` does.
///
/// ```
/// use whereby_webhooks_conformance::EMBEDDED_SPEC;
///
/// let document: serde_json::Value = serde_json::from_str(EMBEDDED_SPEC)?;
/// assert!(document["openapi"].as_str().unwrap().starts_with("3.1."));
/// assert!(document["webhooks"]["room.client.joined"].is_object());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub const EMBEDDED_SPEC: &str = include_str!("../spec/openapi.json");

/// The same OpenAPI document as [`EMBEDDED_SPEC`], as YAML: the bytes of the
/// repository's `spec/openapi.yaml` at this crate's version (copied and
/// drift-checked like [`EMBEDDED_SPEC`]), as `whereby-webhooks spec --format
/// yaml` prints it.
///
/// It is written so that YAML 1.1 readers and YAML 1.2 readers read the
/// same values: every string that could be read as something else (a
/// timestamp in an example, `yes`, `1.0`, ...) is quoted. Prefer it to
/// converting [`EMBEDDED_SPEC`] with a general YAML serialiser, which may
/// leave such strings bare.
///
/// ```
/// use whereby_webhooks_conformance::{EMBEDDED_SPEC, EMBEDDED_SPEC_YAML};
///
/// let json: serde_json::Value = serde_json::from_str(EMBEDDED_SPEC)?;
/// let yaml: serde_json::Value = yaml_serde::from_str(EMBEDDED_SPEC_YAML)?;
/// assert_eq!(json, yaml);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const EMBEDDED_SPEC_YAML: &str = include_str!("../spec/openapi.yaml");

/// How a [`Validator`] judges payloads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Report properties the document does not describe, as
    /// [`IssueKind::UnknownProperty`], and values of open lists
    /// (`x-extensible-enum`) it does not list, as
    /// [`IssueKind::UnknownValue`]. Off by default: Whereby may add
    /// properties and values within an API version, and receivers must
    /// accept them.
    pub strict: bool,
}
