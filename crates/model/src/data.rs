//! The `data` object of each event.
//!
//! Properties shared by several events live in one struct that the others
//! flatten, so a description is written once. Such a struct is read through a
//! private flat twin, without the buffering `#[serde(flatten)]` costs serde.
//! Every struct stays open: Whereby adds properties within an API version, so
//! unknown properties are ignored here and allowed by the published schemas.
//!
//! Every property carries `x-since` and `x-sources` (see [`crate::provenance`]);
//! which properties are required follows [`crate::presence`].

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::provenance::*;

/// What every in-room event says about where it happened: `meetingId`,
/// `roomName` and `subdomain`, the properties Whereby's docs list as common to
/// all in-room events. Flattened into [`InRoomData`] and [`ClientData`], which
/// add `roomSessionId` each by their own rule (see [`crate::presence`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomData {
    /// The identifier of the meeting the event belongs to. Optional: the Assistant SDK
    /// reference marks it optional (`meetingId?`), although Whereby's docs list it as common
    /// to in-room events and the SDK's TypeScript types require it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub meeting_id: Option<String>,
    /// The string that identifies the room: the last path segment of the room URL, with its
    /// leading `/` in Whereby's examples (for example `/af0b7b66-c738-4981-887a-ad416754f32d`).
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub room_name: String,
    /// The string that identifies the organisation that owns the room. Deliveries captured
    /// before Whereby documented it may lack it.
    #[schemars(extend("x-since" = "2025-09-08", "x-sources" = [DOCS_7E6C4F2, SDK_115B39ED]))]
    pub subdomain: String,
}

/// Where an in-room event without a participant happened. `data` of
/// `room.session.started` and `room.session.ended`, and of
/// `assistant.requested`, for which the published document has a copy,
/// `AssistantRequestedData`, dated from when Whereby documented that event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InRoomData {
    /// The properties common to in-room events.
    #[serde(flatten)]
    pub room: RoomData,
    /// The room session the event belongs to; `null` when there is no session. Optional here:
    /// Whereby's docs list it only for `room.client.*` events, while the Assistant SDK types
    /// put it on every in-room event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-since" = "2025-08-06", "x-sources" = [SDK_AB84F8E]))]
    pub room_session_id: Option<String>,
}

/// A participant's identity in a room. `data` of `room.client.knocked` and
/// `room.client.knockCancelled`, and the base of `room.client.joined` and
/// `room.client.left`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientData {
    /// The properties common to in-room events.
    #[serde(flatten)]
    pub room: RoomData,
    /// The room session the event belongs to; `null` when there is no session.
    #[schemars(extend("x-since" = "2023-12-07", "x-sources" = [DOCS_3697F0F, SDK_AB84F8E]))]
    pub room_session_id: Option<String>,
    /// The visible name displayed to others in the meeting. Whereby's privacy settings page
    /// says that when display names are removed for privacy, webhooks carry `[[redacted]]`
    /// instead.
    #[schemars(extend("x-since" = "2023-07-28", "x-sources" = [DOCS_27CC193, DOCS_PRIVACY]))]
    pub display_name: String,
    /// The participant's id, usable with Whereby's insights data.
    #[schemars(extend("x-since" = "2023-12-07", "x-sources" = [DOCS_3697F0F]))]
    pub participant_id: String,
    /// The `metadata` query parameter of the room URL the participant used; `null` when not
    /// set.
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, SDK_AB84F8E]))]
    pub metadata: Option<String>,
    /// The `externalId` query parameter of the room URL the participant used; `null` when not
    /// set.
    #[schemars(extend("x-since" = "2023-10-19", "x-sources" = [DOCS_8198F38, SDK_AB84F8E]))]
    pub external_id: Option<String>,
}

