//! Real deliveries, transcribed from the screenshots in Whereby's docs
//! repository (`tests/samples/real/`). They predate properties Whereby
//! documented later, so they do not conform to today's contract; they must
//! fail for exactly those properties, as the spec's `x-since` dates them, and
//! for nothing else.

use std::collections::BTreeSet;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::common::{compile, read_json, root};

fn samples() -> Vec<String> {
    let dir = root().join("tests/samples/real");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.ends_with(".json").then_some(name)
        })
        .collect();
    names.sort();
    names
}

/// The required properties of the schema at `pointer` in `schema` (an object
/// schema or a `$ref` to one), with their `x-since`.
fn required_with_since(schema: &Value, pointer: &str) -> Vec<(String, String)> {
    let mut target = schema.pointer(pointer).expect("the pointer resolves");
    if let Some(reference) = target.get("$ref").and_then(Value::as_str) {
        target = schema
            .pointer(reference.trim_start_matches('#'))
            .expect("the $ref resolves");
    }
    target["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| {
            let since = target["properties"][name]["x-since"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no x-since"))
                .to_owned();
            (name.to_owned(), since)
        })
        .collect()
}

#[test]
fn real_deliveries_fail_only_for_properties_documented_after_their_capture() {
    let names = samples();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        let event = read_json(&format!("tests/samples/real/{name}"));
        let ty = event["type"].as_str().expect("a type");
        let captured = &event["createdAt"].as_str().expect("a createdAt")[..10];
        let schema = read_json(&format!("spec/schemas/{ty}.json"));
        let validator = compile(&schema);

        let mut missing = BTreeSet::new();
        for error in validator.iter_errors(&event) {
            let ValidationErrorKind::Required { property } = error.kind() else {
                panic!("{name}: an error other than a missing property: {error}");
            };
            let property = property.as_str().expect("a property name").to_owned();
            missing.insert((error.instance_path().to_string(), property));
        }

        let mut expected = BTreeSet::new();
        for (pointer, at) in [("", ""), ("/properties/data", "/data")] {
            for (property, since) in required_with_since(&schema, pointer) {
                if since.as_str() > captured {
                    expected.insert((at.to_owned(), property));
                }
            }
        }
        assert!(
            !expected.is_empty(),
            "{name}: expected to predate some property"
        );
        assert_eq!(
            missing, expected,
            "{name} (captured {captured}): the missing properties must be exactly those \
             documented after the capture"
        );
    }
}

/// The transcriptions keep what the screenshots show about real values.
#[test]
fn real_deliveries_show_whereby_value_shapes() {
    for name in samples() {
        let event = read_json(&format!("tests/samples/real/{name}"));
        let id = event["id"].as_str().unwrap();
        assert!(
            id.len() == 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{name}: {id}"
        );
    }
    let recording = read_json("tests/samples/real/recording.finished.mp4-2023-10-31.json");
    assert!(
        recording["data"]["filename"]
            .as_str()
            .unwrap()
            .ends_with(".mp4")
    );
}
