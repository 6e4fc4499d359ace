//! The receiver: an HTTP/1.1 server that judges every request.
//!
//! Each `POST` (to any path) goes through, in order:
//!
//! | check | refused with |
//! |---|---|
//! | method is `POST` | 405, with `Allow: POST` |
//! | no `Via` mark of this `listen` (a `--forward-to` loop) | 508 |
//! | the body arrives within the time limit | 408 |
//! | the body is at most `--max-body` bytes | 413 |
//! | one `Whereby-Signature` header, UTF-8, well formed | 400 (401 when missing) |
//! | a `v1` matches a secret, timestamp within tolerance | 401 |
//! | the body is JSON without duplicate keys and conforms to the spec | 422 |
//!
//! and is answered 200 when all pass (or, with `--forward-to`, with the
//! application's answer, for every delivery whose signature holds; with
//! `--reject-invalid` too, a body that does not conform gets 422 and is not
//! forwarded). 503 with `Retry-After` means `listen` could not take the
//! delivery in time (output not keeping up, or the memory set aside for
//! bodies in use); Whereby retries it.
//!
//! Why these codes: Whereby retries a delivery on any 5xx and on a time-out,
//! and on nothing else. Every refusal above is about the request itself,
//! which a retry would send again unchanged, so each is a 4xx, and a bad or
//! missing signature never gets a 5xx. A correctly signed body that does not
//! conform gets 422 (Unprocessable Content) rather than 400: the request is
//! well formed and authentic, it is its content that breaks the contract.
//! A body the spec accepts but this build's event model cannot type (a
//! spec newer than the build, a count past `u32`, `2.0` for `2`) is
//! accepted, and its line and record say so: the spec is the contract.
//! 5xx is kept for when the delivery did not reach the application behind
//! `--forward-to` (502 unreachable or no final answer, 504 too slow) or
//! could not be taken (503), where a retry is the right outcome.
//!
//! Every answer is given within [`ANSWER_WITHIN`] of the request's head
//! arriving, well inside Whereby's 5 s: reading the body, waiting for room
//! in the output queue and forwarding share that budget.
//!
//! An authentic body whose `type` the spec does not describe, and that
//! breaks nothing else, is answered 200 and reported as unknown: the
//! contract tells receivers to acknowledge event types they do not know,
//! since Whereby adds them (in `--strict` mode it is refused with 422).
//!
//! Bounds, whatever unauthenticated clients send:
//!
//! * lines about requests without a valid signature take at most the byte
//!   budget of [`super::budget`], with their path and header values cut at
//!   [`UNAUTHENTIC_VALUE_MAX`] bytes;
//! * a body is buffered only when its signature header is well formed; the
//!   buffers of all requests together take at most [`BODY_BUDGET`] (or
//!   twice `--max-body`, if more), and a request that cannot get room in
//!   time gets 503. Any other body is only hashed as it streams past, its
//!   first bytes kept for the record;
//! * at most `--max-connections` connections are open; when a new one
//!   arrives at the limit, the connection idle the longest (between
//!   requests, or not yet sending one) is closed to make room, so real
//!   deliveries keep being answered while idle clients hold sockets;
//! * a request's head is at most [`MAX_HEAD`] bytes;
//! * a connection whose client half-closes (shuts down its sending side
//!   after the request) still gets its answer, and the delivery its record.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
use sha2::{Digest as _, Sha256};
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use whereby_webhooks_conformance::judge::{self, Judge, Signature};
use whereby_webhooks_signature::{Cause, Scheme, now_unix};

use super::forward::Forwarder;

use super::output::Output;
pub use super::verdict::ANSWER_WITHIN;
use super::verdict::{Delivery, Forwarded, Kept, RETRY_AFTER_SECS, Refusal, Verdict};
use crate::record::{HEADER_VALUE_MAX, KEPT_HEADERS, PREFIX};

/// The most of a path or header value kept for a request without a valid
/// signature.
pub const UNAUTHENTIC_VALUE_MAX: usize = 256;

