//! `validate`: exit statuses, both output formats, every kind of input, and
//! what happens when some of them cannot be read.

use std::path::Path;

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::support::{self, assert_exit, json_lines, lines, repo_root, temp_dir, whereby};

const VALID: &str = "tests/samples/valid";
const DOCS: &str = "tests/samples/invalid/docs-room-client-joined.json";

fn json_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo_root().join(dir))
        .expect("read the samples")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("{dir}/{name}"))
        .collect();
    files.sort();
    files
}

/// The spec's own examples, one compact JSON document each.
fn examples() -> Vec<String> {
    let output = whereby().arg("examples").output().expect("run examples");
    assert_eq!(output.status.code(), Some(0));
    lines(&output.stdout)
}

#[test]
fn an_invalid_sample_exits_1_and_says_where() {
    let output = whereby()
        .args([
            "validate",
            "tests/samples/invalid/docs-room-client-joined-repaired.json",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let out = lines(&output.stdout);
    assert_eq!(
        out,
        [
            "invalid tests/samples/invalid/docs-room-client-joined-repaired.json (room.client.joined)",
            // In the order of the schema's `required`.
            "  /data: missing property roomSessionId (documented since 2023-12-07; samples captured before then lack it)",
            "  /data: missing property participantId (documented since 2023-12-07; samples captured before then lack it)",
            "0 valid, 1 invalid",
        ]
    );
}

#[test]
fn json_output_is_one_object_per_sample_in_input_order() {
    let valid = &json_files(VALID)[0];
    let invalid = "tests/samples/invalid/num-clients-negative.json";
    let output = whereby()
        .args([
            "validate",
            "--format",
            "json",
            invalid,
            valid.as_str(),
            DOCS,
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 3);
    for result in &results {
        let keys: Vec<&str> = result
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["source", "valid", "event_type", "errors"]);
        for error in result["errors"].as_array().expect("errors") {
            let keys: Vec<&str> = error
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            // The conformance crate's one JSON form of an issue.
            assert_eq!(
                keys[..4],
                ["kind", "instance_path", "schema_path", "message"]
            );
            assert!(
                keys[4..] == [] as [&str; 0]
                    || keys[4..] == ["property"]
                    || keys[4..] == ["property", "since"],
                "{keys:?}"
            );
        }
    }
    assert_eq!(results[0]["source"], invalid);
    assert_eq!(results[0]["valid"], false);
    assert_eq!(results[0]["event_type"], "room.client.left");
    assert_eq!(results[0]["errors"][0]["instance_path"], "/data/numClients");
    assert_eq!(results[0]["errors"][0]["kind"], "minimum");
    assert_eq!(results[0]["errors"][0]["property"], "numClients");
    assert_eq!(results[0]["errors"][0]["since"], "2022-04-01");
    assert_eq!(results[2]["errors"][0]["kind"], "syntax");
    assert!(
        results[0]["errors"][0]["schema_path"]
            .as_str()
            .expect("a string")
            .ends_with("/numClients/minimum")
    );
    assert_eq!(
        results[1],
        json!({ "source": valid, "valid": true, "event_type": results[1]["event_type"], "errors": [] })
    );
    assert!(results[1]["event_type"].is_string());
    assert_eq!(results[2]["source"], DOCS);
    assert_eq!(results[2]["event_type"], Value::Null);
}

#[test]
fn the_docs_example_is_unparsable_at_its_missing_comma() {
    let text = std::fs::read_to_string(repo_root().join(DOCS)).expect("read the docs example");
    let (index, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.trim_start().starts_with("\"metadata\""))
        .expect("the line after the missing comma");
    let position = format!(
        "line {}, column {}",
        index + 1,
        line.find('"').expect("a quote") + 1
    );

    let output = whereby()
        .args(["validate", "--format", "json", DOCS])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    let errors = results[0]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["instance_path"], "");
    let message = errors[0]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("not valid JSON") && message.contains(&position),
        "{message} / {position}"
    );
}

#[test]
fn stdin_is_ndjson_with_line_numbers() {
    let examples = examples();
    let mut input = examples.join("\n");
    input.push_str("\n\n   \n{\"type\": \"room.client.joined\"}\nnot json\n");
    let output = whereby()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), examples.len() + 2);
    for (i, result) in results.iter().take(examples.len()).enumerate() {
        assert_eq!(result["source"], format!("<stdin>:{}", i + 1));
        assert_eq!(result["valid"], true, "{result}");
    }
    // Two blank lines are skipped but counted.
    let n = examples.len();
    assert_eq!(results[n]["source"], format!("<stdin>:{}", n + 3));
    assert_eq!(results[n]["event_type"], "room.client.joined");
    assert_eq!(results[n]["errors"][0]["instance_path"], "");
    assert_eq!(results[n + 1]["source"], format!("<stdin>:{}", n + 4));
    assert!(
        results[n + 1]["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .contains("line 1, column 2")
    );
}

