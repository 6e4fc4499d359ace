//! Small receivers of our own for `check-receiver` to grade: a correct one,
//! and one per [`Flaw`] a real receiver is known to have.
//!
//! The receivers are plain `std::net` HTTP/1.1 servers on 127.0.0.1 that
//! answer one request per connection.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use whereby_webhooks_model::data::RoleName;
use whereby_webhooks_model::{EventType, all_examples};
use whereby_webhooks_signature::{Secret, Tolerance, now_unix, verify};

/// The secret every test receiver checks signatures with.
pub const SECRET: &str = "check-receiver-test-secret";

/// The one thing a test receiver does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Nothing: the receiver is correct.
    None,
    /// Parses the body and hashes its compact re-serialisation, as
    /// `JSON.stringify` writes it.
    HashesReserialisedJson,
    /// Parses the body and hashes it as Python's `json.dumps` writes it by
    /// default (`", "` and `": "`, non-ASCII as `\uXXXX`).
    HashesPythonJson,
    /// Configured with a secret that is not the endpoint's.
    OtherSecret,
    /// Configured with the endpoint's secret and the newline a file read
    /// leaves after it.
    SecretWithNewline,
    /// Answers 500 to every delivery whose signature does not hold.
    Answers500ToForgeries,
    /// Never looks at the signature.
    VerifiesNothing,
    /// Never looks at the timestamp.
    SkipsTimestamp,
    /// Rejects old timestamps but not future ones.
    ChecksOnlyAge,
    /// Answers 400 to a type it does not know.
    RejectsUnknownEventTypes,
    /// Answers 422 to a property it does not know.
    RejectsUnknownProperties,
    /// Answers 422 to a role name it does not know.
    RejectsUnknownRole,
    /// Answers 409 to an `id` it has seen.
    RefusesRedelivery,
    /// Takes 5.2 s to answer its first delivery.
    SlowOnce,
    /// Requires every `v1` to match, which no `v1` at all does: a header
    /// with a fresh timestamp and no `v1` passes.
    TrustsAHeaderWithoutV1,
}

/// One request as the receiver read it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it was read.
    pub arrived: Instant,
    /// The request target.
    pub path: String,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl Seen {
    /// The value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running test receiver.
pub struct Receiver {
    /// Where it receives: `http://127.0.0.1:PORT/webhooks`.
    pub url: String,
    /// Every request it read, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    /// Starts a receiver with `flaw` on a free port of 127.0.0.1.
    pub fn start(flaw: Flaw) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let url = format!(
            "http://{}/webhooks",
            listener.local_addr().expect("local address")
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut state = State {
                flaw,
                ids: HashSet::new(),
                answered: 0,
            };
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if let Some(request) = read_request(&stream) {
                    let status = state.answer(&request);
                    log.lock().expect("log").push(request);
                    respond(stream, status);
                }
            }
        });
        Receiver { url, seen }
    }
}

struct State {
    flaw: Flaw,
    ids: HashSet<String>,
    answered: usize,
}