/// How long a client may take to send a request's head.
const HEAD_WITHIN: Duration = Duration::from_secs(4);

/// The largest request head read.
pub const MAX_HEAD: usize = 32 * 1024;

/// A body this much over the limit is not even drained: the connection is
/// closed after the 413.
const DRAIN_FACTOR: u64 = 16;

/// After a shutdown signal, in-flight requests get this long to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

/// The memory all buffered bodies may take together, at least.
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;

/// The unit the body budget is counted in.
const BUDGET_UNIT: usize = 1024;

/// What every request is judged with, shared by all connections.
pub struct State {
    /// What every delivery is judged with: the secrets, the tolerance and
    /// the compiled spec.
    pub judge: Judge,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// Where to forward authentic deliveries, if anywhere.
    pub forward: Option<Forwarder>,
    /// Whether a non-conforming authentic body is refused (422) rather than
    /// forwarded.
    pub reject_invalid: bool,
    /// The queue to the output thread.
    pub output: Output,
    /// Whether deliveries are recorded (and so their headers kept).
    pub recording: bool,
    /// Whether each request is judged in a task of its own (when
    /// forwarding, or syncing record lines).
    pub detached: bool,
    /// Room for buffered bodies, in [`BUDGET_UNIT`]s.
    pub bodies: Arc<Semaphore>,
    /// Authentic deliveries answered 503 for want of room in the queue.
    pub shed: AtomicU64,
    /// Refused deliveries answered but not printed or recorded, for want of
    /// room in the queue.
    pub unlogged: AtomicU64,
    /// This `listen`'s mark in the `Via` header of what it forwards (a
    /// pseudonym of its own, random for each run).
    pub mark: String,
    /// How deliveries are printed on stdout.
    pub format: super::output::Format,
    /// How many unauthentic deliveries may still have their cause looked
    /// for this second.
    pub diagnoses: DiagnosisRate,
}

impl State {
    /// The signature scheme, when it is not Whereby's (`--profile`).
    pub fn scheme(&self) -> Option<&'static Scheme> {
        let scheme = self.judge.scheme();
        (scheme.name != "whereby").then_some(scheme)
    }

    /// The body budget for `max_body`, in units.
    pub fn body_budget(max_body: usize) -> Arc<Semaphore> {
        let bytes = BODY_BUDGET.max(max_body.saturating_mul(2));
        Arc::new(Semaphore::new(
            (bytes / BUDGET_UNIT).min(Semaphore::MAX_PERMITS),
        ))
    }
}

/// How the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every in-flight request finished.
    Drained,
    /// Some connections were still busy after the grace period.
    GraceExpired,
}

/// One open connection, as the idle-shedding sees it.
struct Connection {
    /// Busy with a request.
    busy: AtomicBool,
    /// When it last became idle, in milliseconds since the server started.
    idle_since: AtomicU64,
    /// Wakes the connection to close when idle.
    close: Notify,
}

/// The open connections.
struct Connections {
    started: Instant,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
}

