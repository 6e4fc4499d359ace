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
//! Proxies: the usual `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` variables are
//! honoured, with `NO_PROXY`, except that a loopback target (`localhost`,
//! 127.0.0.0/8, `::1`) is always reached directly: a proxy cannot reach
//! this machine's loopback interface.

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
    agent: ureq::Agent,
}

impl Forwarder {
    /// A forwarder to `url`, whose requests never outlive `budget`.
    pub fn new(url: String, budget: Duration) -> Forwarder {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(budget))
            .user_agent(client::USER_AGENT);
        if is_loopback(&url) {
            config = config.proxy(None);
        }
        Forwarder {
            url,
            agent: config.build().into(),
        }
    }

    /// The target URL.
    pub fn url(&self) -> &str {
        &self.url
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
        let request = match request.body(body.to_vec()) {
            Ok(request) => request,
            Err(error) => return Forwarded::Failed(format!("cannot build the request: {error}")),
        };
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(remaining))
            .build();
        let agent = self.agent.clone();
        let call = tokio::task::spawn_blocking(move || {
            let response = agent.run(request)?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let body = response
                .into_body()
                .with_config()
                .limit(client::MAX_ANSWER)
                .read_to_vec()
                .unwrap_or_default();
            Ok::<_, ureq::Error>((status, content_type, body))
        });
        // ureq stops at `remaining` by itself; this bounds the wait should
        // it not, with a little slack for it to report its own time-out.
        let slack = Duration::from_millis(100);
        match tokio::time::timeout(remaining + slack, call).await {
            Ok(Ok(Ok((status, content_type, body)))) => match StatusCode::from_u16(status) {
                Ok(status) if status.as_u16() >= 200 => Forwarded::Answer {
                    status,
                    content_type,
                    body: Bytes::from(body),
                },
                _ => Forwarded::Failed(format!(
                    "the application answered {status}, not a final answer"
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

/// Whether `url`'s host is this machine's loopback interface.
fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_targets_are_recognised() {
        for url in [
            "http://127.0.0.1:3000/x",
            "http://127.1.2.3/",
            "http://[::1]:8080/",
            "http://LOCALHOST:1/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/",
            "https://example.com/",
            "http://[::2]/",
            "nonsense",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
