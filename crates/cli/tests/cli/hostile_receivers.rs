//! The commands that send (`send`, `replay`, `check-receiver` and `listen
//! --forward-to`) against a receiver that answers badly: an answer is only
//! an answer once its body has arrived, URLs never show their credentials,
//! and nothing a receiver or a URL holds reaches the terminal raw.

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crate::support::listen::{App, Listener, SECRET, read_record, signed_post};
use crate::support::{self, SECRET_ENV, whereby};

/// A password put in URLs, never to be shown.
const PASSWORD: &str = "S3cretPw";

/// A receiver that reads each request's first bytes, writes `answer` and
/// then, with `hold`, keeps the connection open without another byte;
/// without, closes it.
struct Hostile {
    port: u16,
}

impl Hostile {
    fn start(answer: Vec<u8>, hold: bool) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let mut request = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut request);
                let _ = stream.write_all(&answer);
                if hold {
                    held.push(stream);
                }
            }
        });
        Hostile { port }
    }

    /// `200` with a `Content-Length` of 1000 and three bytes of it.
    fn short_body(hold: bool) -> Hostile {
        Hostile::start(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc".to_vec(),
            hold,
        )
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Runs the binary with `args` (and the test secret): exit code, stdout
/// and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A body that stops arriving (the time-out passes) or is cut off by a
/// closed connection is no answer, for every command that sends: before,
/// its status alone was taken as the answer.
#[test]
#[ignore = "slow"]
fn an_answer_whose_body_does_not_arrive_is_no_answer() {
    for hold in [true, false] {
        let receiver = Hostile::short_body(hold);
        let url = receiver.url();
        let (code, stdout, stderr) = run(&["send", "--timeout", "2", &url, "room.client.joined"]);
        assert_eq!(code, 2, "hold {hold}: {stdout}{stderr}");
        let why = if hold {
            "no answer in time"
        } else {
            "closed the connection"
        };
        assert!(stderr.contains(why), "hold {hold}: {stderr}");

        // Both deliveries of the check would pass on a 200. A time-out
        // fails the check; a connection closed without a whole answer
        // means the URL cannot be used (exit 2), as when it is refused.
        let (code, stdout, stderr) = run(&[
            "check-receiver",
            &url,
            "--only",
            "accepts-redelivery",
            "--interval",
            "0",
            "--timeout",
            "2",
        ]);
        if hold {
            assert_eq!(code, 1, "{stdout}{stderr}");
            assert!(stdout.contains("FAIL  accepts-redelivery"), "{stdout}");
        } else {
            assert_eq!(code, 2, "{stdout}{stderr}");
            assert!(stderr.contains(why), "{stderr}");
        }
    }

    // Forwarded: the sender gets 504 (time-out) or 502 (closed), never the
    // application's unfinished 200.
    for (hold, expected) in [(true, 504), (false, 502)] {
        let app = Hostile::short_body(hold);
        let listener = Listener::start(&["--forward-to", &app.url()]);
        let (status, answer) = signed_post(listener.port, support::example().as_bytes());
        assert_eq!(status, expected, "hold {hold}: {answer}");
        listener.interrupt();
    }
}

/// `replay` reads answers as `send` does: a recorded delivery whose answer
/// never arrives whole is counted as not answered.
#[test]
fn replay_counts_an_unfinished_answer_as_none() {
    let dir = support::temp_dir();
    let record = dir.path().join("record.ndjson");
    let record_arg = record.to_str().expect("UTF-8");
    let listener = Listener::start(&["--record", record_arg]);
    let (status, _) = signed_post(listener.port, support::example().as_bytes());
    assert_eq!(status, 200);
    listener.interrupt();
    assert_eq!(read_record(&record).len(), 1);

    let receiver = Hostile::short_body(false);
    let (code, stdout, stderr) = run(&["replay", record_arg, &receiver.url(), "--timeout", "2"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("no answer"), "{stdout}");
    assert!(stderr.contains("0 answered 2xx, 1 not"), "{stderr}");
}

/// A body longer than the 64 KiB kept is shown cut, and says so; before,
/// nothing of it was shown.
#[test]
fn a_long_answer_is_shown_cut_and_says_so() {
    let answering = |length: usize| {
        Hostile::start(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{}",
                "x".repeat(length)
            )
            .into_bytes(),
            false,
        )
    };
    let note = "the body goes on past its first 64 KiB";
    let receiver = answering(70_000);
    let (code, stdout, stderr) = run(&["send", &receiver.url(), "room.client.joined"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&"x".repeat(64 * 1024)), "{stdout:.200}");
    assert!(!stdout.contains(&"x".repeat(64 * 1024 + 1)));
    assert!(stdout.contains(note), "{stdout:.200}");
    // Exactly 64 KiB is whole.
    let receiver = answering(64 * 1024);
    let (code, stdout, stderr) = run(&["send", &receiver.url(), "room.client.joined"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&"x".repeat(64 * 1024)), "{stdout:.200}");
    assert!(!stdout.contains(note), "{stdout:.200}");
}

/// A user name and password in a URL appear nowhere: not in what `listen`
/// prints, records or answers, nor in what `send`, `replay --dry-run` and
/// `check-receiver` print.
#[test]
fn credentials_in_a_url_are_never_shown_or_recorded() {
    let dir = support::temp_dir();
    let record = dir.path().join("record.ndjson");
    let record_arg = record.to_str().expect("UTF-8");
    let url = format!("http://app:{PASSWORD}@127.0.0.1:{}/app", closed_port());
    let listener = Listener::start(&["--forward-to", &url, "--record", record_arg]);
    let (status, answer) = signed_post(listener.port, support::example().as_bytes());
    assert_eq!(status, 502, "{answer}");
    assert!(answer.contains("http://***@127.0.0.1:"), "{answer}");
    let stopped = listener.interrupt();
    let record_text = std::fs::read_to_string(&record).expect("record");
    for (what, text) in [
        ("the answer", answer),
        ("stdout", stopped.lines.join("\n")),
        ("stderr", stopped.stderr),
        ("the record", record_text),
    ] {
        assert!(!text.contains(PASSWORD), "{what}: {text}");
    }

    for args in [
        vec!["send", &url, "room.client.joined"],
        vec!["replay", record_arg, &url, "--dry-run"],
        vec!["check-receiver", &url, "--only", "accepts-redelivery"],
    ] {
        let (_, stdout, stderr) = run(&args);
        assert!(
            !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
            "{}: {stdout}{stderr}",
            args[0]
        );
        assert!(
            stdout.contains("***@127.0.0.1") || stderr.contains("***@127.0.0.1"),
            "{}: {stdout}{stderr}",
            args[0]
        );
    }
}

/// A URL that is not one (a control character, an unclosed `[`) is a usage
/// error for every command that sends, quoted without raw controls; before,
/// `listen --forward-to` started with it and printed it raw, `replay` tried
/// every line, and clap, colouring its message, echoed the value raw.
#[test]
fn a_malformed_url_is_a_usage_error_everywhere() {
    let dir = support::temp_dir();
    let record = dir.path().join("empty.ndjson");
    std::fs::write(&record, "").expect("write");
    let record_arg = record.to_str().expect("UTF-8");
    for url in ["http://a\u{1b}]0;T\u{7}b/", "http://[::1"] {
        for args in [
            vec!["listen", "--addr", "127.0.0.1:0", "--forward-to", url],
            vec!["send", url],
            vec!["replay", record_arg, url],
            vec!["check-receiver", url],
        ] {
            // With colours forced, clap echoed the value raw.
            let output = whereby()
                .env(SECRET_ENV, SECRET)
                .env("CLICOLOR_FORCE", "1")
                .args(&args)
                .timeout(Duration::from_secs(60))
                .output()
                .expect("runs");
            let (stdout, stderr) = (
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            );
            assert_eq!(
                output.status.code(),
                Some(2),
                "{url:?} {}: {stdout}{stderr}",
                args[0]
            );
            // Colours (`ESC [`) may be there; the title sequence may not.
            assert!(
                !stderr.contains("\u{1b}]") && !stderr.contains('\u{7}'),
                "{}: {stderr:?}",
                args[0]
            );
        }
    }
}

/// A proxy in the environment is not used for a loopback target, by any
/// command: it could not reach this machine's loopback interface.
#[test]
fn loopback_targets_bypass_a_proxy_for_every_command() {
    let app = App::start(Some(200));
    let url = format!("http://127.0.0.1:{}/app", app.port);
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("ALL_PROXY", &proxy)
        .args(["send", &url, "room.client.joined"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    support::assert_exit(&output, 0);
    assert!(app.requests.recv_timeout(Duration::from_secs(5)).is_ok());
}

/// An application's status outside 200 to 599 is no final answer: the
/// sender gets 502, not the status relayed.
#[test]
fn an_app_status_past_599_becomes_502() {
    for status in [600, 999] {
        let app = App::start(Some(status));
        let target = format!("http://127.0.0.1:{}/app", app.port);
        let listener = Listener::start(&["--forward-to", &target]);
        let (answered, body) = signed_post(listener.port, support::example().as_bytes());
        assert_eq!(answered, 502, "{status}: {body}");
        listener.interrupt();
    }
}

/// https to a receiver that speaks plain HTTP says to check the scheme.
#[test]
fn https_to_a_plain_receiver_says_to_check_the_scheme() {
    // What a plain HTTP server says to a TLS hello.
    let plain = Hostile::start(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        false,
    );
    let url = format!("https://127.0.0.1:{}/app", plain.port);
    let (code, stdout, stderr) = run(&["send", "--timeout", "5", &url, "room.client.joined"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("scheme (http or https)"), "{stderr}");
}

/// `check-receiver --interval` has a range: a huge one used to sleep for
/// ever without a word.
#[test]
fn check_receiver_interval_is_bounded() {
    let (code, _, stderr) = run(&[
        "check-receiver",
        "http://127.0.0.1:1/",
        "--interval",
        "18446744073709551615",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--interval"), "{stderr}");
}

/// A URL whose port cannot be used (`:99999`, `:abc`) was taken as having
/// none, and the signed delivery went to port 80 or 443, another service;
/// a password holding a `#` made the part before it the host and port. Both
/// are usage errors now, and the password is not quoted back, by the
/// message nor by the argument parser around it.
#[test]
fn a_url_without_a_usable_port_is_refused_and_its_password_not_shown() {
    for url in [
        "http://127.0.0.1:99999/x".to_owned(),
        "http://127.0.0.1:abc/x".to_owned(),
        format!("http://alice:{PASSWORD}#x@127.0.0.1:1/x"),
    ] {
        for command in [
            vec!["send", url.as_str(), "room.client.joined"],
            vec!["check-receiver", url.as_str()],
            vec!["replay", "no-such-record.ndjson", url.as_str()],
            vec!["listen", "--forward-to", url.as_str()],
        ] {
            let output = whereby()
                .env(SECRET_ENV, SECRET)
                .args(&command)
                .output()
                .expect("the command runs");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
            assert!(
                stderr.contains("has no usable port"),
                "{command:?}: {stderr}"
            );
            assert!(!stderr.contains(PASSWORD), "{command:?}: {stderr}");
            assert!(output.stdout.is_empty(), "{command:?}");
        }
    }
}

/// The exit status of `send`, `replay` and `check-receiver` is their
/// verdict, and a reader that leaves early (`send … | head -1`) does not
/// change it: a 500 is still exit 1. Before, the closed stdout made each of
/// them exit 0.
#[test]
fn a_closed_stdout_keeps_the_verdict() {
    let receiver = Hostile::start(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\nerror"
            .to_vec(),
        false,
    );
    let url = receiver.url();
    let dir = support::temp_dir();
    let record = dir.path().join("record.ndjson");
    let line = serde_json::json!({
        "received_at": "2026-01-01T00:00:00.000Z", "method": "POST", "path": "/",
        "status": 200, "verdict": "authentic", "reason": "accepted", "body_bytes": 2,
        "raw_body": "{}",
    })
    .to_string();
    std::fs::write(&record, format!("{line}\n").repeat(3)).expect("write the record");
    let record = record.to_str().expect("UTF-8").to_owned();
    for command in [
        vec!["send", url.as_str(), "room.client.joined"],
        vec!["replay", record.as_str(), url.as_str()],
        vec![
            "check-receiver",
            url.as_str(),
            "--interval",
            "0",
            "--only",
            "accepts-redelivery",
        ],
    ] {
        let mut child = support::command()
            .env(SECRET_ENV, SECRET)
            .args(&command)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the command starts");
        // The reader leaves before a line is printed.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("the command ends");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{command:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A receiver that keeps a connection open after its answer, then closes
/// it when the next request arrives on it, as one that closes idle
/// connections does when the two cross. Each delivery now goes on a
/// connection of its own; before, the second went on the first's, broke,
/// and a correct receiver failed `accepts-redelivery` with "no answer".
#[test]
fn a_receiver_closing_an_idle_connection_is_not_failed() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut request = vec![0u8; 65536];
                let mut read = 0;
                // Up to the end of the body: the JSON ends with `}`.
                while read == 0 || request[read - 1] != b'}' {
                    match std::io::Read::read(&mut stream, &mut request[read..]) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                // Kept alive; a second request on it is dropped unanswered.
                let _ = std::io::Read::read(&mut stream, &mut request);
            });
        }
    });
    let url = format!("http://127.0.0.1:{port}/hook");
    let (code, stdout, stderr) = run(&[
        "check-receiver",
        &url,
        "--only",
        "accepts-redelivery",
        "--interval",
        "50",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// A record file in `dir` holding two authentic deliveries, written by
/// `listen --record`.
fn record_two_deliveries(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&["--record", record.to_str().expect("UTF-8")]);
    for _ in 0..2 {
        let (status, _) = signed_post(listener.port, support::example().as_bytes());
        assert_eq!(status, 200);
    }
    listener.interrupt();
    assert_eq!(read_record(&record).len(), 2);
    record
}

/// A listening socket whose queue of connections is full, so that the
/// system drops every new connection's first packet, as a firewall that
/// drops packets does: connecting to it hangs. The streams keep the queue
/// full for as long as they are held.
fn blackholed() -> (TcpListener, u16, Vec<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr");
    let mut held = Vec::new();
    let mut patience = Duration::from_millis(200);
    for _ in 0..4096 {
        match TcpStream::connect_timeout(&address, patience) {
            Ok(stream) => {
                held.push(stream);
                patience = Duration::from_millis(200);
            }
            // Confirmed past the system's first retransmission (1 s): on a
            // busy machine, a connection the queue still had room for can
            // take longer than 200 ms.
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {
                if patience > Duration::from_secs(1) {
                    return (listener, address.port(), held);
                }
                patience = Duration::from_millis(2500);
            }
            Err(error) => panic!("connecting to fill the queue: {error}"),
        }
    }
    panic!("the queue of connections never filled");
}

/// A receiver that cannot be connected to ends `replay` and
/// `check-receiver` at their first delivery with exit 2, as it ends
/// `send`: nothing was judged. Before, `replay` went on and exited 1, and a
/// receiver whose connections hang (a firewall dropping packets) made
/// `check-receiver` wait out every delivery of its battery, then exit 1.
/// A dry run needs no secret, since it signs nothing.
#[test]
#[ignore = "slow"]
fn a_receiver_that_cannot_be_reached_ends_every_sending_command() {
    let dir = support::temp_dir();
    let record = record_two_deliveries(&dir);
    let record_arg = record.to_str().expect("UTF-8");

    let refused = format!("http://127.0.0.1:{}/hook", closed_port());
    for args in [
        vec!["send", refused.as_str(), "room.client.joined"],
        vec!["replay", record_arg, refused.as_str()],
        vec!["check-receiver", refused.as_str(), "--interval", "0"],
    ] {
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("is the receiver running"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stdout.contains(" no answer"),
            "{args:?}: only one delivery was tried: {stdout}"
        );
    }

    let (_queue, port, _held) = blackholed();
    let hanging = format!("http://127.0.0.1:{port}/hook");
    for args in [
        vec!["replay", record_arg, hanging.as_str(), "--timeout", "1"],
        vec![
            "check-receiver",
            hanging.as_str(),
            "--interval",
            "0",
            "--timeout",
            "1",
        ],
    ] {
        let started = std::time::Instant::now();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("cannot reach") && stderr.contains("no connection in time"),
            "{args:?}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{args:?}: took {:?}",
            started.elapsed()
        );
    }

    let output = whereby()
        .args(["replay", record_arg, refused.as_str(), "--dry-run"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.matches(" would send ").count(), 2, "{stdout}");
    // A secret that is given is still checked.
    let output = whereby()
        .env(SECRET_ENV, "   ")
        .args(["replay", record_arg, refused.as_str(), "--dry-run"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

/// A status with no standard reason is written alone, not followed by a
/// double space, and a token in the URL's query is never shown.
#[test]
fn an_unusual_status_and_a_query_token_are_written_cleanly() {
    let receiver = Hostile::start(
        b"HTTP/1.1 599 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        false,
    );
    let url = format!("{}?token={PASSWORD}", receiver.url());
    let (code, stdout, stderr) = run(&["send", &url, "room.client.joined"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("599 in "), "{stdout}");

    let refused = format!("http://127.0.0.1:{}/hook?token={PASSWORD}", closed_port());
    let (code, stdout, stderr) = run(&["send", &refused, "room.client.joined"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("hook?token=***"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
}

/// A proxy that tunnels (`CONNECT`) every connection to a receiver of its
/// own that answers `204`; it keeps the first line of each `CONNECT`.
struct TunnelProxy {
    port: u16,
    tunnels: std::sync::mpsc::Receiver<String>,
}

impl TunnelProxy {
    fn start() -> TunnelProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tell, tunnels) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let connect = read_request(&mut stream);
                let _ = tell.send(connect.lines().next().unwrap_or("").to_owned());
                let _ = stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                read_request(&mut stream);
                let _ = stream.write_all(
                    b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        TunnelProxy { port, tunnels }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Reads one request, head and body (by its `Content-Length`); its head.
fn read_request(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let read = std::io::Read::read(stream, &mut chunk).unwrap_or(0);
        if read == 0 {
            return String::from_utf8_lossy(&request).into_owned();
        }
        request.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&request);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return text[..end].to_owned();
            }
        }
    }
}

/// The proxy for a URL is the one its scheme names, as curl chooses:
/// `HTTPS_PROXY` is not used for an http URL, `http_proxy` is, and
/// `NO_PROXY` exempts a host. Before, the first of `ALL_PROXY`,
/// `HTTPS_PROXY` and `HTTP_PROXY` that was set was used, whatever the
/// scheme.
#[test]
fn the_proxy_used_is_the_one_for_the_url_scheme() {
    // A name that never resolves: reached only through the proxy.
    let url = "http://receiver.invalid/hook";
    let send = |vars: &[(&str, &str)]| {
        run_with(vars, &["send", "--timeout", "5", url, "room.client.joined"])
    };

    let proxy = TunnelProxy::start();
    let (code, output) = send(&[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        proxy
            .tunnels
            .recv_timeout(Duration::from_millis(200))
            .is_err(),
        "an https proxy carried an http delivery: {output}"
    );

    let (code, output) = send(&[
        ("http_proxy", &proxy.url()),
        ("HTTPS_PROXY", "http://127.0.0.1:1"),
    ]);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.starts_with("204 No Content"), "{output}");
    let tunnel = proxy
        .tunnels
        .recv_timeout(Duration::from_secs(5))
        .expect("the http proxy carried it");
    assert_eq!(tunnel, "CONNECT receiver.invalid:80 HTTP/1.1");

    let (code, output) = send(&[
        ("ALL_PROXY", &proxy.url()),
        ("NO_PROXY", "example.com, receiver.invalid"),
    ]);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        proxy
            .tunnels
            .recv_timeout(Duration::from_millis(200))
            .is_err(),
        "NO_PROXY was not honoured: {output}"
    );
}

/// Runs the binary with `vars` (and the test secret), every proxy variable
/// of the caller removed: exit code and stdout + stderr.
fn run_with(vars: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let mut command = whereby();
    for name in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        command.env_remove(name);
    }
    let output = command
        .env(SECRET_ENV, SECRET)
        .envs(vars.iter().copied())
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// What a second attack on the sending commands found:
/// - a SOCKS proxy in the environment made every sending command panic
///   (exit 101), and `listen --forward-to` put the panic in its 502;
/// - a proxy variable that held no proxy URL was skipped with a warning,
///   and the delivery went out directly, past a proxy that may be
///   required;
/// - a name that does not resolve did not stop `replay` (exit 1 after
///   trying every record);
/// - a query token was quoted as given in usage errors.
#[test]
fn proxies_names_and_tokens_fail_cleanly() {
    let dir = support::temp_dir();
    let record = record_two_deliveries(&dir);
    let record_arg = record.to_str().expect("UTF-8");

    let socks = format!("socks5h://u:{PASSWORD}@127.0.0.1:{}", closed_port());
    let far = "http://receiver.invalid/hook";
    for args in [
        vec!["send", far, "room.client.joined"],
        vec!["replay", record_arg, far],
        vec!["check-receiver", far, "--interval", "0"],
    ] {
        let (code, output) = run_with(&[("ALL_PROXY", &socks)], &args);
        assert_eq!(code, Some(2), "{args:?}: {output}");
        assert!(
            output.contains("through the proxy in ALL_PROXY") && !output.contains("panicked"),
            "{args:?}: {output}"
        );
        assert!(!output.contains(PASSWORD), "{args:?}: {output}");

        let broken = format!("http://u:{PASSWORD} x@127.0.0.1:1");
        let (code, output) = run_with(&[("http_proxy", &broken)], &args);
        assert_eq!(code, Some(2), "{args:?}: {output}");
        assert!(
            output.contains("http_proxy does not hold a proxy URL"),
            "{args:?}: {output}"
        );
        assert!(!output.contains(PASSWORD), "{args:?}: {output}");

        let (code, output) = run_with(&[], &args);
        assert_eq!(code, Some(2), "{args:?}: {output}");
        assert!(
            output.contains("cannot") && output.contains("does not resolve"),
            "{args:?}: {output}"
        );
        assert!(!output.contains(" no answer"), "{args:?}: {output}");
    }

    // Forwarding through the SOCKS proxy fails as any unreachable
    // application does: 502, no panic in its body.
    let mut command = Listener::command(&["--forward-to", far]);
    command.env("ALL_PROXY", &socks);
    let listener = Listener::spawn(command);
    let (status, body) = signed_post(listener.port, support::example().as_bytes());
    assert_eq!(status, 502, "{body}");
    assert!(
        !body.contains("panicked") && !body.contains(PASSWORD),
        "{body}"
    );
    listener.interrupt();
    let broken = format!("http://u:{PASSWORD} x@127.0.0.1:1");
    let (code, output) = run_with(
        &[("http_proxy", &broken)],
        &["listen", "--addr", "127.0.0.1:0", "--forward-to", far],
    );
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains("http_proxy does not hold a proxy URL") && !output.contains(PASSWORD),
        "{output}"
    );

    let (code, output) = run_with(
        &[],
        &[
            "send",
            &format!("http://127.0.0.1:99999/x?token={PASSWORD}"),
            "room.client.joined",
        ],
    );
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains("?token=***"), "{output}");
    assert!(!output.contains(PASSWORD), "{output}");
}

/// A password written percent-encoded, as the usage error asks for a `#`,
/// `?` or `/` in one, is sent decoded; before, `S3cr%40t` was sent as those
/// eight characters.
#[test]
fn percent_encoded_credentials_are_sent_decoded() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tell, heads) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = tell.send(read_request(&mut stream));
            let _ = stream.write_all(
                b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let url = format!("http://alice:S3cr%40t%2F{PASSWORD}@127.0.0.1:{port}/hook");
    let (code, output) = run_with(&[], &["send", &url, "room.client.joined"]);
    assert_eq!(code, Some(0), "{output}");
    let head = heads
        .recv_timeout(Duration::from_secs(5))
        .expect("a request");
    use base64::Engine as _;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("alice:S3cr@t/{PASSWORD}"));
    assert!(
        head.to_ascii_lowercase().contains(&format!(
            "authorization: basic {}",
            expected.to_ascii_lowercase()
        )),
        "{head}"
    );
}
