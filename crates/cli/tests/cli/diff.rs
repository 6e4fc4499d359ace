//! `diff` judges changes between two versions of the spec from the
//! receivers' side and exits 1 exactly when one of them breaks receivers.

use serde_json::{Value, json};

use crate::support::{self, assert_exit, json_lines, lines, repo_root, temp_dir, whereby};

fn spec() -> Value {
    let text =
        std::fs::read_to_string(repo_root().join("spec/openapi.json")).expect("read the spec");
    serde_json::from_str(&text).expect("the spec is JSON")
}

/// Writes `document` as JSON into `dir` and returns its path.
fn write(dir: &tempfile::TempDir, name: &str, document: &Value) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(document).expect("JSON"))
        .expect("write the document");
    path.to_string_lossy().into_owned()
}

/// The spec with `subdomain` optional in every in-room event and a
/// description changed.
fn changed_spec() -> Value {
    let mut new = spec();
    let schemas = &mut new["components"]["schemas"];
    for name in [
        "ClientJoinLeaveData",
        "ClientData",
        "InRoomData",
        "AssistantRequestedData",
    ] {
        let required = schemas[name]["required"].as_array_mut().expect("required");
        let before = required.len();
        required.retain(|v| v != "subdomain");
        assert_eq!(required.len(), before - 1, "{name} requires subdomain");
    }
    // The session events and `assistant.requested` share these
    // properties, in two definitions dated apart.
    for name in ["InRoomData", "AssistantRequestedData"] {
        schemas[name]["properties"]["roomName"]["description"] = json!("The room.");
    }
    new
}

#[test]
fn the_same_spec_as_json_and_yaml_prints_nothing() {
    let output = whereby()
        .args(["diff", "spec/openapi.json", "spec/openapi.yaml"])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stderr.is_empty());
}

/// The breaking changes come first, grouped by webhook; the compatible
/// ones are one line of summary, and the counts close the output.
#[test]
fn a_breaking_change_exits_1_and_leads_the_output() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let out = lines(&output.stdout);
    let start = out
        .iter()
        .position(|l| l == "room.session.started")
        .expect("a group for room.session.started");
    assert_eq!(
        out[start + 1],
        "  BREAKING  `/data/subdomain` was required, is now optional: it may be absent  [now_optional]"
    );
    assert!(
        !out.iter().any(|l| l.starts_with("  ok ")),
        "compatible changes are not listed without --all: {out:#?}"
    );
    assert_eq!(
        out[out.len() - 3..],
        [
            "",
            "3 compatible changes in 3 webhooks (--all lists them)",
            "7 breaking, 3 compatible",
        ]
    );
}

/// The human output of a small breaking change, whole.
#[test]
fn human_output_of_a_breaking_change() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    insta::assert_snapshot!(String::from_utf8(output.stdout).expect("UTF-8"));
}

/// `--all` lists the compatible changes too, grouped by webhook, after
/// every breaking one.
#[test]
fn all_lists_the_compatible_changes_after_the_breaking_ones() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "--all", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    insta::assert_snapshot!(String::from_utf8(output.stdout).expect("UTF-8"));
}

/// `--breaking-only` prints the breaking changes and the counts, in every
/// format; JSON and Markdown leave the compatible changes out.
#[test]
fn breaking_only_leaves_the_compatible_changes_out() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let run = |format: &str| {
        let output = whereby()
            .args([
                "diff",
                "--breaking-only",
                "--format",
                format,
                "spec/openapi.json",
                &new,
            ])
            .output()
            .expect("run");
        assert_exit(&output, 1);
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    insta::assert_snapshot!("breaking_only_human", run("human"));
    insta::assert_snapshot!("breaking_only_markdown", run("markdown"));
    let json = run("json");
    insta::assert_snapshot!("breaking_only_json", json);
    assert!(
        json_lines(json.as_bytes())
            .iter()
            .all(|change| change["breaking"] == true),
        "{json}"
    );
}

