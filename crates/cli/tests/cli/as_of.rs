//! `--as-of`: the contract as it stood on a date. `spec --as-of` prints it,
//! `validate --as-of DATE|created` judges by it, and a `diff` of two dates
//! is the changelog between them.

use std::collections::BTreeSet;

use serde_json::Value;
use whereby_webhooks_model::EventType;

use crate::support::{repo_root, whereby};

const REAL: &str = "tests/samples/real";

#[test]
fn whereby_s_real_deliveries_are_valid_as_of_their_creation_only() {
    whereby().args(["validate", REAL]).assert().code(1);
    let output = whereby()
        .args(["validate", "--as-of", "created", REAL])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("2 valid, 0 invalid"), "{stdout}");
    // One date for both: the 2022 delivery is valid then, the recording
    // event did not exist yet and is reported with the date it came.
    let output = whereby()
        .args(["validate", "--as-of", "2022-10-10", REAL])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 valid, 1 invalid"), "{stdout}");
    assert!(
        stdout.contains("\"recording.finished\" was first documented on 2023-08-22"),
        "{stdout}"
    );
}

#[test]
fn a_bad_as_of_is_a_usage_error() {
    for args in [
        &["validate", "--as-of", "2023-02-30", REAL][..],
        &["validate", "--as-of", "today", REAL],
        &["spec", "--as-of", "created"],
        &["spec", "--as-of", "2023-01-01", "--format", "yaml"],
    ] {
        let output = whereby().args(args).output().expect("run");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("YYYY-MM-DD") || stderr.contains("JSON only"),
            "{stderr}"
        );
    }
}

fn spec_as_of(date: &str) -> Value {
    let output = whereby()
        .args(["spec", "--as-of", date])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{date}");
    serde_json::from_slice(&output.stdout).expect("spec --as-of prints JSON")
}

fn webhooks(document: &Value) -> BTreeSet<String> {
    document["webhooks"]
        .as_object()
        .expect("webhooks")
        .keys()
        .cloned()
        .collect()
}

/// On the first day of each event's history the contract has exactly the
/// events documented by then: that day's and the earlier ones.
#[test]
fn the_first_day_of_each_event_has_the_events_of_that_day() {
    let days: BTreeSet<&str> = EventType::ALL.iter().map(|ty| ty.since()).collect();
    assert!(days.len() >= 6, "{days:?}");
    for day in days {
        let expected: BTreeSet<String> = EventType::ALL
            .iter()
            .filter(|ty| ty.since() <= day)
            .map(|ty| ty.as_str().to_owned())
            .collect();
        let document = spec_as_of(day);
        assert_eq!(webhooks(&document), expected, "{day}");
        assert_eq!(document["info"]["x-as-of"], day);
        for ty in EventType::ALL.iter().filter(|ty| ty.since() == day) {
            assert!(webhooks(&document).contains(ty.as_str()), "{ty} on {day}");
        }
        let union = document["components"]["schemas"]["WebhookEvent"]["oneOf"]
            .as_array()
            .expect("the union");
        assert_eq!(union.len(), expected.len(), "{day}");
    }
    // Before the history: the earliest contract, with a note.
    let output = whereby()
        .args(["spec", "--as-of", "2020-02-29"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("before Whereby's docs history"));
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(webhooks(&document), webhooks(&spec_as_of("2022-04-01")));
}

#[test]
fn spec_as_of_2023_01_01() {
    let output = whereby()
        .args(["spec", "--as-of", "2023-01-01"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(output.stdout).expect("UTF-8"));
}

/// What `diff` says was added between two dates, as (webhook, what):
/// `""` for the webhook itself, a pointer for a property, `pointer=value`
/// for a value of a list.
fn diff_additions(old: &str, new: &str) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |date: &str| {
        let path = dir.path().join(format!("{date}.json"));
        let output = whereby()
            .args(["spec", "--as-of", date])
            .output()
            .expect("run");
        std::fs::write(&path, output.stdout).expect("write");
        path
    };
    let (old, new) = (write(old), write(new));
    let output = whereby()
        .args(["diff", "--format", "json"])
        .arg(&old)
        .arg(&new)
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut out = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let change: Value = serde_json::from_str(line).expect("a JSON line");
        let webhook = change["webhook"].as_str().unwrap_or_default().to_owned();
        let pointer = change["pointer"].as_str().unwrap_or_default();
        match change["kind"].as_str().unwrap_or_default() {
            "webhook_added" => out.insert((webhook, String::new())),
            "property_added" => out.insert((webhook, pointer.to_owned())),
            "open_value_added" | "enum_value_added" => out.insert((
                webhook,
                format!("{pointer}={}", change["new"].as_str().unwrap_or_default()),
            )),
            "metadata" => false,
            other => panic!("a change from one date to a later one: {other}: {line}"),
        };
    }
    out
}