/// A participant joining or leaving. `data` of `room.client.joined` and
/// `room.client.left`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientJoinLeaveData {
    /// Who the participant is and where.
    #[serde(flatten)]
    pub client: ClientData,
    /// The participant's role, which depends on the URL they used to join.
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C, DOCS_A316F59]))]
    pub role_name: RoleName,
    /// How many clients are connected to the meeting after the event.
    #[schemars(extend("x-since" = "2022-04-01", "x-sources" = [DOCS_370F78C]))]
    pub num_clients: u32,
    /// How many clients are connected to the meeting after the event, grouped by role name.
    /// Keys are not limited to the known roles, so a role Whereby adds later does not break
    /// validation.
    #[schemars(extend("x-since" = "2022-04-05", "x-sources" = [DOCS_B3465AC]))]
    pub num_clients_by_role_name: BTreeMap<String, u32>,
    /// `true` when the participant called into the room from a telephone with Whereby's
    /// dial-in feature, `false` otherwise. Optional: documented by Whereby's webhooks docs,
    /// absent from the Assistant SDK types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    #[schemars(extend("x-since" = "2025-01-22", "x-sources" = [DOCS_C6CC5DC]))]
    pub is_dial_in: Option<bool>,
}

/// Declares a list of string values this contract keeps open: the known
/// values are variants, any other string is kept in `Other`, and the schema
/// accepts any string while listing the known ones in `x-extensible-enum`.
macro_rules! open_list {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($schema_name:literal, $description:literal, sources $sources:expr) {
            $( $(#[doc = $doc:literal])+ $variant:ident = $wire:literal since $since:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant, )+
            /// A value this model does not know yet, kept as sent. Build values
            /// with `from_wire`, which picks a known variant when there is one, so
            /// that equal wire strings compare equal.
            Other(String),
        }

        impl $name {
            /// Every known value, in the order of the published list.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The value as Whereby sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(value) => value,
                }
            }

            /// The value for a wire string: a known variant, or `Other`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether the value is one of the known ones.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }

            /// The known values with their descriptions.
            pub fn known() -> Vec<(&'static str, String)> {
                vec![ $( ($wire, unwrap_doc(&[$($doc),+])), )+ ]
            }

            /// The date each known value was first documented (see
            /// [`crate::provenance`]), in the order of [`Self::ALL`].
            pub fn since(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($since), )+
                    $name::Other(_) => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from_wire(&value))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $schema_name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let since: Vec<&str> = $name::ALL.iter().filter_map($name::since).collect();
                open_list_schema($description, &$name::known(), &since, $sources)
            }
        }
    };
}

