//! `listen --forward-to`: pass an authentic delivery on to the application,
//! unchanged, and answer with the application's answer.
//!
//! The body goes on byte for byte with the request's headers (less the
//! hop-by-hop ones, `Host` and `Content-Length`, which belong to each
//! connection), so the application can verify the signature itself. The
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

/// Headers that describe one connection, not the message.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
];

/// Where to forward deliveries, and the client to do it with.
pub struct Forwarder {
    url: String,
    /// `url` as it may be shown and recorded (without credentials).
    shown: String,
    target: client::Target,
}

impl Forwarder {
    /// A forwarder to `url`, whose requests never outlive `budget`.
    ///
    /// # Errors
    ///
    /// When the proxy variable that applies to `url` holds no proxy URL.
    pub fn new(url: String, budget: Duration) -> anyhow::Result<Forwarder> {
        Ok(Forwarder {
            target: client::Target::new(&url, budget)?,
            shown: client::shown(&url),
            url,
        })
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
        for (name, value) in headers {
            if !HOP_BY_HOP.contains(name) {
                request = request.header(name, value);
            }
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
