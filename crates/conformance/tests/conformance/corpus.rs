//! The sample corpus: every valid sample conforms, every invalid sample has
//! exactly the errors its `*.expected` file lists.
//!
//! Expectations are named `<sample>.expected`, not `*.json`, so that
//! `whereby-webhooks validate tests/samples/invalid/` reads the samples only.

use std::path::{Path, PathBuf};

use serde_json::Value;
use whereby_webhooks_conformance::{IssueKind, Options, Position, Report, Validator};

use crate::common::{repo_root, validator};

fn samples(folder: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("tests/samples").join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json")
        })
        .collect();
    paths.sort();
    paths
}

fn name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("a UTF-8 file name")
}

#[test]
fn every_valid_sample_conforms_in_its_event_type() {
    let validator = validator(false);
    let paths = samples("valid");
    assert!(paths.len() >= 20, "too few valid samples: {}", paths.len());
    let mut covered = std::collections::BTreeSet::new();
    for path in &paths {
        let bytes = std::fs::read(path).expect("read a sample");
        let report = validator.validate_bytes(&bytes);
        assert!(report.is_valid(), "{}: {:#?}", name(path), report.errors);
        // `<event type>.<variant>.json`
        let stem = name(path).trim_end_matches(".json");
        let (event_type, _variant) = stem.rsplit_once('.').expect("<type>.<variant>.json");
        assert_eq!(
            report.event_type.as_deref(),
            Some(event_type),
            "{}",
            name(path)
        );
        covered.insert(event_type.to_owned());
    }
    let all: std::collections::BTreeSet<String> =
        validator.event_types().map(str::to_owned).collect();
    assert_eq!(covered, all, "every event type has a valid sample");
}

/// `(instance path, kind name)` pairs, sorted: a multiset.
fn locations(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<_> = report
        .errors
        .iter()
        .map(|issue| (issue.instance_path.clone(), issue.kind.name().to_owned()))
        .collect();
    out.sort();
    out
}

#[test]
fn every_invalid_sample_has_exactly_its_expected_errors() {
    let strict = Validator::embedded(Options { strict: true }).expect("the spec loads");
    let paths = samples("invalid");
    assert!(
        paths.len() >= 20,
        "too few invalid samples: {}",
        paths.len()
    );
    for path in &paths {
        let expected_path = path.with_extension("expected");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: no expected file: {e}", name(path))),
        )
        .expect("an expected file is JSON");
        let is_strict = expected["strict"].as_bool().unwrap_or(false);
        let bytes = std::fs::read(path).expect("read a sample");
        let report = if is_strict {
            // Strict-only samples conform by default.
            assert!(
                validator(false).validate_bytes(&bytes).is_valid(),
                "{}",
                name(path)
            );
            strict.validate_bytes(&bytes)
        } else {
            validator(false).validate_bytes(&bytes)
        };
        let wanted = expected["errors"].as_array().expect("`errors` is an array");
        let mut want: Vec<(String, String)> = wanted
            .iter()
            .map(|e| {
                (
                    e["instance_path"]
                        .as_str()
                        .expect("instance_path")
                        .to_owned(),
                    e["kind"].as_str().expect("kind").to_owned(),
                )
            })
            .collect();
        want.sort();
        assert!(!want.is_empty(), "{}: expects no error", name(path));
        assert_eq!(
            locations(&report),
            want,
            "{}: {:#?}",
            name(path),
            report.errors
        );
        for e in wanted {
            let Some(fragment) = e["message_contains"].as_str() else {
                continue;
            };
            assert!(
                report.errors.iter().any(|issue| {
                    issue.instance_path == e["instance_path"].as_str().unwrap_or_default()
                        && issue.message.contains(fragment)
                }),
                "{}: no error at {} mentions {fragment:?}: {:#?}",
                name(path),
                e["instance_path"],
                report.errors
            );
        }
    }
}

#[test]
fn every_expected_file_has_its_sample() {
    let dir = repo_root().join("tests/samples/invalid");
    for entry in std::fs::read_dir(&dir).expect("read the invalid samples") {
        let path = entry.expect("a directory entry").path();
        let file = name(&path).to_owned();
        assert!(
            !file.ends_with(".expected.json"),
            "{file}: name expectations `<sample>.expected`, so that validating the folder reads samples only"
        );
        if let Some(stem) = file.strip_suffix(".expected") {
            assert!(
                dir.join(format!("{stem}.json")).is_file(),
                "{file} has no sample"
            );
        }
    }
}

#[test]
fn the_docs_example_is_unparsable_where_the_comma_is_missing() {
    let path = repo_root().join("tests/samples/invalid/docs-room-client-joined.json");
    let text = std::fs::read_to_string(&path).expect("read the docs example");
    let lines: Vec<&str> = text.lines().collect();
    // The line after `"subdomain": "JoeBloggsInc"` (no comma) holds the
    // token the parser cannot accept.
    let subdomain = lines
        .iter()
        .position(|line| line.trim_end().ends_with(r#""subdomain": "JoeBloggsInc""#))
        .expect("the docs example has its subdomain line, without a comma");
    let offending = lines[subdomain + 1];
    assert!(offending.trim_start().starts_with(r#""metadata""#));
    let line = subdomain + 2; // 1-based, the next line
    let column = offending.find('"').expect("a quote") + 1;

    let report = validator(false).validate_bytes(text.as_bytes());
    assert_eq!(report.event_type, None);
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    assert_eq!(report.errors[0].kind, IssueKind::Syntax);
    assert_eq!(report.errors[0].position, Some(Position { line, column }));
    assert_eq!(report.errors[0].instance_path, "");
    assert!(
        report.errors[0]
            .message
            .contains(&format!("line {line}, column {column}")),
        "{}",
        report.errors[0].message
    );
}

#[test]
fn the_repaired_docs_example_lacks_participant_and_session() {
    let path = repo_root().join("tests/samples/invalid/docs-room-client-joined-repaired.json");
    let report = validator(false).validate_bytes(&std::fs::read(path).expect("read"));
    assert_eq!(report.event_type.as_deref(), Some("room.client.joined"));
    let mut missing: Vec<&str> = report
        .errors
        .iter()
        .map(|issue| {
            assert_eq!(issue.instance_path, "/data");
            assert_eq!(issue.kind, IssueKind::Required);
            assert!(
                issue.schema_path.ends_with("/required"),
                "{}",
                issue.schema_path
            );
            issue.message.as_str()
        })
        .collect();
    missing.sort_unstable();
    assert_eq!(
        missing,
        [
            // The docs example predates both: the message says so, from
            // the spec's `x-since`.
            "missing property participantId (documented since 2023-12-07; samples captured before then lack it)",
            "missing property roomSessionId (documented since 2023-12-07; samples captured before then lack it)"
        ]
    );
}

/// A property documented with its event has no earlier samples of that
/// event to explain its absence: the message says it came with the event.
#[test]
fn a_property_as_old_as_its_event_is_missing_without_an_excuse() {
    let example =
        whereby_webhooks_model::examples(whereby_webhooks_model::EventType::TranscriptionStarted)
            .into_iter()
            .next()
            .expect("an example");
    let mut value = serde_json::to_value(&example.event).expect("serialisable");
    value["data"]
        .as_object_mut()
        .expect("data")
        .remove("transcriptionId");
    let report = validator(false).validate_value(&value);
    let messages: Vec<&str> = report.errors.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        ["missing property transcriptionId (documented with the event, since 2025-02-06)"]
    );
}
