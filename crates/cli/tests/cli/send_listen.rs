//! `listen` end to end, as a child process: good and bad deliveries from
//! `send` and from a raw HTTP client, the answers, the record file, the
//! shutdown on SIGINT, and `--forward-to`.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use whereby_webhooks_signature::{Secret, now_unix, sign};

use crate::support::listen::{App, Listener, SECRET, header, raw, read_record, send, signed_post};
use crate::support::{self, SECRET_ENV, whereby};

/// One delivery of the end-to-end test and what must come of it.
struct Expect {
    what: &'static str,
    status: u16,
    signature: Option<bool>,
    schema: Option<bool>,
    /// How the body is kept: `raw` (exact, UTF-8), `base64` (exact),
    /// `prefix` (first bytes, length and SHA-256), `unread`.
    kept: &'static str,
}

#[test]
fn listen_end_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&[
        "--record",
        record.to_str().expect("UTF-8 path"),
        "--format",
        "json",
        "--max-body",
        "65536",
    ]);
    let url = listener.url("/webhooks/whereby");
    let port = listener.port;
    let mut expected = Vec::new();
    let mut expect = |what, status, signature, schema, kept| {
        expected.push(Expect {
            what,
            status,
            signature,
            schema,
            kept,
        });
    };

    // From `send`, with credentials of other kinds that must not be recorded.
    let (code, out) = send(
        &format!("{url}?token=hush-hush"),
        &[
            "room.client.joined",
            "--header",
            "Authorization: Bearer hush-hush",
            "--header",
            "Cookie: session=hush-hush",
        ],
        SECRET,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("200 OK in "), "{out}");
    assert!(out.contains("accepted room.client.joined"), "{out}");
    expect("good example", 200, Some(true), Some(true), "raw");

    let (code, out) = send(
        &url,
        &[
            "transcription.finished",
            "--set",
            "/data/durationInSeconds=\"long\"",
        ],
        SECRET,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("422 "), "{out}");
    assert!(out.contains("/data/durationInSeconds"), "{out}");
    expect(
        "--set makes it schema-invalid",
        422,
        Some(true),
        Some(false),
        "raw",
    );

    let (code, out) = send(&url, &["room.session.started"], "the-wrong-secret");
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("401 "), "{out}");
    expect("wrong secret", 401, Some(false), None, "prefix");

    let (code, out) = send(
        &url,
        &["room.session.started", "--timestamp", "1606227791"],
        SECRET,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("401 "), "{out}");
    assert!(out.contains("old"), "{out}");
    expect("replayed", 401, Some(false), None, "prefix");

    // From a raw client.
    let event = br#"{"id":"raw-1","apiVersion":"1.0","createdAt":"2026-03-31T09:00:04.700Z","type":"room.session.started","data":{"roomName":"/demo","roomSessionId":null,"subdomain":"acme"}}"#;
    assert_eq!(signed_post(port, event).0, 200);
    expect("raw good", 200, Some(true), Some(true), "raw");

    let (status, answer) = raw(port, "POST", &[], event);
    assert_eq!(status, 401, "{answer}");
    assert!(
        answer.contains("missing Whereby-Signature header"),
        "{answer}"
    );
    expect("no header", 401, None, None, "prefix");

    let (status, answer) = raw(
        port,
        "POST",
        &[("Whereby-Signature", b"t=abc,v1=00")],
        event,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("malformed Whereby-Signature header"),
        "{answer}"
    );
    expect("malformed header", 400, Some(false), None, "prefix");

    let (status, answer) = raw(
        port,
        "POST",
        &[("Whereby-Signature", b"t=1,v1=\xff\xfe")],
        event,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("not UTF-8"), "{answer}");
    expect("header not UTF-8", 400, None, None, "prefix");

    let (status, answer) = signed_post(port, b"{\"type\": \"room.session.started\",");
    assert_eq!(status, 422, "{answer}");
    expect("signed, not JSON", 422, Some(true), Some(false), "raw");

    let (status, answer) = signed_post(port, b"{\"id\": \"\xff\xfe\"}");
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("UTF-8"), "{answer}");
    expect("signed, not UTF-8", 422, Some(true), Some(false), "base64");

    let (status, answer) = signed_post(port, &vec![b' '; 65537]);
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("--max-body"), "{answer}");
    expect("too large", 413, None, None, "prefix");

    let (status, _) = raw(port, "GET", &[], b"");
    assert_eq!(status, 405);
    expect("GET", 405, None, None, "unread");

    let stopped = listener.interrupt();
    assert!(
        stopped.status.success(),
        "{:?}: {}",
        stopped.status,
        stopped.stderr
    );
    assert!(
        stopped
            .stderr
            .contains("stopped: 12 deliveries (2 accepted, 10 refused)"),
        "{}",
        stopped.stderr
    );

    // Nothing secret is written anywhere.
    let text = std::fs::read_to_string(&record).expect("the record");
    for output in [&text, &stopped.lines.join("\n"), &stopped.stderr] {
        assert!(!output.contains(SECRET), "{output}");
        assert!(!output.contains("hush-hush"), "{output}");
    }

    // One record line per delivery, in the order sent, with the verdicts.
    let lines = read_record(&record);
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, expect) in lines.iter().zip(&expected) {
        let what = expect.what;
        assert_eq!(line["status"], expect.status, "{what}: {line}");
        assert_eq!(
            line["signature"]["valid"].as_bool(),
            expect.signature,
            "{what}: {line}"
        );
        assert_eq!(
            line["schema"]["valid"].as_bool(),
            expect.schema,
            "{what}: {line}"
        );
        let kept = match (
            line.get("raw_body").is_some(),
            line.get("raw_body_base64").is_some(),
            line.get("body_sha256").is_some(),
        ) {
            (_, _, true) => "prefix",
            (true, false, false) => "raw",
            (false, true, false) => "base64",
            (false, false, false) => "unread",
            _ => "both",
        };
        assert_eq!(kept, expect.kept, "{what}: {line}");
        if kept == "prefix" {
            assert!(
                line["raw_body"].as_str().is_none_or(|b| b.len() <= 256),
                "{what}: {line}"
            );
        }
        assert!(
            line["received_at"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
        assert!(line.get("type").is_none(), "{what}: {line}");
        // Headers are recorded, lowercased.
        let headers = line["headers"].as_object().expect("headers");
        assert!(headers.keys().all(|k| *k == k.to_lowercase()), "{line}");
        // Only the allow-listed ones.
        assert!(!headers.contains_key("host"), "{line}");
        assert!(headers.contains_key("content-length"), "{line}");
    }
    // A signature that held carries its timestamp; a refused one its reason.
    assert!(lines[0]["signature"]["timestamp"].as_u64().is_some());
    assert_eq!(lines[0]["path"], "/webhooks/whereby");
    let body = |line: &Value| -> Value {
        serde_json::from_str(line["raw_body"].as_str().expect("a raw body")).expect("JSON")
    };
    assert!(body(&lines[0])["data"]["displayName"].is_string());
    // The exact bytes: the recorded signature verifies again.
    let secret = Secret::new(SECRET).expect("non-empty");
    let raw = lines[4]["raw_body"].as_str().expect("a raw body");
    let header = lines[4]["headers"]["whereby-signature"]
        .as_str()
        .expect("a signature");
    whereby_webhooks_signature::verify(
        header,
        raw.as_bytes(),
        &[secret],
        whereby_webhooks_signature::Tolerance::Disabled,
        0,
    )
    .expect("the recorded signature holds for the recorded bytes");
    assert_eq!(
        lines[2]["signature"]["error"]
            .as_str()
            .map(|e| e.contains("right secret")),
        Some(true)
    );
    assert_eq!(lines[3]["signature"]["timestamp"], 1_606_227_791);
    assert_eq!(
        lines[1]["schema"]["errors"][0]["instance_path"],
        "/data/durationInSeconds"
    );
    assert_eq!(lines[1]["schema"]["event_type"], "transcription.finished");
    assert_eq!(lines[10]["body_truncated"], true);
    assert_eq!(lines[10]["body_bytes"], 65537);

    // stdout: one JSON object per delivery, in the same order.
    assert_eq!(stopped.lines.len(), expected.len(), "{:#?}", stopped.lines);
    for (line, expect) in stopped.lines.iter().zip(&expected) {
        let line: Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(line["status"], expect.status, "{}", expect.what);
        assert!(line.get("body").is_none());
    }
    let first: Value = serde_json::from_str(&stopped.lines[0]).expect("JSON");
    assert_eq!(first["event_type"], "room.client.joined");

    // The bodies that passed here pass `validate`, and the others fail it:
    // the record file is read back as what was received.
    let conformance = whereby_webhooks_conformance::Validator::embedded(Default::default())
        .expect("embedded spec");
    for (line, expect) in lines.iter().zip(&expected) {
        if expect.schema == Some(true) {
            assert!(
                conformance.validate_value(&body(line)).is_valid(),
                "{}",
                expect.what
            );
        }
    }
    let accepted: String = lines
        .iter()
        .filter(|line| line["status"] == 200)
        .map(|line| format!("{line}\n"))
        .collect();
    let accepted_path = dir.path().join("accepted.ndjson");
    std::fs::write(&accepted_path, accepted).expect("write");
    let out = whereby()
        .arg("validate")
        .arg(&accepted_path)
        .output()
        .expect("validate runs");
    support::assert_exit(&out, 0);
    let out = whereby()
        .arg("validate")
        .arg(&record)
        .output()
        .expect("validate runs");
    support::assert_exit(&out, 1);
}

#[test]
fn forward_to_relays_the_raw_delivery_and_the_answer() {
    let app = App::start(Some(202));
    let dir = tempfile::tempdir().expect("temp dir");
    let record = dir.path().join("record.ndjson");
    let target = format!("http://127.0.0.1:{}/app/hook", app.port);
    let listener = Listener::start(&[
        "--forward-to",
        &target,
        "--record",
        record.to_str().expect("UTF-8 path"),
    ]);

    // Odd but valid JSON: it must arrive exactly as sent, not re-serialised.
    let body = b"{ \"id\" : \"fwd-1\", \"apiVersion\":\"1.0\",\n\"createdAt\":\"2026-03-31T09:00:04.700Z\",\"type\":\"room.session.ended\",\"data\":{\"roomName\":\"/r\",\"roomSessionId\":\"s\",\"subdomain\":\"acme\", \"extra\": 1.50}}";
    let secret = Secret::new(SECRET).expect("non-empty");
    let signature = sign(&secret, now_unix(), body);
    let (status, answer) = raw(
        listener.port,
        "POST",
        &[
            ("Content-Type", b"application/json"),
            ("Whereby-Signature", signature.as_bytes()),
            ("X-Trace", b"abc"),
        ],
        body,
    );
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer, "app says hi");
    let (head, forwarded) = app
        .requests
        .recv_timeout(Duration::from_secs(10))
        .expect("the app got the delivery");
    assert_eq!(forwarded, body);
    assert!(head.starts_with("POST /app/hook HTTP/1.1\r\n"), "{head}");
    assert_eq!(header(&head, "whereby-signature"), Some(signature.as_str()));
    assert_eq!(header(&head, "content-type"), Some("application/json"));
    assert_eq!(header(&head, "x-trace"), Some("abc"));

    // A schema-invalid but authentic delivery is forwarded too; the
    // application's answer decides.
    assert_eq!(signed_post(listener.port, b"{}").0, 202);
    let (_, forwarded) = app
        .requests
        .recv_timeout(Duration::from_secs(10))
        .expect("forwarded");
    assert_eq!(forwarded, b"{}");

    // An unsigned one is not.
    assert_eq!(raw(listener.port, "POST", &[], body).0, 401);

    let stopped = listener.interrupt();
    assert!(stopped.status.success(), "{}", stopped.stderr);
    assert!(
        app.requests.try_recv().is_err(),
        "the unsigned delivery was forwarded"
    );
    let lines = read_record(&record);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["status"], 202);
    assert_eq!(lines[0]["forward"]["status"], 202);
    assert_eq!(lines[0]["forward"]["url"], target.as_str());
    assert_eq!(lines[1]["schema"]["valid"], false);
    assert_eq!(lines[1]["forward"]["status"], 202);
    assert!(lines[2].get("forward").is_none());
}

