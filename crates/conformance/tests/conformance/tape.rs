//! `validate_bytes` decides validity on a tape (a flat, borrowed reading of
//! the payload) and reads the payload again as a `Value` only when the tape
//! does not accept it. Both readings must judge every payload alike: these
//! tests compare `validate_bytes` with `parse_payload` + `validate_value`
//! on the spec's examples, the benchmark corpus, the sample corpus and
//! random mutations of the examples, open and strict.

use proptest::prelude::*;
use serde_json::{Value, json};
use whereby_webhooks_conformance::{Report, parse_payload};

use crate::common::{repo_root, validator};

#[path = "../../benches/corpus.rs"]
#[allow(dead_code)]
mod generated;

/// The verdict of the usual reading alone.
fn by_value(strict: bool, bytes: &[u8]) -> Report {
    match parse_payload(bytes) {
        Ok(value) => validator(strict).validate_value(&value),
        Err(issue) => Report::failed(None, *issue),
    }
}

fn judged_alike(bytes: &[u8]) -> Result<(), TestCaseError> {
    for strict in [false, true] {
        let fast = validator(strict).validate_bytes(bytes);
        let usual = by_value(strict, bytes);
        prop_assert_eq!(
            &fast,
            &usual,
            "strict {}: {}",
            strict,
            String::from_utf8_lossy(bytes)
        );
    }
    Ok(())
}

#[test]
fn examples_and_the_benchmark_corpus_are_judged_alike() {
    let examples = validator(false).examples();
    for (_, _, value) in &examples {
        judged_alike(&serde_json::to_vec(value).expect("serialises")).expect("alike");
    }
    for event in generated::generate(&examples, 3_000, 7) {
        judged_alike(&event).expect("alike");
    }
}

#[test]
fn the_sample_corpus_is_judged_alike() {
    let mut seen = 0;
    for dir in ["valid", "invalid", "real"] {
        for entry in walk(&repo_root().join("tests/samples").join(dir)) {
            let bytes = std::fs::read(&entry).expect("readable sample");
            judged_alike(&bytes).expect("alike");
            seen += 1;
        }
    }
    assert!(seen > 20, "only {seen} samples found");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a sample directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out
}

/// Every place in `value`, as JSON Pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                pointers(
                    member,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(18_446_744_073_709_551_615_u64)),
        Just(json!("")),
        Just(json!("1.0")),
        Just(json!("host")),
        Just(json!("a-new-role")),
        Just(json!("2026-03-31T09:00:04.512Z")),
        Just(json!("2026-13-31T09:00:04Z")),
        Just(json!("room.client.left")),
        Just(json!("é\u{1F980}\n")),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"x": 1})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_examples_are_judged_alike(
        example in any::<prop::sample::Index>(),
        place in any::<prop::sample::Index>(),
        action in 0u8..3,
        new in replacement(),
    ) {
        let examples = validator(false).examples();
        let (_, _, value) = &examples[example.index(examples.len())];
        let mut value = value.clone();
        let mut places = Vec::new();
        pointers(&value, String::new(), &mut places);
        let at = places[place.index(places.len())].clone();
        match action {
            // Replace the value there.
            0 => {
                if let Some(slot) = value.pointer_mut(&at) {
                    *slot = new;
                }
            }
            // Remove it from its object.
            1 => {
                if let Some((parent, key)) = at.rsplit_once('/')
                    && let Some(Value::Object(members)) = value.pointer_mut(parent)
                {
                    members.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                }
            }
            // Add an unknown member next to it.
            _ => {
                if let Some(Value::Object(members)) = value.pointer_mut(&at) {
                    members.insert("unknownMember".to_owned(), new);
                }
            }
        }
        judged_alike(&serde_json::to_vec(&value).expect("serialises"))?;
    }

    #[test]
    fn keys_written_with_escapes_are_judged_alike(example in any::<prop::sample::Index>()) {
        // `"type"` written as `"\u0074ype"`: the tape must read it as the same key.
        let examples = validator(false).examples();
        let (_, _, value) = &examples[example.index(examples.len())];
        let text = serde_json::to_string(value).expect("serialises").replacen("\"type\"", "\"\\u0074ype\"", 1);
        judged_alike(text.as_bytes())?;
    }
}
