//! `spec` prints the embedded document; `examples` prints its examples,
//! which `validate` accepts.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{json_lines, repo_root, whereby};

fn spec_json() -> Value {
    let text =
        std::fs::read_to_string(repo_root().join("spec/openapi.json")).expect("read the spec");
    serde_json::from_str(&text).expect("the spec is JSON")
}

/// `(event type, example)` of every request body example in the spec.
fn spec_examples() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for hook in spec_json()["webhooks"]
        .as_object()
        .expect("webhooks")
        .values()
    {
        let media = &hook["post"]["requestBody"]["content"]["application/json"];
        let event_type = media["schema"]["$ref"].as_str().expect("a $ref");
        let schema = spec_json()
            .pointer(event_type.trim_start_matches('#'))
            .expect("the schema")
            .clone();
        let event_type = schema["properties"]["type"]["enum"][0]
            .as_str()
            .expect("a pinned type")
            .to_owned();
        for example in media["examples"].as_object().expect("examples").values() {
            out.push((event_type.clone(), example["value"].clone()));
        }
    }
    out
}

/// `spec` (JSON, the default) prints the published `spec/openapi.json`
/// byte for byte.
#[test]
fn spec_prints_the_published_json_byte_for_byte() {
    let published = std::fs::read(repo_root().join("spec/openapi.json")).expect("read");
    for args in [&["spec"][..], &["spec", "--format", "json"]] {
        let output = whereby().args(args).output().expect("run");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            output.stdout == published,
            "`{}` differs from spec/openapi.json",
            args.join(" ")
        );
    }
}

/// `spec --format yaml` prints the published `spec/openapi.yaml` byte for
/// byte: the writer that quotes what YAML 1.1 readers would mistype (an
/// example's timestamp read as a date), not a general serialiser.
#[test]
fn spec_as_yaml_is_the_published_yaml_byte_for_byte() {
    let output = whereby()
        .args(["spec", "--format", "yaml"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let published = std::fs::read(repo_root().join("spec/openapi.yaml")).expect("read");
    assert!(
        output.stdout == published,
        "`spec --format yaml` differs from spec/openapi.yaml"
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let yaml: Value = yaml_serde::from_str(&text).expect("YAML");
    assert_eq!(yaml, spec_json());
}

#[test]
fn examples_are_the_specs_and_validate() {
    let output = whereby().arg("examples").output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout.clone()).expect("UTF-8");
    assert!(
        text.lines()
            .all(|line| !line.contains("\n  ") && line.starts_with('{')),
        "compact NDJSON"
    );
    let printed = json_lines(&output.stdout);
    let expected: Vec<Value> = spec_examples()
        .into_iter()
        .map(|(_, value)| value)
        .collect();
    assert_eq!(printed, expected);

    whereby()
        .args(["validate", "--strict", "-"])
        .write_stdin(output.stdout)
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with(format!(
            "{} valid, 0 invalid (standard input read as NDJSON, one event per line)\n",
            expected.len()
        )));
}

#[test]
fn examples_of_one_type() {
    let wanted = "room.client.joined";
    let output = whereby().args(["examples", wanted]).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    let printed = json_lines(&output.stdout);
    let expected: Vec<Value> = spec_examples()
        .into_iter()
        .filter(|(event_type, _)| event_type == wanted)
        .map(|(_, value)| value)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(printed, expected);
}

#[test]
fn examples_of_an_unknown_type_list_the_known_ones() {
    let output = whereby()
        .args(["examples", "room.client.Joined"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        err.starts_with("error: unknown event type `room.client.Joined`"),
        "{err}"
    );
    for (event_type, _) in spec_examples() {
        assert!(err.contains(&event_type), "{event_type} missing from {err}");
    }
}
