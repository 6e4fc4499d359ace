//! The contract of a date: Whereby's own deliveries judged by what was
//! documented when they were sent, events used before they were documented,
//! and every dated document a valid contract with valid examples.

use serde_json::{Value, json};
use whereby_webhooks_conformance::history::{self, HISTORY_START};
use whereby_webhooks_conformance::{IssueKind, Options, Validator};

use crate::common::{document, repo_root, validator};

fn real(name: &str) -> Value {
    let path = repo_root().join("tests/samples/real").join(name);
    let text = std::fs::read_to_string(&path).expect("read a real delivery");
    serde_json::from_str(&text).expect("a real delivery is JSON")
}

const REAL: [&str; 2] = [
    "room.client.joined.recorder-2022-10-10.json",
    "recording.finished.mp4-2023-10-31.json",
];

#[test]
fn whereby_s_real_deliveries_are_valid_as_of_their_creation_and_not_today() {
    for strict in [false, true] {
        let created = Validator::embedded_as_of_created(Options { strict }).expect("builds");
        assert!(created.judges_by_created());
        for name in REAL {
            let delivery = real(name);
            let today = validator(strict).validate_value(&delivery);
            assert!(!today.is_valid(), "{name}: valid today");
            assert!(
                today.errors.iter().all(|e| e.kind == IssueKind::Required),
                "{name}: {today:?}"
            );
            let then = created.validate_value(&delivery);
            assert!(
                then.is_valid(),
                "{name} (strict: {strict}): {:?}",
                then.errors
            );
            let bytes = serde_json::to_vec(&delivery).unwrap();
            assert!(created.validate_bytes(&bytes).is_valid(), "{name}");
            assert_eq!(created.accepts(&bytes), delivery["type"].as_str(), "{name}");
        }
    }
}

#[test]
fn a_payload_of_today_without_a_property_documented_since_stays_invalid() {
    let created = Validator::embedded_as_of_created(Options::default()).expect("builds");
    let mut delivery = real(REAL[0]);
    delivery["createdAt"] = json!("2026-11-30T10:00:00.000Z");
    let report = created.validate_value(&delivery);
    let missing: Vec<&str> = report
        .errors
        .iter()
        .filter_map(|e| e.property.as_deref())
        .collect();
    assert!(missing.contains(&"subdomain"), "{report:?}");
    // The same payload sent before `subdomain` was documented lacks it
    // rightly, but not `participantId`, documented in 2023.
    delivery["createdAt"] = json!("2025-01-01T10:00:00.000Z");
    let report = created.validate_value(&delivery);
    let missing: Vec<&str> = report
        .errors
        .iter()
        .filter_map(|e| e.property.as_deref())
        .collect();
    assert!(
        !missing.contains(&"subdomain") && missing.contains(&"participantId"),
        "{report:?}"
    );
    // A date before the history is judged as its first day: valid.
    delivery["createdAt"] = json!("2021-01-01T10:00:00.000Z");
    let report = created.validate_value(&delivery);
    assert!(report.is_valid(), "{report:?}");
}

#[test]
fn an_event_used_before_it_was_documented_is_reported_with_its_date() {
    let created = Validator::embedded_as_of_created(Options::default()).expect("builds");
    let (_, _, mut example) = validator(false)
        .examples()
        .into_iter()
        .find(|(ty, _, _)| ty == "transcription.started")
        .expect("an example");
    example["createdAt"] = json!("2024-05-01T09:00:00.000Z");
    let report = created.validate_value(&example);
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert_eq!(report.errors[0].kind, IssueKind::UnknownEventType);
    assert!(
        report.errors[0]
            .message
            .contains("first documented on 2025-02-06"),
        "{}",
        report.errors[0]
    );
    assert!(
        report.errors[0].message.contains("2024-05-01"),
        "{}",
        report.errors[0]
    );
    let bytes = serde_json::to_vec(&example).unwrap();
    assert_eq!(created.accepts(&bytes), None);

    let then = Validator::embedded_as_of("2024-05-01", Options::default()).expect("builds");
    assert_eq!(then.date(), Some("2024-05-01"));
    let report = then.validate_value(&example);
    assert_eq!(report.errors[0].kind, IssueKind::UnknownEventType);
    assert!(
        report.errors[0]
            .message
            .contains("2025-02-06, after 2024-05-01"),
        "{}",
        report.errors[0]
    );
    // Today's contract has it.
    example["createdAt"] = json!("2026-05-01T09:00:00.000Z");
    assert!(created.validate_value(&example).is_valid());
}

#[test]
fn a_bad_date_is_an_error_not_a_contract() {
    for bad in ["2023-02-30", "yesterday", "2023/01/01", ""] {
        let error = Validator::embedded_as_of(bad, Options::default()).unwrap_err();
        assert!(error.to_string().contains("YYYY-MM-DD"), "{error}");
    }
}

/// Every change date's contract compiles, open and strict, and its
/// examples, pruned of what came later, are valid against it.
#[test]
fn the_contract_of_every_date_is_valid_with_valid_examples() {
    let dates = history::change_dates(document());
    assert!(dates.len() >= 15, "{dates:?}");
    assert_eq!(dates[0], HISTORY_START);
    let mut previous_events = 0;
    for date in &dates {
        for strict in [false, true] {
            let then = Validator::embedded_as_of(date, Options { strict })
                .unwrap_or_else(|e| panic!("{date}: {e}"));
            let examples = then.examples();
            assert!(!examples.is_empty(), "{date}");
            // Today's examples may use a role documented later, which
            // only strict mode reports, as a value it does not know.
            for (ty, name, example) in examples {
                let report = then.validate_value(&example);
                assert!(
                    report
                        .errors
                        .iter()
                        .all(|e| strict && e.kind == IssueKind::UnknownValue),
                    "{date} {ty} {name} (strict: {strict}): {:?}",
                    report.errors
                );
            }
            let events = then.event_types().count();
            assert!(events >= previous_events, "{date}: events disappeared");
            previous_events = events;
        }
    }
    assert_eq!(previous_events, validator(false).event_types().count());
}
