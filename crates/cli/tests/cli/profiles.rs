//! `--profile`: other vendors' signature schemes in `sign`, `verify` and
//! `validate`, each checked against an answer from outside this project
//! (GitHub's documented example, the Standard Webhooks libraries' own test
//! message, the checked-in profile vectors).

use std::path::Path;

use crate::support::{SECRET_ENV, repo_root, temp_dir, whereby as bin};

fn out(command: &mut assert_cmd::Command) -> (i32, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a fixture");
    path
}

/// GitHub documents this secret, body and signature.
#[test]
fn github_signs_its_documented_example() {
    let dir = temp_dir();
    let body = write(dir.path(), "hello", b"Hello, World!");
    // Its spaces would split it in the environment: a file takes it whole.
    let secret = write(dir.path(), "secret", b"It's a Secret to Everybody\n");
    let (code, stdout, stderr) = out(bin()
        .args(["sign", "--profile", "github", "--secret-file"])
        .arg(&secret)
        .arg("--body")
        .arg(&body));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n"
    );
    let (code, stdout, _) = out(bin()
        .args(["verify", "--profile", "github", "--header", stdout.trim()])
        .arg("--secret-file")
        .arg(&secret)
        .arg("--body")
        .arg(&body));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("signs no timestamp"), "{stdout}");
}

