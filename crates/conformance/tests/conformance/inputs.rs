//! Any bytes at all: nothing panics, and what cannot be validated says why,
//! once, at the right place.

use proptest::prelude::*;
use serde_json::{Value, json};
use whereby_webhooks_conformance::{Issue, IssueKind, Position};

use crate::common::validator;

fn only_issue(bytes: &[u8]) -> (String, IssueKind, String) {
    let issue = only(bytes);
    (issue.instance_path, issue.kind, issue.message)
}

/// The one issue of bytes that cannot be judged as an event.
fn only(bytes: &[u8]) -> Issue {
    let report = validator(false).validate_bytes(bytes);
    assert_eq!(
        report.errors.len(),
        1,
        "{:?}: {:#?}",
        String::from_utf8_lossy(bytes),
        report.errors
    );
    assert_eq!(report.event_type, None);
    report.errors.into_iter().next().expect("one issue")
}

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

#[test]
fn nothing_but_whitespace_is_empty() {
    for bytes in [&b""[..], b" ", b"\n", b"\r\n\t  \n"] {
        assert_eq!(only_issue(bytes).1, IssueKind::Empty);
    }
}

#[test]
fn bytes_that_are_not_utf8_say_where() {
    for (bytes, offset) in [
        (&b"\xff{}"[..], 0),
        (b"{\"type\": \"caf\xe9\"}", 13),
        // A truncated multi-byte character at the end.
        (b"{\"a\": \"\xc3", 7),
    ] {
        let (path, kind, message) = only_issue(bytes);
        assert_eq!((path.as_str(), kind), ("", IssueKind::Encoding));
        assert_eq!(
            message,
            format!("the payload is not UTF-8 from byte {offset} on; JSON must be UTF-8")
        );
    }
}

#[test]
fn syntax_errors_have_one_based_lines_and_columns() {
    for (bytes, position) in [
        (&b"{"[..], at(1, 1)),
        (b"x", at(1, 1)),
        (b"{\n  \"a\": 1,\n  oops\n}", at(3, 3)),
        (b"{} {}", at(1, 4)),
    ] {
        let issue = only(bytes);
        assert_eq!((issue.kind, issue.position), (IssueKind::Syntax, position));
    }
    let (path, kind, message) = only_issue(b"{} {}");
    assert_eq!((path.as_str(), kind), ("", IssueKind::Syntax));
    assert!(
        message.starts_with("not valid JSON at line 1, column 4: trailing characters"),
        "{message}"
    );
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    for open in ["[", "{\"a\":"] {
        let deep = open.repeat(100_000);
        let (_, kind, message) = only_issue(deep.as_bytes());
        assert!(kind == IssueKind::Syntax, "{kind:?}");
        assert!(message.contains("recursion limit"), "{message}");
    }
    // Nesting within the limit inside an event is judged by the schema.
    let mut event = validator(false).examples()[0].2.clone();
    event["data"]["deep"] =
        serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).expect("parses");
    assert!(validator(false).validate_value(&event).is_valid());
}

#[test]
fn values_that_are_not_objects_are_named() {
    for (text, noun) in [
        ("[]", "an array"),
        ("1", "a number"),
        ("\"x\"", "a string"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let (path, kind, message) = only_issue(text.as_bytes());
        assert_eq!((path.as_str(), kind), ("", IssueKind::NotAnObject));
        let hint = if noun == "an array" {
            "; to validate several events, give one per line (NDJSON), for example `jq -c '.[]' events.json > events.ndjson`"
        } else {
            ""
        };
        assert_eq!(
            message,
            format!("the payload is {noun}, not an object{hint}")
        );
    }
}

#[test]
fn a_missing_or_odd_type_is_one_error_at_type() {
    for payload in [
        json!({}),
        json!({ "data": {} }),
        json!({ "type": null }),
        json!({ "type": 3 }),
        json!({ "type": { "name": "room.client.joined" } }),
    ] {
        let report = validator(false).validate_value(&payload);
        assert_eq!(report.errors.len(), 1, "{payload}");
        assert_eq!(report.errors[0].instance_path, "/type");
        assert_eq!(report.errors[0].kind, IssueKind::MissingType);
        assert!(
            report.errors[0].message.starts_with("\"type\" is "),
            "{}",
            report.errors[0].message
        );
    }
}

#[test]
fn an_unknown_type_names_the_known_ones() {
    let report =
        validator(false).validate_value(&json!({ "type": "room.client.Joined", "data": 1 }));
    // Labelled by the type it gives.
    assert_eq!(report.event_type.as_deref(), Some("room.client.Joined"));
    assert_eq!(report.errors.len(), 1);
    let issue = &report.errors[0];
    assert_eq!(
        (issue.instance_path.as_str(), &issue.kind),
        ("/type", &IssueKind::UnknownEventType)
    );
    assert!(
        issue
            .message
            .starts_with("unknown event type \"room.client.Joined\"")
    );
    for known in validator(false).event_types() {
        assert!(
            issue.message.contains(known),
            "{known} is not named: {}",
            issue.message
        );
    }
}

#[test]
fn long_values_are_cut_short_in_messages() {
    let mut event = validator(false).examples()[0].2.clone();
    event["data"]["roomName"] = json!(["x".repeat(10_000)]);
    let report = validator(false).validate_value(&event);
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].message.len() < 200,
        "{}",
        report.errors[0].message
    );
}

#[test]
fn one_validator_serves_many_threads() {
    let examples = validator(false).examples();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for (_, _, value) in &examples {
                    assert!(validator(false).validate_value(value).is_valid());
                }
            });
        }
    });
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-zA-Z.]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "room.client.joined",
            "transcription.finished",
            "type",
            "data",
            "1.0"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "data",
                    "id",
                    "apiVersion",
                    "createdAt",
                    "roomName",
                    "numClients",
                    "x"
                ]),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_always_get_a_report(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for strict in [false, true] {
            let report = validator(strict).validate_bytes(&bytes);
            // Random bytes are almost never an event; when they are not,
            // the report says why.
            if !report.is_valid() {
                prop_assert!(report.errors.iter().all(|issue| !issue.message.is_empty()));
            }
        }
    }

    #[test]
    fn arbitrary_json_always_gets_a_report(value in arbitrary_json()) {
        let text = serde_json::to_vec(&value).expect("serialises");
        let from_bytes = validator(false).validate_bytes(&text);
        let from_value = validator(false).validate_value(&value);
        prop_assert_eq!(&from_bytes, &from_value);
        if !value.is_object() {
            prop_assert_eq!(&from_value.errors[0].kind, &IssueKind::NotAnObject);
        }
        for issue in &from_value.errors {
            prop_assert!(issue.instance_path.is_empty() || issue.instance_path.starts_with('/'));
        }
    }

    #[test]
    fn a_corrupted_example_always_gets_a_report(index in 0usize..64, cut in 0usize..1024, byte in any::<u8>()) {
        let examples = validator(false).examples();
        let (_, _, value) = &examples[index % examples.len()];
        let mut bytes = serde_json::to_vec_pretty(value).expect("serialises");
        let at = cut % bytes.len();
        bytes[at] = byte;
        let _ = validator(true).validate_bytes(&bytes);
        let _ = validator(false).validate_bytes(&bytes[..at]);
    }
}