/// With nothing breaking, `--breaking-only` says so in its count line.
#[test]
fn breaking_only_without_a_breaking_change_prints_the_counts() {
    let mut new = spec();
    new["webhooks"]["room.client.joined"]["post"]["x-note"] = json!("a note");
    let output = whereby()
        .args(["diff", "--breaking-only", "spec/openapi.yaml", "-"])
        .write_stdin(serde_json::to_vec(&new).expect("JSON"))
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert_eq!(lines(&output.stdout), ["0 breaking, 1 compatible"]);
}

#[test]
fn all_and_breaking_only_exclude_each_other() {
    let output = whereby()
        .args([
            "diff",
            "--all",
            "--breaking-only",
            "spec/openapi.json",
            "spec/openapi.yaml",
        ])
        .output()
        .expect("run");
    assert_exit(&output, 2);
    let err = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(err.contains("cannot be used with"), "{err}");
}

/// JSON lists the breaking changes first, each kind otherwise in the order
/// the engine found them.
#[test]
fn json_lists_the_breaking_changes_first() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "--format", "json", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let breaking: Vec<bool> = json_lines(&output.stdout)
        .iter()
        .map(|change| change["breaking"] == true)
        .collect();
    assert_eq!(breaking, [[true; 7].as_slice(), &[false; 3]].concat());
}

#[test]
fn json_prints_one_change_per_line() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "--format", "json", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let changes = json_lines(&output.stdout);
    assert_eq!(changes.len(), 10);
    assert_eq!(
        changes[0],
        json!({"webhook": "room.client.joined", "pointer": "/data/subdomain",
            "kind": "now_optional", "breaking": true,
            "message": "`/data/subdomain` was required, is now optional: it may be absent",
            "old": true, "new": false})
    );
}

