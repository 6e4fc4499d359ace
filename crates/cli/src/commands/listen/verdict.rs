//! What `listen` made of one request: a [`Verdict`], and everything built
//! from it (the status and answer, the human line, the record line).
//!
//! [`Refusal::status`] and [`Verdict::status`] are the one place where a
//! verdict becomes a status code.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper::{Method, StatusCode};
use whereby_webhooks_conformance::{IssueKind, Report};
use whereby_webhooks_signature::{Cause, ErrorKind, HEADER_NAME, VerifyError};

use crate::escape::terminal_safe;
use crate::record::{
    ForwardRecord, RawJson, RecordLine, SchemaRecord, SignatureRecord, SortedHeaders,
};

/// How many seconds a sender told to retry should wait.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The most of a method's name that is shown or recorded: standard ones are
/// at most 7 letters, and a client may send any token up to the head limit.
const METHOD_MAX: usize = 32;

/// How `listen` prints each delivery on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line for people: time, status, type, id and the verdicts
    Human,
    /// One JSON object per line: the record line without headers and body
    Json,
}

/// A method as shown and recorded: cut at [`METHOD_MAX`] bytes (a method
/// is ASCII, so any cut is a character boundary).
fn method_shown(method: &Method) -> &str {
    let name = method.as_str();
    name.get(..METHOD_MAX.min(name.len())).unwrap_or(name)
}

