//! Realistic example events, named by event and variant.
//!
//! They are built as typed values, so they always match the model; the tests
//! check them against the published schemas too. The OpenAPI document, the
//! reference docs, `spec/examples/` and the command-line tool all take their
//! examples from here.

use std::collections::BTreeMap;

use crate::data::{
    ClientData, ClientJoinLeaveData, InRoomData, RecordingFinishedData, RecordingStatus, RoleName,
    RoomData, StorageType, TranscriptionData, TranscriptionFailedData, TranscriptionFinishedData,
    TranscriptionStatus, TranscriptionType,
};
use crate::envelope::{API_VERSION, Envelope, Event};
use crate::event_type::EventType;

/// One named example of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// A name unique among the examples of its event type, such as `host`.
    pub name: &'static str,
    /// One line saying what the example shows.
    pub summary: &'static str,
    /// The event.
    pub event: Event,
}

impl Example {
    /// The example's file stem: `<event type>.<name>`.
    pub fn file_stem(&self) -> String {
        format!("{}.{}", self.event.event_type(), self.name)
    }
}

const ROOM_NAME: &str = "/af0b7b66-2a4d-4a5c-9f0e-6f0c7c3f1d22";
const SUBDOMAIN: &str = "joebloggsinc";
const MEETING_ID: &str = "88031462";
const ROOM_SESSION_ID: &str = "d5e8a52e-3f2c-4b52-9b0e-3c3e5f8d7a10";
const TRANSCRIPTION_ID: &str = "0d6f3e2b-7c1a-4f4e-8a9d-2b5c6e7f8a90";
const RECORDING_ID: &str = "6a1b9c3d-2e4f-4a5b-8c7d-9e0f1a2b3c4d";

fn envelope<D>(ty: EventType, id: &str, created_at: &str, data: D) -> Envelope<D> {
    Envelope {
        id: id.to_owned(),
        api_version: API_VERSION.to_owned(),
        created_at: created_at.to_owned(),
        event_type: ty,
        data,
    }
}

fn room() -> RoomData {
    RoomData {
        meeting_id: Some(MEETING_ID.to_owned()),
        room_name: ROOM_NAME.to_owned(),
        subdomain: SUBDOMAIN.to_owned(),
    }
}

fn in_room(session: Option<&str>) -> InRoomData {
    InRoomData {
        room: room(),
        room_session_id: session.map(str::to_owned),
    }
}

fn client(name: &str, participant: &str, metadata: Option<&str>) -> ClientData {
    ClientData {
        room: room(),
        room_session_id: Some(ROOM_SESSION_ID.to_owned()),
        display_name: name.to_owned(),
        participant_id: participant.to_owned(),
        metadata: metadata.map(str::to_owned),
        external_id: metadata.map(|_| "crm-user-5521".to_owned()),
    }
}

fn counts(roles: &[(RoleName, u32)]) -> BTreeMap<String, u32> {
    roles
        .iter()
        .map(|(role, n)| (role.as_str().to_owned(), *n))
        .collect()
}

fn transcription(ty: TranscriptionType, status: TranscriptionStatus) -> TranscriptionData {
    TranscriptionData {
        room_name: ROOM_NAME.to_owned(),
        room_session_id: ROOM_SESSION_ID.to_owned(),
        transcription_id: TRANSCRIPTION_ID.to_owned(),
        transcription_type: ty,
        status,
    }
}