#[test]
fn markdown_lists_each_change_once_with_its_webhooks() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    let output = whereby()
        .args(["diff", "--format", "markdown", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    insta::assert_snapshot!(String::from_utf8(output.stdout).expect("UTF-8"));
}

#[test]
fn only_informational_changes_exit_0_from_standard_input() {
    let mut new = spec();
    new["webhooks"]["room.client.joined"]["post"]["x-note"] = json!("a note");
    let output = whereby()
        .args(["diff", "spec/openapi.yaml", "-"])
        .write_stdin(serde_json::to_vec(&new).expect("JSON"))
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert_eq!(
        lines(&output.stdout),
        [
            "1 compatible change in 1 webhook (--all lists it)",
            "0 breaking, 1 compatible"
        ]
    );
}

#[test]
fn text_from_the_documents_is_escaped() {
    let mut new = spec();
    new["components"]["schemas"]["InRoomData"]["properties"]["\u{1b}]0;pwned\u{7}"] =
        json!({"type": "string"});
    let dir = temp_dir();
    let new = write(&dir, "new.json", &new);
    // `--all`: the property added is a compatible change.
    for format in ["human", "markdown"] {
        let output = whereby()
            .args([
                "diff",
                "--all",
                "--format",
                format,
                "spec/openapi.json",
                &new,
            ])
            .output()
            .expect("run");
        assert_exit(&output, 0);
        let text = String::from_utf8(output.stdout).expect("UTF-8");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
    }
}

/// A name or a value from a document stays one inert code span in the
/// release notes, whatever Markdown it holds: a backtick in a property's
/// name closed the span, and what followed rendered as bold text and a
/// link. And a name spelling `\u{1b}` is told from one holding it.
#[test]
fn markdown_from_the_documents_stays_in_its_code_span() {
    let mut new = spec();
    let properties = &mut new["components"]["schemas"]["InRoomData"]["properties"];
    properties["x` **nothing breaking here** [details](https://evil.example) `"] =
        json!({"type": "string"});
    properties["lit\\u{1b}"] = json!({"const": "[click](https://evil.example)"});
    let dir = temp_dir();
    let new = write(&dir, "new.json", &new);
    let output = whereby()
        .args(["diff", "--format", "markdown", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        text.contains(
            "property `` /data/x` **nothing breaking here** [details](https:~1~1evil.example) ` `` added"
        ),
        "{text}"
    );
    assert!(text.contains("`/data/lit\\\\u{1b}`"), "{text}");
    let human = whereby()
        .args(["diff", "--all", "spec/openapi.json", &new])
        .output()
        .expect("run");
    let human = String::from_utf8(human.stdout).expect("UTF-8");
    assert!(human.contains("lit\\\\u{1b}"), "{human}");
    assert!(!human.contains("lit\\u{1b}`"), "{human}");
}

#[test]
fn errors_quoting_the_documents_are_escaped() {
    let mut new = spec();
    new["webhooks"]["\u{1b}[2Jbad"] = json!({"post": {}});
    let dir = temp_dir();
    let new = write(&dir, "new.json", &new);
    let output = whereby()
        .args(["diff", "spec/openapi.json", &new])
        .output()
        .expect("run");
    assert_exit(&output, 2);
    let err = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        err.starts_with(
            "error: the new document: webhook `\\u{1b}[2Jbad` has no JSON request body schema"
        ),
        "{err}"
    );
}

#[test]
fn errors_exit_2() {
    let dir = temp_dir();
    let not_openapi = write(&dir, "swagger.json", &json!({"swagger": "2.0"}));
    for (args, expected) in [
        (
            vec!["diff", "-", "-"],
            "error: only one of OLD and NEW can be `-`",
        ),
        (
            vec!["diff", "missing.json", "spec/openapi.json"],
            "error: cannot load OLD (missing.json): cannot read the spec file missing.json",
        ),
        (
            vec!["diff", "spec/openapi.json", &not_openapi],
            "error: the new document: the spec is not an OpenAPI 3.1 document",
        ),
        (vec!["diff", "spec/openapi.json"], "error: "),
    ] {
        let output = whereby().args(&args).output().expect("run");
        assert_exit(&output, 2);
        assert!(output.stdout.is_empty());
        let err = String::from_utf8(output.stderr).expect("UTF-8");
        assert!(err.starts_with(expected), "{args:?}: {err}");
    }
}

/// Runs the binary with `args` from the repository root, its stdout closed
/// before anything is printed: the exit code.
fn exit_with_stdout_closed(args: &[&str]) -> Option<i32> {
    let mut child = support::command()
        .env(support::SECRET_ENV, "a-test-secret-0123")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the command starts");
    drop(child.stdout.take());
    child.wait().expect("the command ends").code()
}

/// A command whose exit status is its verdict keeps it when the reader of
/// its stdout has gone (`… | head -1`). Before, `validate` of invalid
/// samples and `diff --format markdown` of a breaking change exited 0 (a
/// closed stdout was taken for success), and `diff --format json` exited 2.
#[test]
fn a_closed_stdout_keeps_the_verdict_of_every_judging_command() {
    let dir = temp_dir();
    let new = write(&dir, "new.json", &changed_spec());
    for format in ["human", "json", "markdown"] {
        assert_eq!(
            exit_with_stdout_closed(&["diff", "--format", format, "spec/openapi.json", &new]),
            Some(1),
            "diff --format {format}"
        );
    }
    // Enough invalid samples that their report fills the pipe.
    let samples = dir.path().join("invalid.ndjson");
    std::fs::write(&samples, "{\"x\":1}\n".repeat(5000)).expect("write the samples");
    let samples = samples.to_str().expect("UTF-8");
    for format in ["human", "json"] {
        assert_eq!(
            exit_with_stdout_closed(&["validate", "--format", format, samples]),
            Some(1),
            "validate --format {format}"
        );
    }
    let body = dir.path().join("body.json");
    std::fs::write(&body, "{}").expect("write the body");
    assert_eq!(
        exit_with_stdout_closed(&[
            "verify",
            "--header",
            "t=1,v1=00",
            "--body",
            body.to_str().expect("UTF-8"),
        ]),
        Some(1),
        "verify"
    );
}
