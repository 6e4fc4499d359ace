//! The Whereby webhook contract as Rust types.
//!
//! ```
//! use whereby_webhooks_model::{Event, EventType};
//!
//! let body = r#"{
//!     "id": "5c8f1b7e", "apiVersion": "1.0", "createdAt": "2026-03-31T09:00:04.700Z",
//!     "type": "room.session.started",
//!     "data": { "roomName": "/demo", "subdomain": "acme" }
//! }"#;
//! let event: Event = serde_json::from_str(body)?;
//! assert_eq!(event.event_type(), EventType::RoomSessionStarted);
//!
//! // The `type` decides the variant, and the variant the type of `data`.
//! match &event {
//!     Event::RoomSessionStarted(started) => {
//!         assert_eq!(started.data.room.room_name, "/demo");
//!         assert_eq!(started.data.room_session_id, None);
//!     }
//!     other => panic!("typed as {:?}", other.event_type()),
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Whereby delivers room, session, transcription, recording and assistant
//! events as signed HTTP `POST` webhooks. This crate is the single source of
//! truth for their shape: the OpenAPI 3.1 webhooks document, the JSON
//! Schemas, the review and the reference docs are all generated from it.
//! Types say what a well-formed event looks like; to judge an untrusted
//! payload against the published document, with errors located by JSON
//! Pointer, use `whereby-webhooks-conformance`, and to check its signature
//! first, `whereby-webhooks-signature`.
//!
//! Policy: every envelope property is required; in `data`, every property
//! Whereby's current docs list is required and not nullable, with the
//! exceptions (and their reasons) in [`presence::EXCEPTIONS`]. Every property
//! and event records when Whereby first documented it ([`provenance`]).
//! Objects are open: Whereby adds properties within an API version. Two lists
//! are open by this contract's choice and accept any string: `roleName`,
//! which Whereby words as closed but which has grown from 5 known values to
//! 11, and the recording `status`, "only `completed` for now"; the others
//! are closed.

pub mod conflicts;
pub mod data;
pub mod envelope;
pub mod event_type;
pub mod examples;
pub mod presence;
pub mod provenance;
pub mod review;
pub mod schema;

pub use data::*;
pub use envelope::{API_VERSION, Envelope, Event, EventError};
pub use event_type::{EventType, Family, UnknownEventType};
pub use examples::{Example, all_examples, examples};
pub use review::Review;