/// Why a request was turned down before its signature was checked (or,
/// for the last two, after, for want of room to record it).
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
    /// No `Whereby-Signature` header.
    MissingSignature,
    /// Several `Whereby-Signature` headers.
    SeveralSignatures,
    /// A `Whereby-Signature` header that is not UTF-8.
    SignatureNotUtf8,
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
            Refusal::Unreadable(_) | Refusal::SeveralSignatures | Refusal::SignatureNotUtf8 => {
                StatusCode::BAD_REQUEST
            }
            Refusal::MissingSignature => StatusCode::UNAUTHORIZED,
            Refusal::Busy | Refusal::NotRecorded => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Loop => StatusCode::LOOP_DETECTED,
        }
    }

    fn reason(&self) -> String {
        match self {
            Refusal::Method(method) => format!(
                "method {} not allowed: Whereby delivers webhooks with POST",
                terminal_safe(method_shown(method))
            ),
            Refusal::TooSlow => format!(
                "the body did not arrive within {} s: send it at once",
                super::server::ANSWER_WITHIN.as_secs()
            ),
            Refusal::TooLarge { max } => {
                format!("the body is over the {max}-byte limit: raise --max-body to accept it")
            }
            Refusal::Unreadable(error) => {
                format!("cannot read the body: {}", terminal_safe(error))
            }
            Refusal::MissingSignature => format!(
                "missing {HEADER_NAME} header: sign the raw body and send `{HEADER_NAME}: t=<unix seconds>,v1=<hex>`"
            ),
            Refusal::SeveralSignatures => format!(
                "several {HEADER_NAME} headers: send exactly one, with every v1 signature in it"
            ),
            Refusal::SignatureNotUtf8 => format!(
                "the {HEADER_NAME} header is not UTF-8: send `t=<unix seconds>,v1=<hex>` in ASCII"
            ),
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

/// How an authentic body fared against the spec.
#[derive(Debug, Clone)]
pub enum Conformance {
    /// It conforms, and the event model types it.
    Valid {
        /// Its event type.
        event_type: String,
        /// Its id.
        id: String,
    },
    /// It does not conform (a body with a key twice among them, with a
    /// [`IssueKind::DuplicateKey`] issue).
    Invalid {
        /// What is wrong.
        report: Report,
        /// Its `id`, when it has a string one.
        id: Option<String>,
    },
    /// Its `type` is not an event type the spec describes, and nothing
    /// else is wrong with it as far as the spec can tell: acknowledged, as
    /// the contract tells receivers to do (Whereby adds event types), and
    /// reported as unknown. (In strict mode it is [`Conformance::Invalid`].)
    Unknown {
        /// The event type.
        event_type: String,
        /// The report, with its one unknown-event-type issue.
        report: Report,
        /// Its `id`, when it has a string one.
        id: Option<String>,
    },
    /// The spec accepts it, this build's event model does not: accepted,
    /// with the mismatch reported.
    Model {
        /// The (valid) report.
        report: Report,
        /// The model's complaint.
        error: String,
        /// Its `id`, when it has a string one.
        id: Option<String>,
    },
}

impl Conformance {
    /// Whether the body conforms to the spec (whether or not this build's
    /// event model can type it: the spec is the contract, and refusing a
    /// delivery it accepts would lose it: we take a 4xx as the end of a
    /// delivery, as Whereby documents retries only for a 5xx or a time-out).
    pub fn is_valid(&self) -> bool {
        matches!(
            self,
            Conformance::Valid { .. } | Conformance::Model { .. } | Conformance::Unknown { .. }
        )
    }

    /// Whether an object in the body has a key twice: such a body is never
    /// forwarded, as the application's parser may read it differently.
    pub fn has_duplicate_key(&self) -> bool {
        matches!(self, Conformance::Invalid { report, .. }
            if report.errors.iter().any(|issue| issue.kind == IssueKind::DuplicateKey))
    }

    fn event_type(&self) -> Option<&str> {
        match self {
            Conformance::Valid { event_type, .. } | Conformance::Unknown { event_type, .. } => {
                Some(event_type)
            }
            Conformance::Invalid { report, .. } | Conformance::Model { report, .. } => {
                report.event_type.as_deref()
            }
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Conformance::Valid { id, .. } => Some(id),
            Conformance::Invalid { id, .. }
            | Conformance::Model { id, .. }
            | Conformance::Unknown { id, .. } => id.as_deref(),
        }
    }

    /// The reasons, one sentence each: an issue as its `Display` gives it
    /// (the line `validate` prints), already terminal-safe.
    fn reasons(&self) -> Vec<String> {
        match self {
            Conformance::Valid { .. } => Vec::new(),
            Conformance::Invalid { report, .. } => {
                report.errors.iter().map(ToString::to_string).collect()
            }
            Conformance::Unknown { event_type, .. } => vec![format!(
                "unknown event type \"{}\": acknowledged, as the contract asks of receivers (Whereby adds event types); the spec does not describe it",
                terminal_safe(event_type)
            )],
            Conformance::Model { error, .. } => vec![format!(
                "conforms to the spec, but this build's event model cannot type it ({}): check that the spec and this build are the same version",
                terminal_safe(error)
            )],
        }
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

/// The judgement of one request.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Turned down before (or without) checking its signature.
    Refused(Refusal),
    /// Its signature does not hold.
    Unauthentic {
        /// Why.
        error: VerifyError,
        /// The header's timestamp, when it parsed.
        timestamp: Option<u64>,
        /// The likely cause, as `whereby-webhooks verify` names it, when it
        /// was looked for (within the budget of unauthenticated requests).
        cause: Option<Cause>,
    },
    /// Its signature holds.
    Authentic {
        /// The signature's timestamp.
        timestamp: u64,
        /// How the body fared.
        conformance: Conformance,
        /// With `--forward-to`: what forwarding gave.
        forward: Option<(String, Forwarded)>,
    },
}

impl Verdict {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            Verdict::Refused(refusal) => refusal.status(),
            Verdict::Unauthentic { error, .. } => match error.kind() {
                ErrorKind::NoMatch | ErrorKind::TooOld | ErrorKind::InFuture => {
                    StatusCode::UNAUTHORIZED
                }
                _ => StatusCode::BAD_REQUEST,
            },
            Verdict::Authentic {
                conformance,
                forward,
                ..
            } => match forward {
                Some((_, Forwarded::Answer { status, .. })) => *status,
                Some((_, Forwarded::TimedOut(_))) => StatusCode::GATEWAY_TIMEOUT,
                Some((_, Forwarded::Failed(_))) => StatusCode::BAD_GATEWAY,
                Some((_, Forwarded::Withheld)) | None if conformance.is_valid() => StatusCode::OK,
                Some((_, Forwarded::Withheld)) | None => StatusCode::UNPROCESSABLE_ENTITY,
            },
        }
    }

    /// The reason given with the status: safe for a terminal, one line.
    pub fn reason(&self) -> String {
        match self {
            Verdict::Refused(refusal) => refusal.reason(),
            Verdict::Unauthentic { error, .. } => error.to_string(),
            Verdict::Authentic {
                conformance,
                forward,
                ..
            } => {
                let judged = match conformance {
                    Conformance::Valid { event_type, id } => {
                        format!(
                            "accepted {} {}",
                            terminal_safe(event_type),
                            terminal_safe(id)
                        )
                    }
                    Conformance::Unknown { event_type, id, .. } => format!(
                        "acknowledged {} {} ({})",
                        terminal_safe(event_type),
                        terminal_safe(id.as_deref().unwrap_or("-")),
                        // Terminal-safe already.
                        conformance.reasons().join("; ")
                    ),
                    Conformance::Model { report, id, .. } => format!(
                        "accepted {} {} ({})",
                        terminal_safe(report.event_type.as_deref().unwrap_or("-")),
                        terminal_safe(id.as_deref().unwrap_or("-")),
                        // Terminal-safe already.
                        conformance.reasons().join("; ")
                    ),
                    other => {
                        let reasons = other.reasons();
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
        }
    }

    /// Whether the signature held.
    pub fn is_authentic(&self) -> bool {
        matches!(self, Verdict::Authentic { .. })
    }

    fn kind(&self) -> &'static str {
        match self {
            Verdict::Refused(_) => "refused",
            Verdict::Unauthentic { .. } => "unauthentic",
            Verdict::Authentic { .. } => "authentic",
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
    /// The allow-listed headers (only when recording).
    pub headers: Vec<(String, String)>,
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
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
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

    fn elapsed_ms(&self) -> f64 {
        (self.elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0
    }

    /// The record line's content, owned (as `validate` and `replay` read
    /// it back).
    #[cfg(test)]
    pub fn record(&self) -> crate::record::Record {
        self.line().to_record()
    }

    /// Appends the record line, newline included.
    pub fn write_record(&self, out: &mut Vec<u8>) {
        self.line().write_line(out);
    }

    /// The record line, borrowing the body and headers.
    fn line(&self) -> RecordLine<'_> {
        let (signature, schema, forward, event_type, id) = match &self.verdict {
            Verdict::Refused(_) => (None, None, None, None, None),
            Verdict::Unauthentic {
                error,
                timestamp,
                cause,
            } => (
                Some(SignatureRecord {
                    valid: false,
                    error: Some(error.to_string()),
                    error_kind: Some(error.kind().as_str().to_owned()),
                    cause: cause.map(|cause| cause.id().to_owned()),
                    timestamp: *timestamp,
                }),
                None,
                None,
                None,
                None,
            ),
            Verdict::Authentic {
                timestamp,
                conformance,
                forward,
            } => (
                Some(SignatureRecord {
                    valid: true,
                    error: None,
                    error_kind: None,
                    cause: None,
                    timestamp: Some(*timestamp),
                }),
                Some(schema_record(conformance)),
                forward.as_ref().map(|(url, forwarded)| ForwardRecord {
                    url: url.clone(),
                    status: match forwarded {
                        Forwarded::Answer { status, .. } => Some(status.as_u16()),
                        _ => None,
                    },
                    error: match forwarded {
                        Forwarded::Answer { .. } => None,
                        Forwarded::TimedOut(why) | Forwarded::Failed(why) => Some(why.clone()),
                        Forwarded::Withheld => {
                            Some("not forwarded: the body does not conform".to_owned())
                        }
                    },
                }),
                conformance.event_type(),
                conformance.id(),
            ),
        };
        let mut line = RecordLine {
            received_at: rfc3339(self.received_at),
            method: method_shown(&self.method),
            path: &self.path,
            status: self.status().as_u16(),
            verdict: self.verdict.kind(),
            reason: if self.unrecorded {
                Refusal::NotRecorded.reason()
            } else {
                self.verdict.reason()
            },
            elapsed_ms: self.elapsed_ms(),
            signature,
            schema,
            forward,
            event_type,
            id,
            headers: SortedHeaders(&self.headers),
            body_bytes: self.body_bytes,
            body_sha256: None,
            body_truncated: false,
            raw_body: None,
            raw_body_base64: None,
        };
        match &self.body {
            Kept::Unread => {}
            Kept::Whole(bytes) => line.keep_body(bytes, true),
            Kept::Prefix { prefix, sha256 } => {
                line.keep_body(prefix, true);
                line.body_truncated = self.body_bytes > prefix.len() as u64;
                line.body_sha256 = Some(sha256);
            }
        }
        line
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

    /// The stdout line in `format`, newline included.
    pub fn stdout_line(&self, format: Format, out: &mut Vec<u8>) {
        match format {
            Format::Human => self.human_line(out),
            Format::Json => self.summary_line(out),
        }
    }

    /// The JSON stdout line: the record without headers and body.
    pub fn summary_line(&self, out: &mut Vec<u8>) {
        let mut line = self.line();
        line.headers = SortedHeaders(&[]);
        line.raw_body = None;
        line.raw_body_base64 = None;
        line.body_truncated = false;
        line.write_line(out);
    }

    /// `2026-03-31T09:00:04.700Z POST / 200 room.client.joined 5c8f…
    /// signature ok schema ok (0.4 ms)`: one line, every value from the
    /// request escaped. Only an authentic delivery shows a type and id: an
    /// unauthenticated body's claims are not shown at all.
    pub fn human_line(&self, out: &mut Vec<u8>) {
        let status = self.status();
        let (event_type, id, signature, schema, forward): (_, _, Cow<'_, str>, _, Cow<'_, str>) =
            match &self.verdict {
                Verdict::Refused(_) => (
                    None,
                    None,
                    "signature not checked".into(),
                    "schema not checked",
                    "".into(),
                ),
                Verdict::Unauthentic { error, cause, .. } => (
                    None,
                    None,
                    match cause {
                        Some(cause) => format!("signature INVALID ({error}; cause {cause})").into(),
                        None => format!("signature INVALID ({error})").into(),
                    },
                    "schema not checked",
                    "".into(),
                ),
                Verdict::Authentic {
                    conformance,
                    forward,
                    ..
                } => (
                    conformance.event_type(),
                    conformance.id(),
                    "signature ok".into(),
                    match conformance {
                        Conformance::Unknown { .. } => "schema UNKNOWN TYPE",
                        _ if conformance.is_valid() => "schema ok",
                        _ => "schema INVALID",
                    },
                    match forward {
                        None => "".into(),
                        Some((_, Forwarded::Answer { status, .. })) => {
                            format!(" forwarded {}", status.as_u16()).into()
                        }
                        Some((_, Forwarded::Withheld)) => " not forwarded".into(),
                        Some((_, Forwarded::TimedOut(why) | Forwarded::Failed(why))) => {
                            format!(" forward FAILED ({})", terminal_safe(why)).into()
                        }
                    },
                ),
            };
        let schema: Cow<'_, str> = match &self.verdict {
            Verdict::Authentic { conformance, .. }
                if !matches!(conformance, Conformance::Valid { .. }) =>
            {
                // Each reason is terminal-safe already.
                format!("{schema} ({})", conformance.reasons().join("; ")).into()
            }
            _ => schema.into(),
        };
        let refused: Cow<'_, str> = match (&self.verdict, self.unrecorded) {
            (_, true) => format!(" ({})", Refusal::NotRecorded.reason()).into(),
            (Verdict::Refused(_), false) => format!(" ({})", self.verdict.reason()).into(),
            _ => "".into(),
        };
        // Writing to a `Vec` cannot fail.
        let _ = std::io::Write::write_fmt(
            out,
            format_args!(
                "{} {} {} {}{refused} {} {} {signature} {schema}{forward} ({} ms)\n",
                humantime::format_rfc3339_millis(self.received_at),
                terminal_safe(method_shown(&self.method)),
                terminal_safe(&self.path),
                status.as_u16(),
                terminal_safe(event_type.unwrap_or("-")),
                terminal_safe(id.unwrap_or("-")),
                self.elapsed_ms(),
            ),
        );
    }
}

fn schema_record(conformance: &Conformance) -> SchemaRecord {
    match conformance {
        Conformance::Valid { event_type, .. } => SchemaRecord {
            valid: true,
            event_type: Some(event_type.clone()),
            errors: RawJson::default(),
            model_error: None,
        },
        Conformance::Invalid { report, .. } | Conformance::Unknown { report, .. } => SchemaRecord {
            valid: false,
            event_type: report.event_type.clone(),
            // The conformance crate's one JSON form of an issue, as
            // `validate --format json` prints it.
            errors: RawJson::of(&report.errors),
            model_error: None,
        },
        Conformance::Model { report, error, .. } => SchemaRecord {
            valid: true,
            event_type: report.event_type.clone(),
            errors: RawJson::default(),
            model_error: Some(error.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn delivery(verdict: Verdict, path: &str) -> Delivery {
        Delivery {
            received_at: SystemTime::UNIX_EPOCH + Duration::from_millis(1_774_947_604_700),
            method: Method::POST,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Kept::Unread,
            body_bytes: 0,
            verdict,
            elapsed: Duration::from_micros(1500),
            unrecorded: false,
            printed: None,
        }
    }

    #[test]
    fn one_place_maps_each_verdict_to_its_status() {
        for (verdict, status) in [
            (Verdict::Refused(Refusal::Method(Method::GET)), 405),
            (Verdict::Refused(Refusal::TooSlow), 408),
            (Verdict::Refused(Refusal::TooLarge { max: 1 }), 413),
            (Verdict::Refused(Refusal::MissingSignature), 401),
            (Verdict::Refused(Refusal::SeveralSignatures), 400),
            (Verdict::Refused(Refusal::Busy), 503),
            (
                Verdict::Unauthentic {
                    error: VerifyError::NoMatch,
                    timestamp: Some(1),
                    cause: None,
                },
                401,
            ),
            (
                Verdict::Unauthentic {
                    error: VerifyError::MissingTimestamp,
                    timestamp: None,
                    cause: None,
                },
                400,
            ),
            (
                Verdict::Authentic {
                    timestamp: 1,
                    conformance: Conformance::Invalid {
                        report: Report::failed(
                            None,
                            whereby_webhooks_conformance::Issue::new(
                                IssueKind::DuplicateKey,
                                "/type",
                                "duplicate key \"type\"".to_owned(),
                            ),
                        ),
                        id: None,
                    },
                    forward: None,
                },
                422,
            ),
        ] {
            let delivery = delivery(verdict, "/");
            assert_eq!(delivery.status().as_u16(), status, "{delivery:?}");
            assert_eq!(delivery.record().status, status);
            let mut line = Vec::new();
            delivery.human_line(&mut line);
            let line = String::from_utf8(line).expect("UTF-8");
            assert!(line.contains(&format!(" {status} ")), "{line}");
        }
    }

    /// Every shape of delivery, with headers out of order and bodies of
    /// every kind.
    fn every_kind_of_delivery() -> Vec<Delivery> {
        let valid = Conformance::Valid {
            event_type: "room.client.joined".to_owned(),
            id: "e\u{1b}1".to_owned(),
        };
        let invalid = Conformance::Invalid {
            report: Report::failed(
                Some("room.client.joined".to_owned()),
                whereby_webhooks_conformance::Issue::new(
                    IssueKind::DuplicateKey,
                    "/type",
                    "duplicate key \"type\"".to_owned(),
                ),
            ),
            id: None,
        };
        let model = Conformance::Model {
            report: Report {
                event_type: Some("room.client.joined".to_owned()),
                errors: Vec::new(),
            },
            error: "invalid type: floating point `2.0`, expected u32".to_owned(),
            id: Some("e2".to_owned()),
        };
        let forwards = [
            None,
            Some(Forwarded::Answer {
                status: StatusCode::ACCEPTED,
                content_type: None,
                body: Bytes::new(),
            }),
            Some(Forwarded::TimedOut("slow".to_owned())),
            Some(Forwarded::Failed("refused".to_owned())),
            Some(Forwarded::Withheld),
        ];
        let mut verdicts = vec![
            Verdict::Refused(Refusal::TooLarge { max: 10 }),
            Verdict::Unauthentic {
                error: VerifyError::NoMatch,
                timestamp: Some(7),
                cause: Some(Cause::SecretMismatch),
            },
            Verdict::Unauthentic {
                error: VerifyError::MissingTimestamp,
                timestamp: None,
                cause: Some(Cause::HeaderMalformed),
            },
        ];
        for conformance in [valid, invalid, model] {
            for forward in &forwards {
                verdicts.push(Verdict::Authentic {
                    timestamp: 9,
                    conformance: conformance.clone(),
                    forward: forward
                        .clone()
                        .map(|f| ("http://127.0.0.1:1/".to_owned(), f)),
                });
            }
        }
        let bodies = [
            Kept::Unread,
            Kept::Whole(Bytes::from_static(b"{\"type\":\"x\",\n\"a\":\"\\u00e9\"}")),
            Kept::Whole(Bytes::from_static(&[0xff, 0, b'{'])),
            Kept::Prefix {
                prefix: Bytes::from_static("é".as_bytes()),
                sha256: "ab".repeat(32),
            },
            Kept::Prefix {
                prefix: Bytes::from_static(&[b'{', 0xc3]),
                sha256: "cd".repeat(32),
            },
        ];
        let mut deliveries = Vec::new();
        for (n, verdict) in verdicts.into_iter().enumerate() {
            for (m, body) in bodies.iter().enumerate() {
                let mut delivery = delivery(verdict.clone(), "/hooks\u{7}");
                delivery.body = body.clone();
                delivery.body_bytes = 300 * m as u64;
                delivery.unrecorded = (n + m) % 4 == 0;
                delivery.headers = vec![
                    ("whereby-signature".to_owned(), "t=1,v1=ab".to_owned()),
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("user-agent".to_owned(), "\"q\"\u{1b}".to_owned()),
                ];
                deliveries.push(delivery);
            }
        }
        deliveries
    }

    #[test]
    fn the_record_line_is_the_record_written() {
        for delivery in every_kind_of_delivery() {
            let mut line = Vec::new();
            delivery.write_record(&mut line);
            assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
            let record = delivery.record();
            // Written from borrowed parts, it is byte for byte what the
            // owned record serialises to, and reads back as that record.
            let mut owned = serde_json::to_vec(&record).expect("serialises");
            owned.push(b'\n');
            assert_eq!(
                String::from_utf8_lossy(&line),
                String::from_utf8_lossy(&owned),
                "{delivery:?}"
            );
            let read: Record = serde_json::from_slice(&line).expect("reads back");
            assert_eq!(read, record);
            assert_eq!(
                read.headers.keys().collect::<Vec<_>>(),
                ["content-type", "user-agent", "whereby-signature"]
            );
        }
    }

    #[test]
    fn the_json_summary_has_neither_headers_nor_body() {
        for delivery in every_kind_of_delivery() {
            let mut line = Vec::new();
            delivery.summary_line(&mut line);
            let read: Record = serde_json::from_slice(&line).expect("reads back");
            let full = delivery.record();
            assert!(read.headers.is_empty() && read.raw_body.is_none());
            assert!(read.raw_body_base64.is_none() && !read.body_truncated);
            assert_eq!((read.status, &read.reason), (full.status, &full.reason));
            assert_eq!(read.body_sha256, full.body_sha256);
        }
    }

    #[test]
    fn stdout_lines_do_not_need_the_body_or_the_headers() {
        let mut kinds = 0;
        for mut delivery in every_kind_of_delivery() {
            let (mut human, mut json) = (Vec::new(), Vec::new());
            delivery.human_line(&mut human);
            delivery.summary_line(&mut json);
            let had = !delivery.headers.is_empty() || matches!(delivery.body, Kept::Whole(_));
            delivery.forget_what_stdout_does_not_show();
            assert!(delivery.headers.is_empty() && !matches!(delivery.body, Kept::Whole(_)));
            let (mut human_after, mut json_after) = (Vec::new(), Vec::new());
            delivery.human_line(&mut human_after);
            delivery.summary_line(&mut json_after);
            assert_eq!(human, human_after);
            assert_eq!(json, json_after);
            kinds += usize::from(had);
        }
        assert!(kinds > 0, "some delivery had a body or headers to forget");
    }

    #[test]
    fn human_lines_escape_what_the_request_sent() {
        let delivery = delivery(
            Verdict::Authentic {
                timestamp: 1,
                conformance: Conformance::Valid {
                    event_type: "x\n2099-01-01T00:00:00.000Z POST / 200 y z signature ok"
                        .to_owned(),
                    id: "\x1b[2J\x1b]0;owned\x07".to_owned(),
                },
                forward: None,
            },
            "/a\rb\u{202e}",
        );
        let mut line = Vec::new();
        delivery.human_line(&mut line);
        let line = String::from_utf8(line).expect("UTF-8");
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        assert!(!line.contains('\x1b') && !line.contains('\r') && !line.contains('\u{202e}'));
        assert!(line.contains("\\u{1b}[2J"), "{line}");
    }
}