#[test]
fn directories_are_searched_recursively_in_name_order() {
    let dir = temp_dir();
    let root = dir.path();
    let example = examples().remove(0);
    std::fs::create_dir_all(root.join("b/deeper")).expect("mkdir");
    std::fs::write(root.join("z.json"), &example).expect("write");
    std::fs::write(root.join("a.ndjson"), format!("{example}\n\n{example}\r\n")).expect("write");
    std::fs::write(root.join("b/deeper/x.jsonl"), format!("{example}\n")).expect("write");
    std::fs::write(root.join("b/c.json"), "[]").expect("write");
    std::fs::write(root.join("notes.txt"), "not an event").expect("write");
    std::fs::write(root.join("b/README.md"), "# not an event").expect("write");

    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(root)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let sources: Vec<String> = json_lines(&output.stdout)
        .iter()
        .map(|r| r["source"].as_str().expect("a source").to_owned())
        .collect();
    let at = |name: &str| root.join(name).display().to_string();
    assert_eq!(
        sources,
        [
            format!("{}:1", at("a.ndjson")),
            format!("{}:3", at("a.ndjson")),
            at("b/c.json"),
            format!("{}:1", at("b/deeper/x.jsonl")),
            at("z.json"),
        ]
    );
}

#[test]
fn a_file_given_by_name_is_read_by_its_extension() {
    let dir = temp_dir();
    let example = examples().remove(0);
    let two_lines = format!("{example}\n{example}\n");
    let as_text = dir.path().join("events.txt");
    std::fs::write(&as_text, &two_lines).expect("write");
    let as_ndjson = dir.path().join("events.NDJSON");
    std::fs::write(&as_ndjson, &two_lines).expect("write");
    // Two documents in a file that is not NDJSON: trailing characters.
    whereby().args(["validate"]).arg(&as_text).assert().code(1);
    whereby()
        .args(["validate", "--quiet"])
        .arg(&as_ndjson)
        .assert()
        .code(0)
        .stdout("2 valid, 0 invalid\n");
}

#[test]
fn strict_mode_reports_unknown_properties() {
    let sample = "tests/samples/valid/room.client.joined.unknown-properties.json";
    whereby().args(["validate", sample]).assert().code(0);
    let output = whereby()
        .args(["validate", "--strict", "--format", "json", sample])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    let mut paths: Vec<&str> = results[0]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["instance_path"].as_str().expect("a path"))
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/data/device", "/data/region", "/deliveryAttempt"]);
}

#[test]
fn quiet_prints_nothing_for_valid_samples() {
    let count = json_files(VALID).len();
    whereby()
        .args(["validate", "--quiet", VALID])
        .assert()
        .code(0)
        .stdout(format!("{count} valid, 0 invalid\n"));
    whereby()
        .args(["validate", "--quiet", "--format", "json", VALID])
        .assert()
        .code(0)
        .stdout("");
    let output = whereby()
        .args(["validate", "-q", "--format", "json", VALID, DOCS])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["source"], DOCS);
    let output = whereby()
        .args(["validate", "-q", VALID, DOCS])
        .output()
        .expect("run");
    let out = lines(&output.stdout);
    assert_eq!(
        out.first().map(String::as_str),
        Some(format!("invalid {DOCS} (no event type)").as_str())
    );
    assert_eq!(
        out.last().map(String::as_str),
        Some(format!("{count} valid, 1 invalid").as_str())
    );
    assert_eq!(out.len(), 3);
}