impl Connections {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn add(&self, id: u64) -> Arc<Connection> {
        let connection = Arc::new(Connection {
            busy: AtomicBool::new(false),
            idle_since: AtomicU64::new(self.now_ms()),
            close: Notify::new(),
        });
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, Arc::clone(&connection));
        }
        connection
    }

    fn remove(&self, id: u64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
    }

    /// Asks the connection idle the longest to close; whether there was one.
    fn shed_idle(&self) -> bool {
        let Ok(open) = self.open.lock() else {
            return false;
        };
        let oldest = open
            .values()
            .filter(|c| !c.busy.load(Ordering::Relaxed))
            .min_by_key(|c| c.idle_since.load(Ordering::Relaxed));
        match oldest {
            Some(connection) => {
                connection.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Serves `listener` until `shutdown` completes, then stops accepting and
/// lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()>,
) -> Stopped {
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    let connections = Arc::new(Connections {
        started: Instant::now(),
        open: Mutex::new(HashMap::new()),
    });
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: shed an idle
                        // connection, and wait rather than spin.
                        connections.shed_idle();
                        eprintln!("warning: cannot accept a connection: {error}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let slot = match Arc::clone(&slots).try_acquire_owned() {
                    Ok(slot) => slot,
                    Err(_) => {
                        connections.shed_idle();
                        let wait = Arc::clone(&slots).acquire_owned();
                        match tokio::time::timeout(Duration::from_millis(500), wait).await {
                            Ok(Ok(slot)) => slot,
                            // Every connection is busy: this one is closed.
                            _ => continue,
                        }
                    }
                };
                next_id += 1;
                spawn_connection(
                    stream,
                    peer.ip(),
                    next_id,
                    slot,
                    Arc::clone(&state),
                    Arc::clone(&connections),
                    stopping.clone(),
                );
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(max_connections.max(1)).unwrap_or(u32::MAX);
    match tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await {
        Ok(_) => Stopped::Drained,
        Err(_) => Stopped::GraceExpired,
    }
}

fn spawn_connection(
    stream: tokio::net::TcpStream,
    peer: std::net::IpAddr,
    id: u64,
    slot: OwnedSemaphorePermit,
    state: Arc<State>,
    connections: Arc<Connections>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let connection = connections.add(id);
    let seen = Arc::clone(&connection);
    let clock = Arc::clone(&connections);
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        let seen = Arc::clone(&seen);
        let clock = Arc::clone(&clock);
        async move {
            seen.busy.store(true, Ordering::Relaxed);
            // A client that hangs up drops this future. While forwarding
            // or recording, that would leave a delivery the application
            // has, or a line in the record, unprinted: such requests are
            // judged in a task of their own. Otherwise a hang-up can only
            // cut the judging short before anything was kept; a task per
            // request would cost more than the judging.
            let response = if state.detached {
                tokio::spawn(handle(state, request, peer))
                    .await
                    .unwrap_or_else(|_| {
                        plain(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal error".to_owned(),
                        )
                    })
            } else {
                handle(state, request, peer).await
            };
            seen.idle_since.store(clock.now_ms(), Ordering::Relaxed);
            seen.busy.store(false, Ordering::Relaxed);
            Ok::<_, Infallible>(response)
        }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_WITHIN)
        .half_close(true)
        .max_buf_size(MAX_HEAD)
        .serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        let mut served = std::pin::pin!(served);
        let mut closing = *stopping.borrow();
        if closing {
            served.as_mut().graceful_shutdown();
        }
        loop {
            tokio::select! {
                // A client that hangs up or sends garbage only ends its own
                // connection.
                _ = served.as_mut() => break,
                () = connection.close.notified(), if !closing => {
                    served.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ = stopping.changed(), if !closing => {
                    served.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
        connections.remove(id);
        drop(slot);
    });
}

/// A text answer: `reason` and a newline.
fn plain(status: StatusCode, mut reason: String) -> Response<Full<Bytes>> {
    reason.push('\n');
    let mut response = Response::new(Full::new(Bytes::from(reason)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    response
}

/// The answer a verdict gives.
fn answer(verdict: &Verdict, scheme: Option<&Scheme>) -> Response<Full<Bytes>> {
    if let Verdict::Judged {
        forward:
            Some((
                _,
                Forwarded::Answer {
                    status,
                    content_type,
                    body,
                },
            )),
        ..
    } = verdict
    {
        let mut response = Response::new(Full::new(body.clone()));
        *response.status_mut() = *status;
        if let Some(value) = content_type
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        return response;
    }
    let mut response = plain(verdict.status(), verdict.reason(scheme));
    if matches!(verdict, Verdict::Refused(Refusal::Method(_))) {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

/// `text` cut at `max` bytes (on a character boundary), with `...` when
/// cut.
fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

/// The allow-listed headers, values cut at `max` bytes.
fn kept_headers(
    headers: &HeaderMap,
    max: usize,
    signed: &'static [&'static str],
) -> Vec<(&'static str, String)> {
    KEPT_HEADERS
        .iter()
        .chain(signed.iter().filter(|name| !KEPT_HEADERS.contains(name)))
        .filter_map(|name| {
            let mut values = headers.get_all(*name).iter();
            let first = values.next()?;
            let mut value = String::from_utf8_lossy(first.as_bytes()).into_owned();
            for more in values {
                value.push_str(", ");
                value.push_str(&String::from_utf8_lossy(more.as_bytes()));
            }
            Some((*name, cut(value, max)))
        })
        .collect()
}

/// Judges one request, queues its delivery for output, and answers.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    peer: std::net::IpAddr,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let received_at = SystemTime::now();
    let deadline = started + ANSWER_WITHIN;
    let (parts, body) = request.into_parts();
    let mut judged = judge(&state, &parts, body, deadline).await;
    let doubted = judged.doubted.take();
    let authentic = judged.verdict.is_authentic();
    // Anyone can send what is not authentic: only its start is kept.
    let value_max = if authentic {
        HEADER_VALUE_MAX
    } else {
        UNAUTHENTIC_VALUE_MAX
    };
    let mut delivery = Delivery {
        scheme: state.scheme(),
        received_at,
        method: parts.method.clone(),
        // Not the query: some endpoints carry a token there.
        path: if authentic {
            parts.uri.path().to_owned()
        } else {
            cut(parts.uri.path().to_owned(), UNAUTHENTIC_VALUE_MAX)
        },
        headers: if state.recording {
            kept_headers(&parts.headers, value_max, state.judge.headers())
        } else {
            Vec::new()
        },
        body: judged.kept,
        body_bytes: judged.body_bytes,
        verdict: judged.verdict,
        elapsed: Duration::ZERO,
        unrecorded: false,
        printed: None,
    };
    // An authentic delivery waits for room in the queue within its budget;
    // anything else is written only within the budget of unauthenticated
    // requests, and takes room only if there is some, so that floods of
    // them never hold answers back nor fill the disk.
    let mut line = None;
    let slot = match judged.slot {
        Some(slot) => Some(slot),
        None if authentic => None,
        None => {
            delivery.elapsed = started.elapsed();
            let mut printed = Vec::new();
            delivery.stdout_line(state.format, &mut printed);
            let mut recorded = Vec::new();
            if state.recording {
                delivery.write_record(&mut recorded);
            }
            let allowance = if doubted.is_some() { CAUSE_BYTES } else { 0 };
            if !state
                .output
                .may_write_unauthenticated(printed.len() + recorded.len() + allowance, peer)
            {
                return answer(&delivery.verdict, delivery.scheme);
            }
            // Within the budget: the cause is worth its HMACs, for a body of
            // an event's size, a few times a second, off the async workers.
            if let Some(doubted) = doubted
                && doubted.body.len() <= DIAGNOSED_BODY_MAX
                && state.diagnoses.allow(Instant::now())
            {
                let cause = look_for_cause(doubted, &state).await;
                if let Verdict::Judged {
                    verdict: judge::Verdict::Unauthentic { cause: found, .. },
                    ..
                } = &mut delivery.verdict
                {
                    *found = cause;
                }
                printed.clear();
                delivery.stdout_line(state.format, &mut printed);
                if state.recording {
                    recorded.clear();
                    delivery.write_record(&mut recorded);
                }
            }
            delivery.printed = Some(printed);
            line = state.recording.then_some(recorded);
            state.output.reserve(Instant::now()).await
        }
    };
    let Some(slot) = slot else {
        if authentic {
            state.shed.fetch_add(1, Ordering::Relaxed);
            return answer(&Verdict::Refused(Refusal::Busy), state.scheme());
        }
        state.unlogged.fetch_add(1, Ordering::Relaxed);
        return answer(&delivery.verdict, delivery.scheme);
    };
    if line.is_none() {
        delivery.elapsed = started.elapsed();
    }
    let response = answer(&delivery.verdict, delivery.scheme);
    if slot.send(delivery, line, started + ANSWER_WITHIN).await {
        response
    } else {
        answer(&Verdict::Refused(Refusal::NotRecorded), state.scheme())
    }
}

/// A verdict and what it keeps.
struct Judged {
    verdict: Verdict,
    kept: Kept,
    body_bytes: u64,
    /// The queue slot of an authentic delivery, reserved before forwarding.
    slot: Option<super::output::Slot>,
    /// The body of a delivery whose header parsed but whose signature did
    /// not hold, kept (with its room in the body budget) until it is known
    /// whether its line is written, and so whether its cause is looked for.
    doubted: Option<Doubted>,
}

/// See [`Judged::doubted`].
struct Doubted {
    /// The headers the judge reads.
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    _room: Option<OwnedSemaphorePermit>,
}

/// What a cause adds to a delivery's lines, at most: charged to the budget
/// of unauthenticated requests before the cause is looked for.
const CAUSE_BYTES: usize = 96;

/// The checks, in order: the HTTP layer's (method, loop, time, size), then
/// the library's [`Judge`] on the signature header and the body.
async fn judge(state: &State, parts: &Parts, body: Incoming, deadline: Instant) -> Judged {
    let refused = |refusal, kept, body_bytes| Judged {
        verdict: Verdict::Refused(refusal),
        kept,
        body_bytes,
        slot: None,
        doubted: None,
    };
    if parts.method != Method::POST {
        return refused(Refusal::Method(parts.method.clone()), Kept::Unread, 0);
    }
    if carries_mark(&parts.headers, &state.mark) {
        return refused(Refusal::Loop, Kept::Unread, 0);
    }
    // The headers the scheme reads (for Whereby's, `Whereby-Signature`).
    let signed: Vec<(&str, &[u8])> = state
        .judge
        .headers()
        .iter()
        .flat_map(|name| {
            parts
                .headers
                .get_all(*name)
                .iter()
                .map(move |value| (*name, value.as_bytes()))
        })
        .collect();
    let signature = state.judge.signature_of(&signed);
    // Only a body whose header could possibly verify is kept whole.
    let buffer = signature.needs_body();
    let Read {
        outcome,
        received: body_bytes,
        head,
        sha256,
        permit,
    } = read_body(body, state, buffer, deadline).await;
    let prefix = || Kept::Prefix {
        prefix: Bytes::copy_from_slice(&head),
        sha256: sha256.clone().unwrap_or_default(),
    };
    let bytes = match outcome {
        Err(refusal) => return refused(refusal, prefix(), body_bytes),
        Ok(bytes) => bytes,
    };
    let parsed = matches!(signature, Signature::Parsed { .. });
    let verdict = state
        .judge
        .conclude_with(signature, &signed, &bytes, now_unix());
    let kept = match &verdict {
        judge::Verdict::Authentic { .. } => None,
        // A body whose header could not verify was not buffered, only its
        // first bytes kept as it streamed past.
        _ if buffer => Some(Kept::Prefix {
            prefix: Bytes::copy_from_slice(&bytes[..bytes.len().min(PREFIX)]),
            sha256: sha256.unwrap_or_else(|| hex::encode(Sha256::digest(&bytes))),
        }),
        _ => Some(prefix()),
    };
    if let Some(kept) = kept {
        // The cause of a signature that did not hold is looked for later,
        // only if its line is written.
        let doubted = match &verdict {
            judge::Verdict::Unauthentic { cause: None, .. } if parsed => Some(Doubted {
                headers: signed
                    .iter()
                    .map(|(name, value)| (*name, value.to_vec()))
                    .collect(),
                body: bytes,
                _room: permit,
            }),
            _ => None,
        };
        return Judged {
            verdict: Verdict::Judged {
                verdict,
                forward: None,
            },
            kept,
            body_bytes,
            slot: None,
            doubted,
        };
    }
    let bytes = Bytes::from(bytes);
    // Room in the queue first: a delivery that cannot be recorded is not
    // forwarded either.
    let Some(slot) = state.output.reserve(deadline).await else {
        return Judged {
            verdict: Verdict::Judged {
                verdict,
                forward: None,
            },
            kept: Kept::Whole(bytes),
            body_bytes,
            slot: None,
            doubted: None,
        };
    };
    drop(permit);
    let forward = match (&state.forward, &verdict) {
        (None, _) => None,
        // A body with a key twice is never passed on: the application's
        // parser may read it differently from the one that judged it.
        (Some(forwarder), judge::Verdict::Authentic { conformance, .. })
            if conformance.has_duplicate_key()
                || (state.reject_invalid && !conformance.is_valid()) =>
        {
            Some((forwarder.shown_url().to_owned(), Forwarded::Withheld))
        }
        (Some(forwarder), _) => Some((
            forwarder.shown_url().to_owned(),
            forwarder
                .forward(&parts.headers, bytes.clone(), deadline)
                .await,
        )),
    };
    Judged {
        verdict: Verdict::Judged { verdict, forward },
        kept: Kept::Whole(bytes),
        body_bytes,
        slot: Some(slot),
        doubted: None,
    }
}

/// The likely cause of an unauthentic delivery, as `whereby-webhooks verify`
/// would name it (see [`whereby_webhooks_signature::diagnose`]), looked for
/// on tokio's blocking pool: it takes a few dozen HMACs and JSON
/// re-serialisations of the body.
async fn look_for_cause(doubted: Doubted, state: &Arc<State>) -> Option<Cause> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let headers: Vec<(&str, &[u8])> = doubted
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_slice()))
            .collect();
        state.judge.cause_of(&headers, &doubted.body, now_unix())
    })
    .await
    .ok()
    .flatten()
}