/// Joins the lines of a doc comment into one paragraph.
fn unwrap_doc(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The published form of an open list: any string, the known values in
/// `x-extensible-enum`, their descriptions in `x-enumDescriptions` and their
/// dates in `x-enumSince`.
fn open_list_schema(
    description: &str,
    known: &[(&str, String)],
    since: &[&str],
    sources: &[&str],
) -> Schema {
    let values: Vec<&str> = known.iter().map(|(value, _)| *value).collect();
    let descriptions: serde_json::Map<String, serde_json::Value> = known
        .iter()
        .map(|(value, text)| ((*value).to_owned(), text.clone().into()))
        .collect();
    let dates: serde_json::Map<String, serde_json::Value> = known
        .iter()
        .zip(since)
        .map(|((value, _), date)| ((*value).to_owned(), (*date).into()))
        .collect();
    Schema::try_from(json!({
        "description": description,
        "type": "string",
        "x-extensible-enum": values,
        "x-enumDescriptions": descriptions,
        crate::provenance::ENUM_SINCE_KEY: dates,
        crate::provenance::SOURCES_KEY: sources,
    }))
    .unwrap_or_default()
}

open_list! {
    /// A participant's role in a room. An open list: the webhooks page's list has grown
    /// from 5 values to 10, the Assistant SDK types add `assistant`, so a value not
    /// listed here is accepted and kept as [`RoleName::Other`].
    pub enum RoleName ("RoleName", "A participant's role in the room, which depends on the URL they used to join. Whereby's docs word the list as closed (\"will have one of the following values\"); this contract opens it, because the list has grown over time (5 values on 2022-04-01, 6 from 2022-09-21, 10 on the webhooks page today, and `assistant` in the Assistant SDK types and reference), so any string is accepted; the known values are listed in `x-extensible-enum`, each dated in `x-enumSince`.", sources &[DOCS_370F78C, DOCS_A316F59, DOCS_C9ED0B3, SDK_90470D16]) {
        /// A user with an admin account in your Embedded organization (documented since
        /// 2022-04-01 or earlier).
        Owner = "owner" since "2022-04-01",
        /// A user with an account in your Embedded organization (documented since 2022-04-01
        /// or earlier).
        Member = "member" since "2022-04-01",
        /// A user who joined using the `hostRoomUrl` (documented since 2022-04-01 or earlier).
        Host = "host" since "2022-04-01",
        /// A user who joined using the regular `roomUrl` (documented since 2022-04-01 or
        /// earlier).
        Visitor = "visitor" since "2022-04-01",
        /// Assigned to a participant after they knocked and were let in by a host
        /// (documented since 2022-04-01 or earlier, first described as a visitor who can join a
        /// locked room without knocking).
        GrantedVisitor = "granted_visitor" since "2022-04-01",
        /// A user who joined using the `viewerRoomUrl` (documented since 2023-07-28).
        Viewer = "viewer" since "2023-07-28",
        /// Assigned to a participant if they are queued before a host joins (documented since
        /// 2023-07-28).
        GrantedViewer = "granted_viewer" since "2023-07-28",
        /// A cloud recording instance started or stopped: its join and leave mark a
        /// recording's start and stop (documented since 2022-09-21).
        Recorder = "recorder" since "2022-09-21",
        /// A streaming instance started or stopped (documented since 2023-07-28).
        Streamer = "streamer" since "2023-07-28",
        /// The meeting was captioned or transcribed (documented since 2024-11-21).
        Captioner = "captioner" since "2024-11-21",
        /// A Whereby Assistant. In the Assistant SDK types since 2025-09-11 and in the role
        /// list of Whereby's Assistant SDK reference since 2025-09-25; not in the webhooks
        /// page's role list.
        Assistant = "assistant" since "2025-09-11",
    }
}

/// A transcription. `data` of `transcription.started`, and the base of
/// `transcription.finished` and `transcription.failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionData {
    /// The string that identifies the room: the last path segment of the room URL.
    #[schemars(extend("x-since" = "2025-03-20", "x-sources" = [DOCS_9C11E05]))]
    pub room_name: String,
    /// The room session that was transcribed.
    #[schemars(extend("x-since" = "2025-03-20", "x-sources" = [DOCS_9C11E05]))]
    pub room_session_id: String,
    /// The identifier of the transcription.
    #[schemars(extend("x-since" = "2023-08-16", "x-sources" = [DOCS_137AFBD]))]
    pub transcription_id: String,
    /// The type of transcription. Not to be confused with the envelope's `type`.
    #[serde(rename = "type")]
    #[schemars(extend("x-since" = "2024-06-26", "x-sources" = [DOCS_1C89124]))]
    pub transcription_type: TranscriptionType,
    /// The status of the transcription: it starts as `in_progress` and becomes `ready` once
    /// the transcript has been written to storage, or `failed` if processing failed.
    #[schemars(extend("x-since" = "2025-02-27", "x-sources" = [DOCS_A6CFEE4]))]
    pub status: TranscriptionStatus,
}

/// What a transcription transcribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TranscriptionType {
    /// Session Transcription: a live session.
    LiveTranscription,
    /// A transcription based on a cloud recording (Whereby-provided storage only).
    RecordingTranscription,
}

/// Where a transcription is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptionStatus {
    /// Being transcribed.
    InProgress,
    /// The transcript has been written to storage.
    Ready,
    /// An error occurred while processing the transcription.
    Failed,
}

