//! Provenance in the published spec: every envelope and data property and
//! every webhook carries `x-since` and `x-sources`, and the dates are the
//! ones Whereby's docs history gives.

use serde_json::{Map, Value};
use whereby_webhooks_model::EventType;
use whereby_webhooks_model::provenance::{CITATIONS, Citation};

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
        let citation = Citation::find(source)
            .unwrap_or_else(|| panic!("{at}: {source:?} is not a citation the model lists"));
        assert!(
            !citation.commit.is_empty() && !citation.path.is_empty(),
            "{at}: {source:?} names no commit and path"
        );
    }
}

/// The object a `$ref` (or a chain of them) points to in `doc`.
fn follow<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(pointer) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        schema = doc.pointer(pointer).expect("the $ref resolves");
    }
    schema
}

/// Every dated property an event's body reaches: (path, x-since, first source).
fn dated_properties(
    doc: &Value,
    schema: &Value,
    path: &str,
    out: &mut Vec<(String, String, String)>,
) {
    let schema = follow(doc, schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let at = format!("{path}/{name}");
        if let Some(since) = property["x-since"].as_str() {
            let first = property["x-sources"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            out.push((at.clone(), since.to_owned(), first));
        }
        dated_properties(doc, property, &at, out);
    }
}

/// A property is never older than its event, and the source that dates it
/// is no younger than the date (nor older than the event, for a property
/// that came with its event). A shared definition dated for one event only
/// would fail here for the other.
#[test]
fn no_property_is_older_than_its_event() {
    let doc = document();
    let mut checked = 0;
    for ty in EventType::ALL {
        let body = &doc["webhooks"][ty.as_str()]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        let mut found = Vec::new();
        dated_properties(&doc, body, "", &mut found);
        assert!(found.len() >= 6, "{ty}: only {found:?}");
        for (path, since, first) in found {
            assert!(
                since.as_str() >= ty.since(),
                "{ty}{path}: {since} is older than the event ({})",
                ty.since()
            );
            let citation =
                Citation::find(&first).unwrap_or_else(|| panic!("{ty}{path}: {first:?}"));
            assert_eq!(
                citation.date, since,
                "{ty}{path}: dated {since} by {first}, of {}",
                citation.date
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} properties checked");
}

/// Every event is dated by the first of its sources.
#[test]
fn every_event_is_dated_by_its_first_source() {
    for ty in EventType::ALL {
        let first = Citation::find(ty.sources()[0]).unwrap_or_else(|| panic!("{ty}"));
        assert_eq!(
            first.date,
            ty.since(),
            "{ty}: dated {} by {}",
            ty.since(),
            first.text
        );
        for source in ty.sources() {
            let citation = Citation::find(source).unwrap_or_else(|| panic!("{ty}: {source}"));
            assert!(
                citation.date >= ty.since(),
                "{ty}: {source} predates the event"
            );
        }
    }
    assert!(CITATIONS.iter().any(|c| c.repository == "whereby/sdk"));
}

/// The dates of the values of the open role list: `x-enumSince` beside each
/// known value, none before the property.
#[test]
fn every_role_is_dated() {
    let doc = document();
    let roles = &schemas(&doc)["RoleName"];
    let values = roles["x-extensible-enum"].as_array().unwrap();
    let since = roles["x-enumSince"].as_object().expect("x-enumSince");
    assert_eq!(since.len(), values.len());
    for value in values {
        let date = since[value.as_str().unwrap()].as_str().unwrap();
        assert!(is_date(date) && date >= "2022-04-01", "{value}: {date}");
    }
    let count = |day: &str| {
        since
            .values()
            .filter(|d| d.as_str().unwrap() <= day)
            .count()
    };
    assert_eq!(count("2022-04-01"), 5);
    assert_eq!(count("2022-09-21"), 6);
    assert_eq!(count("2024-11-21"), 10);
    assert_eq!(since["assistant"], "2025-09-11");
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
/// (whereby/docs, audited 2026-11-27 and 2026-12) and of the SDK types, the
/// earlier of the two; never before the property's event.
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
    ("InRoomData", "roomName", "2022-04-01"),
    ("AssistantRequestedData", "roomName", "2025-11-17"),
    ("AssistantRequestedData", "subdomain", "2025-11-17"),
    ("AssistantRequestedData", "roomSessionId", "2025-11-17"),
    ("RoomClientKnockedEvent", "id", "2023-08-11"),
    ("AssistantRequestedEvent", "createdAt", "2025-11-17"),
    ("TranscriptionStartedEvent", "data", "2025-02-06"),
    ("ClientData", "meetingId", "2023-08-11"),
    ("ClientData", "roomName", "2023-08-11"),
    ("ClientData", "metadata", "2023-08-11"),
    ("ClientData", "displayName", "2023-08-11"),
    ("ClientData", "externalId", "2023-10-19"),
    ("TranscriptionData", "transcriptionId", "2025-02-06"),
    ("TranscriptionFinishedData", "transcriptionId", "2023-08-16"),
    ("TranscriptionFinishedData", "recordingId", "2023-08-16"),
    (
        "TranscriptionFinishedData",
        "durationInSeconds",
        "2023-08-16",
    ),
    ("TranscriptionFailedData", "error", "2023-08-16"),
    ("TranscriptionData", "type", "2025-02-06"),
    ("TranscriptionFinishedData", "type", "2024-06-26"),
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
    ("assistant.requested", "2025-11-17"),
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
    assert!(first("ClientData", "displayName").starts_with("whereby/docs@86ed691 "));
    assert!(first("TranscriptionFinishedData", "type").starts_with("whereby/docs@1c89124 "));
    assert!(first("TranscriptionData", "type").starts_with("whereby/docs@6a1ddfd "));
    assert!(first("ClientData", "participantId").starts_with("whereby/docs@3697f0f "));
    assert!(first("RecordingFinishedData", "roomName").starts_with("whereby/docs@3cf9990 "));
    assert!(
        doc["webhooks"]["assistant.requested"]["post"]["x-sources"][0]
            .as_str()
            .unwrap()
            .starts_with("whereby/sdk@0f3eb74 ")
    );
}
