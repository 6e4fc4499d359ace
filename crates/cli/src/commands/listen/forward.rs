//! `listen --forward-to`: pass an authentic delivery on to the application,
//! unchanged, and answer with the application's answer.
//!
//! The body goes on byte for byte with the request's headers, so the
//! application can verify the signature itself; less those that describe
//! one connection, not the message (RFC 9110 §7.6.1): `Connection` and every
//! header it names, `Keep-Alive`, `TE`, `Trailer`, `Transfer-Encoding`,
//! `Upgrade`, `Proxy-*`, and `Expect` (`listen` has read the whole body
//! already; passed on, `Expect: 100-continue` would make the client wait
//! for a `100` before sending it), and `Host` and `Content-Length`, which
//! the client sets for its own connection.
//!
//! Each forwarded request carries `Via: 1.1 <mark>`, after any `Via` the
//! delivery brought, where the mark is a pseudonym random for each run of
//! `listen`: a request that comes back with its own mark has gone round a
//! loop, and is answered 508 (see [`super::server`]), so one delivery can
//! never turn into an endless chain. A `--forward-to` that names
//! `listen`'s own address is refused at start. The
//! blocking client runs on tokio's blocking pool and is given only the time
//! left before `listen` must answer; when the application does not answer in
//! time `listen` answers 504, and when it cannot be reached, 502. Both are
//! 5xx on purpose: the delivery did not reach the application, and a 5xx is
//! what makes Whereby retry it. An answer that is not final (a `1xx`, such
//! as `101 Switching Protocols`) is not relayed either: a webhook sender
//! expects one final answer, so it becomes 502.
//!
//! The application's answer is read as `send` reads one (see
//! [`crate::client`]): a body that does not arrive whole in time is no
//! answer (504), one cut off by a closed connection is a failure (502), a
//! body longer than 64 KiB is relayed cut there, and a status outside
//! 200 to 599 is no final answer (502). Proxies are used as for every
//! command, never for a loopback target.

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::HeaderMap;
use hyper::header::{self, HeaderName};

use hyper::StatusCode;

use super::verdict::Forwarded;
use crate::client;

/// Headers that describe one connection, not the message (and `Via`, to
/// which the mark is added).
const HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
    header::EXPECT,
    header::VIA,
];

/// Headers passed on even when `Connection` names them: what the delivery
/// was judged on. (A sender naming them there would have the application
/// receive, as authentic, a delivery without its signature.)
const JUDGED: [HeaderName; 2] = [
    header::CONTENT_TYPE,
    HeaderName::from_static("whereby-signature"),
];

/// Whether `name` is not passed on: one of [`HOP_BY_HOP`], `Keep-Alive`, a
/// `Proxy-*` header, or a header the `Connection` header names (unless it
/// is one of [`JUDGED`]).
fn hop_by_hop(name: &HeaderName, connection: &[String]) -> bool {
    HOP_BY_HOP.contains(name)
        || name.as_str() == "keep-alive"
        || name.as_str().starts_with("proxy-")
        || (!JUDGED.contains(name) && connection.iter().any(|named| named == name.as_str()))
}

