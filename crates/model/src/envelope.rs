//! The envelope every event shares, and the typed union of all events.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::data::{
    ClientData, ClientJoinLeaveData, InRoomData, RecordingFinishedData, TranscriptionData,
    TranscriptionFailedData, TranscriptionFinishedData,
};
use crate::event_type::EventType;
use crate::provenance::{DOCS_370F78C, DOCS_A316F59, DOCS_VERSIONING};

/// The version of the webhook API every event of this contract carries.
pub const API_VERSION: &str = "1.0";

/// The properties every event has, around its event-specific `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(bound = "D: JsonSchema")]
pub struct Envelope<D> {
    /// The string that uniquely identifies the event (64 lowercase hexadecimal characters in
    /// Whereby's examples and real deliveries). Whereby documents that an in-room event can be
    /// sent more than once.
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub id: String,
    /// The Whereby API version used to populate `data`. Whereby's REST API versioning rules
    /// say breaking changes come under a new major version and additions may come within one.
    #[schemars(extend("const" = "1.0"))]
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59, DOCS_VERSIONING]))]
    pub api_version: String,
    /// The ISO representation of the event's creation date (for example
    /// `2021-01-21T16:29:59.681Z`).
    #[schemars(extend("format" = "date-time"))]
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub created_at: String,
    /// The event's type identifier; it decides the shape of `data`.
    #[serde(rename = "type")]
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub event_type: EventType,
    /// The object containing information associated with the event.
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub data: D,
}

/// Any webhook event, typed by its `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)] // each variant is named after the event type it holds
pub enum Event {
    RoomClientJoined(Envelope<ClientJoinLeaveData>),
    RoomClientLeft(Envelope<ClientJoinLeaveData>),
    RoomClientKnocked(Envelope<ClientData>),
    RoomClientKnockCancelled(Envelope<ClientData>),
    RoomSessionStarted(Envelope<InRoomData>),
    RoomSessionEnded(Envelope<InRoomData>),
    TranscriptionStarted(Envelope<TranscriptionData>),
    TranscriptionFinished(Envelope<TranscriptionFinishedData>),
    TranscriptionFailed(Envelope<TranscriptionFailedData>),
    RecordingFinished(Envelope<RecordingFinishedData>),
    AssistantRequested(Envelope<InRoomData>),
}

/// Why a JSON value is not a typed [`Event`].
#[derive(Debug)]
pub enum EventError {
    /// The value has no string `type`.
    MissingType,
    /// The `type` is not one this model knows.
    UnknownType(crate::event_type::UnknownEventType),
    /// The value does not have the shape its `type` requires.
    Shape(serde_json::Error),
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::MissingType => f.write_str("the event has no string `type`"),
            EventError::UnknownType(e) => e.fmt(f),
            EventError::Shape(e) => write!(f, "the event does not match its type: {e}"),
        }
    }
}

impl std::error::Error for EventError {}

/// Where an envelope is read from: a parsed value, or JSON text.
trait Source {
    fn envelope<D: DeserializeOwned>(self) -> Result<Envelope<D>, EventError>;
}

impl Source for serde_json::Value {
    fn envelope<D: DeserializeOwned>(self) -> Result<Envelope<D>, EventError> {
        serde_json::from_value(self).map_err(EventError::Shape)
    }
}

impl Source for &[u8] {
    fn envelope<D: DeserializeOwned>(self) -> Result<Envelope<D>, EventError> {
        serde_json::from_slice(self).map_err(EventError::Shape)
    }
}

/// Reads `source` as the event of type `ty`.
fn typed(ty: EventType, source: impl Source) -> Result<Event, EventError> {
    Ok(match ty {
        EventType::RoomClientJoined => Event::RoomClientJoined(source.envelope()?),
        EventType::RoomClientLeft => Event::RoomClientLeft(source.envelope()?),
        EventType::RoomClientKnocked => Event::RoomClientKnocked(source.envelope()?),
        EventType::RoomClientKnockCancelled => Event::RoomClientKnockCancelled(source.envelope()?),
        EventType::RoomSessionStarted => Event::RoomSessionStarted(source.envelope()?),
        EventType::RoomSessionEnded => Event::RoomSessionEnded(source.envelope()?),
        EventType::TranscriptionStarted => Event::TranscriptionStarted(source.envelope()?),
        EventType::TranscriptionFinished => Event::TranscriptionFinished(source.envelope()?),
        EventType::TranscriptionFailed => Event::TranscriptionFailed(source.envelope()?),
        EventType::RecordingFinished => Event::RecordingFinished(source.envelope()?),
        EventType::AssistantRequested => Event::AssistantRequested(source.envelope()?),
    })
}

impl Event {
    /// Types a JSON value by its `type`.
    pub fn from_value(value: serde_json::Value) -> Result<Event, EventError> {
        let ty: EventType = value
            .get("type")
            .and_then(|t| t.as_str())
            .ok_or(EventError::MissingType)?
            .parse()
            .map_err(EventError::UnknownType)?;
        typed(ty, value)
    }

    /// Types the JSON text `bytes` as an event of `event_type`, straight
    /// from the text (no intermediate [`serde_json::Value`]). For a payload
    /// whose `type` is already known, such as one a validator accepted.
    ///
    /// ```
    /// use whereby_webhooks_model::{Event, EventType};
    ///
    /// let bytes = br#"{"id":"e1","apiVersion":"1.0","createdAt":"2026-03-31T09:00:04.512Z",
    ///   "type":"room.session.ended","data":{"roomName":"/r","meetingId":"1","subdomain":"s","roomSessionId":null}}"#;
    /// let event = Event::from_slice_as(EventType::RoomSessionEnded, bytes)?;
    /// assert_eq!(event.id(), "e1");
    /// assert!(Event::from_slice_as(EventType::RoomSessionStarted, bytes).is_err());
    /// # Ok::<(), whereby_webhooks_model::EventError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EventError::Shape`] when the text is not that event.
    pub fn from_slice_as(event_type: EventType, bytes: &[u8]) -> Result<Event, EventError> {
        let event = typed(event_type, bytes)?;
        if event.event_type() == event_type {
            Ok(event)
        } else {
            Err(EventError::Shape(
                <serde_json::Error as serde::de::Error>::custom(format_args!(
                    "its `type` is {}, not {event_type}",
                    event.event_type()
                )),
            ))
        }
    }

    /// The event's type, as its envelope says.
    pub fn event_type(&self) -> EventType {
        self.header().3
    }

    /// The event's unique id.
    pub fn id(&self) -> &str {
        self.header().0
    }

    /// The event's creation time, as sent.
    pub fn created_at(&self) -> &str {
        self.header().2
    }

    fn header(&self) -> (&str, &str, &str, EventType) {
        fn parts<D>(e: &Envelope<D>) -> (&str, &str, &str, EventType) {
            (&e.id, &e.api_version, &e.created_at, e.event_type)
        }
        match self {
            Event::RoomClientJoined(e) | Event::RoomClientLeft(e) => parts(e),
            Event::RoomClientKnocked(e) | Event::RoomClientKnockCancelled(e) => parts(e),
            Event::RoomSessionStarted(e)
            | Event::RoomSessionEnded(e)
            | Event::AssistantRequested(e) => parts(e),
            Event::TranscriptionStarted(e) => parts(e),
            Event::TranscriptionFinished(e) => parts(e),
            Event::TranscriptionFailed(e) => parts(e),
            Event::RecordingFinished(e) => parts(e),
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<De: serde::Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Event::from_value(value).map_err(serde::de::Error::custom)
    }
}