#[test]
fn listen_records_are_validated_by_their_body() {
    let example: Value = serde_json::from_str(&examples()[0]).expect("JSON");
    let mut broken = example.clone();
    broken["data"]["numClients"] = json!(-1);
    let record = |body: Value| {
        json!({
            "received_at": "2026-03-31T09:00:05.001Z",
            "method": "POST",
            "path": "/",
            "status": 200,
            "verdict": "authentic",
            "headers": { "whereby-signature": "t=1,v1=00", "content-type": "application/json" },
            "signature": {"valid": true, "error": null, "timestamp": 1},
            "body_bytes": 1,
            "raw_body": match &body {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            },
        })
        .to_string()
    };
    let mut with_type = example.clone();
    with_type["received_at"] = json!("2026-03-31T09:00:05.001Z");
    with_type["body"] = json!("an event's own property");
    let file = temp_dir();
    let path = file.path().join("deliveries.ndjson");
    let mut not_utf8: Value = serde_json::from_str(&record(json!(""))).expect("JSON");
    not_utf8
        .as_object_mut()
        .expect("an object")
        .remove("raw_body");
    not_utf8["raw_body_base64"] = json!("/wA=");
    let mut refused: Value = serde_json::from_str(&record(example.clone())).expect("JSON");
    refused["status"] = json!(401);
    refused["verdict"] = json!("unauthentic");
    refused["reason"] = json!("no v1 signature matches");
    let mut out_of_range: Value = serde_json::from_str(&record(example.clone())).expect("JSON");
    out_of_range["status"] = json!(70000);
    let text = [
        record(example.clone()),
        record(broken),
        record(json!("{\"id\": \"cut short")),
        with_type.to_string(),
        not_utf8.to_string(),
        refused.to_string(),
        out_of_range.to_string(),
    ]
    .join("\n");
    std::fs::write(&path, text).expect("write");
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    let source = |line: usize| format!("{}:{line}", path.display());
    assert_eq!(results.len(), 7);
    assert_eq!(
        (&results[0]["source"], &results[0]["valid"]),
        (&json!(source(1)), &json!(true))
    );
    assert_eq!(results[1]["source"], source(2));
    assert_eq!(results[1]["errors"][0]["instance_path"], "/data/numClients");
    assert_eq!(results[2]["source"], source(3));
    assert!(
        results[2]["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .starts_with("not valid JSON")
    );
    // A line with its own `type` is an event, whatever else it has.
    assert_eq!(results[3]["valid"], true);
    // A body that was not UTF-8 is recorded in base64 and judged as its bytes.
    assert_eq!(results[4]["source"], source(5));
    assert!(
        results[4]["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .contains("not UTF-8")
    );
    // A refused delivery is never `ok`, even with a conforming body.
    assert_eq!(results[5]["valid"], false);
    let message = results[5]["errors"][0]["message"]
        .as_str()
        .expect("a message");
    assert!(
        message.contains("refused with 401: no v1 signature matches"),
        "{message}"
    );
    // A record line that does not read as one is named as such, not as an
    // event without a `type`.
    assert_eq!(results[6]["errors"][0]["kind"], "malformed_record");
    let message = results[6]["errors"][0]["message"]
        .as_str()
        .expect("a message");
    assert!(message.contains("70000"), "{message}");
    assert!(
        message.starts_with("this line has the shape of a `listen --record` line"),
        "{message}"
    );
}

#[test]
fn an_unreadable_path_exits_2_after_judging_the_rest() {
    let valid = &json_files(VALID)[0];
    let output = whereby()
        .args([
            "validate",
            "no/such/file.json",
            valid.as_str(),
            DOCS,
            "no/such/dir",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let out = lines(&output.stdout);
    assert_eq!(out.last().map(String::as_str), Some("1 valid, 1 invalid"));
    let err = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        err.contains("error: cannot read no/such/file.json:"),
        "{err}"
    );
    assert!(err.contains("error: cannot read no/such/dir:"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    whereby()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<PATH>"));
    whereby()
        .args(["validate", "--format", "xml", VALID])
        .assert()
        .code(2);
    whereby()
        .args(["validate", "--spec", "no/such/spec.yaml", VALID])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the spec file no/such/spec.yaml",
        ));
    whereby()
        .args(["validate", "--spec", "Cargo.toml", VALID])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Cargo.toml is not an OpenAPI document (it is neither JSON nor YAML); give an OpenAPI 3.1 document",
        ));
}

/// A YAML spec whose aliases repeat a 1 MiB string a hundred times
/// (100 MiB written out, from a 1 MiB file) is refused when it loads,
/// before it costs that memory, and `diff` refuses it the same way.
#[test]
fn a_spec_whose_aliases_multiply_it_is_refused() {
    let published = std::fs::read_to_string(repo_root().join("spec/openapi.yaml")).expect("read");
    let mut text = format!(
        "{published}x-padding: &big {}\nx-copies:\n",
        "x".repeat(1 << 20)
    );
    for _ in 0..100 {
        text.push_str("  - *big\n");
    }
    let dir = temp_dir();
    let spec = dir.path().join("aliased.yaml");
    std::fs::write(&spec, text).expect("write");
    let message = "the spec's YAML aliases (*name) repeat so much that it would be larger than 64 MiB written out as JSON, or hold more than 2000000 values";
    spec_is_refused(&spec, message);
    whereby()
        .args(["diff", "spec/openapi.yaml"])
        .arg(&spec)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
}

/// A spec with a key twice in one object, in JSON or YAML, is refused with
/// the key (and its line, but for YAML's top level): before, the last
/// value was kept without a word, where other parsers keep the first.
#[test]
fn a_spec_with_a_key_twice_is_refused() {
    let dir = temp_dir();
    let json = std::fs::read_to_string(repo_root().join("spec/openapi.json")).expect("read");
    let yaml = std::fs::read_to_string(repo_root().join("spec/openapi.yaml")).expect("read");
    let twice = [
        (
            "twice.json",
            json.replacen('{', r#"{"x-note": 1, "x-note": 2,"#, 1),
        ),
        ("twice.yaml", format!("x-note: 1\n{yaml}x-note: 2\n")),
    ];
    for (name, text) in twice {
        let spec = dir.path().join(name);
        std::fs::write(&spec, text).expect("write");
        spec_is_refused(
            &spec,
            "the spec has a key twice in one object (the key \"x-note\" appears twice in one object",
        );
    }
}

/// `validate --spec spec` exits 2, saying `message`.
fn spec_is_refused(spec: &std::path::Path, message: &str) {
    whereby()
        .args(["validate", "--quiet", "--spec"])
        .arg(spec)
        .arg(VALID)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
}

#[test]
fn another_spec_can_be_given() {
    whereby()
        .args(["validate", "--quiet", "--spec", "spec/openapi.yaml", VALID])
        .assert()
        .code(0);
    let mut older: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("spec/openapi.json")).expect("read"),
    )
    .expect("JSON");
    older["webhooks"]
        .as_object_mut()
        .expect("webhooks")
        .shift_remove("recording.finished");
    let dir = temp_dir();
    let spec = dir.path().join("older.json");
    std::fs::write(&spec, older.to_string()).expect("write");
    let output = whereby()
        .args(["validate", "--format", "json", "--quiet", "--spec"])
        .arg(&spec)
        .arg(VALID)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    assert!(!results.is_empty());
    for result in results {
        assert!(
            result["source"]
                .as_str()
                .expect("a source")
                .contains("/recording.finished.")
        );
        assert!(
            result["errors"][0]["message"]
                .as_str()
                .expect("a message")
                .starts_with("unknown event type \"recording.finished\"")
        );
    }
}