/// The message the Standard Webhooks libraries sign in their tests.
#[test]
fn standard_webhooks_round_trip_and_doctor() {
    let dir = temp_dir();
    let body = write(dir.path(), "body.json", br#"{"test": 2432232314}"#);
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let (code, stdout, stderr) = out(bin().env(SECRET_ENV, secret).args([
        "sign",
        "--profile",
        "standard-webhooks",
        "--timestamp",
        "1614265330",
        "--id",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "--body",
        body.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1614265330\nwebhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n"
    );
    let verify = |body: &Path, now: &str| {
        let mut command = bin();
        command.env(SECRET_ENV, secret).args([
            "verify",
            "--profile",
            "standard-webhooks",
            "--now",
            now,
        ]);
        for line in stdout.lines() {
            command.args(["--header", line]);
        }
        out(command.arg("--body").arg(body))
    };
    let (code, text, _) = verify(&body, "1614265330");
    assert_eq!(
        (code, text.lines().next()),
        (
            0,
            Some("valid: signed at 1614265330 (2021-02-25T15:02:10Z)")
        )
    );
    let (code, text, _) = verify(&body, "1614266000");
    assert_eq!(code, 1);
    assert!(
        text.contains("stale_timestamp: webhook-timestamp 1614265330"),
        "{text}"
    );
    let compact = write(dir.path(), "compact.json", br#"{"test":2432232314}"#);
    let (code, text, _) = verify(&compact, "1614265330");
    assert_eq!(code, 1);
    assert!(text.contains("body_reserialized"), "{text}");
    assert!(!text.contains("Whereby"), "{text}");
    // A secret that is not base64 after `whsec_` is refused, unquoted.
    let (code, _, stderr) = out(bin()
        .env(SECRET_ENV, "whsec_!!not-base64-at-all!!")
        .args(["sign", "--profile", "standard-webhooks", "--body"])
        .arg(&body));
    assert_eq!(code, 2);
    assert!(stderr.contains("not base64"), "{stderr}");
    assert!(!stderr.contains("not-base64-at-all"), "{stderr}");
}

/// Every profile vector gets the verdict it is marked with.
#[test]
fn verify_agrees_with_the_profile_vectors() {
    let text = std::fs::read_to_string(repo_root().join("spec/profile-vectors.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dir = temp_dir();
    let mut checked = 0;
    for (profile, section) in file["profiles"].as_object().unwrap() {
        for vector in section["vectors"].as_array().unwrap() {
            let headers = vector["headers"].as_object().unwrap();
            if profile == "whereby" && headers.is_empty() {
                // The default profile's --header is the value itself.
                continue;
            }
            let body = write(
                dir.path(),
                "body",
                vector["body"].as_str().unwrap().as_bytes(),
            );
            let secret = write(
                dir.path(),
                "secret",
                vector["secret"].as_str().unwrap().as_bytes(),
            );
            let mut command = bin();
            command
                .args([
                    "verify",
                    "--allow-short-secret",
                    "--format",
                    "json",
                    "--profile",
                    profile,
                ])
                .args(["--now", &vector["now"].to_string(), "--secret-file"])
                .arg(&secret)
                .arg("--body")
                .arg(&body);
            if headers.is_empty() {
                command.args(["--header", "Absent-Header: x"]);
            }
            for (name, value) in headers {
                command.args(["--header", &format!("{name}: {}", value.as_str().unwrap())]);
            }
            let (code, stdout, stderr) = out(&mut command);
            let verdict: serde_json::Value =
                serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stdout}{stderr}"));
            let name = vector["name"].as_str().unwrap();
            assert_eq!(
                verdict["valid"], vector["valid"],
                "{profile} {name}: {stdout}"
            );
            assert_eq!(
                verdict["kind"], vector["kind"],
                "{profile} {name}: {stdout}"
            );
            assert_eq!(
                code,
                if vector["valid"] == true { 0 } else { 1 },
                "{profile} {name}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked}");
}

/// A document whose webhooks GitHub-style pin no `type`: the event comes
/// from `--event` and the body's `action`, or a record's header.
#[test]
fn validate_names_github_events_from_the_header() {
    let dir = temp_dir();
    let spec = write(
        dir.path(),
        "github.json",
        serde_json::to_string(&serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "webhooks": {
                "issues-opened": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["action", "issue"],
                    "properties": {"action": {"const": "opened"}, "issue": {"type": "object"}}
                }}}}}},
                "push": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["ref"]
                }}}}}}
            }
        }))
        .unwrap()
        .as_bytes(),
    );
    let payloads = write(
        dir.path(),
        "issues.ndjson",
        b"{\"action\":\"opened\",\"issue\":{}}\n{\"action\":\"opened\"}\n{\"action\":\"closed\",\"issue\":{}}\n",
    );
    let validate = |extra: &[&str], input: &Path| {
        out(bin()
            .args(["validate", "--profile", "github", "--spec"])
            .arg(&spec)
            .args(extra)
            .arg(input))
    };
    let (code, stdout, _) = validate(&["--event", "issues"], &payloads);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains(":1 (issues-opened)"), "{stdout}");
    assert!(stdout.contains("missing property issue"), "{stdout}");
    assert!(stdout.contains("no webhook \"issues-closed\""), "{stdout}");
    assert!(stdout.contains("1 valid, 2 invalid"), "{stdout}");
    // Without --event, a bare payload names no event.
    let (code, stdout, _) = validate(&[], &payloads);
    assert_eq!(code, 1);
    assert!(stdout.contains("give --event NAME"), "{stdout}");
    // A record carries its header.
    let record = serde_json::json!({
        "received_at": "2026-01-01T00:00:00.000Z", "method": "POST", "path": "/", "status": 200,
        "verdict": "authentic",
        "headers": {"content-type": "application/json", "X-GitHub-Event": "push"},
        "raw_body": "{\"ref\":\"refs/heads/main\"}"
    });
    let records = write(
        dir.path(),
        "record.ndjson",
        format!("{record}\n").as_bytes(),
    );
    let (code, stdout, _) = validate(&[], &records);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("(push)"), "{stdout}");
    // --event means nothing to a profile that reads `type`.
    let (code, _, stderr) = out(bin().args(["validate", "--event", "issues"]).arg(&payloads));
    assert_eq!(code, 2);
    assert!(stderr.contains("--event is read with profiles"), "{stderr}");
}

