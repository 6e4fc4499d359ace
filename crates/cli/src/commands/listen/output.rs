//! What `listen` prints and records about each delivery, written by one
//! thread.
//!
//! Request handlers only queue a [`Delivery`] on a channel, which never
//! blocks; a single thread turns each one into a line on stdout and a line
//! in the record file. So lines never interleave, a slow terminal or disk
//! does not slow the answers down, and reading a body for the record happens
//! off the request path. Lines are written and flushed in batches of whatever
//! is queued, a batch being whole lines: while deliveries keep coming the
//! thread pauses 5 ms between batches, so a line is written at most a few
//! milliseconds after its answer, at the cost of one wake-up per batch
//! rather than one per delivery.
//!
//! A record line is one JSON object:
//!
//! ```text
//! {"received_at": "2026-03-31T09:00:04.700Z", "method": "POST", "path": "/",
//!  "status": 200, "reason": "accepted ...", "elapsed_ms": 0.4,
//!  "signature": {"valid": true, "error": null, "timestamp": 1774947604},
//!  "schema": {"valid": true, "event_type": "room.client.joined", "errors": []},
//!  "forward": {"url": "...", "status": 200, "error": null},   (with --forward-to)
//!  "headers": {"content-type": "application/json", "whereby-signature": "t=...,v1=..."},
//!  "body_bytes": 512, "body_encoding": "json", "body": {...the event...}}
//! ```
//!
//! * `signature` is `null` when the request was refused before the check
//!   (wrong method, body too large or too slow); `schema` is `null` unless
//!   the signature held, since an unauthenticated body is never validated.
//!   Each schema error has `instance_path`, `schema_path`, `message` and
//!   `kind`.
//! * `headers` has lowercase names (several values of one name joined with
//!   `, `); `authorization`, `proxy-authorization` and `cookie` are left
//!   out, and so is the query string of `path` (some endpoints carry a token
//!   there). The signature header is kept: it is a MAC of this body, not a
//!   secret.
//! * `body` is the JSON itself when the body is JSON (`"body_encoding":
//!   "json"`): the bytes received with only the whitespace between tokens
//!   taken out, so key order and number spelling are kept. Otherwise it is
//!   the text as a string (`"utf8"`), the bytes in base64 when they are not
//!   UTF-8 (`"base64"`), or `null` when the body was not read (`"omitted"`).
//!   `body_bytes` is the size received.
//!
//! There is no top-level `type` key, so `validate` tells a record line from
//! an event and validates its `body`.

use std::fs::File;
use std::io::{self, Write as _};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use hyper::Method;
use hyper::header::{self, HeaderMap, HeaderName};
use serde::Serialize;
use serde::ser::SerializeMap as _;
use whereby_webhooks_conformance::Issue;

/// How `listen` prints each delivery on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line for people: time, status, type, id and the verdicts
    Human,
    /// One JSON object per line: the record line without headers and body
    Json,
}

/// The signature verdict of a delivery.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureVerdict {
    /// Whether the signature held.
    pub valid: bool,
    /// Why not.
    pub error: Option<String>,
    /// The header's timestamp, when the header could be read.
    pub timestamp: Option<u64>,
}

/// The schema verdict of a delivery whose signature held.
#[derive(Debug, Clone)]
pub struct SchemaVerdict {
    /// Whether the payload conforms.
    pub valid: bool,
    /// The event type it was validated as.
    pub event_type: Option<String>,
    /// What is wrong with it.
    pub errors: Vec<Issue>,
    /// The event model's complaint, for a payload the spec accepts but the
    /// model does not.
    pub model_error: Option<String>,
}

/// What forwarding the delivery gave.
#[derive(Debug, Clone, Serialize)]
pub struct ForwardVerdict {
    /// Where it was forwarded.
    pub url: String,
    /// The target's status, when it answered.
    pub status: Option<u16>,
    /// Why it did not.
    pub error: Option<String>,
}