#[test]
fn no_samples_found_is_a_usage_error() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("notes.txt"), "no events here").expect("write");
    whereby()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout("0 valid, 0 invalid\n")
        .stderr(predicate::str::contains("error: no samples found"));
    // A folder of YAML files says why nothing was read.
    std::fs::write(dir.path().join("event.yaml"), "type: room.client.joined\n").expect("write");
    whereby()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a YAML file was skipped: only JSON is read",
        ));
    // Empty standard input holds no sample either.
    whereby()
        .args(["validate", "-"])
        .write_stdin("\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: no samples found"));
}

#[test]
fn stdin_holding_one_pretty_printed_event_is_one_document() {
    let event =
        std::fs::read_to_string(repo_root().join("spec/examples/room.client.joined.host.json"))
            .expect("read an example");
    assert!(event.lines().count() > 10, "the example is pretty-printed");
    whereby()
        .args(["validate", "-"])
        .write_stdin(event)
        .assert()
        .code(0)
        .stdout(
            "ok      <stdin> (room.client.joined)\n\
             1 valid, 0 invalid (standard input read as one JSON document)\n",
        );
    // A pretty-printed document that is not JSON gives one error, where
    // the comma is missing, not one per line.
    let docs = std::fs::read_to_string(repo_root().join(DOCS)).expect("read the docs example");
    let output = whereby()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(docs)
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["source"], "<stdin>");
    // Compact events, one per line, are NDJSON, and the summary says so.
    let examples = examples();
    whereby()
        .args(["validate", "--quiet", "-"])
        .write_stdin(examples.join("\n"))
        .assert()
        .code(0)
        .stdout(format!(
            "{} valid, 0 invalid (standard input read as NDJSON, one event per line)\n",
            examples.len()
        ));
}

#[test]
fn the_invalid_samples_folder_holds_samples_only() {
    let dir = "tests/samples/invalid";
    let samples = json_files(dir);
    let output = whereby()
        .args(["validate", "--format", "json", dir])
        .output()
        .expect("run");
    let sources: Vec<String> = json_lines(&output.stdout)
        .iter()
        .map(|r| r["source"].as_str().expect("a source").to_owned())
        .collect();
    assert_eq!(sources, samples);
    assert!(sources.iter().all(|s| !s.contains(".expected")));
}

#[test]
fn a_byte_order_mark_is_skipped_with_a_warning_and_utf16_is_named() {
    let dir = temp_dir();
    let event = examples().remove(0);
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, [b"\xEF\xBB\xBF", event.as_bytes()].concat()).expect("write");
    let lines_bom = dir.path().join("bom.ndjson");
    std::fs::write(&lines_bom, format!("\u{feff}{event}\n{event}\n")).expect("write");
    let output = whereby()
        .args(["validate", "--quiet"])
        .arg(&bom)
        .arg(&lines_bom)
        .output()
        .expect("run");
    assert_exit(&output, 0);
    let err = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        err.contains(&format!(
            "warning: {} starts with a UTF-8 byte order mark",
            bom.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "warning: {}:1 starts with a UTF-8 byte order mark",
            lines_bom.display()
        )),
        "{err}"
    );
    assert_eq!(lines(&output.stdout), ["3 valid, 0 invalid"]);

    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(event.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be: Vec<u8> = event.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::write(dir.path().join("le.json"), utf16le).expect("write");
    std::fs::write(dir.path().join("be.ndjson"), utf16be).expect("write");
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(dir.path().join("be.ndjson"))
        .arg(dir.path().join("le.json"))
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 2);
    for (result, order) in results
        .iter()
        .zip(["(big-endian)", "(little-endian, with a byte order mark)"])
    {
        let message = result["errors"][0]["message"].as_str().expect("a message");
        assert!(message.contains(&format!("UTF-16 {order}")), "{message}");
    }
}

