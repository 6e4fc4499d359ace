//! Every example deserialises into the model, validates against its own
//! schema and against no other event's schema.

use serde_json::Value;
use whereby_webhooks_model::{Event, EventType, all_examples};

use crate::common::{compile, errors, event_validator, read_json, root};

#[test]
fn every_event_type_has_an_example() {
    let examples = all_examples();
    for ty in EventType::ALL {
        assert!(
            examples.iter().any(|e| e.event.event_type() == ty),
            "no example of {ty}"
        );
    }
}

#[test]
fn example_files_deserialise_into_the_model_and_validate() {
    let examples = all_examples();
    let dir = root().join("spec/examples");
    let mut seen = 0;
    for example in &examples {
        let relative = format!("spec/examples/{}.json", example.file_stem());
        let value = read_json(&relative);
        let event = Event::from_value(value.clone()).unwrap_or_else(|e| panic!("{relative}: {e}"));
        assert_eq!(
            event, example.event,
            "{relative} differs from the model's example"
        );
        let validator = event_validator(event.event_type().as_str());
        assert_eq!(
            errors(&validator, &value),
            Vec::<String>::new(),
            "{relative}"
        );
        seen += 1;
    }
    let on_disk = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(seen, on_disk, "spec/examples has files no example produces");
}

#[test]
fn each_schema_rejects_every_other_event_type() {
    for ty in EventType::ALL {
        let validator = event_validator(ty.as_str());
        for example in all_examples() {
            let value = serde_json::to_value(&example.event).unwrap();
            let accepted = validator.is_valid(&value);
            assert_eq!(
                accepted,
                example.event.event_type() == ty,
                "schema of {ty} vs example {}",
                example.file_stem()
            );
        }
    }
}

#[test]
fn the_union_accepts_each_example_through_exactly_one_branch() {
    let union = compile(&read_json("spec/schemas/event.json"));
    for example in all_examples() {
        let value = serde_json::to_value(&example.event).unwrap();
        assert_eq!(
            errors(&union, &value),
            Vec::<String>::new(),
            "{}",
            example.file_stem()
        );
    }
    let mut wrong = serde_json::to_value(&all_examples()[0].event).unwrap();
    wrong["type"] = Value::from("room.client.jumped");
    assert!(!union.is_valid(&wrong));
}

#[test]
fn formats_are_asserted() {
    let mut value = serde_json::to_value(&all_examples()[0].event).unwrap();
    let validator = event_validator(all_examples()[0].event.event_type().as_str());
    value["createdAt"] = Value::from("yesterday");
    let found = errors(&validator, &value);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("/createdAt"), "{found:?}");
}

#[test]
fn schemas_stay_open_to_unknown_properties() {
    for example in all_examples() {
        let mut value = serde_json::to_value(&example.event).unwrap();
        value["addedLater"] = Value::from(true);
        value["data"]["alsoAddedLater"] = Value::from(1);
        let validator = event_validator(example.event.event_type().as_str());
        assert_eq!(errors(&validator, &value), Vec::<String>::new());
    }
}

#[test]
fn policy_required_optional_nullable() {
    let joined = serde_json::to_value(&all_examples()[0].event).unwrap();
    let validator = event_validator("room.client.joined");
    // Optional: meetingId and isDialIn may be absent, but not null.
    for optional in ["meetingId", "isDialIn"] {
        let mut value = joined.clone();
        value["data"].as_object_mut().unwrap().remove(optional);
        assert!(validator.is_valid(&value), "{optional} must be optional");
        value["data"][optional] = Value::Null;
        assert!(
            !validator.is_valid(&value),
            "{optional} must not be nullable"
        );
    }
    // Nullable: roomSessionId, metadata, externalId are required but may be null.
    for nullable in ["roomSessionId", "metadata", "externalId"] {
        let mut value = joined.clone();
        value["data"][nullable] = Value::Null;
        assert!(validator.is_valid(&value), "{nullable} must be nullable");
        value["data"].as_object_mut().unwrap().remove(nullable);
        assert!(!validator.is_valid(&value), "{nullable} must be required");
    }
    // Counts are non-negative integers.
    for bad in [Value::from(-1), Value::from(1.5)] {
        let mut value = joined.clone();
        value["data"]["numClients"] = bad.clone();
        assert!(!validator.is_valid(&value), "numClients {bad}");
        let mut value = joined.clone();
        value["data"]["numClientsByRoleName"]["host"] = bad.clone();
        assert!(!validator.is_valid(&value), "numClientsByRoleName {bad}");
    }
    // Every envelope property is required.
    for property in ["id", "apiVersion", "createdAt", "type", "data"] {
        let mut value = joined.clone();
        value.as_object_mut().unwrap().remove(property);
        assert!(!validator.is_valid(&value), "{property} must be required");
    }
}

#[test]
fn recording_id_goes_with_recording_transcriptions() {
    let validator = event_validator("transcription.finished");
    let examples = whereby_webhooks_model::examples(EventType::TranscriptionFinished);
    let recording = examples.iter().find(|e| e.name == "recording").unwrap();
    let mut value = serde_json::to_value(&recording.event).unwrap();
    assert!(validator.is_valid(&value));
    value["data"].as_object_mut().unwrap().remove("recordingId");
    let found = errors(&validator, &value);
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("/data") && e.contains("recordingId")),
        "{found:?}"
    );
    value["data"]["type"] = Value::from("LIVE_TRANSCRIPTION");
    assert!(validator.is_valid(&value));
}

/// The examples look like Whereby's own deliveries and combine nothing the
/// sources rule out.
#[test]
fn examples_follow_the_sources() {
    for example in all_examples() {
        let value = serde_json::to_value(&example.event).unwrap();
        let name = example.file_stem();
        let id = value["id"].as_str().unwrap();
        assert!(
            id.len() == 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{name}: event ids are 64 lowercase hex characters, not {id}"
        );
        let data = &value["data"];
        match example.event.event_type() {
            EventType::TranscriptionFinished => {
                let filename = data["filename"].as_str().unwrap();
                assert!(filename.ends_with(".md"), "{name}: transcripts are .md");
                // No webhooks for S3 storage; recording transcriptions need
                // Whereby-provided storage.
                assert_eq!(data["storageType"], "WHEREBY_HOSTED", "{name}");
            }
            EventType::RecordingFinished => {
                let filename = data["filename"].as_str().unwrap();
                assert!(
                    filename.ends_with(".mkv") || filename.ends_with(".mp4"),
                    "{name}: recordings are .mkv or .mp4"
                );
            }
            _ => {}
        }
    }
}
