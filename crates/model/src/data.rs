//! The `data` object of each event.
//!
//! Properties shared by several events live in one struct that the others
//! flatten, so a description is written once. Every struct stays open: Whereby
//! adds properties within an API version, so unknown properties are ignored
//! here and allowed by the published schemas.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Where an in-room event happened. `data` of `room.session.started`,
/// `room.session.ended` and `assistant.requested`, and the base of every
/// `room.client.*` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InRoomData {
    /// The meeting the event belongs to. Optional: the Assistant SDK docs mark it optional
    /// (`meetingId?`) although its TypeScript types require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub meeting_id: Option<String>,
    /// The last path segment of the room URL, with its leading `/` (for example
    /// `/af0b7b66-2a4d-4a5c-9f0e-6f0c7c3f1d22`).
    pub room_name: String,
    /// The room session the event belongs to; `null` when there is no session.
    pub room_session_id: Option<String>,
    /// The subdomain of the organisation that owns the room.
    pub subdomain: String,
}

/// A participant's identity in a room. `data` of `room.client.knocked` and
/// `room.client.knockCancelled`, and the base of `room.client.joined` and
/// `room.client.left`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientData {
    /// Where the event happened.
    #[serde(flatten)]
    pub room: InRoomData,
    /// The name shown for the participant in the meeting.
    pub display_name: String,
    /// The participant's id, usable with Whereby's insights data.
    pub participant_id: String,
    /// The `metadata` parameter of the room URL the participant used; `null` when not set.
    pub metadata: Option<String>,
    /// The `externalId` parameter of the room URL the participant used; `null` when not set.
    pub external_id: Option<String>,
}

/// A participant joining or leaving. `data` of `room.client.joined` and
/// `room.client.left`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientJoinLeaveData {
    /// Who the participant is and where.
    #[serde(flatten)]
    pub client: ClientData,
    /// The participant's role in the room.
    pub role_name: RoleName,
    /// How many clients are connected after the event.
    pub num_clients: u32,
    /// How many clients are connected after the event, grouped by role name. Keys are not
    /// limited to the known roles, so a role Whereby adds later does not break validation.
    pub num_clients_by_role_name: BTreeMap<String, u32>,
    /// Whether the participant called in by telephone. Optional: documented by Whereby's
    /// webhook docs, absent from the Assistant SDK types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub is_dial_in: Option<bool>,
}

/// A participant's role in a room.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    /// The room's owner.
    Owner,
    /// A member of the organisation.
    Member,
    /// A host of the meeting.
    Host,
    /// A visitor.
    Visitor,
    /// A visitor let in from the waiting room.
    GrantedVisitor,
    /// A viewer.
    Viewer,
    /// A viewer let in from the waiting room.
    GrantedViewer,
    /// The cloud recorder: its join and leave mark a recording's start and stop.
    Recorder,
    /// A live stream.
    Streamer,
    /// The live captioner.
    Captioner,
    /// A Whereby Assistant (in the Assistant SDK types only).
    Assistant,
}

impl RoleName {
    /// Every role, in the order of the published enum.
    pub const ALL: [RoleName; 11] = [
        RoleName::Owner,
        RoleName::Member,
        RoleName::Host,
        RoleName::Visitor,
        RoleName::GrantedVisitor,
        RoleName::Viewer,
        RoleName::GrantedViewer,
        RoleName::Recorder,
        RoleName::Streamer,
        RoleName::Captioner,
        RoleName::Assistant,
    ];
}

/// A transcription. `data` of `transcription.started`, and the base of
/// `transcription.finished` and `transcription.failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionData {
    /// The last path segment of the room URL, with its leading `/`.
    pub room_name: String,
    /// The room session that was transcribed.
    pub room_session_id: String,
    /// The transcription's id.
    pub transcription_id: String,
    /// What was transcribed. Not to be confused with the envelope's `type`.
    #[serde(rename = "type")]
    pub transcription_type: TranscriptionType,
    /// Where the transcription is in its life: `in_progress`, then `ready` or `failed`.
    pub status: TranscriptionStatus,
}

/// What a transcription transcribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TranscriptionType {
    /// A live session.
    LiveTranscription,
    /// A cloud recording.
    RecordingTranscription,
}

/// Where a transcription is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptionStatus {
    /// Being transcribed.
    InProgress,
    /// Finished; the file is available.
    Ready,
    /// Failed to process.
    Failed,
}

/// A finished transcription. `data` of `transcription.finished`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = recording_id_with_recording_transcription)]
pub struct TranscriptionFinishedData {
    /// Which transcription.
    #[serde(flatten)]
    pub transcription: TranscriptionData,
    /// The transcription file's name, with its extension.
    pub filename: String,
    /// Who hosts the file.
    pub storage_type: StorageType,
    /// The billable length of the transcription, in seconds.
    pub duration_in_seconds: f64,
    /// Present when `type` is `RECORDING_TRANSCRIPTION`, and then required: the transcribed
    /// recording. Whereby sets it only then, but its presence on other transcriptions is not an
    /// error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub recording_id: Option<String>,
}

/// `recordingId` is required when the transcription is of a recording.
fn recording_id_with_recording_transcription(schema: &mut Schema) {
    schema.insert(
        "if".into(),
        json!({
            "properties": { "type": { "const": "RECORDING_TRANSCRIPTION" } },
            "required": ["type"],
        }),
    );
    schema.insert("then".into(), json!({ "required": ["recordingId"] }));
}

/// Who hosts a transcription file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageType {
    /// Whereby's storage.
    WherebyHosted,
    /// The customer's own storage.
    SelfHosted,
}

/// A failed transcription. `data` of `transcription.failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionFailedData {
    /// Which transcription.
    #[serde(flatten)]
    pub transcription: TranscriptionData,
    /// Why the transcription failed.
    pub error: String,
}

/// A finished cloud recording. `data` of `recording.finished`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordingFinishedData {
    /// The recording file's name, for example `[room name]-[start time ISO].mkv`.
    pub filename: String,
    /// The recording's id.
    pub recording_id: String,
    /// The last path segment of the room URL, with its leading `/`.
    pub room_name: String,
    /// The recording's status; only `completed` for now.
    pub status: RecordingStatus,
}

/// The status of a finished recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    /// Recorded and uploaded.
    Completed,
}
