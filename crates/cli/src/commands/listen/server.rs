//! The receiver: an HTTP/1.1 server that judges every request.
//!
//! Each `POST` (to any path) goes through, in order:
//!
//! | check | refused with |
//! |---|---|
//! | method is `POST` | 405, with `Allow: POST` |
//! | the body arrives within the time limit | 408 |
//! | the body is at most `--max-body` bytes | 413 |
//! | one `Whereby-Signature` header, UTF-8, well formed | 400 (401 when missing) |
//! | a `v1` matches a secret, timestamp within tolerance | 401 |
//! | the body conforms to the spec, and to the event model | 422 |
//!
//! and is answered 200 when all pass (or, with `--forward-to`, with the
//! application's answer, for every delivery whose signature holds).
//!
//! Why these codes: Whereby retries a delivery on any 5xx and on a time-out,
//! and on nothing else. Every refusal above is about the request itself,
//! which a retry would send again unchanged, so each is a 4xx, and a bad or
//! missing signature never gets a 5xx. A correctly signed body that does not
//! conform gets 422 (Unprocessable Content) rather than 400: the request is
//! well formed and authentic, it is its content that breaks the contract,
//! and the distinct code makes that visible in delivery logs. 5xx is kept for
//! when the delivery did not reach the application behind `--forward-to`
//! (502 unreachable, 504 too slow), where a retry is the right outcome.
//!
//! Every answer is given within [`ANSWER_WITHIN`] of the request's head
//! arriving, well inside Whereby's 5 s: reading the body and forwarding
//! share that budget.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use whereby_webhooks_conformance::Validator;
use whereby_webhooks_conformance::signed::{SignedError, verify_then_parse};
use whereby_webhooks_signature::{
    ErrorKind, HEADER_NAME, Secret, SignatureHeader, Tolerance, now_unix,
};

use super::forward::{Forwarded, Forwarder};
use super::output::{Delivery, ForwardVerdict, Output, SchemaVerdict, SignatureVerdict};

/// Every answer is given within this long of the request's head arriving.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(4);

/// How long a client may take to send a request's head.
const HEAD_WITHIN: Duration = Duration::from_secs(4);

/// A body this much over the limit is not even drained: the connection is
/// closed after the 413.
const DRAIN_FACTOR: usize = 16;

/// After a shutdown signal, in-flight requests get this long to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What every request is judged with, shared by all connections.
pub struct State {
    /// The signing secrets.
    pub secrets: Vec<Secret>,
    /// How far a signature's timestamp may be from now.
    pub tolerance: Tolerance,
    /// The compiled spec.
    pub validator: Validator,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// Where to forward authentic deliveries, if anywhere.
    pub forward: Option<Forwarder>,
    /// The queue to the output thread.
    pub output: Output,
    /// Whether deliveries are recorded (and so their headers kept).
    pub recording: bool,
}

/// How the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every in-flight request finished.
    Drained,
    /// Some connections were still busy after the grace period.
    GraceExpired,
}

/// Serves `listener` until `shutdown` completes, then stops accepting and
/// lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Stopped {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: wait rather
                        // than spin.
                        eprintln!("warning: cannot accept a connection: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let service = service_fn(move |request| handle(Arc::clone(&state), request));
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEAD_WITHIN)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that hangs up or sends garbage only ends its
                    // own connection.
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    match tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await {
        Ok(()) => Stopped::Drained,
        Err(_) => Stopped::GraceExpired,
    }
}

/// Judges one request, queues its delivery for output, and answers.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let received_at = SystemTime::now();
    let (parts, body) = request.into_parts();
    let mut delivery = Delivery {
        received_at,
        method: parts.method.clone(),
        // Not the query: some endpoints carry a token there.
        path: parts.uri.path().to_owned(),
        headers: if state.recording {
            parts.headers.clone()
        } else {
            HeaderMap::new()
        },
        body: None,
        body_bytes: 0,
        id: None,
        signature: None,
        schema: None,
        forward: None,
        status: 0,
        reason: String::new(),
        elapsed: Duration::ZERO,
    };
    let answer = judge(&state, &parts, body, started, &mut delivery).await;
    delivery.status = answer.status.as_u16();
    delivery.reason.clone_from(&answer.reason);
    delivery.elapsed = started.elapsed();
    state.output.send(delivery);
    Ok(answer.into_response())
}