/// One request and what `listen` made of it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// When its head arrived.
    pub received_at: SystemTime,
    /// The request method.
    pub method: Method,
    /// The request path, without the query (which may carry a token).
    pub path: String,
    /// The headers, when they are recorded (secret ones are dropped when
    /// written).
    pub headers: HeaderMap,
    /// The body; `None` when it was not read.
    pub body: Option<Bytes>,
    /// How many body bytes arrived.
    pub body_bytes: usize,
    /// The event's id, when the delivery was verified and typed (otherwise
    /// it is read from the body for display, if needed).
    pub id: Option<String>,
    /// The signature verdict; `None` when not checked.
    pub signature: Option<SignatureVerdict>,
    /// The schema verdict; `None` when not checked.
    pub schema: Option<SchemaVerdict>,
    /// The forwarding outcome, with `--forward-to`.
    pub forward: Option<ForwardVerdict>,
    /// The status answered.
    pub status: u16,
    /// The reason given with the status.
    pub reason: String,
    /// How long the answer took.
    pub elapsed: Duration,
}

enum Message {
    Delivery(Box<Delivery>),
    Close,
}

/// The queue to the output thread. Cloning is cheap.
#[derive(Clone)]
pub struct Output {
    sender: mpsc::Sender<Message>,
}

/// Counts kept by the output thread.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Deliveries answered 2xx.
    pub accepted: u64,
    /// Deliveries answered otherwise.
    pub rejected: u64,
    /// Record lines that could not be written.
    pub record_failures: u64,
}

/// The output thread, to be closed once the server has stopped.
pub struct Writer {
    output: Output,
    thread: JoinHandle<Totals>,
}

impl Output {
    /// Queues a delivery; never blocks.
    pub fn send(&self, delivery: Delivery) {
        // Fails only once the writer has closed, after the server stopped.
        let _ = self.sender.send(Message::Delivery(Box::new(delivery)));
    }
}

impl Writer {
    /// Starts the output thread, printing in `format` and appending to
    /// `record` when given.
    pub fn start(format: Format, record: Option<File>) -> io::Result<Writer> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("listen-output".to_owned())
            .spawn(move || write_all(&receiver, format, record))?;
        Ok(Writer {
            output: Output { sender },
            thread,
        })
    }

    /// A queue to the thread.
    pub fn output(&self) -> Output {
        self.output.clone()
    }

    /// Writes what is queued, then stops the thread.
    pub fn close(self) -> Totals {
        let _ = self.output.sender.send(Message::Close);
        self.thread.join().unwrap_or_default()
    }
}

/// Most deliveries written with one `write` call.
const BATCH: usize = 256;

/// How long the thread lets deliveries queue up while they keep coming;
/// the most a line waits before it is written.
const PAUSE: Duration = Duration::from_millis(5);

fn write_all(
    receiver: &mpsc::Receiver<Message>,
    format: Format,
    mut record: Option<File>,
) -> Totals {
    let mut totals = Totals::default();
    let mut printed = Vec::new();
    let mut recorded = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut closing = false;
    let mut busy = false;
    while !closing {
        if !busy {
            // Idle: sleep until the next delivery.
            match receiver.recv() {
                Ok(Message::Delivery(delivery)) => batch.push(delivery),
                Ok(Message::Close) | Err(_) => break,
            }
        }
        // Take whatever else is queued, so that a burst costs one write
        // per file, not one per delivery.
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(Message::Delivery(delivery)) => batch.push(delivery),
                Ok(Message::Close) => {
                    closing = true;
                    break;
                }
                Err(_) => break,
            }
        }
        let full = batch.len() == BATCH;
        busy = !batch.is_empty();
        let lines = batch.len() as u64;
        for delivery in batch.drain(..) {
            if (200..300).contains(&delivery.status) {
                totals.accepted += 1;
            } else {
                totals.rejected += 1;
            }
            // The body is looked at only when something shows it.
            let body = (record.is_some() || delivery.id.is_none()).then(|| Body::of(&delivery));
            let claims = claims(&delivery, body.as_ref());
            match format {
                Format::Human => human_line(&delivery, claims, &mut printed),
                Format::Json => summary_line(&delivery, claims, &mut printed),
            }
            if record.is_some() {
                let body = body.unwrap_or_else(|| Body::of(&delivery));
                record_line(&delivery, &body, &mut recorded);
            }
        }
        if !printed.is_empty() {
            // A closed stdout is not a reason to stop receiving.
            let mut stdout = io::stdout().lock();
            let _ = stdout.write_all(&printed).and_then(|()| stdout.flush());
            drop(stdout);
            printed.clear();
        }
        if let Some(file) = record.as_mut().filter(|_| !recorded.is_empty()) {
            if let Err(error) = file.write_all(&recorded).and_then(|()| file.flush()) {
                if totals.record_failures == 0 {
                    eprintln!("error: cannot append to the record file: {error}: check the disk");
                }
                totals.record_failures += lines;
            }
            recorded.clear();
        }
        if busy && !full && !closing {
            // Under load, let deliveries queue up for a moment: a sender
            // does not wake a thread that is not waiting on the channel, so
            // this costs one wake-up per pause instead of one per delivery.
            std::thread::sleep(PAUSE);
        }
    }
    totals
}

