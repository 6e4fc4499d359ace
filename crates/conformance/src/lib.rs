//! Validation of Whereby webhook payloads against an OpenAPI 3.1 document.
//!
//! The model crate says what Whereby sends as Rust types, and the OpenAPI
//! document is generated from it. Receivers, recorded traffic and other
//! languages are judged by the *document*, so this crate reads the document
//! and never the types: by default the `spec/openapi.json` embedded at build
//! time ([`EMBEDDED_SPEC`]), or any OpenAPI 3.1 document a caller supplies, an
//! older or a newer version of the contract, in JSON or YAML.
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
//! ```
//! use whereby_webhooks_conformance::{IssueKind, Options, Validator};
//!
//! let validator = Validator::embedded(Options::default()).unwrap();
//! let report = validator.validate_bytes(br#"{"type": "room.session.started", "data": {}}"#);
//! assert_eq!(report.event_type.as_deref(), Some("room.session.started"));
//! assert!(!report.is_valid());
//! assert!(report.errors.iter().all(|issue| issue.kind == IssueKind::Required));
//! assert_eq!(report.errors[0].to_string(), "missing property id");
//! ```

mod document;
mod error;
mod parse;
mod report;
mod validator;

pub mod signed;

pub use error::SpecError;
pub use parse::parse_payload;
pub use report::{Issue, IssueKind, Position, Report, terminal_safe};
pub use validator::Validator;

/// The OpenAPI 3.1 document this crate was built with: the text of the
/// generated `spec/openapi.json`.
pub const EMBEDDED_SPEC: &str = include_str!("../../../spec/openapi.json");

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