/// A finished transcription. `data` of `transcription.finished`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = recording_id_with_recording_transcription)]
pub struct TranscriptionFinishedData {
    /// Which transcription.
    #[serde(flatten)]
    pub transcription: TranscriptionData,
    /// The transcript's file name and extension. Whereby's transcription docs say transcripts
    /// are downloaded as `.md` files.
    #[schemars(extend("x-since" = "2025-02-27", "x-sources" = [DOCS_A6CFEE4, DOCS_RECORDING_TRANSCRIPTIONS]))]
    pub filename: String,
    /// Where the transcript file is stored.
    #[schemars(extend("x-since" = "2025-02-27", "x-sources" = [DOCS_A6CFEE4]))]
    pub storage_type: StorageType,
    /// The total billable time used for the transcription, in seconds.
    #[schemars(extend("x-since" = "2023-08-16", "x-sources" = [DOCS_137AFBD, DOCS_A6CFEE4]))]
    pub duration_in_seconds: f64,
    /// Present when `type` is `RECORDING_TRANSCRIPTION`, and required then: the identifier of
    /// the recording the transcription is associated with. Whereby sets it only then; its
    /// presence on other transcriptions is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    #[schemars(extend("x-since" = "2023-08-16", "x-sources" = [DOCS_137AFBD]))]
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

/// Where a transcript file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(extend("x-sources" = [DOCS_A6CFEE4, DOCS_SESSION_TRANSCRIPTION, DOCS_RECORDING_TRANSCRIPTIONS]))]
pub enum StorageType {
    /// Stored with Whereby (Whereby-provided storage).
    WherebyHosted,
    /// Written to other storage. Whereby's transcription docs also say there are no webhooks
    /// for S3 storage and that recording transcriptions need Whereby-provided storage, so when
    /// this value is sent is not documented.
    SelfHosted,
}

/// A failed transcription. `data` of `transcription.failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionFailedData {
    /// Which transcription.
    #[serde(flatten)]
    pub transcription: TranscriptionData,
    /// The error message that describes why the transcription failed to process.
    #[schemars(extend("x-since" = "2023-08-16", "x-sources" = [DOCS_137AFBD]))]
    pub error: String,
}

/// A finished cloud recording. `data` of `recording.finished`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordingFinishedData {
    /// The recording's file name and extension. Whereby's cloud recording docs give the
    /// pattern `[room name]-[start time in ISO format].mkv` and let you choose the `.mkv` or
    /// `.mp4` format; a real delivery in Whereby's docs ends in `.mp4`.
    #[schemars(extend("x-since" = "2023-08-22", "x-sources" = [DOCS_FC2DDB4, DOCS_CLOUD_RECORDING, DOCS_CF2D81F]))]
    pub filename: String,
    /// The identifier of the recording.
    #[schemars(extend("x-since" = "2023-08-22", "x-sources" = [DOCS_FC2DDB4]))]
    pub recording_id: String,
    /// The string that identifies the room the recording was made in.
    #[schemars(extend("x-since" = "2023-12-07", "x-sources" = [DOCS_3CF9990]))]
    pub room_name: String,
    /// The final status of the recording.
    #[schemars(extend("x-since" = "2023-08-22", "x-sources" = [DOCS_FC2DDB4]))]
    pub status: RecordingStatus,
}

open_list! {
    /// The status of a finished recording. An open list: Whereby documents that it
    /// "can be only `completed` for now".
    pub enum RecordingStatus ("RecordingStatus", "The final status of the recording. An open list: Whereby documents that it can be only `completed` for now, so any string is accepted; the known values are listed in `x-extensible-enum`.", sources &[DOCS_FC2DDB4, DOCS_A316F59]) {
        /// The recording finished and was uploaded.
        Completed = "completed" since "2023-08-22",
    }
}

