//! The list of event types: the one place that names them.
//!
//! Everything published — the OpenAPI `webhooks`, the JSON Schemas, the
//! review's `documented_events`, the reference docs and the examples — walks
//! [`EventType::ALL`] rather than typing the list again.

use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::provenance;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `type` of a webhook event, as Whereby sends it.
///
/// Serialises as the exact wire string (`room.client.joined`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// `room.client.joined`
    RoomClientJoined,
    /// `room.client.left`
    RoomClientLeft,
    /// `room.client.knocked`
    RoomClientKnocked,
    /// `room.client.knockCancelled`
    RoomClientKnockCancelled,
    /// `room.session.started`
    RoomSessionStarted,
    /// `room.session.ended`
    RoomSessionEnded,
    /// `transcription.started`
    TranscriptionStarted,
    /// `transcription.finished`
    TranscriptionFinished,
    /// `transcription.failed`
    TranscriptionFailed,
    /// `recording.finished`
    RecordingFinished,
    /// `assistant.requested`
    AssistantRequested,
}

/// A group of related events; each becomes an OpenAPI tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Participants joining, leaving and knocking.
    RoomClient,
    /// Sessions starting and ending.
    RoomSession,
    /// Transcriptions of sessions and recordings.
    Transcription,
    /// Cloud recordings.
    Recording,
    /// Whereby Assistants.
    Assistant,
}

impl Family {
    /// Every family, in the order the published documents list them.
    pub const ALL: [Family; 5] = [
        Family::RoomClient,
        Family::RoomSession,
        Family::Transcription,
        Family::Recording,
        Family::Assistant,
    ];

    /// The tag name used in the OpenAPI document.
    pub const fn tag(self) -> &'static str {
        match self {
            Family::RoomClient => "room client",
            Family::RoomSession => "room session",
            Family::Transcription => "transcription",
            Family::Recording => "recording",
            Family::Assistant => "assistant",
        }
    }

    /// A sentence describing the family.
    pub const fn description(self) -> &'static str {
        match self {
            Family::RoomClient => {
                "Participants joining and leaving a room, and visitors knocking from the waiting room."
            }
            Family::RoomSession => {
                "Sessions starting (at least two participants) and ending (fewer than two for some time)."
            }
            Family::Transcription => {
                "Transcriptions of live sessions and of recordings, from start to finished or failed."
            }
            Family::Recording => "Cloud recordings that finished and were uploaded.",
            Family::Assistant => "Whereby Assistants invited into a room by a host.",
        }
    }
}

impl EventType {
    /// Every event type, in the order Whereby's documentation lists them.
    pub const ALL: [EventType; 11] = [
        EventType::RoomClientJoined,
        EventType::RoomClientLeft,
        EventType::RoomClientKnocked,
        EventType::RoomClientKnockCancelled,
        EventType::RoomSessionStarted,
        EventType::RoomSessionEnded,
        EventType::TranscriptionStarted,
        EventType::TranscriptionFinished,
        EventType::TranscriptionFailed,
        EventType::RecordingFinished,
        EventType::AssistantRequested,
    ];