#[test]
fn yaml_and_arrays_of_events_get_a_hint() {
    let dir = temp_dir();
    let yaml = dir.path().join("event.yaml");
    std::fs::write(&yaml, "type: room.client.joined\n").expect("write");
    let array = dir.path().join("events.json");
    std::fs::write(&array, format!("[{}]", examples().remove(0))).expect("write");
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(&yaml)
        .arg(&array)
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let results = json_lines(&output.stdout);
    let message = |i: usize| {
        results[i]["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .to_owned()
    };
    assert!(message(0).contains("only JSON is read"), "{}", message(0));
    assert!(message(1).contains("jq -c '.[]'"), "{}", message(1));
}

#[test]
fn an_endless_sample_is_too_large_after_the_limit_is_read() {
    let dir = temp_dir();
    // Without a limit, reading these fills memory and never ends.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("z.ndjson")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("z.json")).expect("symlink");
    // A sparse 200 MB file costs no disk and is refused by its size.
    let big = std::fs::File::create(dir.path().join("big.json")).expect("create");
    big.set_len(200 << 20).expect("set the length");
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(dir.path().join("big.json"))
        .arg(dir.path().join("z.json"))
        .arg(dir.path().join("z.ndjson"))
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 3, "{results:?}");
    for result in &results {
        let message = result["errors"][0]["message"].as_str().expect("a message");
        assert!(
            message.contains("over the limit of 1 MiB per sample"),
            "{message}"
        );
        assert!(message.contains("--max-size"), "{message}");
    }
    assert!(
        results[2]["source"]
            .as_str()
            .expect("a source")
            .ends_with("z.ndjson:1")
    );
}

#[test]
fn max_size_applies_to_each_line_and_file() {
    let dir = temp_dir();
    let event = examples().remove(0);
    let limit = event.len();
    let padded = event.replacen('{', "{ ", 1);
    std::fs::write(
        dir.path().join("a.ndjson"),
        format!("{event}\n{padded}\n{event}\n"),
    )
    .expect("write");
    let output = whereby()
        .args([
            "validate",
            "--format",
            "json",
            "--max-size",
            &limit.to_string(),
        ])
        .arg(dir.path().join("a.ndjson"))
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let valid: Vec<bool> = json_lines(&output.stdout)
        .iter()
        .map(|r| r["valid"].as_bool().expect("valid"))
        .collect();
    // The line one byte over is refused; the next line is still read.
    assert_eq!(valid, [true, false, true]);
    for bad in ["0", "1 MiB!", "1X", "99999999999999999999G"] {
        whereby()
            .args(["validate", "--max-size", bad, VALID])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--max-size"));
    }
    whereby()
        .args(["validate", "--quiet", "--max-size", "4KiB", VALID])
        .assert()
        .code(0);
}

/// The largest sizes `--max-size` takes mean "no limit" in practice: the
/// limit plus the byte or two read past it to tell a sample over it wrapped
/// around to 0, so every file was "empty", standard input gave "no
/// samples" and every NDJSON line was "over the limit".
#[test]
fn the_largest_max_size_limits_nothing() {
    let dir = temp_dir();
    let events = examples();
    std::fs::write(dir.path().join("one.json"), &events[0]).expect("write");
    std::fs::write(dir.path().join("all.ndjson"), events.join("\n")).expect("write");
    for max in [u64::MAX, u64::MAX - 1] {
        let max = max.to_string();
        whereby()
            .args(["validate", "--quiet", "--max-size", &max])
            .arg(dir.path().join("one.json"))
            .arg(dir.path().join("all.ndjson"))
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!(
                "{} valid, 0 invalid",
                events.len() + 1
            )));
        whereby()
            .args(["validate", "--quiet", "--max-size", &max, "-"])
            .write_stdin(events.join("\n"))
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!(
                "{} valid, 0 invalid",
                events.len()
            )));
    }
}

/// A pretty-printed document on standard input over `--max-size` is one
/// sample too large, as the same file is: it was read as NDJSON, one bogus
/// sample per line.
#[test]
fn a_pretty_document_over_the_limit_on_stdin_is_one_sample_too_large() {
    let mut event: Value = serde_json::from_str(&examples()[0]).expect("JSON");
    event["pad"] = json!(vec!["x".repeat(50); 200]);
    let pretty = serde_json::to_string_pretty(&event).expect("JSON");
    assert!(pretty.lines().count() > 200);
    let output = whereby()
        .args(["validate", "--format", "json", "--max-size", "4KiB", "-"])
        .write_stdin(pretty)
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["source"], "<stdin>");
    assert_eq!(results[0]["errors"][0]["kind"], "too_large");
}

/// NDJSON on standard input whose first line is broken off is still
/// NDJSON: its other lines are validated. It was taken for one document
/// (one error, the valid lines dropped without a word) and, over
/// `--max-size`, for one document too large.
#[test]
fn ndjson_on_stdin_with_a_broken_first_line_is_still_ndjson() {
    let events = examples();
    for max in ["1MiB", "4KiB"] {
        let mut input = "{\"type\":\"room.client.joined\",\n".to_owned();
        for i in 0..20 {
            input.push_str(&events[i % events.len()]);
            input.push('\n');
        }
        let output = whereby()
            .args(["validate", "--format", "json", "--max-size", max, "-"])
            .write_stdin(input)
            .output()
            .expect("run");
        assert_exit(&output, 1);
        let results = json_lines(&output.stdout);
        assert_eq!(results.len(), 21, "{max}: {results:?}");
        assert_eq!(results[0]["valid"], false, "{max}");
        assert!(
            results[1..].iter().all(|r| r["valid"] == true),
            "{max}: {results:?}"
        );
    }
}

