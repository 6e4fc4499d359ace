//! Property tests: any value of the model serialises to JSON that its
//! published schema accepts, and the JSON reads back to the same value.

use std::collections::BTreeMap;

use proptest::prelude::*;
use whereby_webhooks_model::*;

use crate::common::{errors, event_validator};

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, including quotes, escapes and astral characters.
    any::<String>()
}

fn created_at() -> impl Strategy<Value = String> {
    (
        1970u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        0u32..1000,
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
        })
}

fn room() -> impl Strategy<Value = RoomData> {
    (proptest::option::of(text()), text(), text()).prop_map(|(meeting_id, room_name, subdomain)| {
        RoomData {
            meeting_id,
            room_name,
            subdomain,
        }
    })
}

fn in_room() -> impl Strategy<Value = InRoomData> {
    (room(), proptest::option::of(text())).prop_map(|(room, room_session_id)| InRoomData {
        room,
        room_session_id,
    })
}

fn client() -> impl Strategy<Value = ClientData> {
    (
        room(),
        proptest::option::of(text()),
        text(),
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(
            |(room, room_session_id, display_name, participant_id, metadata, external_id)| {
                ClientData {
                    room,
                    room_session_id,
                    display_name,
                    participant_id,
                    metadata,
                    external_id,
                }
            },
        )
}

/// A known role, or any string: an open list takes both.
fn role_name() -> impl Strategy<Value = RoleName> {
    prop_oneof![
        proptest::sample::select(RoleName::ALL.to_vec()),
        text().prop_map(|s| RoleName::from_wire(&s)),
    ]
}

fn join_leave() -> impl Strategy<Value = ClientJoinLeaveData> {
    (
        client(),
        role_name(),
        any::<u32>(),
        proptest::collection::btree_map(text(), any::<u32>(), 0..6),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(client, role_name, num_clients, by_role, is_dial_in)| {
            ClientJoinLeaveData {
                client,
                role_name,
                num_clients,
                num_clients_by_role_name: by_role.into_iter().collect::<BTreeMap<_, _>>(),
                is_dial_in,
            }
        })
}

fn transcription() -> impl Strategy<Value = TranscriptionData> {
    (
        text(),
        text(),
        text(),
        prop_oneof![
            Just(TranscriptionType::LiveTranscription),
            Just(TranscriptionType::RecordingTranscription)
        ],
        prop_oneof![
            Just(TranscriptionStatus::InProgress),
            Just(TranscriptionStatus::Ready),
            Just(TranscriptionStatus::Failed)
        ],
    )
        .prop_map(
            |(room_name, room_session_id, transcription_id, transcription_type, status)| {
                TranscriptionData {
                    room_name,
                    room_session_id,
                    transcription_id,
                    transcription_type,
                    status,
                }
            },
        )
}

fn finished() -> impl Strategy<Value = TranscriptionFinishedData> {
    (
        transcription(),
        text(),
        prop_oneof![
            Just(StorageType::WherebyHosted),
            Just(StorageType::SelfHosted)
        ],
        0.0f64..1.0e7,
        text(),
    )
        .prop_map(
            |(transcription, filename, storage_type, duration_in_seconds, id)| {
                // The model's rule: a recordingId exactly for recording transcriptions.
                let recording_id = (transcription.transcription_type
                    == TranscriptionType::RecordingTranscription)
                    .then_some(id);
                TranscriptionFinishedData {
                    transcription,
                    filename,
                    storage_type,
                    duration_in_seconds,
                    recording_id,
                }
            },
        )
}

fn envelope<D: std::fmt::Debug + Clone>(
    ty: EventType,
    data: impl Strategy<Value = D>,
) -> impl Strategy<Value = Envelope<D>> {
    (text(), created_at(), data).prop_map(move |(id, created_at, data)| Envelope {
        id,
        api_version: API_VERSION.to_owned(),
        created_at,
        event_type: ty,
        data,
    })
}

fn event() -> impl Strategy<Value = Event> {
    use EventType as T;
    prop_oneof![
        envelope(T::RoomClientJoined, join_leave()).prop_map(Event::RoomClientJoined),
        envelope(T::RoomClientLeft, join_leave()).prop_map(Event::RoomClientLeft),
        envelope(T::RoomClientKnocked, client()).prop_map(Event::RoomClientKnocked),
        envelope(T::RoomClientKnockCancelled, client()).prop_map(Event::RoomClientKnockCancelled),
        envelope(T::RoomSessionStarted, in_room()).prop_map(Event::RoomSessionStarted),
        envelope(T::RoomSessionEnded, in_room()).prop_map(Event::RoomSessionEnded),
        envelope(T::TranscriptionStarted, transcription()).prop_map(Event::TranscriptionStarted),
        envelope(T::TranscriptionFinished, finished()).prop_map(Event::TranscriptionFinished),
        envelope(
            T::TranscriptionFailed,
            (transcription(), text()).prop_map(|(transcription, error)| TranscriptionFailedData {
                transcription,
                error
            })
        )
        .prop_map(Event::TranscriptionFailed),
        envelope(
            T::RecordingFinished,
            (text(), text(), text(), text()).prop_map(
                |(filename, recording_id, room_name, status)| RecordingFinishedData {
                    filename,
                    recording_id,
                    room_name,
                    status: RecordingStatus::from_wire(&status),
                }
            )
        )
        .prop_map(Event::RecordingFinished),
        envelope(T::AssistantRequested, in_room()).prop_map(Event::AssistantRequested),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn model_values_serialise_to_valid_json(event in event()) {
        let value = serde_json::to_value(&event).unwrap();
        let validator = event_validator(event.event_type().as_str());
        prop_assert_eq!(errors(&validator, &value), Vec::<String>::new());
        let back = Event::from_value(value).unwrap();
        prop_assert_eq!(back, event);
    }
}
