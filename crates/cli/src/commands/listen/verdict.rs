//! What `listen` made of one request: a [`Verdict`] (its HTTP layer's
//! refusal, or the library judge's verdict with what forwarding gave), its
//! status and the reason answered with it. [`super::render`] shows it.
//!
//! [`Refusal::status`] and [`Verdict::status`] are the one place where a
//! verdict becomes a status code (the judge's own statuses included).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::{Method, StatusCode};
use whereby_webhooks_conformance::judge::{self, Conformance};
use whereby_webhooks_signature::Scheme;

use whereby_webhooks_conformance::escape::terminal_safe;

/// Every answer is given within this long of the request's head arriving,
/// well inside the 5 s Whereby waits.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(4);

/// How many seconds a sender told to retry should wait.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The most of a method's name that is shown or recorded: standard ones are
/// at most 7 letters, and a client may send any token up to the head limit.
const METHOD_MAX: usize = 32;

/// A method as shown and recorded: cut at [`METHOD_MAX`] bytes (a method
/// is ASCII, so any cut is a character boundary).
pub(super) fn method_shown(method: &Method) -> &str {
    let name = method.as_str();
    name.get(..METHOD_MAX.min(name.len())).unwrap_or(name)
}

/// Why `listen`'s HTTP layer turned a request down before handing it to the
/// judge (or, for `Busy` and `NotRecorded`, after, for want of room to
/// record it). A request the judge refuses (no signature header) is a
/// [`judge::Verdict::Refused`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a `POST`.
    Method(Method),
    /// The body did not arrive in time.
    TooSlow,
    /// The body is over `--max-body`.
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The body could not be read (the connection broke).
    Unreadable(String),
    /// Output (stdout or the record) could not keep up in time, or the
    /// memory set aside for bodies was in use: answered 503 so that Whereby
    /// retries.
    Busy,
    /// The record line could not be written: answered 503 so that Whereby
    /// retries.
    NotRecorded,
    /// The request carries this `listen`'s own `Via` mark: `--forward-to`
    /// leads back to it, directly or through other hops.
    Loop,
}

impl Refusal {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Method(_) => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::TooSlow => StatusCode::REQUEST_TIMEOUT,
            Refusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Unreadable(_) => StatusCode::BAD_REQUEST,
            Refusal::Busy | Refusal::NotRecorded => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Loop => StatusCode::LOOP_DETECTED,
        }
    }

    /// The reason given with the status; `scheme` is the signature scheme
    /// when it is not Whereby's.
    pub(super) fn reason_for(&self, scheme: Option<&Scheme>) -> String {
        match self {
            Refusal::Method(method) if scheme.is_some() => format!(
                "method {} not allowed: webhooks are delivered with POST",
                terminal_safe(method_shown(method))
            ),
            Refusal::Method(method) => format!(
                "method {} not allowed: Whereby delivers webhooks with POST",
                terminal_safe(method_shown(method))
            ),
            Refusal::TooSlow => format!(
                "the body did not arrive within {} s: send it at once",
                ANSWER_WITHIN.as_secs()
            ),
            Refusal::TooLarge { max } => {
                format!("the body is over the {max}-byte limit: raise --max-body to accept it")
            }
            Refusal::Unreadable(error) => {
                format!("cannot read the body: {}", terminal_safe(error))
            }
            Refusal::Busy => {
                format!("busy: output is not keeping up; retry in {RETRY_AFTER_SECS} s")
            }
            Refusal::NotRecorded => {
                format!("the delivery could not be recorded; retry in {RETRY_AFTER_SECS} s")
            }
            Refusal::Loop => "loop detected: this request was already forwarded by this listen (its Via header carries our mark): point --forward-to at the application, not back at listen".to_owned(),
        }
    }
}