/// The header names a `Connection` header lists, in lowercase.
fn named_by_connection(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The `Via` header to send: what the delivery brought, byte for byte
/// (a comment may hold any byte a header may), then our mark.
fn via(headers: &HeaderMap, mark: &str) -> Vec<u8> {
    let mut via = Vec::new();
    for value in &headers.get_all(header::VIA) {
        via.extend_from_slice(value.as_bytes());
        via.extend_from_slice(b", ");
    }
    via.extend_from_slice(b"1.1 ");
    via.extend_from_slice(mark.as_bytes());
    via
}

/// Where to forward deliveries, and the client to do it with.
pub struct Forwarder {
    url: String,
    /// This `listen`'s `Via` mark.
    mark: String,
    /// `url` as it may be shown and recorded (without credentials).
    shown: String,
    target: client::Target,
}

impl Forwarder {
    /// A forwarder to `url`, whose requests never outlive `budget` and
    /// carry `mark` in their `Via` header.
    ///
    /// # Errors
    ///
    /// When the proxy variable that applies to `url` holds no proxy URL.
    pub fn new(url: String, budget: Duration, mark: String) -> anyhow::Result<Forwarder> {
        Ok(Forwarder {
            target: client::Target::new(&url, budget)?,
            shown: client::shown(&url),
            url,
            mark,
        })
    }

    /// The host and port the URL names (the port its scheme implies when
    /// it names none).
    pub fn host_and_port(&self) -> Option<(String, u16)> {
        let uri: ureq::http::Uri = self.url.parse().ok()?;
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        })?;
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        Some((host.to_owned(), port))
    }

    /// The target URL as it may be shown and recorded: any credentials in
    /// it replaced by `***`, made terminal-safe.
    pub fn shown_url(&self) -> &str {
        &self.shown
    }

    /// Forwards `body` with `headers`, giving up at `deadline`.
    pub async fn forward(&self, headers: &HeaderMap, body: Bytes, deadline: Instant) -> Forwarded {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Forwarded::TimedOut("no time was left to forward".to_owned());
        }
        let mut request = ureq::http::Request::builder()
            .method(ureq::http::Method::POST)
            .uri(&self.url);
        let connection = named_by_connection(headers);
        for (name, value) in headers {
            if !hop_by_hop(name, &connection) {
                request = request.header(name, value);
            }
        }
        if let Ok(value) = header::HeaderValue::from_bytes(&via(headers, &self.mark)) {
            request = request.header(header::VIA, value);
        }
        // The URL's credentials, unless the delivery brought its own.
        if let Some(authorization) = &self.target.authorization
            && !headers.contains_key(header::AUTHORIZATION)
        {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let request = match request.body(body.to_vec()) {
            Ok(request) => request,
            Err(error) => return Forwarded::Failed(format!("cannot build the request: {error}")),
        };
        let request = self
            .target
            .agent
            .configure_request(request)
            .timeout_global(Some(remaining))
            .build();
        let agent = self.target.agent.clone();
        let call = tokio::task::spawn_blocking(move || client::read_answer(agent.run(request)?));
        // ureq stops at `remaining` by itself; this bounds the wait should
        // it not, with a little slack for it to report its own time-out.
        let slack = Duration::from_millis(100);
        match tokio::time::timeout(remaining + slack, call).await {
            Ok(Ok(Ok(answer))) => match StatusCode::from_u16(answer.status) {
                Ok(status) if (200..=599).contains(&answer.status) => Forwarded::Answer {
                    status,
                    content_type: answer.content_type,
                    body: Bytes::from(answer.body),
                },
                _ => Forwarded::Failed(format!(
                    "the application answered {}, not a final answer",
                    answer.status
                )),
            },
            Ok(Ok(Err(error))) if client::is_timeout(&error) => {
                Forwarded::TimedOut(format!("no answer in time: {error}"))
            }
            Ok(Ok(Err(error))) => Forwarded::Failed(error.to_string()),
            Ok(Err(join)) => Forwarded::Failed(format!("the forwarding task failed: {join}")),
            Err(_) => Forwarded::TimedOut("no answer in time".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn connection_headers_stay_and_via_grows() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, X-Hop"),
            ("connection", "x-other"),
            ("x-hop", "1"),
            ("x-other", "2"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("expect", "100-continue"),
            ("te", "trailers"),
            ("connection", "Whereby-Signature, content-type"),
            ("content-type", "application/json"),
            ("via", "1.1 proxy.example"),
            ("whereby-signature", "t=1,v1=00"),
        ] {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let connection = named_by_connection(&headers);
        let passed: Vec<&str> = headers
            .keys()
            .filter(|name| !hop_by_hop(name, &connection))
            .map(HeaderName::as_str)
            .collect();
        assert_eq!(passed, ["content-type", "whereby-signature"]);
        assert_eq!(
            via(&headers, "whereby-webhooks-abc"),
            b"1.1 proxy.example, 1.1 whereby-webhooks-abc"
        );
        let mut odd = HeaderMap::new();
        odd.append(
            header::VIA,
            HeaderValue::from_bytes(b"1.1 x (\xff)").expect("obs-text is allowed"),
        );
        assert_eq!(via(&odd, "m"), b"1.1 x (\xff), 1.1 m");
    }
}