/// The examples of one event type, at least one each.
pub fn examples(ty: EventType) -> Vec<Example> {
    let t = ty;
    match ty {
        EventType::RoomClientJoined => vec![
            Example {
                name: "host",
                summary: "A host joins with URL metadata set",
                event: Event::RoomClientJoined(envelope(
                    t,
                    "8168fd90d7a1470b88fa73313adfb710d785399bfb7b29691d9920da5aeaa4cd",
                    "2026-03-31T09:00:04.512Z",
                    ClientJoinLeaveData {
                        client: client("Joe Bloggs", "a4f1c2d3-host", Some("order-1234")),
                        role_name: RoleName::Host,
                        num_clients: 2,
                        num_clients_by_role_name: counts(&[
                            (RoleName::Host, 1),
                            (RoleName::Visitor, 1),
                        ]),
                        is_dial_in: Some(false),
                    },
                )),
            },
            Example {
                name: "recorder",
                summary: "A cloud recording starts: the recorder joins",
                event: Event::RoomClientJoined(envelope(
                    t,
                    "f63bad642f34c6349be5b7a8ba8602fe259c0456746ef37f795bc4344ae113cb",
                    "2026-03-31T09:02:10.000Z",
                    ClientJoinLeaveData {
                        client: client("Recorder", "b7e2d4f6-recorder", None),
                        role_name: RoleName::Recorder,
                        num_clients: 3,
                        num_clients_by_role_name: counts(&[
                            (RoleName::Host, 1),
                            (RoleName::Visitor, 1),
                            (RoleName::Recorder, 1),
                        ]),
                        is_dial_in: None,
                    },
                )),
            },
        ],
        EventType::RoomClientLeft => vec![Example {
            name: "visitor",
            summary: "A visitor leaves by closing the tab",
            event: Event::RoomClientLeft(envelope(
                t,
                "f3001bb245514516c0c55d39750dbeb675120ae07e85be6bd182c50ecc51ec06",
                "2026-03-31T09:41:37.205Z",
                ClientJoinLeaveData {
                    client: client("Ada Visitor", "c9d8e7f6-visitor", None),
                    role_name: RoleName::Visitor,
                    num_clients: 1,
                    num_clients_by_role_name: counts(&[(RoleName::Host, 1)]),
                    is_dial_in: Some(false),
                },
            )),
        }],
        EventType::RoomClientKnocked => vec![Example {
            name: "visitor",
            summary: "A visitor knocks from the waiting room",
            event: Event::RoomClientKnocked(envelope(
                t,
                "333f80fa2c489b997c1ebce5f2aec76a5c8c0bc746302dc546060f4cd9361dc6",
                "2026-03-31T08:59:51.930Z",
                client("Ada Visitor", "c9d8e7f6-visitor", None),
            )),
        }],
        EventType::RoomClientKnockCancelled => vec![Example {
            name: "visitor",
            summary: "The visitor cancels the knock",
            event: Event::RoomClientKnockCancelled(envelope(
                t,
                "1e77b43818efe69339cb8778e3fde210e47507513049176bd6c6f5958ad20cd4",
                "2026-03-31T08:59:58.014Z",
                client("Ada Visitor", "c9d8e7f6-visitor", None),
            )),
        }],
        EventType::RoomSessionStarted => vec![Example {
            name: "default",
            summary: "A second participant arrives and the session starts; `data` has exactly \
                      the properties Whereby's docs list",
            event: Event::RoomSessionStarted(envelope(
                t,
                "cfa88856150b60222cedc74ffd351ed66059d102f2a2c75d346efcf0b8cb2cb2",
                "2026-03-31T09:00:04.700Z",
                in_room(None),
            )),
        }],
        EventType::RoomSessionEnded => vec![Example {
            name: "default",
            summary: "The session ends after the last visitor left; `roomSessionId` as the \
                      Assistant SDK types describe it",
            event: Event::RoomSessionEnded(envelope(
                t,
                "525a07ee6f434078dc7cf581a765fda2aed5d3fbde28e70fa9e83d26e5b7eaea",
                "2026-03-31T09:42:40.118Z",
                in_room(Some(ROOM_SESSION_ID)),
            )),
        }],
        EventType::TranscriptionStarted => vec![Example {
            name: "live",
            summary: "A live transcription of the session starts",
            event: Event::TranscriptionStarted(envelope(
                t,
                "1fcfa2a2ff1b6d2550c4b92e1246d384de1778bb1f73db51e03d6099d64512d1",
                "2026-03-31T09:05:00.000Z",
                transcription(
                    TranscriptionType::LiveTranscription,
                    TranscriptionStatus::InProgress,
                ),
            )),
        }],
        EventType::TranscriptionFinished => vec![
            Example {
                name: "live",
                summary: "A live transcription is ready",
                event: Event::TranscriptionFinished(envelope(
                    t,
                    "2474dd1a89f8f6a9ea7cde4236a2564b0b0bb89bdd9c22c1d830c57b779a6a04",
                    "2026-03-31T09:44:12.480Z",
                    TranscriptionFinishedData {
                        transcription: transcription(
                            TranscriptionType::LiveTranscription,
                            TranscriptionStatus::Ready,
                        ),
                        filename: "transcription-2026-03-31T09:05:00.000Z.md".to_owned(),
                        storage_type: StorageType::WherebyHosted,
                        duration_in_seconds: 2237.5,
                        recording_id: None,
                    },
                )),
            },
            Example {
                name: "recording",
                summary: "A transcription of a cloud recording is ready",
                event: Event::TranscriptionFinished(envelope(
                    t,
                    "7a491e4c770e75904630b151a68de0d604dd0bae4bfa58dd7cac148440a3c230",
                    "2026-03-31T10:01:45.002Z",
                    TranscriptionFinishedData {
                        transcription: transcription(
                            TranscriptionType::RecordingTranscription,
                            TranscriptionStatus::Ready,
                        ),
                        filename: "recording-transcription-2026-03-31T09:02:10.000Z.md".to_owned(),
                        storage_type: StorageType::WherebyHosted,
                        duration_in_seconds: 2367.0,
                        recording_id: Some(RECORDING_ID.to_owned()),
                    },
                )),
            },
        ],
        EventType::TranscriptionFailed => vec![Example {
            name: "default",
            summary: "A transcription fails to process",
            event: Event::TranscriptionFailed(envelope(
                t,
                "672295fe11fa52f3bcc344eb0666e2e3af114f7bc70b8239af40f92aaf940f55",
                "2026-03-31T09:44:30.000Z",
                TranscriptionFailedData {
                    transcription: transcription(
                        TranscriptionType::LiveTranscription,
                        TranscriptionStatus::Failed,
                    ),
                    error: "Transcription could not be processed".to_owned(),
                },
            )),
        }],
        EventType::RecordingFinished => vec![Example {
            name: "default",
            summary: "A cloud recording in the `.mp4` format was uploaded",
            event: Event::RecordingFinished(envelope(
                t,
                "d93fff3f03d3b2b6513463ef01907c1eb9efcc855cf05ec824b511c27b688c05",
                "2026-03-31T09:43:02.331Z",
                RecordingFinishedData {
                    filename: "af0b7b66-2a4d-4a5c-9f0e-6f0c7c3f1d22-2026-03-31T09:02:10Z.mp4"
                        .to_owned(),
                    recording_id: RECORDING_ID.to_owned(),
                    room_name: ROOM_NAME.to_owned(),
                    status: RecordingStatus::Completed,
                },
            )),
        }],
        EventType::AssistantRequested => vec![Example {
            name: "default",
            summary: "A host invites an Assistant into the room",
            event: Event::AssistantRequested(envelope(
                t,
                "6d8d1b46cdc4bf210060c0d04be26aef1ade93bb4d5ae8d6b26396d29d1a3387",
                "2026-03-31T09:10:00.250Z",
                in_room(Some(ROOM_SESSION_ID)),
            )),
        }],
    }
}

/// Every example of every event type, in [`EventType::ALL`] order.
pub fn all_examples() -> Vec<Example> {
    EventType::ALL.into_iter().flat_map(examples).collect()
}