/// The reasons an authentic body is not simply valid, one sentence each:
/// an issue as its `Display` gives it (the line `validate` prints), already
/// terminal-safe.
/// With `scheme` (another signature scheme than Whereby's), without
/// Whereby's habits.
pub(super) fn reasons(conformance: &Conformance, scheme: Option<&Scheme>) -> Vec<String> {
    if let Some(scheme) = scheme {
        match conformance {
            Conformance::Unknown { event_type, .. } => {
                return vec![format!(
                    "unknown event \"{}\": acknowledged; the spec does not describe it",
                    terminal_safe(event_type)
                )];
            }
            Conformance::Model { .. } => {
                return vec![format!(
                    "conforms to the spec; not typed: the event model types Whereby's events, not the {} scheme's",
                    scheme.name
                )];
            }
            _ => {}
        }
    }
    match conformance {
        Conformance::Valid { .. } => Vec::new(),
        Conformance::Invalid { report, .. } => {
            report.errors.iter().map(ToString::to_string).collect()
        }
        Conformance::Unknown { event_type, .. } => vec![format!(
            "unknown event type \"{}\": acknowledged, as the contract asks of receivers (Whereby adds event types); the spec does not describe it",
            terminal_safe(event_type)
        )],
        Conformance::Model {
            error,
            earlier: true,
            ..
        } => vec![format!(
            "conforms to the contract of its date (--as-of); this build's event model types today's contract, which it predates ({})",
            terminal_safe(error)
        )],
        Conformance::Model { error, .. } => vec![format!(
            "conforms to the spec, but this build's event model cannot type it ({}): check that the spec and this build are the same version",
            terminal_safe(error)
        )],
    }
}

/// What forwarding an authentic delivery gave.
#[derive(Debug, Clone)]
pub enum Forwarded {
    /// The application gave a final answer, relayed as is.
    Answer {
        /// Its status (2xx to 5xx).
        status: StatusCode,
        /// Its `Content-Type`.
        content_type: Option<String>,
        /// Its body, bounded.
        body: Bytes,
    },
    /// It did not answer in time: 504.
    TimedOut(String),
    /// It could not be reached, or gave no final answer (1xx, an upgrade):
    /// 502.
    Failed(String),
    /// Not forwarded: the body has a duplicate key, or does not conform
    /// and `--reject-invalid` is set.
    Withheld,
}

/// What `listen` made of one request: turned down by its HTTP layer, or
/// judged by the library's [`judge::Judge`] (and, when authentic, perhaps
/// forwarded).
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Turned down before the judge saw it.
    Refused(Refusal),
    /// The judge's verdict.
    Judged {
        /// The verdict.
        verdict: judge::Verdict,
        /// With `--forward-to`, for an authentic delivery: where it went
        /// and what forwarding gave.
        forward: Option<(String, Forwarded)>,
    },
}

