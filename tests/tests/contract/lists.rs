//! Open and closed lists of values. Lists this contract keeps open
//! (`roleName`, recording `status`) accept any string and name the known
//! values in `x-extensible-enum`; closed lists keep an `enum`.

use serde_json::{Value, json};
use whereby_webhooks_model::{EventType, examples};

use crate::common::{errors, event_validator, read_json};

const OPEN: &[&str] = &["RoleName", "RecordingStatus"];
const CLOSED: &[&str] = &["TranscriptionType", "TranscriptionStatus", "StorageType"];

fn schemas() -> Value {
    read_json("spec/openapi.json")["components"]["schemas"].clone()
}

/// Every schema below `value`, itself included.
fn walk<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            out.push(value);
            map.values().for_each(|v| walk(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

#[test]
fn open_lists_have_no_enum() {
    let schemas = schemas();
    for name in OPEN {
        let schema = &schemas[name];
        let mut all = Vec::new();
        walk(schema, &mut all);
        for part in all {
            for keyword in ["enum", "const", "oneOf", "anyOf"] {
                assert!(part.get(keyword).is_none(), "{name} has {keyword}");
            }
        }
        assert_eq!(schema["type"], "string", "{name}");
        let known: Vec<&str> = schema["x-extensible-enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no x-extensible-enum"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!known.is_empty(), "{name}");
        let described: Vec<&str> = schema["x-enumDescriptions"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no x-enumDescriptions"))
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(known, described, "{name}: every known value is described");
    }
    let roles = &schemas["RoleName"]["x-extensible-enum"];
    for role in [
        "owner",
        "granted_viewer",
        "recorder",
        "captioner",
        "assistant",
    ] {
        assert!(roles.as_array().unwrap().contains(&json!(role)), "{role}");
    }
}

#[test]
fn closed_lists_stay_closed() {
    let schemas = schemas();
    for name in CLOSED {
        let mut all = Vec::new();
        walk(&schemas[name], &mut all);
        assert!(
            all.iter()
                .any(|part| part.get("enum").is_some() || part.get("const").is_some()),
            "{name} lost its values"
        );
        assert!(schemas[name].get("x-extensible-enum").is_none(), "{name}");
    }
    let validator = event_validator("transcription.finished");
    let example = examples(EventType::TranscriptionFinished).remove(0);
    for (property, value) in [
        ("type", "SUMMARY"),
        ("status", "queued"),
        ("storageType", "S3"),
    ] {
        let mut event = serde_json::to_value(&example.event).unwrap();
        event["data"][property] = json!(value);
        let found = errors(&validator, &event);
        assert!(
            found
                .iter()
                .any(|e| e.starts_with(&format!("/data/{property}"))),
            "{property} = {value} must be rejected: {found:?}"
        );
    }
}

#[test]
fn an_unknown_role_validates_by_default() {
    let validator = event_validator("room.client.joined");
    for example in examples(EventType::RoomClientJoined) {
        let mut event = serde_json::to_value(&example.event).unwrap();
        event["data"]["roleName"] = json!("moderator");
        event["data"]["numClientsByRoleName"]["moderator"] = json!(1);
        assert_eq!(errors(&validator, &event), Vec::<String>::new());
        // Still a string.
        event["data"]["roleName"] = json!(7);
        assert!(!validator.is_valid(&event));
    }
    let parsed: whereby_webhooks_model::Event = serde_json::from_value({
        let mut event =
            serde_json::to_value(&examples(EventType::RoomClientJoined)[0].event).unwrap();
        event["data"]["roleName"] = json!("moderator");
        event
    })
    .unwrap();
    let whereby_webhooks_model::Event::RoomClientJoined(envelope) = parsed else {
        panic!("not a join");
    };
    assert_eq!(envelope.data.role_name.as_str(), "moderator");
    assert!(!envelope.data.role_name.is_known());
}

#[test]
fn an_unknown_recording_status_validates_by_default() {
    let validator = event_validator("recording.finished");
    let mut event = serde_json::to_value(&examples(EventType::RecordingFinished)[0].event).unwrap();
    event["data"]["status"] = json!("failed");
    assert_eq!(errors(&validator, &event), Vec::<String>::new());
}