/// How the structs that flatten others are read: each through a flat twin
/// with every property at one level, derived without `#[serde(flatten)]`.
///
/// Serde reads a struct with a flattened field by first buffering every
/// property of the object as a generic value, then reading the fields from
/// those values: a copy and an allocation per property. A flat struct is
/// read straight from the text. The twins hold the same properties under the
/// same names and types, so a payload reads the same (a test compares both
/// readings over generated objects).
mod wire {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer};

    use super::{
        ClientData, ClientJoinLeaveData, InRoomData, RoleName, RoomData, StorageType,
        TranscriptionData, TranscriptionFailedData, TranscriptionFinishedData, TranscriptionStatus,
        TranscriptionType,
    };

    /// Implements `Deserialize` for `$public` by reading `$flat`.
    macro_rules! read_through {
        ($public:ty, $flat:ty) => {
            impl<'de> Deserialize<'de> for $public {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <$flat>::deserialize(deserializer).map(Into::into)
                }
            }
        };
    }

    /// The shared parts, built from any twin that has their properties.
    macro_rules! room {
        ($flat:ident) => {
            RoomData {
                meeting_id: $flat.meeting_id,
                room_name: $flat.room_name,
                subdomain: $flat.subdomain,
            }
        };
    }

    macro_rules! client {
        ($flat:ident) => {
            ClientData {
                room: room!($flat),
                room_session_id: $flat.room_session_id,
                display_name: $flat.display_name,
                participant_id: $flat.participant_id,
                metadata: $flat.metadata,
                external_id: $flat.external_id,
            }
        };
    }

    macro_rules! transcription {
        ($flat:ident) => {
            TranscriptionData {
                room_name: $flat.room_name,
                room_session_id: $flat.room_session_id,
                transcription_id: $flat.transcription_id,
                transcription_type: $flat.transcription_type,
                status: $flat.status,
            }
        };
    }

    #[derive(Deserialize)]
    #[serde(rename = "InRoomData", rename_all = "camelCase")]
    pub(super) struct InRoom {
        #[serde(default)]
        meeting_id: Option<String>,
        room_name: String,
        subdomain: String,
        #[serde(default)]
        room_session_id: Option<String>,
    }

    impl From<InRoom> for InRoomData {
        fn from(flat: InRoom) -> Self {
            InRoomData {
                room: room!(flat),
                room_session_id: flat.room_session_id,
            }
        }
    }

    read_through!(InRoomData, InRoom);

    #[derive(Deserialize)]
    #[serde(rename = "ClientData", rename_all = "camelCase")]
    pub(super) struct Client {
        #[serde(default)]
        meeting_id: Option<String>,
        room_name: String,
        subdomain: String,
        room_session_id: Option<String>,
        display_name: String,
        participant_id: String,
        metadata: Option<String>,
        external_id: Option<String>,
    }

    impl From<Client> for ClientData {
        fn from(flat: Client) -> Self {
            client!(flat)
        }
    }

    read_through!(ClientData, Client);

    #[derive(Deserialize)]
    #[serde(rename = "ClientJoinLeaveData", rename_all = "camelCase")]
    pub(super) struct ClientJoinLeave {
        #[serde(default)]
        meeting_id: Option<String>,
        room_name: String,
        subdomain: String,
        room_session_id: Option<String>,
        display_name: String,
        participant_id: String,
        metadata: Option<String>,
        external_id: Option<String>,
        role_name: RoleName,
        num_clients: u32,
        num_clients_by_role_name: BTreeMap<String, u32>,
        #[serde(default)]
        is_dial_in: Option<bool>,
    }

    impl From<ClientJoinLeave> for ClientJoinLeaveData {
        fn from(flat: ClientJoinLeave) -> Self {
            ClientJoinLeaveData {
                client: client!(flat),
                role_name: flat.role_name,
                num_clients: flat.num_clients,
                num_clients_by_role_name: flat.num_clients_by_role_name,
                is_dial_in: flat.is_dial_in,
            }
        }
    }

    read_through!(ClientJoinLeaveData, ClientJoinLeave);

    #[derive(Deserialize)]
    #[serde(rename = "TranscriptionFinishedData", rename_all = "camelCase")]
    pub(super) struct TranscriptionFinished {
        room_name: String,
        room_session_id: String,
        transcription_id: String,
        #[serde(rename = "type")]
        transcription_type: TranscriptionType,
        status: TranscriptionStatus,
        filename: String,
        storage_type: StorageType,
        duration_in_seconds: f64,
        #[serde(default)]
        recording_id: Option<String>,
    }

    impl From<TranscriptionFinished> for TranscriptionFinishedData {
        fn from(flat: TranscriptionFinished) -> Self {
            TranscriptionFinishedData {
                transcription: transcription!(flat),
                filename: flat.filename,
                storage_type: flat.storage_type,
                duration_in_seconds: flat.duration_in_seconds,
                recording_id: flat.recording_id,
            }
        }
    }

    read_through!(TranscriptionFinishedData, TranscriptionFinished);

    #[derive(Deserialize)]
    #[serde(rename = "TranscriptionFailedData", rename_all = "camelCase")]
    pub(super) struct TranscriptionFailed {
        room_name: String,
        room_session_id: String,
        transcription_id: String,
        #[serde(rename = "type")]
        transcription_type: TranscriptionType,
        status: TranscriptionStatus,
        error: String,
    }

    impl From<TranscriptionFailed> for TranscriptionFailedData {
        fn from(flat: TranscriptionFailed) -> Self {
            TranscriptionFailedData {
                transcription: transcription!(flat),
                error: flat.error,
            }
        }
    }

    read_through!(TranscriptionFailedData, TranscriptionFailed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_lists_keep_unknown_values_and_round_trip() {
        for role in RoleName::ALL {
            let wire = serde_json::to_value(role).unwrap();
            assert_eq!(serde_json::from_value::<RoleName>(wire).unwrap(), *role);
            assert!(role.is_known());
        }
        let unknown: RoleName = serde_json::from_str("\"moderator\"").unwrap();
        assert_eq!(unknown, RoleName::Other("moderator".into()));
        assert!(!unknown.is_known());
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"moderator\"");
        assert_eq!(
            RoleName::from_wire("granted_viewer"),
            RoleName::GrantedViewer
        );
        assert_eq!(
            RecordingStatus::from_wire("failed"),
            RecordingStatus::Other("failed".into())
        );
        assert!(serde_json::from_str::<RoleName>("7").is_err());
    }

    #[test]
    fn every_known_value_is_described() {
        let known = RoleName::known();
        assert_eq!(known.len(), RoleName::ALL.len());
        for ((wire, description), role) in known.iter().zip(RoleName::ALL) {
            assert_eq!(*wire, role.as_str());
            assert!(
                !description.is_empty() && !description.contains("  "),
                "{wire}"
            );
        }
    }

    /// The structs as serde derives them with `#[serde(flatten)]`: the
    /// reading the flat twins replace.
    mod flattened {
        use serde::Deserialize;

        use super::super::*;

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct InRoom {
            #[serde(flatten)]
            room: RoomData,
            #[serde(default)]
            room_session_id: Option<String>,
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct Client {
            #[serde(flatten)]
            room: RoomData,
            room_session_id: Option<String>,
            display_name: String,
            participant_id: String,
            metadata: Option<String>,
            external_id: Option<String>,
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct ClientJoinLeave {
            #[serde(flatten)]
            client: Client,
            role_name: RoleName,
            num_clients: u32,
            num_clients_by_role_name: BTreeMap<String, u32>,
            #[serde(default)]
            is_dial_in: Option<bool>,
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct TranscriptionFinished {
            #[serde(flatten)]
            transcription: TranscriptionData,
            filename: String,
            storage_type: StorageType,
            duration_in_seconds: f64,
            #[serde(default)]
            recording_id: Option<String>,
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct TranscriptionFailed {
            #[serde(flatten)]
            transcription: TranscriptionData,
            error: String,
        }

        impl From<InRoom> for InRoomData {
            fn from(old: InRoom) -> Self {
                InRoomData {
                    room: old.room,
                    room_session_id: old.room_session_id,
                }
            }
        }

        impl From<Client> for ClientData {
            fn from(old: Client) -> Self {
                ClientData {
                    room: old.room,
                    room_session_id: old.room_session_id,
                    display_name: old.display_name,
                    participant_id: old.participant_id,
                    metadata: old.metadata,
                    external_id: old.external_id,
                }
            }
        }

        impl From<ClientJoinLeave> for ClientJoinLeaveData {
            fn from(old: ClientJoinLeave) -> Self {
                ClientJoinLeaveData {
                    client: old.client.into(),
                    role_name: old.role_name,
                    num_clients: old.num_clients,
                    num_clients_by_role_name: old.num_clients_by_role_name,
                    is_dial_in: old.is_dial_in,
                }
            }
        }

        impl From<TranscriptionFinished> for TranscriptionFinishedData {
            fn from(old: TranscriptionFinished) -> Self {
                TranscriptionFinishedData {
                    transcription: old.transcription,
                    filename: old.filename,
                    storage_type: old.storage_type,
                    duration_in_seconds: old.duration_in_seconds,
                    recording_id: old.recording_id,
                }
            }
        }

        impl From<TranscriptionFailed> for TranscriptionFailedData {
            fn from(old: TranscriptionFailed) -> Self {
                TranscriptionFailedData {
                    transcription: old.transcription,
                    error: old.error,
                }
            }
        }
    }

    /// Both readings of `text`: the same value, or both an error.
    fn reads_alike<Flat, Old>(text: &str) -> Result<(), String>
    where
        Flat: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
        Old: for<'de> Deserialize<'de> + Into<Flat>,
    {
        let flat = serde_json::from_str::<Flat>(text).ok();
        let old = serde_json::from_str::<Old>(text).ok().map(Into::into);
        if flat == old {
            Ok(())
        } else {
            Err(format!("{text}: read {flat:?}, flattened {old:?}"))
        }
    }

    /// Values a property may be given: right, wrong or at a boundary.
    fn leaves() -> Vec<serde_json::Value> {
        use serde_json::json;
        vec![
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(4_294_967_295_u64),
            json!(4_294_967_296_u64),
            json!(2.0),
            json!(1.5),
            json!(""),
            json!("x"),
            json!("owner"),
            json!("LIVE_TRANSCRIPTION"),
            json!("ready"),
            json!("WHEREBY_HOSTED"),
            json!([]),
            json!({}),
            json!({ "host": 1, "visitor": 4_294_967_296_u64 }),
            json!({ "host": 2 }),
        ]
    }

    /// A value a property may be given, nested a little.
    fn a_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            proptest::sample::select(leaves()),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-z_]{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..3)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Both readings of every struct agree on `data`.
    fn all_read_alike(data: serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
        let text = serde_json::Value::Object(data).to_string();
        reads_alike::<InRoomData, flattened::InRoom>(&text)?;
        reads_alike::<ClientData, flattened::Client>(&text)?;
        reads_alike::<ClientJoinLeaveData, flattened::ClientJoinLeave>(&text)?;
        reads_alike::<TranscriptionFinishedData, flattened::TranscriptionFinished>(&text)?;
        reads_alike::<TranscriptionFailedData, flattened::TranscriptionFailed>(&text)
    }

    /// The `data` object of every example.
    fn example_data() -> Vec<serde_json::Map<String, serde_json::Value>> {
        crate::examples::all_examples()
            .iter()
            .map(|example| {
                let event = serde_json::to_value(&example.event).expect("an example serialises");
                event["data"].as_object().cloned().unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn the_flat_twins_read_each_one_property_change_as_the_flattened_structs_did() {
        // Every example's `data`, with each property removed or given each
        // of the values above, one at a time.
        for data in example_data() {
            all_read_alike(data.clone()).unwrap();
            for key in KEYS {
                let mut removed = data.clone();
                removed.remove(*key);
                all_read_alike(removed).unwrap();
                for value in leaves() {
                    let mut changed = data.clone();
                    changed.insert((*key).to_owned(), value);
                    all_read_alike(changed).unwrap();
                }
            }
        }
    }

    /// Every property of the flattening structs, and one no struct has.
    const KEYS: &[&str] = &[
        "meetingId",
        "roomName",
        "subdomain",
        "roomSessionId",
        "displayName",
        "participantId",
        "metadata",
        "externalId",
        "roleName",
        "numClients",
        "numClientsByRoleName",
        "isDialIn",
        "transcriptionId",
        "type",
        "status",
        "filename",
        "storageType",
        "durationInSeconds",
        "recordingId",
        "error",
        "somethingNew",
    ];

    proptest::proptest! {
        /// The flat twins read every object as the flattening derive did:
        /// the example `data` of each event, with several properties
        /// removed, added or given other values.
        #[test]
        fn the_flat_twins_read_as_the_flattened_structs_did(
            example in 0..crate::examples::all_examples().len(),
            edits in proptest::collection::vec(
                (proptest::sample::select(KEYS), proptest::option::of(a_value())),
                0..5,
            ),
        ) {
            let mut data = example_data().swap_remove(example);
            for (key, value) in edits {
                match value {
                    Some(value) => data.insert(key.to_owned(), value),
                    None => data.remove(key),
                };
            }
            let alike = all_read_alike(data);
            proptest::prop_assert!(alike.is_ok(), "{}", alike.unwrap_err());
        }
    }

    #[test]
    fn a_repeated_property_is_refused_by_both_readings() {
        // The validator refuses such payloads before they are typed; the
        // model alone refuses them too, whichever struct holds the property.
        for text in [
            r#"{"roomName":"/a","roomName":"/b","subdomain":"s"}"#,
            r#"{"roomName":"/a","subdomain":"s","roomSessionId":null,"roomSessionId":"x"}"#,
        ] {
            assert!(serde_json::from_str::<InRoomData>(text).is_err(), "{text}");
            assert!(
                serde_json::from_str::<flattened::InRoom>(text).is_err(),
                "{text}"
            );
        }
    }
}