impl Verdict {
    /// The status answered: the judge's, or the application's when the
    /// delivery was forwarded.
    pub fn status(&self) -> StatusCode {
        let (verdict, forward) = match self {
            Verdict::Refused(refusal) => return refusal.status(),
            Verdict::Judged { verdict, forward } => (verdict, forward),
        };
        match forward {
            Some((_, Forwarded::Answer { status, .. })) => *status,
            Some((_, Forwarded::TimedOut(_))) => StatusCode::GATEWAY_TIMEOUT,
            Some((_, Forwarded::Failed(_))) => StatusCode::BAD_GATEWAY,
            Some((_, Forwarded::Withheld)) | None => {
                StatusCode::from_u16(verdict.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
        }
    }

    /// The reason given with the status: safe for a terminal, one line.
    /// `scheme` is the signature scheme when it is not Whereby's.
    pub fn reason(&self, scheme: Option<&Scheme>) -> String {
        let (verdict, forward) = match self {
            Verdict::Refused(refusal) => return refusal.reason_for(scheme),
            Verdict::Judged { verdict, forward } => (verdict, forward),
        };
        let conformance = match verdict {
            judge::Verdict::Refused(refusal) => {
                return match scheme {
                    Some(scheme) => refusal.reason_for(scheme),
                    None => refusal.reason(),
                };
            }
            judge::Verdict::Unauthentic { error, .. } => return error.to_string(),
            judge::Verdict::Authentic { conformance, .. } => conformance,
        };
        let judged = match conformance {
            Conformance::Valid { event } => format!(
                "accepted {} {}",
                event.event_type(),
                terminal_safe(event.id())
            ),
            Conformance::Unknown { event_type, id, .. } => format!(
                "acknowledged {} {} ({})",
                terminal_safe(event_type),
                terminal_safe(id.as_deref().unwrap_or("-")),
                // Terminal-safe already.
                reasons(conformance, scheme).join("; ")
            ),
            Conformance::Model { report, id, .. } => format!(
                "accepted {} {} ({})",
                terminal_safe(report.event_type.as_deref().unwrap_or("-")),
                terminal_safe(id.as_deref().unwrap_or("-")),
                // Terminal-safe already.
                reasons(conformance, scheme).join("; ")
            ),
            Conformance::Invalid { .. } => {
                let reasons = reasons(conformance, scheme);
                let first = reasons.first().map_or("", String::as_str);
                let more = match reasons.len() {
                    0 | 1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                // Each reason is terminal-safe already.
                format!("the payload does not conform to the spec: {first}{more}")
            }
        };
        match forward {
            None => judged,
            Some((_, Forwarded::Answer { status, .. })) => format!("forwarded: {status}"),
            Some((url, Forwarded::TimedOut(why))) => format!(
                "forwarding to {} timed out: {}",
                terminal_safe(url),
                terminal_safe(why)
            ),
            Some((url, Forwarded::Failed(why))) => format!(
                "forwarding to {} failed: {}",
                terminal_safe(url),
                terminal_safe(why)
            ),
            Some((_, Forwarded::Withheld)) => format!("{judged} (not forwarded)"),
        }
    }

    /// Whether the signature held.
    pub fn is_authentic(&self) -> bool {
        matches!(self, Verdict::Judged { verdict, .. } if verdict.is_authentic())
    }

    /// The judge's verdict on an authentic delivery: its timestamp and
    /// conformance.
    pub(super) fn authentic(&self) -> Option<(Option<u64>, &Conformance)> {
        match self {
            Verdict::Judged {
                verdict:
                    judge::Verdict::Authentic {
                        timestamp,
                        conformance,
                    },
                ..
            } => Some((*timestamp, conformance)),
            _ => None,
        }
    }

    pub(super) fn kind(&self) -> &'static str {
        match self {
            Verdict::Refused(_) => "refused",
            Verdict::Judged { verdict, .. } => verdict.kind(),
        }
    }
}

/// The body as kept after judging.
#[derive(Debug, Clone)]
pub enum Kept {
    /// Not read.
    Unread,
    /// The whole body (authentic deliveries).
    Whole(Bytes),
    /// Its first bytes, its length and its SHA-256 (everything else).
    Prefix {
        /// At most [`crate::record::PREFIX`] bytes.
        prefix: Bytes,
        /// Its SHA-256, hex.
        sha256: String,
    },
}

/// One request and its verdict, as queued for output.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// When its head arrived.
    pub received_at: SystemTime,
    /// The method.
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    /// The allow-listed headers, by lowercase name (only when recording).
    pub headers: Vec<(&'static str, String)>,
    /// The body kept.
    pub body: Kept,
    /// How many body bytes arrived.
    pub body_bytes: u64,
    /// The judgement.
    pub verdict: Verdict,
    /// How long judging (and forwarding) took.
    pub elapsed: Duration,
    /// Set when the record line could not be written (the answer is then
    /// 503).
    pub unrecorded: bool,
    /// The stdout line, when it was written out already (to weigh it
    /// against the budget of unauthenticated requests).
    pub printed: Option<Vec<u8>>,
    /// The signature scheme, when it is not Whereby's (`--profile`).
    pub scheme: Option<&'static Scheme>,
}

impl Delivery {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        if self.unrecorded {
            Refusal::NotRecorded.status()
        } else {
            self.verdict.status()
        }
    }

    /// Drops what only the record shows (the headers and a whole body), so
    /// that the handler that read them frees them, not the output thread.
    /// The stdout lines stay the same.
    pub fn forget_what_stdout_does_not_show(&mut self) {
        self.headers = Vec::new();
        if let Kept::Whole(_) = self.body {
            self.body = Kept::Unread;
        }
    }
}