/// The largest body whose cause is looked for: Whereby's events are a few
/// KiB, and a larger body is more likely a flood than a mistake.
const DIAGNOSED_BODY_MAX: usize = 64 * 1024;

/// How many deliveries a second may have their cause looked for.
const DIAGNOSES_PER_SECOND: u32 = 10;

/// Counts the causes looked for in the current second.
#[derive(Debug)]
pub struct DiagnosisRate(Mutex<(Instant, u32)>);

impl DiagnosisRate {
    /// None looked for yet.
    pub fn new() -> DiagnosisRate {
        DiagnosisRate(Mutex::new((Instant::now(), 0)))
    }

    /// Whether one more may be looked for at `now`.
    fn allow(&self, now: Instant) -> bool {
        let Ok(mut window) = self.0.lock() else {
            return false;
        };
        if now.saturating_duration_since(window.0) >= Duration::from_secs(1) {
            *window = (now, 0);
        }
        if window.1 >= DIAGNOSES_PER_SECOND {
            return false;
        }
        window.1 += 1;
        true
    }
}

impl Default for DiagnosisRate {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a `Via` header of `headers` names `mark` as the received-by
/// part of one of its entries, whatever its case, and whatever bytes the
/// entries' comments hold.
fn carries_mark(headers: &HeaderMap, mark: &str) -> bool {
    headers.get_all(header::VIA).iter().any(|value| {
        value.as_bytes().split(|b| *b == b',').any(|entry| {
            let mut words = entry
                .split(|b| b.is_ascii_whitespace())
                .filter(|word| !word.is_empty());
            let _protocol = words.next();
            words
                .next()
                .is_some_and(|by| by.eq_ignore_ascii_case(mark.as_bytes()))
        })
    })
}

/// What reading a body gave.
struct Read {
    outcome: Result<Vec<u8>, Refusal>,
    received: u64,
    /// The first bytes.
    head: Vec<u8>,
    /// The SHA-256 of a body that was streamed, not buffered.
    sha256: Option<String>,
    /// The room the buffered body takes.
    permit: Option<OwnedSemaphorePermit>,
}

/// Reads the body before `deadline`: whole (`buffer`, up to `--max-body`,
/// within the body budget), or only hashed as it streams past.
///
/// A body over the limit is drained (up to [`DRAIN_FACTOR`] times the
/// limit) before the 413, so that a client still sending it reads the
/// answer instead of a reset connection.
async fn read_body(mut body: Incoming, state: &State, buffer: bool, deadline: Instant) -> Read {
    let max = state.max_body as u64;
    let mut kept: Option<Vec<u8>> = buffer.then(Vec::new);
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut received = 0u64;
    let mut permit: Option<OwnedSemaphorePermit> = None;
    let mut waiting_for_room = false;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| Refusal::Unreadable(error.to_string()))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            received = received.saturating_add(data.len() as u64);
            if head.len() < PREFIX {
                let take = (PREFIX - head.len()).min(data.len());
                head.extend_from_slice(&data[..take]);
            }
            if received > max {
                // Over the limit: nothing more is kept, only hashed.
                if let Some(buffer) = kept.take() {
                    hasher.update(&buffer);
                }
                permit = None;
                hasher.update(&data);
                if received > max.saturating_mul(DRAIN_FACTOR) {
                    break;
                }
                continue;
            }
            match kept.as_mut() {
                Some(buffer) => {
                    let units = |bytes: usize| bytes.div_ceil(BUDGET_UNIT);
                    let held = permit.as_ref().map_or(0, OwnedSemaphorePermit::num_permits);
                    let needed = units(buffer.len() + data.len()).saturating_sub(held);
                    if needed > 0 {
                        let needed = u32::try_from(needed).map_err(|_| Refusal::Busy)?;
                        waiting_for_room = true;
                        let more = Arc::clone(&state.bodies)
                            .acquire_many_owned(needed)
                            .await
                            .map_err(|_| Refusal::Busy)?;
                        waiting_for_room = false;
                        match permit.as_mut() {
                            Some(permit) => permit.merge(more),
                            None => permit = Some(more),
                        }
                    }
                    buffer.extend_from_slice(&data);
                }
                None => hasher.update(&data),
            }
        }
        Ok(())
    };
    let result = tokio::time::timeout_at(deadline.into(), read).await;
    let outcome = match result {
        // Waiting for body room past the deadline counts as busy, not slow:
        // the client did nothing wrong.
        Err(_) if waiting_for_room => Err(Refusal::Busy),
        Err(_) => Err(Refusal::TooSlow),
        Ok(Err(refusal)) => Err(refusal),
        Ok(Ok(())) if received > max => Err(Refusal::TooLarge {
            max: state.max_body,
        }),
        Ok(Ok(())) => Ok(kept.take().unwrap_or_default()),
    };
    let sha256 = match (&outcome, &kept) {
        (Ok(_), _) if buffer => None,
        (Err(_), Some(buffer)) => Some(hex::encode(Sha256::digest(buffer))),
        _ => Some(hex::encode(hasher.finalize())),
    };
    Read {
        outcome,
        received,
        head,
        sha256,
        permit,
    }
}

/// The address in the form printed at startup.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_causes_a_second_are_looked_for() {
        let rate = DiagnosisRate::new();
        let start = Instant::now();
        let allowed = (0..100).filter(|_| rate.allow(start)).count();
        assert_eq!(allowed, DIAGNOSES_PER_SECOND as usize);
        assert!(!rate.allow(start + Duration::from_millis(999)));
        assert!(rate.allow(start + Duration::from_secs(1)));
    }

    #[test]
    fn the_mark_is_found_in_any_case_among_other_entries() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::VIA,
            HeaderValue::from_bytes(b"1.1 proxy (\xff), 1.1 WHEREBY-WEBHOOKS-AB12")
                .expect("a value"),
        );
        assert!(carries_mark(&headers, "whereby-webhooks-ab12"));
        assert!(!carries_mark(&headers, "whereby-webhooks-ab1"));
        assert!(!carries_mark(&HeaderMap::new(), "whereby-webhooks-ab12"));
    }
}