#[test]
fn a_large_stream_keeps_its_order() {
    let examples = examples();
    let count = 20_000;
    let mut input = String::new();
    for i in 0..count {
        if i % 997 == 0 {
            input.push_str("{\"type\": \"nope\"}\n");
        } else {
            input.push_str(&examples[i % examples.len()]);
            input.push('\n');
        }
    }
    let output = whereby()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    assert_eq!(results.len(), count);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["source"], format!("<stdin>:{}", i + 1));
        assert_eq!(result["valid"], i % 997 != 0, "{result}");
    }
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), as a person
/// at a terminal would.
fn on_a_terminal(no_color: Option<&str>, args: &str) -> String {
    let binary = support::binary();
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &format!("{} {args}", binary.display()), "/dev/null"])
        .current_dir(repo_root())
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let output = command.output().expect("run `script` (util-linux)");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let args = format!("validate {DOCS}");
    let plain = whereby().args(["validate", DOCS]).output().expect("run");
    assert!(!plain.stdout.contains(&0x1b), "no colour into a pipe");

    let coloured = on_a_terminal(None, &args);
    assert!(
        coloured.contains("\x1b["),
        "colour on a terminal: {coloured:?}"
    );
    let without = on_a_terminal(Some("1"), &args);
    assert!(!without.contains('\x1b'), "NO_COLOR=1: {without:?}");
    assert!(without.contains(&format!("invalid {DOCS}")));
    // An empty NO_COLOR does not count.
    assert!(on_a_terminal(Some(""), &args).contains("\x1b["));
}

#[test]
fn samples_paths_are_shown_as_given() {
    let path = Path::new(VALID).join("..").join("valid");
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(&path)
        .output()
        .expect("run");
    let first = &json_lines(&output.stdout)[0];
    assert!(
        first["source"]
            .as_str()
            .expect("a source")
            .starts_with("tests/samples/valid/../valid/")
    );
}