#[test]
#[ignore = "slow"]
fn forward_failures_are_5xx_so_whereby_retries() {
    // Nothing listens on a port that was just released.
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let down = Listener::start(&["--forward-to", &format!("http://127.0.0.1:{closed}/")]);
    let (status, answer) = signed_post(down.port, b"{}");
    assert_eq!(status, 502, "{answer}");
    assert!(answer.contains("forwarding to"), "{answer}");
    assert!(down.interrupt().status.success());

    // An application that never answers: `listen` gives up in time for
    // Whereby's 5 s limit.
    let stuck = App::start(None);
    let listener = Listener::start(&["--forward-to", &format!("http://127.0.0.1:{}/", stuck.port)]);
    let started = Instant::now();
    let (status, answer) = signed_post(listener.port, b"{}");
    let took = started.elapsed();
    assert_eq!(status, 504, "{answer}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    assert!(
        took >= Duration::from_secs(3),
        "gave up early, after {took:?}"
    );
    assert!(stuck.requests.recv_timeout(Duration::from_secs(1)).is_ok());
    assert!(listener.interrupt().status.success());
}

#[test]
fn listen_refuses_to_start_without_a_secret_or_with_a_bad_record_path() {
    let out = whereby()
        .args(["listen", "--addr", "127.0.0.1:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no signing secret"));

    let out = whereby()
        .env(SECRET_ENV, SECRET)
        .args([
            "listen",
            "--addr",
            "127.0.0.1:0",
            "--record",
            "/nonexistent-dir/record.ndjson",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open the record file"));
}

#[test]
fn send_usage_errors() {
    let (code, _) = send("http://127.0.0.1:9/", &["room.client.teleported"], SECRET);
    assert_eq!(code, 2);
    let (code, _) = send(
        "http://127.0.0.1:9/",
        &["room.client.joined", "--set", "/data/displayName=Ada"],
        SECRET,
    );
    assert_eq!(code, 2);
    // Nothing listens on the discard port: a connection error, not a verdict.
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .args(["send", "http://127.0.0.1:9/", "room.client.joined"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is the receiver running"));
}

#[test]
fn send_body_goes_byte_for_byte() {
    let app = App::start(Some(204));
    let dir = tempfile::tempdir().expect("temp dir");
    let body = b"{\"not\": \"an event\" }\n";
    let path = dir.path().join("body.json");
    std::fs::write(&path, body).expect("write");
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .arg("send")
        .arg(format!("http://127.0.0.1:{}/x", app.port))
        .arg("--body")
        .arg(&path)
        .args(["--timestamp", "1606227791", "--header", "X-Extra: 1"])
        .output()
        .expect("send runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("204 "));
    let (head, received) = app
        .requests
        .recv_timeout(Duration::from_secs(10))
        .expect("received");
    assert_eq!(received, body);
    let secret = Secret::new(SECRET).expect("non-empty");
    assert_eq!(
        header(&head, "whereby-signature"),
        Some(sign(&secret, 1_606_227_791, body).as_str())
    );
    assert_eq!(header(&head, "x-extra"), Some("1"));
    assert_eq!(header(&head, "content-type"), Some("application/json"));
}

/// `validate`'s JSON and human output for one body, written to a file.
fn validate_body(dir: &Path, name: &str, body: &[u8]) -> (Value, Vec<String>) {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write the body");
    let path = path.to_str().expect("UTF-8");
    let json = whereby()
        .args(["validate", "--format", "json", path])
        .output()
        .expect("validate runs");
    let json: Value = serde_json::from_slice(&json.stdout).expect("one JSON line");
    let human = whereby()
        .args(["validate", path])
        .output()
        .expect("validate runs");
    let issues = String::from_utf8(human.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|line| line.strip_prefix("  ").map(str::to_owned))
        .collect();
    (json, issues)
}

/// `listen` judges a body as `validate` does and says so in the same words:
/// its record line's `schema.errors` are `validate --format json`'s
/// `errors`, and its human line gives `validate`'s issue lines.
#[test]
fn listen_reports_the_issues_validate_reports() {
    let example = whereby()
        .args(["examples", "room.client.joined"])
        .output()
        .expect("examples runs");
    let example = String::from_utf8(example.stdout).expect("UTF-8");
    let mut event: Value = serde_json::from_str(example.lines().next().expect("an example"))
        .expect("the example is JSON");
    // One issue at a property, one about the payload as a whole.
    event["data"]["numClients"] = Value::from(-1);
    event.as_object_mut().expect("an object").remove("id");
    let schema_errors = serde_json::to_vec(&event).expect("JSON");
    let duplicate = b"{\"type\":\"room.client.joined\",\"type\":\"bogus\"}".to_vec();
    let not_json = b"{\"type\": \"room.client.joined\",\x1b[2J".to_vec();
    let bodies = [schema_errors, duplicate, not_json];

    let dir = support::temp_dir();
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&["--record", record.to_str().expect("UTF-8")]);
    for body in &bodies {
        assert_eq!(signed_post(listener.port, body).0, 422);
    }
    let stopped = listener.interrupt();
    let recorded = read_record(&record);
    assert_eq!(recorded.len(), bodies.len(), "{recorded:#?}");
    assert_eq!(stopped.lines.len(), bodies.len(), "{:#?}", stopped.lines);

    for (i, body) in bodies.iter().enumerate() {
        let (json, issues) = validate_body(dir.path(), &format!("{i}.json"), body);
        assert_eq!(json["valid"], false);
        let schema = &recorded[i]["schema"];
        assert_eq!(schema["errors"], json["errors"], "body {i}");
        assert_eq!(schema["event_type"], json["event_type"], "body {i}");
        assert!(!issues.is_empty(), "body {i}");
        let human = format!("schema INVALID ({})", issues.join("; "));
        assert!(
            stopped.lines[i].contains(&human),
            "body {i}: {:?} does not contain {human:?}",
            stopped.lines[i]
        );
        assert!(!stopped.lines[i].contains('\x1b'), "{:?}", stopped.lines[i]);
    }
    assert!(
        recorded[0]["schema"]["errors"]
            .as_array()
            .expect("errors")
            .len()
            >= 2
    );
    assert_eq!(recorded[1]["schema"]["errors"][0]["kind"], "duplicate_key");
    assert_eq!(recorded[2]["schema"]["errors"][0]["kind"], "syntax");
}

/// What `listen` prints, in both formats, for one delivery of each kind:
/// accepted, not conforming, unsigned, signed with another secret, of a type
/// the spec does not describe.
#[test]
fn listen_lines_for_each_kind_of_delivery() {
    let example = support::example();
    let invalid = example.replace("\"numClients\":2", "\"numClients\":\"2\"");
    let unknown = example.replace("\"room.client.joined\"", "\"room.session.paused\"");
    assert!(invalid != example && unknown != example, "{example}");
    let other = sign(
        &Secret::new("another-secret-0123").expect("non-empty"),
        now_unix(),
        example.as_bytes(),
    );
    for format in ["human", "json"] {
        let listener = Listener::start(&["--format", format]);
        let port = listener.port;
        assert_eq!(signed_post(port, example.as_bytes()).0, 200);
        assert_eq!(signed_post(port, invalid.as_bytes()).0, 422);
        assert_eq!(raw(port, "POST", &[], example.as_bytes()).0, 401);
        let forged = [("Whereby-Signature", other.as_bytes())];
        assert_eq!(raw(port, "POST", &forged, example.as_bytes()).0, 401);
        assert_eq!(signed_post(port, unknown.as_bytes()).0, 200);
        let stopped = listener.interrupt();
        assert!(stopped.status.success(), "{}", stopped.stderr);
        let stdout = stopped.lines.join("\n");
        let stdout = match format {
            "json" => support::snapshot::json_lines(&stdout),
            _ => support::snapshot::redact(&stdout),
        };
        insta::assert_snapshot!(
            format!("listen_{format}"),
            format!("{stdout}\n--- stderr\n{}", stopped.stderr)
        );
    }
}