/// The webhooks a changelog line names: in backquotes, or as "every TAG
/// event" (by the events' tags), or "every event".
fn audience(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if text.contains("every event") {
        out.extend(EventType::ALL.iter().map(|ty| ty.as_str().to_owned()));
    }
    if let Some(start) = text.find("every ") {
        let rest = &text[start + 6..];
        if let Some(end) = rest.find(" event") {
            for tag in rest[..end].split([',']).flat_map(|t| t.split(" and ")) {
                let tag = tag.trim();
                out.extend(
                    EventType::ALL
                        .iter()
                        .filter(|ty| ty.family().tag() == tag)
                        .map(|ty| ty.as_str().to_owned()),
                );
            }
        }
    }
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 && EventType::ALL.iter().any(|ty| ty.as_str() == part) {
            out.insert(part.to_owned());
        }
    }
    out
}

/// What docs/changelog.md says was added after `old` up to `new`, as
/// [`diff_additions`] says it; a property added to a webhook that itself
/// came in between is part of that webhook's arrival.
fn changelog_additions(old: &str, new: &str) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("docs/changelog.md")).expect("read");
    let mut webhooks = BTreeSet::new();
    let mut properties = BTreeSet::new();
    for line in text.lines() {
        let Some((date, entry)) = line.strip_prefix("- ").and_then(|l| l.split_once(": ")) else {
            continue;
        };
        if !(date > old && date <= new) {
            continue;
        }
        let entry = entry.split(" (whereby/").next().unwrap_or(entry);
        let quoted: Vec<&str> = entry.split('`').skip(1).step_by(2).collect();
        if let Some(rest) = entry.strip_prefix("value `") {
            let (_, audience_text) = rest.split_once(" added to ").expect("an audience");
            let pointer = format!("/{}", quoted[1].replace('.', "/"));
            for webhook in audience(audience_text) {
                properties.insert((webhook, format!("{pointer}={}", quoted[0])));
            }
        } else if let Some((_, audience_text)) = entry.split_once(" added to ") {
            let pointer = format!("/{}", quoted[0].replace('.', "/"));
            for webhook in audience(audience_text) {
                properties.insert((webhook, pointer.clone()));
            }
        } else {
            assert!(entry.ends_with(" added"), "{line}");
            webhooks.insert(quoted[0].to_owned());
        }
    }
    let mut out: BTreeSet<(String, String)> = properties
        .into_iter()
        .filter(|(webhook, _)| !webhooks.contains(webhook))
        .collect();
    out.extend(webhooks.into_iter().map(|w| (w, String::new())));
    out
}

#[test]
fn a_diff_between_two_dates_lists_the_changelog_between_them() {
    for (old, new) in [
        ("2022-04-01", "2022-09-21"),
        ("2022-04-01", "2023-07-28"),
        ("2023-07-28", "2023-12-07"),
        ("2023-12-07", "2025-03-20"),
        ("2025-03-20", "2026-12-01"),
        ("2022-04-01", "2026-12-01"),
    ] {
        let changelog = changelog_additions(old, new);
        assert!(
            !changelog.is_empty(),
            "{old}..{new}: nothing in the changelog"
        );
        assert_eq!(diff_additions(old, new), changelog, "{old}..{new}");
    }
}

/// `listen --as-of created` answers Whereby's own delivery of 2022 as
/// conforming; today's contract refuses it.
#[test]
fn listen_judges_by_the_contract_of_the_delivery_s_date() {
    use crate::support::listen::{Listener, signed_post};

    let body = std::fs::read(
        repo_root()
            .join(REAL)
            .join("room.client.joined.recorder-2022-10-10.json"),
    )
    .expect("read a real delivery");
    for (args, expected) in [(&[][..], 422), (&["--as-of", "created"][..], 200)] {
        let listener = Listener::start(args);
        let (status, answer) = signed_post(listener.port, &body);
        assert_eq!(status, expected, "{args:?}: {answer}");
        let stopped = listener.interrupt();
        assert_eq!(stopped.status.code(), Some(0), "{}", stopped.stderr);
        if expected == 200 {
            // The model types today's contract: the note says the delivery
            // predates it, not that the spec and the build differ.
            let line = stopped.lines.first().expect("a line for the delivery");
            assert!(line.contains("predates"), "{line}");
            assert!(!line.contains("same version"), "{line}");
        }
    }
}
