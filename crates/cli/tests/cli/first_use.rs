//! What a first-time user runs into with `send`, `sign`, `verify` and
//! `listen`: a fresh event id per send, clear errors for URLs that are not
//! http(s), a word on a terminal when standard input is read, no empty body
//! without `--allow-empty`, and a busy port named before the advice.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{self, SECRET_ENV, assert_exit, temp_dir, whereby};

const SECRET: &str = "bodies-test-secret";

/// Answers `count` requests with 200 on a fresh port and returns the port
/// and a receiver of each request's body.
fn receiver(count: usize) -> (u16, std::sync::mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (sender, bodies) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut data = Vec::new();
            let mut buffer = [0u8; 8192];
            let body = loop {
                let Ok(n) = stream.read(&mut buffer) else {
                    return;
                };
                if n == 0 {
                    return;
                }
                data.extend_from_slice(&buffer[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    break data[end + 4..end + 4 + length].to_vec();
                }
            };
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if sender.send(body).is_err() {
                return;
            }
        }
    });
    (port, bodies)
}

/// Sends with `args` to a fresh receiver and returns the event it got.
fn sent(args: &[&str]) -> Value {
    let (port, bodies) = receiver(1);
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .arg("send")
        .arg(format!("http://127.0.0.1:{port}/hook"))
        .args(args)
        .output()
        .expect("send runs");
    assert_exit(&output, 0);
    let body = bodies
        .recv_timeout(Duration::from_secs(10))
        .expect("a request");
    serde_json::from_slice(&body).expect("an event")
}

#[test]
fn each_send_has_a_fresh_id_and_the_current_time() {
    let first = sent(&["room.client.joined"]);
    let second = sent(&["room.client.joined"]);
    for event in [&first, &second] {
        let id = event["id"].as_str().expect("an id");
        assert_eq!(id.len(), 64, "{id}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
        let created = event["createdAt"].as_str().expect("createdAt");
        let at = humantime_seconds(created);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        assert!(now.abs_diff(at) < 120, "{created}");
    }
    assert_ne!(first["id"], second["id"]);

    // --keep-id sends the example as it is; --set still wins over both.
    let kept = sent(&["room.client.joined", "--keep-id"]);
    let examples = whereby()
        .args(["examples", "room.client.joined"])
        .output()
        .expect("examples");
    let example: Value = serde_json::from_slice(
        examples
            .stdout
            .split(|&b| b == b'\n')
            .next()
            .expect("a line"),
    )
    .expect("JSON");
    assert_eq!(kept, example);
    let set = sent(&["room.client.joined", "--set", "/id=\"mine\""]);
    assert_eq!(set["id"], "mine");
}

/// Seconds since 1970 of an RFC 3339 UTC time such as
/// `2026-03-31T09:00:04.512Z`, through `date`.
fn humantime_seconds(text: &str) -> u64 {
    let output = std::process::Command::new("date")
        .args(["-u", "-d", text, "+%s"])
        .output()
        .expect("run date");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a time: {text}"))
}

#[test]
fn urls_that_are_not_http_say_what_is_expected() {
    for (url, expected) in [
        ("127.0.0.1:8787/x", "write http://127.0.0.1:8787/x"),
        ("localhost:3000/whereby", "has no scheme"),
        ("ftp://example.com/x", "`ftp://` is not supported"),
        ("http:///x", "has no host"),
    ] {
        whereby()
            .env(SECRET_ENV, SECRET)
            .args(["send", url, "room.client.joined"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
}

#[test]
fn send_without_a_type_mentions_body() {
    whereby()
        .env(SECRET_ENV, SECRET)
        .args(["send", "http://127.0.0.1:9/x"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--body FILE")
                .and(predicate::str::contains("room.client.joined")),
        );
}

#[test]
fn an_empty_body_needs_allow_empty() {
    let dir = temp_dir();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").expect("write");
    for args in [vec!["sign"], vec!["verify", "--header", "t=1,v1=00"]] {
        whereby()
            .env(SECRET_ENV, SECRET)
            .args(&args)
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "the body is empty (standard input gave nothing)",
            ))
            .stderr(predicate::str::contains("--allow-empty"));
    }
    whereby()
        .env(SECRET_ENV, SECRET)
        .args(["send", "http://127.0.0.1:9/x", "--body"])
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is empty"));
    let signed = whereby()
        .env(SECRET_ENV, SECRET)
        .args(["sign", "--allow-empty", "--timestamp", "1606227791"])
        .write_stdin("")
        .output()
        .expect("sign runs");
    assert_exit(&signed, 0);
    let header = String::from_utf8(signed.stdout).expect("UTF-8");
    whereby()
        .env(SECRET_ENV, SECRET)
        .args([
            "verify",
            "--allow-empty",
            "--no-tolerance",
            "--header",
            header.trim(),
        ])
        .arg("--body")
        .arg(&empty)
        .assert()
        .code(0);
}

#[test]
fn reading_stdin_on_a_terminal_is_said() {
    let binary = support::binary();
    for command in ["sign", "verify --header t=1,v1=00"] {
        // `script` gives the command a terminal; its own empty stdin ends it.
        let output = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{} {command}", binary.display()),
                "/dev/null",
            ])
            .env(SECRET_ENV, SECRET)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run `script` (util-linux)");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("reading the body from standard input"),
            "{command}: {text}"
        );
    }
    // Not on a terminal: nothing said.
    whereby()
        .env(SECRET_ENV, SECRET)
        .args(["sign"])
        .write_stdin("{}")
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn send_help_lists_the_examples() {
    whereby()
        .args(["send", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "transcription.finished: live, recording",
        ));
}

#[test]
fn a_busy_port_gives_the_cause_then_the_advice() {
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = busy.local_addr().expect("addr");
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .args(["listen", "--addr", &addr.to_string()])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("listen runs");
    assert_exit(&output, 2);
    let err = String::from_utf8_lossy(&output.stderr);
    let cause = err
        .find("in use")
        .unwrap_or_else(|| panic!("no cause: {err}"));
    let advice = err
        .find("is another process using it?")
        .unwrap_or_else(|| panic!("no advice: {err}"));
    assert!(cause < advice, "{err}");
}