/// The body as recorded.
enum Body {
    /// Valid JSON, compacted: one line.
    Json(Vec<u8>),
    /// Text that is not JSON.
    Text(String),
    /// Bytes that are not UTF-8, in base64.
    Base64(String),
    /// Not read.
    Omitted,
}

impl Body {
    fn of(delivery: &Delivery) -> Body {
        let Some(bytes) = &delivery.body else {
            return Body::Omitted;
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Body::Base64(base64::engine::general_purpose::STANDARD.encode(bytes));
        };
        if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
            && let Some(compact) = compact_json(bytes)
        {
            return Body::Json(compact);
        }
        Body::Text(text.to_owned())
    }

    fn encoding(&self) -> &'static str {
        match self {
            Body::Json(_) => "json",
            Body::Text(_) => "utf8",
            Body::Base64(_) => "base64",
            Body::Omitted => "omitted",
        }
    }

    /// The body's claimed `type` and `id`, for display.
    fn claims(&self) -> (Option<String>, Option<String>) {
        #[derive(serde::Deserialize)]
        struct Claims {
            #[serde(rename = "type")]
            event_type: Option<String>,
            id: Option<String>,
        }
        let Body::Json(json) = self else {
            return (None, None);
        };
        match serde_json::from_slice::<Claims>(json) {
            Ok(claims) => (claims.event_type, claims.id),
            Err(_) => (None, None),
        }
    }
}

/// `json` (valid JSON, UTF-8) without the whitespace between tokens; `None`
/// if a string holds a raw control character (which would break the line).
fn compact_json(json: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            if byte < 0x20 {
                return None;
            }
            out.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    Some(out)
}

/// The event type and id to show: the verified ones, else the body's claims.
fn claims(delivery: &Delivery, body: Option<&Body>) -> (Option<String>, Option<String>) {
    match (&delivery.id, &delivery.schema) {
        (Some(id), Some(schema)) => (schema.event_type.clone(), Some(id.clone())),
        _ => body.map_or((None, None), Body::claims),
    }
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

fn elapsed_ms(delivery: &Delivery) -> f64 {
    (delivery.elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// One schema error as written.
#[derive(Serialize)]
struct IssueLine<'a> {
    instance_path: &'a str,
    schema_path: &'a str,
    message: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct SchemaLine<'a> {
    valid: bool,
    event_type: Option<&'a str>,
    errors: Vec<IssueLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_error: Option<&'a str>,
}

impl<'a> SchemaLine<'a> {
    fn of(verdict: &'a SchemaVerdict) -> SchemaLine<'a> {
        SchemaLine {
            valid: verdict.valid,
            event_type: verdict.event_type.as_deref(),
            errors: verdict
                .errors
                .iter()
                .map(|issue| IssueLine {
                    instance_path: &issue.instance_path,
                    schema_path: &issue.schema_path,
                    message: &issue.message,
                    kind: issue.kind.name(),
                })
                .collect(),
            model_error: verdict.model_error.as_deref(),
        }
    }
}

/// The fields shared by the record line and the JSON stdout line.
#[derive(Serialize)]
struct Common<'a> {
    received_at: String,
    method: &'a str,
    path: &'a str,
    status: u16,
    reason: &'a str,
    elapsed_ms: f64,
    signature: Option<&'a SignatureVerdict>,
    schema: Option<SchemaLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forward: Option<&'a ForwardVerdict>,
}

impl<'a> Common<'a> {
    fn of(delivery: &'a Delivery) -> Common<'a> {
        Common {
            received_at: rfc3339(delivery.received_at),
            method: delivery.method.as_str(),
            path: &delivery.path,
            status: delivery.status,
            reason: &delivery.reason,
            elapsed_ms: elapsed_ms(delivery),
            signature: delivery.signature.as_ref(),
            schema: delivery.schema.as_ref().map(SchemaLine::of),
            forward: delivery.forward.as_ref(),
        }
    }
}

/// The JSON stdout line: no headers, no body, but the event type and id.
/// (Named `event_type`, not `type`: a `type` key would make the line look
/// like an event to `validate`.)
#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    event_type: Option<String>,
    id: Option<String>,
}

fn summary_line(
    delivery: &Delivery,
    (event_type, id): (Option<String>, Option<String>),
    out: &mut Vec<u8>,
) {
    let line = Summary {
        common: Common::of(delivery),
        event_type,
        id,
    };
    // Writing to a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, &line);
    out.push(b'\n');
}

/// The recorded headers: lowercase names, secret ones left out.
struct Headers<'a>(&'a HeaderMap);

/// Headers never written.
const SECRET_HEADERS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    header::PROXY_AUTHORIZATION,
    header::COOKIE,
];