/// `send --profile` signs with the scheme's headers, which the scheme's
/// verification accepts as received.
#[test]
fn send_signs_with_the_profiles_headers() {
    use crate::support::listen::{App, header};
    use whereby_webhooks_signature::{Profile, Tolerance, now_unix};
    for (profile, secret) in [
        (
            Profile::StandardWebhooks,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (Profile::Github, "a-github-webhook-secret"),
        (Profile::Stripe, "whsec_a-stripe-endpoint-secret"),
    ] {
        let app = App::start(Some(200));
        let url = format!("http://127.0.0.1:{}/hook", app.port);
        let (code, _, stderr) = out(bin().env(SECRET_ENV, secret).args([
            "send",
            &url,
            "room.client.joined",
            "--profile",
            profile.name(),
        ]));
        assert_eq!(code, 0, "{profile}: {stderr}");
        let (head, body) = app
            .requests
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the app got the delivery");
        let scheme = profile.scheme();
        assert_eq!(
            header(&head, "whereby-signature"),
            None,
            "{profile}: {head}"
        );
        let mut names = scheme.signed_headers();
        if profile == Profile::Github {
            names.push("X-GitHub-Event");
            assert_eq!(header(&head, "x-github-event"), Some("room.client.joined"));
        }
        let headers: Vec<(&str, &str)> = names
            .iter()
            .filter_map(|name| Some((*name, header(&head, name)?)))
            .collect();
        let key = scheme.secret(secret).unwrap();
        let verified = scheme.verify(&headers, &body, &[key], Tolerance::DEFAULT, now_unix());
        assert!(verified.is_ok(), "{profile}: {verified:?} {head}");
    }
}

/// `replay --profile` signs each recorded body afresh with the scheme's
/// headers, GitHub's event header taken from the record.
#[test]
fn replay_signs_with_the_profiles_headers() {
    use crate::support::listen::{App, header};
    use crate::support::record_line;
    use whereby_webhooks_signature::{Profile, Tolerance, now_unix};
    let body = r#"{"id":"evt_1","type":"room.client.joined"}"#;
    for (profile, secret) in [
        (
            Profile::StandardWebhooks,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (Profile::Github, "a-github-webhook-secret"),
    ] {
        let dir = temp_dir();
        let mut line = record_line("authentic", 200, body);
        line["headers"] = serde_json::json!({"x-github-event": "issues"});
        let record = write(dir.path(), "record.ndjson", format!("{line}\n").as_bytes());
        let app = App::start(Some(200));
        let url = format!("http://127.0.0.1:{}/hook", app.port);
        let (code, stdout, stderr) = out(bin()
            .env(SECRET_ENV, secret)
            .args(["replay", "--profile", profile.name()])
            .arg(&record)
            .arg(&url));
        assert_eq!(code, 0, "{profile}: {stdout}{stderr}");
        let (head, sent) = app
            .requests
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the app got the delivery");
        assert_eq!(sent, body.as_bytes());
        assert_eq!(
            header(&head, "whereby-signature"),
            None,
            "{profile}: {head}"
        );
        let scheme = profile.scheme();
        let headers: Vec<(&str, &str)> = scheme
            .signed_headers()
            .into_iter()
            .filter_map(|name| Some((name, header(&head, name)?)))
            .collect();
        let key = scheme.secret(secret).unwrap();
        let verified = scheme.verify(&headers, &sent, &[key], Tolerance::DEFAULT, now_unix());
        assert!(verified.is_ok(), "{profile}: {verified:?} {head}");
        match profile {
            Profile::Github => {
                assert_eq!(header(&head, "x-github-event"), Some("issues"), "{head}")
            }
            _ => assert_eq!(header(&head, "webhook-id"), Some("evt_1"), "{head}"),
        }
    }
}

/// `listen --profile github` answers GitHub-signed deliveries as the judge
/// says, names GitHub's header when refusing, and records the scheme's
/// headers; `send --profile github` is what it accepts.
#[test]
fn listen_judges_and_records_another_scheme() {
    use crate::support::listen::{Listener, SECRET, raw, read_record, send};
    let dir = temp_dir();
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&[
        "--profile",
        "github",
        "--record",
        record.to_str().expect("UTF-8 path"),
    ]);
    let url = format!("http://127.0.0.1:{}/webhooks", listener.port);
    let (code, stdout) = send(&url, &["room.client.joined", "--profile", "github"], SECRET);
    assert_eq!(code, 0, "{stdout}");
    // Whereby's header means nothing to a GitHub receiver.
    let (code, _) = send(&url, &["room.client.joined"], SECRET);
    assert_eq!(code, 1);
    let (status, answer) = raw(listener.port, "POST", &[], b"{}");
    assert_eq!(status, 401);
    assert!(
        answer.contains("missing X-Hub-Signature-256 header"),
        "{answer}"
    );
    let (status, _) = raw(
        listener.port,
        "POST",
        &[("X-Hub-Signature-256", b"sha256=00")],
        b"{}",
    );
    assert_eq!(status, 400);
    let stopped = listener.interrupt();
    assert!(stopped.status.success(), "{}", stopped.stderr);
    let lines = read_record(&record);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0]["verdict"], "authentic", "{}", lines[0]);
    assert_eq!(lines[0]["headers"]["x-github-event"], "room.client.joined");
    // GitHub signs no timestamp: the record shows none, not the time of
    // arrival.
    assert_eq!(
        lines[0]["signature"]["timestamp"],
        serde_json::Value::Null,
        "{}",
        lines[0]
    );
    assert!(
        lines[0]["headers"]["x-hub-signature-256"].is_string(),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1]["verdict"], "refused", "{}", lines[1]);
    assert!(
        !stopped.lines.join("\n").contains("Whereby-Signature"),
        "{:?}",
        stopped.lines
    );
}