impl State {
    /// The status this receiver answers with.
    fn answer(&mut self, request: &Seen) -> u16 {
        self.answered += 1;
        if self.flaw == Flaw::SlowOnce && self.answered == 1 {
            std::thread::sleep(Duration::from_millis(5_200));
        }
        let forged = if self.flaw == Flaw::Answers500ToForgeries {
            500
        } else {
            401
        };
        // Nothing is served anywhere else.
        if request.path != "/webhooks" {
            return 404;
        }
        if self.flaw == Flaw::VerifiesNothing {
            return 200;
        }
        let Some(header) = request.header("Whereby-Signature") else {
            return forged;
        };
        let key = match self.flaw {
            Flaw::OtherSecret => "not-the-endpoint-secret".to_owned(),
            Flaw::SecretWithNewline => format!("{SECRET}\n"),
            _ => SECRET.to_owned(),
        };
        let secrets = [Secret::new(&key).expect("secret")];
        let body = match self.flaw {
            Flaw::HashesReserialisedJson | Flaw::HashesPythonJson => {
                match serde_json::from_slice::<Value>(&request.body) {
                    Ok(value) if self.flaw == Flaw::HashesPythonJson => python_dumps(&value),
                    Ok(value) => serde_json::to_vec(&value).expect("serialise"),
                    Err(_) => return 400,
                }
            }
            _ => request.body.clone(),
        };
        let tolerance = match self.flaw {
            Flaw::SkipsTimestamp | Flaw::ChecksOnlyAge => Tolerance::Disabled,
            _ => Tolerance::DEFAULT,
        };
        let now = now_unix();
        if self.flaw == Flaw::TrustsAHeaderWithoutV1 {
            let fresh = header
                .split(',')
                .find_map(|part| part.trim().strip_prefix("t="))
                .and_then(|t| t.parse::<u64>().ok())
                .is_some_and(|t| t.abs_diff(now) <= 300);
            let every_v1_matches = header
                .split(',')
                .filter_map(|part| part.trim().strip_prefix("v1="))
                .all(|v1| {
                    let t = header.split(',').find_map(|p| p.trim().strip_prefix("t="));
                    verify(
                        &format!("t={},v1={v1}", t.unwrap_or_default()),
                        &body,
                        &secrets,
                        tolerance,
                        now,
                    )
                    .is_ok()
                });
            return if fresh && every_v1_matches {
                200
            } else {
                forged
            };
        }
        let Ok(signed_at) = verify(header, &body, &secrets, tolerance, now) else {
            return forged;
        };
        if self.flaw == Flaw::ChecksOnlyAge && now.saturating_sub(signed_at) > 300 {
            return forged;
        }
        let Ok(event) = serde_json::from_slice::<Value>(&request.body) else {
            return 400;
        };
        let Some(ty) = event.get("type").and_then(Value::as_str) else {
            return 400;
        };
        if self.flaw == Flaw::RejectsUnknownEventTypes && ty.parse::<EventType>().is_err() {
            return 400;
        }
        if self.flaw == Flaw::RejectsUnknownProperties && has_unknown_property(&event) {
            return 422;
        }
        if self.flaw == Flaw::RejectsUnknownRole
            && let Some(role) = event.pointer("/data/roleName").and_then(Value::as_str)
            && !known_roles().contains(role)
        {
            return 422;
        }
        let id = event
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let fresh = self.ids.insert(id);
        if !fresh && self.flaw == Flaw::RefusesRedelivery {
            return 409;
        }
        200
    }
}

/// `value` as Python's `json.dumps(value)` writes it: `", "` between items,
/// `": "` after keys, every non-ASCII character as a `\uXXXX` escape
/// (surrogate pairs beyond the BMP).
fn python_dumps(value: &Value) -> Vec<u8> {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(object) => {
                out.push('{');
                for (index, (key, value)) in object.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write(&Value::String(key.clone()), out);
                    out.push_str(": ");
                    write(value, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => {
                for c in other.to_string().chars() {
                    if c.is_ascii() {
                        out.push(c);
                    } else {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out.into_bytes()
}

fn known_roles() -> BTreeSet<String> {
    RoleName::ALL
        .iter()
        .map(|role| {
            serde_json::to_value(role)
                .expect("serialise")
                .as_str()
                .expect("a string")
                .to_owned()
        })
        .collect()
}

/// Whether the envelope or `data` has a property no example has.
fn has_unknown_property(event: &Value) -> bool {
    let mut envelope = BTreeSet::new();
    let mut data = BTreeSet::new();
    for example in all_examples() {
        let value = serde_json::to_value(&example.event).expect("serialise");
        envelope.extend(value.as_object().expect("object").keys().cloned());
        data.extend(value["data"].as_object().expect("object").keys().cloned());
    }
    let keys = |value: &Value| -> Vec<String> {
        value
            .as_object()
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default()
    };
    keys(event).iter().any(|key| !envelope.contains(key))
        || keys(&event["data"]).iter().any(|key| !data.contains(key))
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let arrived = Instant::now();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        arrived,
        path,
        headers,
        body,
    })
}

fn respond(mut stream: TcpStream, status: u16) {
    let body = format!("status {status}");
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