/// The answer to a request.
struct Answer {
    status: StatusCode,
    reason: String,
    content_type: Option<String>,
    /// A body other than the reason (a forwarded answer's).
    body: Option<Bytes>,
    allow_post: bool,
}

impl Answer {
    fn new(status: StatusCode, reason: impl Into<String>) -> Answer {
        Answer {
            status,
            reason: reason.into(),
            content_type: None,
            body: None,
            allow_post: false,
        }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let (content_type, body) = match self.body {
            Some(body) => (self.content_type, body),
            None => (
                Some("text/plain; charset=utf-8".to_owned()),
                Bytes::from(format!("{}\n", self.reason)),
            ),
        };
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        if self.allow_post {
            headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// The checks, in order; fills in `delivery` as it goes.
async fn judge(
    state: &State,
    parts: &Parts,
    body: Incoming,
    started: Instant,
    delivery: &mut Delivery,
) -> Answer {
    if parts.method != Method::POST {
        let mut answer = Answer::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "method {} not allowed: Whereby delivers webhooks with POST",
                parts.method
            ),
        );
        answer.allow_post = true;
        return answer;
    }
    let deadline = started + ANSWER_WITHIN;
    let bytes = match read_body(body, state.max_body, deadline).await {
        Ok(bytes) => bytes,
        Err(refused) => {
            delivery.body_bytes = refused.received;
            return refused.answer;
        }
    };
    delivery.body_bytes = bytes.len();
    delivery.body = Some(bytes.clone());

    let header = match signature_header(parts) {
        Ok(header) => header,
        Err(answer) => {
            delivery.signature = Some(SignatureVerdict {
                valid: false,
                error: Some(answer.reason.clone()),
                timestamp: None,
            });
            return answer;
        }
    };
    let result = verify_then_parse(
        header,
        &bytes,
        &state.secrets,
        state.tolerance,
        now_unix(),
        &state.validator,
    );
    // Rendered before `result` is taken apart.
    let reason = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let (timestamp, answer) = match result {
        Err(SignedError::Signature(error)) => {
            delivery.signature = Some(SignatureVerdict {
                valid: false,
                error: Some(reason.clone()),
                timestamp: SignatureHeader::parse(header).ok().map(|h| h.timestamp()),
            });
            let status = match error.kind() {
                ErrorKind::NoMatch | ErrorKind::TooOld | ErrorKind::InFuture => {
                    StatusCode::UNAUTHORIZED
                }
                ErrorKind::NoSecrets => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::BAD_REQUEST,
            };
            return Answer::new(status, reason);
        }
        Ok(verified) => {
            let answer = Answer::new(
                StatusCode::OK,
                format!(
                    "accepted {} {}",
                    verified.event.event_type(),
                    verified.event.id()
                ),
            );
            delivery.id = Some(verified.event.id().to_owned());
            delivery.schema = Some(SchemaVerdict {
                valid: true,
                event_type: verified.report.event_type,
                errors: Vec::new(),
                model_error: None,
            });
            (verified.timestamp, answer)
        }
        Err(SignedError::Invalid { timestamp, report }) => {
            delivery.schema = Some(SchemaVerdict {
                valid: false,
                event_type: report.event_type,
                errors: report.errors,
                model_error: None,
            });
            (
                timestamp,
                Answer::new(StatusCode::UNPROCESSABLE_ENTITY, reason),
            )
        }
        Err(SignedError::Model {
            timestamp,
            report,
            error,
        }) => {
            delivery.schema = Some(SchemaVerdict {
                valid: false,
                event_type: report.event_type,
                errors: report.errors,
                model_error: Some(error.to_string()),
            });
            (
                timestamp,
                Answer::new(StatusCode::UNPROCESSABLE_ENTITY, reason),
            )
        }
    };
    delivery.signature = Some(SignatureVerdict {
        valid: true,
        error: None,
        timestamp: Some(timestamp),
    });
    match &state.forward {
        Some(forwarder) => forward(forwarder, parts, bytes, deadline, delivery).await,
        None => answer,
    }
}

/// Forwards an authentic delivery and relays the answer.
async fn forward(
    forwarder: &Forwarder,
    parts: &Parts,
    bytes: Bytes,
    deadline: Instant,
    delivery: &mut Delivery,
) -> Answer {
    let url = forwarder.url().to_owned();
    match forwarder.forward(&parts.headers, bytes, deadline).await {
        Forwarded::Answer {
            status,
            content_type,
            body,
        } => {
            delivery.forward = Some(ForwardVerdict {
                url,
                status: Some(status),
                error: None,
            });
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut answer = Answer::new(status, format!("forwarded: {status}"));
            answer.content_type = content_type;
            answer.body = Some(body);
            answer
        }
        Forwarded::TimedOut(reason) => {
            let reason = format!("forwarding to {url} timed out: {reason}");
            delivery.forward = Some(ForwardVerdict {
                url,
                status: None,
                error: Some(reason.clone()),
            });
            Answer::new(StatusCode::GATEWAY_TIMEOUT, reason)
        }
        Forwarded::Failed(reason) => {
            let reason = format!("forwarding to {url} failed: {reason}");
            delivery.forward = Some(ForwardVerdict {
                url,
                status: None,
                error: Some(reason.clone()),
            });
            Answer::new(StatusCode::BAD_GATEWAY, reason)
        }
    }
}

/// The one `Whereby-Signature` header's value, or the answer refusing it.
fn signature_header(parts: &Parts) -> Result<&str, Answer> {
    let mut values = parts.headers.get_all(HEADER_NAME).iter();
    let Some(value) = values.next() else {
        return Err(Answer::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "missing {HEADER_NAME} header: sign the raw body and send `{HEADER_NAME}: t=<unix seconds>,v1=<hex>`"
            ),
        ));
    };
    if values.next().is_some() {
        return Err(Answer::new(
            StatusCode::BAD_REQUEST,
            format!(
                "several {HEADER_NAME} headers: send exactly one, with every v1 signature in it"
            ),
        ));
    }
    std::str::from_utf8(value.as_bytes()).map_err(|_| {
        Answer::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the {HEADER_NAME} header is not UTF-8: send `t=<unix seconds>,v1=<hex>` in ASCII"
            ),
        )
    })
}

