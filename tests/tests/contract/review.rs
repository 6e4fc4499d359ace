//! `spec/review.yml` round-trips through the typed `Review` and keeps the
//! seed review's fields.

use serde_json::Value;
use whereby_webhooks_model::{EventType, Review};

use crate::common::{compile, errors, read_json, root};

fn text() -> String {
    std::fs::read_to_string(root().join("spec/review.yml")).unwrap()
}

#[test]
fn review_round_trips_through_the_model() {
    let text = text();
    let review: Review = yaml_serde::from_str(&text).unwrap();
    assert_eq!(review, Review::published());
    let again = yaml_serde::to_string(&review).unwrap();
    let reparsed: Review = yaml_serde::from_str(&again).unwrap();
    assert_eq!(reparsed, review);
}

#[test]
fn review_keeps_every_seed_field() {
    let yaml: Value = yaml_serde::from_str(&text()).unwrap();
    // The top-level fields of the seed review, in its order.
    let seed_fields = [
        "aid",
        "name",
        "kind",
        "date",
        "reviewer",
        "subject",
        "verdict",
        "summary",
        "findings",
        "pages_checked",
        "recommendation",
        "artifacts_produced",
    ];
    let keys: Vec<&str> = yaml
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, seed_fields);
    assert_eq!(yaml["date"], "2026-05-29", "the date stays a string");
    let finding_ids: Vec<&str> = yaml["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for seed in [
        "webhooks-only",
        "sdk-event-handlers",
        "webrtc-transport",
        "rtmp-not-ws",
    ] {
        assert!(finding_ids.contains(&seed), "finding {seed} missing");
    }
    assert!(finding_ids.contains(&"source-conflicts"));
    assert_eq!(yaml["pages_checked"].as_array().unwrap().len(), 6);
}

#[test]
fn documented_events_follow_the_model_in_seed_order() {
    let review = Review::published();
    let events = review.findings[0].documented_events.clone().unwrap();
    let expected: Vec<String> = EventType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    assert_eq!(events, expected);
}

#[test]
fn the_produced_spec_exists() {
    let review = Review::published();
    let spec = review
        .artifacts_produced
        .spec
        .expect("the spec is produced");
    assert!(root().join(&spec).is_file(), "{spec}");
    assert!(root().join(&review.artifacts_produced.review).is_file());
}

#[test]
fn review_validates_against_its_published_schema() {
    let schema = compile(&read_json("spec/schemas/review.json"));
    let yaml: Value = yaml_serde::from_str(&text()).unwrap();
    assert_eq!(errors(&schema, &yaml), Vec::<String>::new());
    let mut broken = yaml.clone();
    broken.as_object_mut().unwrap().remove("verdict");
    assert!(!schema.is_valid(&broken));
}