/// What parsers disagree on, what is not an event and what is mistyped:
/// each with its kind in JSON, and one terminal-safe line for people.
#[test]
fn duplicate_keys_lists_and_unknown_types_are_explained() {
    let dir = temp_dir();
    let example = &examples()[0];
    let inner = example.trim_start_matches('{');
    let samples = [
        (
            "duplicate.json",
            format!("{{\"type\":\"bogus.event\",{inner}"),
        ),
        ("list.json", format!("[{example}]")),
        (
            "typo.json",
            // An escape sequence, written as JSON escapes it.
            example.replacen("\"room.", "\"room.\\u001b[2J", 1),
        ),
    ];
    for (name, text) in &samples {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let results = json_lines(&output.stdout);
    let kinds: Vec<(&str, &str)> = results
        .iter()
        .map(|result| {
            (
                result["errors"][0]["kind"].as_str().expect("a kind"),
                result["errors"][0]["instance_path"]
                    .as_str()
                    .expect("a path"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("duplicate_key", "/type"),
            ("not_an_object", ""),
            ("unknown_event_type", "/type")
        ]
    );
    let human = whereby()
        .arg("validate")
        .arg(dir.path())
        .output()
        .expect("run");
    let out = String::from_utf8(human.stdout).expect("UTF-8");
    assert!(!out.contains('\u{1b}'), "{out}");
    let typo = lines(out.as_bytes())
        .into_iter()
        .skip_while(|line| !line.contains("typo.json"))
        .take(2)
        .collect::<Vec<_>>();
    assert!(typo[0].contains(" (room.\\u{1b}[2J"), "{typo:?}");
    assert!(
        typo[1].starts_with("  /type: unknown event type \"room.\\u001b[2J"),
        "{typo:?}"
    );
    assert!(out.contains("jq -c '.[]'"), "{out}");
    assert!(
        out.contains("duplicate key \"type\" at line 1, column "),
        "{out}"
    );
}

#[test]
fn stdin_on_a_terminal_is_said_and_ends_at_the_first_end_of_input() {
    let binary = support::binary();
    // `script` gives the command a terminal; its own empty stdin ends it
    // once. Reading again after that end would wait for a second one.
    let output = assert_cmd::Command::new("script")
        .args([
            "-qec",
            &format!("{} validate -", binary.display()),
            "/dev/null",
        ])
        .timeout(std::time::Duration::from_secs(20))
        .write_stdin("")
        .output()
        .expect("run `script` (util-linux)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("reading events from standard input"),
        "{text}"
    );
    assert!(text.contains("error: no samples found"), "{text}");
}

/// A valid event, compact.
fn a_valid_event() -> String {
    let text = std::fs::read_to_string(
        repo_root().join("tests/samples/valid/recording.finished.default.json"),
    )
    .expect("read a sample");
    let value: Value = serde_json::from_str(&text).expect("JSON");
    value.to_string()
}

/// `validate DIR` followed symbolic links out of DIR: a link to a file
/// elsewhere was read, and a secret in it printed in the error
/// (`unknown event type "sk_live_..."`). Links inside a directory are
/// skipped now, with a note saying how many; a file or directory named on
/// the command line is still read, link or not.
#[test]
fn a_directory_walk_reads_nothing_outside_it() {
    use std::os::unix::fs::symlink;
    let root = temp_dir();
    let outside = root.path().join("outside");
    let dir = root.path().join("samples");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let secret = r#"{"type":"sk_live_51HxQzL0ngS3cr3t"}"#;
    std::fs::write(outside.join("secret.json"), secret).expect("write");
    std::fs::write(dir.join("ok.json"), a_valid_event()).expect("write");
    symlink(outside.join("secret.json"), dir.join("linked.json")).expect("symlink");
    symlink(&outside, dir.join("linked-dir")).expect("symlink");
    symlink(&dir, root.path().join("samples-link")).expect("symlink");

    for walked in [dir.clone(), root.path().join("samples-link")] {
        let output = whereby()
            .args(["validate", "--format", "json"])
            .arg(&walked)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stdout.contains("sk_live") && !stderr.contains("sk_live"),
            "{stdout}{stderr}"
        );
        assert_exit(&output, 0);
        let results = json_lines(&output.stdout);
        assert_eq!(results.len(), 1, "{stdout}");
        assert!(
            results[0]["source"]
                .as_str()
                .expect("a source")
                .ends_with("ok.json")
        );
        assert!(
            stderr.contains("skipped 2 symbolic links") && stderr.contains("--follow-symlinks"),
            "{stderr}"
        );
    }

    // Named on the command line, a link is read: the user chose it.
    let output = whereby()
        .args(["validate", "--format", "json"])
        .arg(dir.join("linked.json"))
        .output()
        .expect("run");
    assert_exit(&output, 1);
    // Escaped and cut short, like every value an error quotes.
    let long = format!(r#"{{"type":"\u001b[2J{}"}}"#, "x".repeat(200));
    std::fs::write(dir.join("long.json"), long).expect("write");
    let output = whereby()
        .args(["validate"])
        .arg(dir.join("long.json"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(!stdout.contains(&"x".repeat(100)), "{stdout}");
}

/// A chain of directories each holding two links to the next was walked
/// 2^depth times (13 s at depth 17, hours at 25). The chain of 31 levels
/// here is read once by default (the links are skipped), and once with
/// --follow-symlinks too, which follows them but visits each directory and
/// file once.
#[test]
fn a_chain_of_linked_directories_is_walked_once() {
    use std::os::unix::fs::symlink;
    const DEPTH: usize = 31;
    let root = temp_dir();
    let event = a_valid_event();
    for level in 0..=DEPTH {
        let here = root.path().join(format!("l{level:02}"));
        std::fs::create_dir(&here).expect("mkdir");
        std::fs::write(here.join("event.json"), &event).expect("write");
        if level < DEPTH {
            let next = format!("../l{:02}", level + 1);
            symlink(&next, here.join("a")).expect("symlink");
            symlink(&next, here.join("b")).expect("symlink");
        }
    }
    for follow in [false, true] {
        let output = whereby()
            .args(["validate", "--format", "json"])
            .args(follow.then_some("--follow-symlinks"))
            .arg(root.path())
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_exit(&output, 0);
        let results = json_lines(&output.stdout);
        assert_eq!(results.len(), DEPTH + 1, "follow {follow}: {stderr}");
        assert!(results.iter().all(|result| result["valid"] == true));
        // Each level's file once, whatever path it was reached by.
        let mut levels: Vec<String> = results
            .iter()
            .map(|result| {
                let source = result["source"].as_str().expect("a source");
                let real = std::fs::canonicalize(source).expect("the file exists");
                real.parent()
                    .and_then(Path::file_name)
                    .expect("a level")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        levels.sort();
        levels.dedup();
        assert_eq!(levels.len(), DEPTH + 1, "follow {follow}: {levels:?}");
        assert_eq!(
            stderr.contains(&format!("skipped {} symbolic links", 2 * DEPTH)),
            !follow,
            "{stderr}"
        );
    }
}

/// Two keys that YAML reads as one (`~` and `null`, `0x1F` and `31`) were
/// two to the check for keys written twice: `validate --spec` took the
/// document and `diff` called the change nothing breaking (exit 0), where
/// js-yaml refuses it. Both refuse it now, as a key twice.
#[test]
fn a_spec_with_a_key_twice_by_its_yaml_value_is_refused() {
    let dir = temp_dir();
    let yaml = std::fs::read_to_string(repo_root().join("spec/openapi.yaml")).expect("read");
    // A file whose name does not say YAML was "neither JSON nor YAML".
    for (name, twice) in [
        ("null.yaml", "~: 1\nnull: 2\n"),
        ("hex.yaml", "0x1F: 1\n31: 2\n"),
        ("no-extension", "True: 1\ntrue: 2\n"),
    ] {
        let spec = dir.path().join(name);
        std::fs::write(&spec, format!("{yaml}{twice}")).expect("write");
        let message = "appears twice in one object, written differently";
        spec_is_refused(&spec, message);
        whereby()
            .args(["diff", "spec/openapi.yaml"])
            .arg(&spec)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

/// A YAML spec's key is the JSON key every reader makes of it: `0x1F`
/// and `"31"` are one key (js-yaml and PyYAML read `0x1F` as 31; it was
/// kept as the key "0x1F"), and a key readers write differently (a float,
/// `.nan`, `01`) is refused with its line, by `validate --spec` and by
/// `diff`, rather than read one way here and another elsewhere.
#[test]
fn a_spec_key_is_one_json_key_for_every_reader() {
    let dir = temp_dir();
    let yaml = std::fs::read_to_string(repo_root().join("spec/openapi.yaml")).expect("read");
    for (name, tail, message) in [
        (
            "hex.yaml",
            "0x1F: 1\n\"31\": 2\n",
            "the key \"31\" appears twice in one object, written differently",
        ),
        (
            "null.yaml",
            "'null': 1\n~: 2\n",
            "the key \"null\" appears twice in one object, written differently",
        ),
        ("float.yaml", "1.0: 1\n", "the key 1.0 is a YAML float"),
        ("nan.yaml", ".nan: 1\n", "a key is .nan or .inf"),
        ("zero.yaml", "01: 1\n1: 2\n", "a number with a leading zero"),
    ] {
        let spec = dir.path().join(name);
        std::fs::write(&spec, format!("{yaml}{tail}")).expect("write");
        let line = yaml.lines().count() + 1;
        spec_is_refused(&spec, message);
        let output = whereby()
            .args(["diff", "spec/openapi.yaml"])
            .arg(&spec)
            .output()
            .expect("run");
        assert_exit(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("line {line}"))
                || stderr.contains(&format!("line {}", line + 1)),
            "{name}: {stderr}"
        );
    }
    // Unquoted response codes, as OpenAPI documents write them, are the
    // strings they always were.
    let spec = dir.path().join("codes.yaml");
    std::fs::write(
        &spec,
        format!("{yaml}x-responses:\n  200:\n    description: OK\n  404:\n    description: gone\n"),
    )
    .expect("write");
    whereby()
        .args(["validate", "--quiet", "--spec"])
        .arg(&spec)
        .arg(VALID)
        .assert()
        .code(0);
}

/// With --follow-symlinks, a link back to a directory above it (a loop)
/// made `validate DIR` exit 2 ("a symbolic link loop back to ...") although
/// every file had been read once: the link is skipped with a note now, as
/// links are without the flag. And a file reached by two hard links was
/// read twice without the flag and once with it: it is read once either
/// way (each device and inode once).
#[test]
fn loops_and_hard_links_are_read_once_with_or_without_following() {
    use std::os::unix::fs::symlink;
    let root = temp_dir();
    let dir = root.path().join("vd");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(dir.join("a.json"), a_valid_event()).expect("write");
    std::fs::write(sub.join("b.json"), a_valid_event()).expect("write");
    std::fs::hard_link(dir.join("a.json"), sub.join("hard.json")).expect("hard link");
    symlink("..", sub.join("loop")).expect("symlink");
    for follow in [false, true] {
        let output = whereby()
            .args(["validate", "--format", "json"])
            .args(follow.then_some("--follow-symlinks"))
            .arg(&dir)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_exit(&output, 0);
        let mut sources: Vec<String> = json_lines(&output.stdout)
            .iter()
            .map(|result| {
                let source = result["source"].as_str().expect("a source");
                Path::new(source)
                    .strip_prefix(&dir)
                    .expect("inside vd")
                    .display()
                    .to_string()
            })
            .collect();
        sources.sort();
        assert_eq!(
            sources,
            ["a.json", "sub/b.json"],
            "follow {follow}: {stderr}"
        );
        assert!(!stderr.contains("error"), "follow {follow}: {stderr}");
        if follow {
            assert!(
                stderr.contains("note: skipped")
                    && stderr.contains("sub/loop")
                    && stderr.contains("loop back to"),
                "{stderr}"
            );
        } else {
            assert!(stderr.contains("skipped 1 symbolic link"), "{stderr}");
        }
    }
}

/// `validate` over the shipped corpus, in both formats: the spec's examples
/// and the valid samples, then the invalid samples and the real captures.
#[test]
fn corpus_output() {
    for (name, dirs, code) in [
        (
            "valid",
            ["spec/examples/", "tests/samples/valid/"].as_slice(),
            0,
        ),
        (
            "invalid",
            ["tests/samples/invalid/", "tests/samples/real/"].as_slice(),
            1,
        ),
    ] {
        for format in ["human", "json"] {
            let output = whereby()
                .args(["validate", "--format", format])
                .args(dirs)
                .output()
                .expect("run");
            assert_exit(&output, code);
            assert!(output.stderr.is_empty(), "{output:?}");
            let stdout = String::from_utf8(output.stdout).expect("UTF-8");
            let stdout = match format {
                "json" => support::snapshot::json_lines(&stdout),
                _ => stdout,
            };
            insta::assert_snapshot!(format!("corpus_{name}_{format}"), stdout);
        }
    }
}
