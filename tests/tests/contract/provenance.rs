//! Provenance in the published spec: every envelope and data property and
//! every webhook carries `x-since` and `x-sources`, and the dates are the
//! ones Whereby's docs history gives.

use serde_json::{Map, Value};
use whereby_webhooks_model::EventType;

use crate::common::read_json;

fn document() -> Value {
    read_json("spec/openapi.json")
}

fn schemas(doc: &Value) -> &Map<String, Value> {
    doc["components"]["schemas"].as_object().unwrap()
}

fn is_date(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

fn assert_provenance(item: &Value, at: &str) {
    let since = item["x-since"]
        .as_str()
        .unwrap_or_else(|| panic!("{at} has no x-since"));
    assert!(is_date(since), "{at}: x-since {since:?} is no YYYY-MM-DD");
    assert!(
        since >= "2022-04-01",
        "{at}: {since} predates the docs history"
    );
    let sources = item["x-sources"]
        .as_array()
        .unwrap_or_else(|| panic!("{at} has no x-sources"));
    assert!(!sources.is_empty(), "{at}: empty x-sources");
    for source in sources {
        let source = source.as_str().unwrap_or_default();
        assert!(
            source.starts_with("whereby/docs@") || source.starts_with("whereby/sdk@"),
            "{at}: {source:?} cites no commit"
        );
    }
}

/// Every property of every schema that has properties: the event envelopes
/// and the data definitions.
#[test]
fn every_property_and_webhook_has_x_since_and_x_sources() {
    let doc = document();
    let mut properties = 0;
    for (name, schema) in schemas(&doc) {
        for (property, value) in schema["properties"].as_object().into_iter().flatten() {
            assert_provenance(value, &format!("{name}.{property}"));
            properties += 1;
        }
    }
    // 5 envelope properties × 11 events, plus the data definitions.
    assert!(properties >= 55 + 30, "only {properties} properties");
    for ty in EventType::ALL {
        let post = &doc["webhooks"][ty.as_str()]["post"];
        assert_provenance(post, ty.as_str());
        assert_eq!(post["x-since"], ty.since(), "{ty}");
    }
}

/// The standalone schemas carry the same provenance as the components.
#[test]
fn standalone_schemas_carry_the_provenance_too() {
    for ty in EventType::ALL {
        let schema = read_json(&format!("spec/schemas/{}.json", ty.as_str()));
        for (name, definition) in schema["$defs"].as_object().into_iter().flatten() {
            for (property, value) in definition["properties"].as_object().into_iter().flatten() {
                assert_provenance(value, &format!("{ty}: {name}.{property}"));
            }
        }
        for (property, value) in schema["properties"].as_object().unwrap() {
            assert_provenance(value, &format!("{ty}: {property}"));
        }
    }
}

/// First-documented dates from the history of Whereby's webhooks page
/// (whereby/docs, audited 2026-11-27), and the SDK types where they are the
/// only source.
const PROPERTY_DATES: &[(&str, &str, &str)] = &[
    ("RoomClientJoinedEvent", "id", "2022-04-01"),
    ("RoomClientJoinedEvent", "createdAt", "2022-04-01"),
    ("ClientJoinLeaveData", "meetingId", "2022-04-01"),
    ("ClientJoinLeaveData", "roleName", "2022-04-01"),
    ("ClientJoinLeaveData", "numClients", "2022-04-01"),
    ("ClientJoinLeaveData", "metadata", "2022-04-01"),
    ("ClientJoinLeaveData", "numClientsByRoleName", "2022-04-05"),
    ("ClientJoinLeaveData", "displayName", "2023-07-28"),
    ("ClientJoinLeaveData", "externalId", "2023-10-19"),
    ("ClientJoinLeaveData", "participantId", "2023-12-07"),
    ("ClientJoinLeaveData", "roomSessionId", "2023-12-07"),
    ("ClientJoinLeaveData", "isDialIn", "2025-01-22"),
    ("ClientJoinLeaveData", "subdomain", "2025-09-08"),
    ("ClientData", "participantId", "2023-12-07"),
    ("InRoomData", "subdomain", "2025-09-08"),
    ("InRoomData", "roomSessionId", "2025-08-06"),
    ("TranscriptionFinishedData", "transcriptionId", "2023-08-16"),
    ("TranscriptionFinishedData", "recordingId", "2023-08-16"),
    (
        "TranscriptionFinishedData",
        "durationInSeconds",
        "2023-08-16",
    ),
    ("TranscriptionFailedData", "error", "2023-08-16"),
    ("TranscriptionData", "type", "2024-06-26"),
    ("TranscriptionData", "status", "2025-02-27"),
    ("TranscriptionFinishedData", "filename", "2025-02-27"),
    ("TranscriptionFinishedData", "storageType", "2025-02-27"),
    ("TranscriptionData", "roomName", "2025-03-20"),
    ("TranscriptionData", "roomSessionId", "2025-03-20"),
    ("RecordingFinishedData", "filename", "2023-08-22"),
    ("RecordingFinishedData", "recordingId", "2023-08-22"),
    ("RecordingFinishedData", "status", "2023-08-22"),
    ("RecordingFinishedData", "roomName", "2023-12-07"),
];

const EVENT_DATES: &[(&str, &str)] = &[
    ("room.client.joined", "2022-04-01"),
    ("room.session.ended", "2022-04-01"),
    ("room.client.knocked", "2023-08-11"),
    ("room.client.knockCancelled", "2023-08-11"),
    ("transcription.finished", "2023-08-16"),
    ("transcription.failed", "2023-08-16"),
    ("recording.finished", "2023-08-22"),
    ("transcription.started", "2025-02-06"),
    ("assistant.requested", "2025-12-12"),
];

#[test]
fn dates_match_the_docs_history() {
    let doc = document();
    let schemas = schemas(&doc);
    for (schema, property, date) in PROPERTY_DATES {
        assert_eq!(
            schemas[*schema]["properties"][property]["x-since"], *date,
            "{schema}.{property}"
        );
    }
    for (event, date) in EVENT_DATES {
        assert_eq!(doc["webhooks"][event]["post"]["x-since"], *date, "{event}");
    }
}

/// A citation names the commit that introduced the item: the subdomain's
/// sources start with the commit of 2025-09-08.
#[test]
fn sources_cite_the_introducing_commit() {
    let doc = document();
    let schemas = schemas(&doc);
    let first = |schema: &str, property: &str| -> String {
        schemas[schema]["properties"][property]["x-sources"][0]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(first("InRoomData", "subdomain").starts_with("whereby/docs@7e6c4f2 "));
    assert!(first("ClientData", "participantId").starts_with("whereby/docs@3697f0f "));
    assert!(first("RecordingFinishedData", "roomName").starts_with("whereby/docs@3cf9990 "));
    assert!(
        doc["webhooks"]["assistant.requested"]["post"]["x-sources"][0]
            .as_str()
            .unwrap()
            .starts_with("whereby/docs@ba04d56 ")
    );
}