/// A body that was refused, and how much of it arrived.
struct Refused {
    answer: Answer,
    received: usize,
}

/// Reads the whole body, up to `max` bytes, before `deadline`.
///
/// A body over the limit is drained (up to [`DRAIN_FACTOR`] times the
/// limit) before the 413, so that a client still sending it reads the
/// answer instead of a reset connection.
async fn read_body(mut body: Incoming, max: usize, deadline: Instant) -> Result<Bytes, Refused> {
    let mut buffer = Vec::new();
    let mut received = 0usize;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| {
                Answer::new(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the body: {error}"),
                )
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            received = received.saturating_add(data.len());
            if received <= max {
                buffer.extend_from_slice(&data);
            } else if received > max.saturating_mul(DRAIN_FACTOR) {
                break;
            }
        }
        Ok(())
    };
    let result = tokio::time::timeout_at(deadline.into(), read).await;
    let refuse = |answer| Refused { answer, received };
    match result {
        Err(_) => Err(refuse(Answer::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s: send it at once",
                ANSWER_WITHIN.as_secs()
            ),
        ))),
        Ok(Err(answer)) => Err(refuse(answer)),
        Ok(Ok(())) if received > max => Err(refuse(Answer::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over the {max}-byte limit: raise --max-body to accept it"),
        ))),
        Ok(Ok(())) => Ok(Bytes::from(buffer)),
    }
}

/// The address in the form printed at startup.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