    /// The exact string Whereby sends in the envelope's `type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::RoomClientJoined => "room.client.joined",
            EventType::RoomClientLeft => "room.client.left",
            EventType::RoomClientKnocked => "room.client.knocked",
            EventType::RoomClientKnockCancelled => "room.client.knockCancelled",
            EventType::RoomSessionStarted => "room.session.started",
            EventType::RoomSessionEnded => "room.session.ended",
            EventType::TranscriptionStarted => "transcription.started",
            EventType::TranscriptionFinished => "transcription.finished",
            EventType::TranscriptionFailed => "transcription.failed",
            EventType::RecordingFinished => "recording.finished",
            EventType::AssistantRequested => "assistant.requested",
        }
    }

    /// The family (OpenAPI tag) the event belongs to.
    pub const fn family(self) -> Family {
        match self {
            EventType::RoomClientJoined
            | EventType::RoomClientLeft
            | EventType::RoomClientKnocked
            | EventType::RoomClientKnockCancelled => Family::RoomClient,
            EventType::RoomSessionStarted | EventType::RoomSessionEnded => Family::RoomSession,
            EventType::TranscriptionStarted
            | EventType::TranscriptionFinished
            | EventType::TranscriptionFailed => Family::Transcription,
            EventType::RecordingFinished => Family::Recording,
            EventType::AssistantRequested => Family::Assistant,
        }
    }

    /// One line saying when Whereby sends the event.
    pub const fn summary(self) -> &'static str {
        match self {
            EventType::RoomClientJoined => "A participant joined the room",
            EventType::RoomClientLeft => "A participant left the room",
            EventType::RoomClientKnocked => "A visitor knocked from the waiting room",
            EventType::RoomClientKnockCancelled => "A visitor cancelled their knock",
            EventType::RoomSessionStarted => "A session started",
            EventType::RoomSessionEnded => "A session ended",
            EventType::TranscriptionStarted => "A transcription started",
            EventType::TranscriptionFinished => "A transcription finished processing",
            EventType::TranscriptionFailed => "A transcription failed to process",
            EventType::RecordingFinished => "A cloud recording finished and was uploaded",
            EventType::AssistantRequested => "A host invited a Whereby Assistant into the room",
        }
    }

    /// A paragraph saying when Whereby sends the event and what to know about it.
    pub const fn description(self) -> &'static str {
        match self {
            EventType::RoomClientJoined => {
                "Sent when a user joins the room. The start of a cloud recording is also seen as a \
                 join, by a client with the role `recorder`."
            }
            EventType::RoomClientLeft => {
                "Sent when a user leaves the room, by the leave button or by closing the tab. The \
                 end of a cloud recording is also seen as a leave, by a client with the role \
                 `recorder`."
            }
            EventType::RoomClientKnocked => {
                "Sent when a visitor knocks from the waiting room to ask to be let in."
            }
            EventType::RoomClientKnockCancelled => {
                "Sent when a visitor who knocked cancels the knock, by the cancel button or by \
                 losing the network connection."
            }
            EventType::RoomSessionStarted => {
                "Sent when a session starts: at least two users are in the room."
            }
            EventType::RoomSessionEnded => {
                "Sent when a session ends: fewer than two participants have been in the room for \
                 some time."
            }
            EventType::TranscriptionStarted => {
                "Sent when a transcription of a session or of a recording starts."
            }
            EventType::TranscriptionFinished => {
                "Sent when a transcription has finished processing and its file is available."
            }
            EventType::TranscriptionFailed => "Sent when a transcription failed to process.",
            EventType::RecordingFinished => {
                "Sent when a cloud recording has finished and been uploaded."
            }
            EventType::AssistantRequested => {
                "Sent when a host invites a Whereby Assistant into the room with the Invite \
                 button, which the Assistant's Manual Invite setting enables. Whereby's \
                 Assistants docs say the event is sent to the endpoint URL configured for that \
                 Assistant; they document no signing secret for that endpoint, and the \
                 Assistant SDK's trigger does not read `Whereby-Signature`. An Assistant SDK \
                 integration reacts by joining the room."
            }
        }
    }

    /// When Whereby first documented the event, as `YYYY-MM-DD`, by the rule
    /// of [`provenance`]: the earliest commit of Whereby's docs or SDK types
    /// that has it. Events listed in the first commit of the docs history
    /// carry [`provenance::HISTORY_START`] and may be older.
    pub const fn since(self) -> &'static str {
        match self {
            EventType::RoomClientJoined
            | EventType::RoomClientLeft
            | EventType::RoomSessionStarted
            | EventType::RoomSessionEnded => provenance::HISTORY_START,
            EventType::RoomClientKnocked | EventType::RoomClientKnockCancelled => "2023-08-11",
            EventType::TranscriptionStarted => "2025-02-06",
            EventType::TranscriptionFinished | EventType::TranscriptionFailed => "2023-08-16",
            EventType::RecordingFinished => "2023-08-22",
            EventType::AssistantRequested => "2025-11-17",
        }
    }

    /// The commits that document the event: the one that dates it first, then
    /// the current page (and the SDK types where they describe it).
    pub const fn sources(self) -> &'static [&'static str] {
        use provenance::*;
        match self {
            EventType::RoomClientJoined | EventType::RoomClientLeft => {
                &[DOCS_370F78C, DOCS_A316F59, SDK_AB84F8E]
            }
            EventType::RoomSessionStarted | EventType::RoomSessionEnded => {
                &[DOCS_370F78C, DOCS_A316F59, SDK_AB84F8E]
            }
            EventType::RoomClientKnocked | EventType::RoomClientKnockCancelled => {
                &[DOCS_86ED691, DOCS_A316F59]
            }
            EventType::TranscriptionStarted => &[DOCS_6A1DDFD, DOCS_A316F59],
            EventType::TranscriptionFinished | EventType::TranscriptionFailed => {
                &[DOCS_137AFBD, DOCS_A316F59]
            }
            EventType::RecordingFinished => &[DOCS_FC2DDB4, DOCS_A316F59],
            EventType::AssistantRequested => {
                &[SDK_0F3EB74, DOCS_BA04D56, DOCS_A316F59, DOCS_ASSISTANTS]
            }
        }
    }

    /// Whether Whereby documents a `Whereby-Signature` on the event's
    /// deliveries. `assistant.requested` goes to the endpoint configured on an
    /// Assistant, for which no signing secret is documented.
    pub const fn signature_documented(self) -> bool {
        !matches!(self, EventType::AssistantRequested)
    }

    /// The name of the event's schema in `components/schemas`:
    /// `room.client.knockCancelled` becomes `RoomClientKnockCancelledEvent`.
    pub fn schema_name(self) -> String {
        let mut name: String = self.as_str().split('.').map(upper_first).collect();
        name.push_str("Event");
        name
    }

    /// The stable OpenAPI `operationId` of the event's webhook:
    /// `room.client.knockCancelled` becomes `roomClientKnockCancelled`.
    pub fn operation_id(self) -> String {
        let mut parts = self.as_str().split('.');
        let first = parts.next().unwrap_or_default().to_owned();
        parts.fold(first, |mut id, part| {
            id.push_str(&upper_first(part));
            id
        })
    }
}

fn upper_first(part: &str) -> String {
    let mut chars = part.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a string that is not one of the known event types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEventType(pub String);

impl fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown event type {:?}; known types are ", self.0)?;
        for (i, ty) in EventType::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(ty.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownEventType {}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|ty| ty.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for EventType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EventType".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        json_schema!({
            "description": "The type of a webhook event.",
            "type": "string",
            "enum": names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for ty in EventType::ALL {
            assert_eq!(ty.as_str().parse::<EventType>(), Ok(ty));
        }
        let err = "room.client.jumped".parse::<EventType>().unwrap_err();
        assert!(err.to_string().contains("room.client.knockCancelled"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
    }

    #[test]
    fn derived_names() {
        let ty = EventType::RoomClientKnockCancelled;
        assert_eq!(ty.schema_name(), "RoomClientKnockCancelledEvent");
        assert_eq!(ty.operation_id(), "roomClientKnockCancelled");
        assert_eq!(
            EventType::RecordingFinished.operation_id(),
            "recordingFinished"
        );
    }

    #[test]
    fn every_family_has_an_event() {
        for family in Family::ALL {
            assert!(
                EventType::ALL.iter().any(|t| t.family() == family),
                "{family:?}"
            );
        }
    }
}