impl Serialize for Headers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.0.keys() {
            if SECRET_HEADERS.contains(name) {
                continue;
            }
            let mut values = self.0.get_all(name).iter();
            let mut value = values
                .next()
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
                .unwrap_or_default();
            for more in values {
                let joined = value.to_mut();
                joined.push_str(", ");
                joined.push_str(&String::from_utf8_lossy(more.as_bytes()));
            }
            map.serialize_entry(name.as_str(), &value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    headers: Headers<'a>,
    body_bytes: usize,
    body_encoding: &'static str,
}

/// Appends the record line: the fields, then the body, written as is when
/// it is JSON.
fn record_line(delivery: &Delivery, body: &Body, out: &mut Vec<u8>) {
    let line = Record {
        common: Common::of(delivery),
        headers: Headers(&delivery.headers),
        body_bytes: delivery.body_bytes,
        body_encoding: body.encoding(),
    };
    // Writing to a `Vec` cannot fail; the object's closing brace is put
    // back after the body.
    let _ = serde_json::to_writer(&mut *out, &line);
    out.pop();
    out.extend_from_slice(b",\"body\":");
    match body {
        Body::Json(json) => out.extend_from_slice(json),
        Body::Text(text) | Body::Base64(text) => {
            let _ = serde_json::to_writer(&mut *out, text);
        }
        Body::Omitted => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"}\n");
}

/// `2026-03-31T09:00:04.700Z POST / 200 room.client.joined 5c8f… signature ok
/// schema ok (0.4 ms)`, with the reasons of a refusal.
fn human_line(
    delivery: &Delivery,
    (event_type, id): (Option<String>, Option<String>),
    out: &mut Vec<u8>,
) {
    let signature = match &delivery.signature {
        None => "signature not checked".to_owned(),
        Some(v) if v.valid => "signature ok".to_owned(),
        Some(v) => format!(
            "signature INVALID ({})",
            v.error.as_deref().unwrap_or("unknown")
        ),
    };
    let schema = match &delivery.schema {
        None => "schema not checked".to_owned(),
        Some(v) if v.valid => "schema ok".to_owned(),
        Some(v) => {
            let mut reasons: Vec<String> = v
                .errors
                .iter()
                .map(|issue| {
                    if issue.instance_path.is_empty() {
                        issue.message.clone()
                    } else {
                        format!("{}: {}", issue.instance_path, issue.message)
                    }
                })
                .collect();
            reasons.extend(v.model_error.clone());
            format!("schema INVALID ({})", reasons.join("; "))
        }
    };
    let forward = match &delivery.forward {
        None => String::new(),
        Some(f) => match (f.status, &f.error) {
            (Some(status), _) => format!(" forwarded {status}"),
            (None, Some(error)) => format!(" forward FAILED ({error})"),
            (None, None) => " forward FAILED".to_owned(),
        },
    };
    let refused = if delivery.signature.is_none() {
        format!(" ({})", delivery.reason)
    } else {
        String::new()
    };
    // Writing to a `Vec` cannot fail.
    let _ = writeln!(
        out,
        "{} {} {} {}{refused} {} {} {signature} {schema}{forward} ({} ms)",
        rfc3339(delivery.received_at),
        delivery.method,
        delivery.path,
        delivery.status,
        event_type.as_deref().unwrap_or("-"),
        id.as_deref().unwrap_or("-"),
        elapsed_ms(delivery),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn delivery(body: Option<&[u8]>) -> Delivery {
        let mut headers = HeaderMap::new();
        headers.insert("whereby-signature", "t=1,v1=ab".parse().expect("a value"));
        headers.insert(
            header::AUTHORIZATION,
            "Bearer hush".parse().expect("a value"),
        );
        headers.append("x-many", "1".parse().expect("a value"));
        headers.append("x-many", "2".parse().expect("a value"));
        Delivery {
            received_at: SystemTime::UNIX_EPOCH + Duration::from_millis(1_774_947_604_700),
            method: Method::POST,
            path: "/hook".to_owned(),
            headers,
            body: body.map(Bytes::copy_from_slice),
            body_bytes: body.map_or(0, <[u8]>::len),
            id: None,
            signature: Some(SignatureVerdict {
                valid: true,
                error: None,
                timestamp: Some(1),
            }),
            schema: None,
            forward: None,
            status: 200,
            reason: "accepted".to_owned(),
            elapsed: Duration::from_micros(1500),
        }
    }

    fn record(delivery: &Delivery) -> (String, Value) {
        let mut out = Vec::new();
        record_line(delivery, &Body::of(delivery), &mut out);
        let text = String::from_utf8(out).expect("UTF-8");
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (text, value)
    }

    #[test]
    fn bodies_are_recorded_by_encoding() {
        for (body, encoding, value) in [
            (
                Some(&br#"{"type":"x","id":"1"}"#[..]),
                "json",
                json!({"type": "x", "id": "1"}),
            ),
            (Some(&b"not json"[..]), "utf8", json!("not json")),
            (
                Some(&b"{\"a\": \"raw\ttab\"}"[..]),
                "utf8",
                json!("{\"a\": \"raw\ttab\"}"),
            ),
            (Some(&[0xff, 0x00][..]), "base64", json!("/wA=")),
            (None, "omitted", Value::Null),
        ] {
            let delivery = delivery(body);
            let (text, line) = record(&delivery);
            assert_eq!(text.matches('\n').count(), 1, "{text}");
            assert!(text.ends_with("}\n"), "{text}");
            assert_eq!(line["body_encoding"], encoding);
            assert_eq!(line["body"], value);
            assert_eq!(line["received_at"], "2026-03-31T09:00:04.700Z");
            assert_eq!(line["method"], "POST");
            assert_eq!(line["headers"]["whereby-signature"], "t=1,v1=ab");
            assert_eq!(line["headers"]["x-many"], "1, 2");
            assert!(line["headers"].get("authorization").is_none(), "{line}");
            assert!(!text.contains("hush"), "{text}");
            assert!(line.get("type").is_none());
        }
    }

    #[test]
    fn json_bodies_keep_their_text() {
        let body = b"{\n  \"id\" : \"a b\\\" }\",\n  \"n\": 1.50, \"z\": 1, \"a\": [ 1e3 ]\n}\n";
        let delivery = delivery(Some(body));
        let (text, line) = record(&delivery);
        assert!(
            text.ends_with(
                r#","body":{"id":"a b\" }","n":1.50,"z":1,"a":[1e3]}}
"#
            ),
            "{text}"
        );
        assert_eq!(line["body"]["id"], "a b\" }");
    }

    #[test]
    fn lines_are_single_lines() {
        let delivery = delivery(Some(
            b"{\n \"type\": \"room.session.started\",\n \"id\": \"e1\"\n}",
        ));
        let body = Body::of(&delivery);
        let mut human = Vec::new();
        human_line(&delivery, claims(&delivery, Some(&body)), &mut human);
        let human = String::from_utf8(human).expect("UTF-8");
        assert_eq!(human.matches('\n').count(), 1, "{human}");
        assert!(
            human.contains("POST /hook 200 room.session.started e1 signature ok"),
            "{human}"
        );
        let mut summary = Vec::new();
        summary_line(&delivery, claims(&delivery, Some(&body)), &mut summary);
        let summary = String::from_utf8(summary).expect("UTF-8");
        assert_eq!(summary.matches('\n').count(), 1, "{summary}");
        let value: Value = serde_json::from_str(&summary).expect("JSON");
        assert_eq!(value["event_type"], "room.session.started");
        assert_eq!(value["id"], "e1");
        assert!(value.get("body").is_none() && value.get("headers").is_none());
    }
}