/// `send --spec DOC KEY` sends a body for one of another document's
/// webhooks (from --examples, else the document's example, else a minimal
/// body from its schema, saying which), named as the scheme names events;
/// a `listen` judging by the same document accepts it as that webhook.
#[test]
fn send_builds_a_body_for_another_document_s_webhook() {
    use crate::support::listen::{Listener, SECRET, read_record};
    let dir = temp_dir();
    let spec = write(
        dir.path(),
        "github.json",
        serde_json::to_string(&serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "webhooks": {
                "issues-opened": {"post": {
                    "parameters": [{"name": "X-Github-Event", "in": "header", "example": "issues",
                        "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["action", "issue"],
                        "properties": {"action": {"enum": ["opened"]}, "issue": {
                            "type": "object", "required": ["number"],
                            "properties": {"number": {"type": "integer", "minimum": 1}}
                        }}
                    }}}}
                }}
            }
        }))
        .unwrap()
        .as_bytes(),
    );
    let examples = write(
        dir.path(),
        "index.json",
        br#"[{"name": "issues", "examples": [{"action": "opened", "issue": {"number": 42}}]}]"#,
    );
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&[
        "--profile",
        "github",
        "--spec",
        spec.to_str().expect("UTF-8 path"),
        "--record",
        record.to_str().expect("UTF-8 path"),
    ]);
    let url = format!("http://127.0.0.1:{}/", listener.port);
    let send = |extra: &[&str]| {
        out(bin()
            .env(SECRET_ENV, SECRET)
            .args([
                "send",
                &url,
                "issues-opened",
                "--profile",
                "github",
                "--spec",
            ])
            .arg(&spec)
            .args(extra))
    };
    let (code, stdout, stderr) = send(&[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("a minimal body built from its schema"),
        "{stderr}"
    );
    let (code, stdout, stderr) = send(&["--examples", examples.to_str().expect("UTF-8")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("--examples file"), "{stderr}");
    let (code, _, stderr) = send(&["--set", "/issue/number=0"]);
    assert_eq!(code, 1, "an edited body the document refuses: {stderr}");
    let (code, _, stderr) = out(bin()
        .env(SECRET_ENV, SECRET)
        .args([
            "send",
            &url,
            "issues-reopened",
            "--profile",
            "github",
            "--spec",
        ])
        .arg(&spec));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no webhook `issues-reopened`") && stderr.contains("issues-opened"),
        "{stderr}"
    );
    let stopped = listener.interrupt();
    assert!(stopped.status.success(), "{}", stopped.stderr);
    let lines = read_record(&record);
    let bodies: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line["raw_body"].as_str().expect("a body")).expect("JSON"))
        .collect();
    assert_eq!(
        bodies[0],
        serde_json::json!({"action": "opened", "issue": {"number": 1}})
    );
    assert_eq!(bodies[1]["issue"]["number"], 42);
    for line in &lines[..2] {
        assert_eq!(line["headers"]["x-github-event"], "issues", "{line}");
        assert_eq!(line["schema"]["valid"], true, "{line}");
    }
    assert_eq!(lines[2]["status"], 422, "{}", lines[2]);
}

/// A header value taken from the body (its `id`, its `type`) that no header
/// can hold is refused before anything is sent, naming the header, not
/// reported as a bad answer from a receiver that never saw it.
#[test]
fn send_refuses_a_header_from_the_body_that_cannot_be_one() {
    let dir = temp_dir();
    let body = write(
        dir.path(),
        "e.json",
        b"{\"type\":\"room.client.joined\",\"id\":\"evt_1\\r\\nX-Evil: 1\"}",
    );
    for (profile, secret, header) in [
        (
            "standard-webhooks",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "webhook-id",
        ),
        ("github", "a-github-webhook-secret", "X-GitHub-Delivery"),
    ] {
        let (code, _, stderr) = out(bin().env(SECRET_ENV, secret).args([
            "send",
            "--profile",
            profile,
            "--body",
            body.to_str().expect("UTF-8"),
            "http://127.0.0.1:9/webhooks",
        ]));
        assert_eq!(code, 2, "{profile}: {stderr}");
        assert!(
            stderr.contains(&format!("the {header} header would be")),
            "{profile}: {stderr}"
        );
        assert!(!stderr.contains('\r'), "{profile}: {stderr}");
    }
}
