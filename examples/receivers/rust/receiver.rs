//! A minimal, correct Whereby webhook receiver in Rust: hyper and tokio, with
//! `whereby-webhooks-signature` for the signature.
//!
//! ```text
//! PORT=8000 WHEREBY_WEBHOOK_SECRET=... cargo run -p whereby-webhooks --example receiver
//! whereby-webhooks check-receiver http://127.0.0.1:8000/webhooks
//! ```
//!
//! It serves `POST /webhooks` on 127.0.0.1:PORT (`PORT=0`: a free port) and:
//! - verifies `Whereby-Signature` over the raw request bytes, in constant
//!   time, with the timestamp bounded in both directions;
//! - answers 401 to a delivery that fails verification (a 5xx would make
//!   Whereby retry it);
//! - answers 200, then dispatches on `type`, acknowledging types it does not
//!   know;
//! - deduplicates on `id`: a redelivery gets 200 and is not handled twice.
//!
//! Its first line on stdout, once it accepts connections, is
//! `listening on http://127.0.0.1:<port>/webhooks`: a script waits for that
//! line rather than sleeping. A port in use is one line on stderr and exit
//! status 2.

use std::collections::HashSet;
use std::convert::Infallible;
use std::io::{ErrorKind, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use whereby_webhooks_signature::{Secret, Tolerance, now_unix, verify};

// guide:start
/// Whether `header` (the `Whereby-Signature` value) signs `raw_body`, the
/// bytes read from the request (never a re-serialised `serde_json::Value`).
/// `verify` accepts any matching `v1`, compares in constant time and bounds
/// the timestamp both ways: we recommend 300 seconds
/// (`Tolerance::DEFAULT`); Whereby's own example uses 60.
fn authentic(secret: &Secret, header: Option<&[u8]>, raw_body: &[u8], now: u64) -> bool {
    let Some(header) = header.and_then(|value| std::str::from_utf8(value).ok()) else {
        return false;
    };
    verify(
        header,
        raw_body,
        std::slice::from_ref(secret),
        Tolerance::DEFAULT,
        now,
    )
    .is_ok()
}
// guide:end

/// The most body read.
const MAX_BODY: usize = 1024 * 1024;

/// What every request handler shares.
struct State {
    secret: Secret,
    /// Ids already handled. We recommend a database table with a unique key
    /// (and an expiry) in production: this set is lost on restart.
    seen_ids: Mutex<HashSet<String>>,
}

/// Acts on one authentic, first-seen event: dispatch on `type`.
fn handle(event: &Value) {
    let data = &event["data"];
    match event["type"].as_str() {
        Some("room.client.joined") => {
            println!("joined: {} as {}", data["displayName"], data["roleName"])
        }
        Some("room.client.left") => println!("left: {}", data["displayName"]),
        Some("recording.finished") => println!("recording ready: {}", data["filename"]),
        // Whereby adds event types: acknowledge the ones you do not handle.
        _ => println!("ignored: {}", event["type"]),
    }
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

async fn receive(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != "/webhooks" {
        return Ok(answer(StatusCode::NOT_FOUND));
    }
    if request.method() != Method::POST {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED));
    }
    let (parts, body) = request.into_parts();
    let Ok(collected) = Limited::new(body, MAX_BODY).collect().await else {
        return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE));
    };
    let raw_body = collected.to_bytes();
    let header = parts.headers.get("whereby-signature").map(|v| v.as_bytes());
    if !authentic(&state.secret, header, &raw_body, now_unix()) {
        return Ok(answer(StatusCode::UNAUTHORIZED)); // 4xx: Whereby does not retry it
    }
    let Ok(event) = serde_json::from_slice::<Value>(&raw_body) else {
        return Ok(answer(StatusCode::BAD_REQUEST));
    };
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    let first = state
        .seen_ids
        .lock()
        .map(|mut seen| seen.insert(id))
        .unwrap_or(true);
    // A redelivery is acknowledged like the first delivery, and not handled
    // again. Slow work belongs on a queue or a spawned task: Whereby waits 5 s.
    if first {
        if parts.headers.contains_key("whereby-webhooks-test") {
            // Sent by `whereby-webhooks check-receiver` (signed with your
            // secret): skip side effects such as emails or billing here.
            println!("test delivery: {}", event["type"]);
        } else {
            tokio::spawn(async move { handle(&event) });
        }
    }
    Ok(answer(StatusCode::OK))
}

/// Listens on 127.0.0.1:`port` (0: a free port). A port in use is an error
/// of one line that says what to do.
fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).map_err(|error| {
        if error.kind() == ErrorKind::AddrInUse {
            format!("port {port} is in use: set PORT to another port, or PORT=0 for a free one")
        } else {
            format!("cannot listen on 127.0.0.1:{port}: {error}")
        }
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("WHEREBY_WEBHOOK_SECRET")
        .map_err(|_| "set WHEREBY_WEBHOOK_SECRET to the endpoint's signing secret")?;
    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "8000".into())
        .parse()?;
    let state = Arc::new(State {
        secret: Secret::new(&secret)?,
        seen_ids: Mutex::new(HashSet::new()),
    });
    let listener = bind(port).unwrap_or_else(|message| {
        eprintln!("{message}");
        std::process::exit(2)
    });
    // Listening now; with PORT=0 the system chose the port.
    let port = listener.local_addr()?.port();
    println!("listening on http://127.0.0.1:{port}/webhooks");
    std::io::stdout().flush()?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| receive(Arc::clone(&state), request));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PORT=0` takes a free port; a port in use is refused in one line that
    /// names it and the way out.
    #[test]
    fn a_port_in_use_says_what_to_do() {
        let taken = bind(0).expect("a free port");
        let port = taken.local_addr().expect("an address").port();
        assert_ne!(port, 0);
        assert_eq!(
            bind(port).expect_err("the port is taken"),
            format!("port {port} is in use: set PORT to another port, or PORT=0 for a free one")
        );
    }

    /// `spec/test-vectors.json`: each vector verifies at its timestamp, and
    /// not with a changed body nor 301 s either side of it.
    #[test]
    fn the_test_vectors_verify() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/test-vectors.json");
        let text = std::fs::read_to_string(path).expect("spec/test-vectors.json");
        let vectors: Value = serde_json::from_str(&text).expect("JSON");
        let vectors = vectors.as_array().expect("a list");
        assert!(vectors.len() >= 3);
        for vector in vectors {
            let name = vector["name"].as_str().expect("name");
            let secret = Secret::new(vector["secret"].as_str().expect("secret")).expect("secret");
            let t = vector["timestamp"].as_u64().expect("timestamp");
            let body = vector["body"].as_str().expect("body").as_bytes();
            let header = vector["header"].as_str().expect("header").as_bytes();
            assert!(authentic(&secret, Some(header), body, t), "{name}");
            let mut changed = body.to_vec();
            changed.push(b' ');
            assert!(
                !authentic(&secret, Some(header), &changed, t),
                "{name}: changed body"
            );
            assert!(
                !authentic(&secret, Some(header), body, t + 301),
                "{name}: stale"
            );
            assert!(
                !authentic(&secret, Some(header), body, t - 301),
                "{name}: future"
            );
            assert!(!authentic(&secret, None, body, t), "{name}: no header");
        }
    }
}
