//! `listen` as a child process, the raw and signed HTTP clients that talk
//! to it, and the application it forwards to.
//!
//! A listener binds `127.0.0.1:0`; the port is read from the address on its
//! first stdout line, so tests never race for ports.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use whereby_webhooks_signature::{Secret, now_unix, sign};

use super::SECRET_ENV;

/// The secret every test receiver is started with.
pub const SECRET: &str = "listen-test-secret";

/// A `listen` child process; killed on drop if still running.
pub struct Listener {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    stdout: Option<JoinHandle<Vec<String>>>,
    stderr: Option<JoinHandle<String>>,
}

/// What a stopped `listen` left.
pub struct Stopped {
    /// How it ended.
    pub status: ExitStatus,
    /// Its stdout lines after the first (the address).
    pub lines: Vec<String>,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

impl Listener {
    /// Starts `listen --addr 127.0.0.1:0` with `args` and waits (at most
    /// 30 s) for the address on its first stdout line.
    pub fn start(args: &[&str]) -> Listener {
        Listener::spawn(Self::command(args))
    }

    /// `listen --addr 127.0.0.1:0 ARGS` with the test secret, to adjust
    /// before [`Listener::spawn`].
    pub fn command(args: &[&str]) -> Command {
        let mut command = super::command();
        command
            .arg("listen")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env(SECRET_ENV, SECRET);
        command
    }

    /// Spawns `command` (a `listen`) and waits (at most 30 s) for the
    /// address on its first stdout line.
    pub fn spawn(mut command: Command) -> Listener {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("listen starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (first, first_line) = mpsc::channel();
        let stdout = std::thread::spawn(move || drain(stdout, &first));
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut listener = Listener {
            child,
            port: 0,
            stdout: Some(stdout),
            stderr: Some(stderr),
        };
        let line: String = match first_line.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = listener.child.kill();
                let stderr = listener.stderr.take().map(|h| h.join().unwrap_or_default());
                panic!("listen printed no address in 30 s: {stderr:?}");
            }
        };
        let url = line
            .find("http://127.0.0.1:")
            .map(|at| &line[at + "http://127.0.0.1:".len()..])
            .expect("the first line names the address");
        let digits: String = url.chars().take_while(char::is_ascii_digit).collect();
        listener.port = digits.parse().expect("a port");
        assert_ne!(listener.port, 0);
        listener
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL, as a crash would, and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends SIGINT and waits (at most 30 s) for the process to end.
    pub fn interrupt(mut self) -> Stopped {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("a pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("signal sent");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "listen did not stop within 30 s of SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let lines = self
            .stdout
            .take()
            .map(|h| h.join().expect("stdout reader"))
            .unwrap_or_default();
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().expect("stderr reader"))
            .unwrap_or_default();
        Stopped {
            status,
            lines,
            stderr,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Only still running when a test failed half-way.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Spawns `command` (a `listen`) with stdout piped, reads the address from
/// its first line, and hands back the process, its stdout (read no further:
/// the caller decides whether anyone reads it) and the port.
pub fn spawn_unread(mut command: Command) -> (Child, BufReader<ChildStdout>, u16) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("listen starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the address");
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    (child, stdout, port)
}

/// Sends the first line on `first`, and returns the others once stdout closes.
fn drain(stdout: ChildStdout, first: &mpsc::Sender<String>) -> Vec<String> {
    let mut lines = BufReader::new(stdout).lines();
    if let Some(Ok(line)) = lines.next() {
        let _ = first.send(line);
    }
    lines.map_while(Result::ok).collect()
}

/// A raw HTTP/1.1 exchange on a fresh connection: the status and the body of
/// the answer. Written by hand so that anything can be sent (bytes that are
/// not UTF-8 in a header, a body larger than the limit).
pub fn raw(port: u16, method: &str, headers: &[(&str, &[u8])], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut request = format!(
        "{method} /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);
    stream.write_all(&request).expect("send the request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A POST signed with [`SECRET`] now.
pub fn signed_post(port: u16, body: &[u8]) -> (u16, String) {
    let secret = Secret::new(SECRET).expect("non-empty");
    let header = sign(&secret, now_unix(), body);
    raw(
        port,
        "POST",
        &[
            ("Content-Type", b"application/json"),
            ("Whereby-Signature", header.as_bytes()),
        ],
        body,
    )
}

/// `whereby-webhooks send URL ARGS...` with [`SECRET`]: exit code and stdout.
pub fn send(url: &str, args: &[&str], secret: &str) -> (i32, String) {
    let output = super::whereby()
        .env(SECRET_ENV, secret)
        .arg("send")
        .arg(url)
        .args(args)
        .output()
        .expect("send runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// The record file at `path`, one JSON value per line; fails on a line
/// left without its newline.
pub fn read_record(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the record file");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a half-written line"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// A one-request-at-a-time HTTP server standing in for the application
/// behind `--forward-to`: it hands each request's head and body to the test
/// and answers `status` (or, with `None`, holds the connection open without
/// answering).
pub struct App {
    /// The port it listens on.
    pub port: u16,
    /// Each request's head and body, in order.
    pub requests: mpsc::Receiver<(String, Vec<u8>)>,
}

impl App {
    /// Starts the app on a free port of 127.0.0.1, answering `status`.
    pub fn start(status: Option<u16>) -> App {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                if sender.send(request).is_err() {
                    return;
                }
                match status {
                    Some(status) => {
                        let body = "app says hi";
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} Whatever\r\nContent-Type: text/x-app\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    None => held.push(stream),
                }
            }
        });
        App { port, requests }
    }
}

/// Reads a request's head and its `Content-Length` body. A test server
/// reads the whole request before it answers and closes: closing with
/// request bytes unread makes the system reset the connection, and the
/// client may then never read the answer.
pub fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buffer[..n]);
    }
    Some((head, data[head_end..head_end + length].to_vec()))
}

/// The value of header `name` in a request head, if present.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, value) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}
