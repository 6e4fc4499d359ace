//! The judgement of one delivery: its signature, then its contract, then
//! its type, in one value.
//!
//! A webhook body is untrusted until its `Whereby-Signature` holds: anyone
//! can POST to a public endpoint. A [`Judge`] holds what a receiver judges
//! with (the secrets, the tolerance, the compiled document) and turns a
//! request's signature header and raw body into one [`Verdict`]:
//!
//! 1. [`Verdict::Refused`]: the signature header is missing, given twice or
//!    not UTF-8, so there is nothing to verify;
//! 2. [`Verdict::Unauthentic`]: the signature does not hold (or is stale),
//!    with the signature doctor's likely cause; the body was never parsed,
//!    so a forged request costs one HMAC and never reaches the JSON parser;
//! 3. [`Verdict::Authentic`]: the signature holds, with how the body fared
//!    against the document ([`Conformance`]) and, when it conforms, the
//!    typed [`Event`].
//!
//! `whereby-webhooks listen` answers every request from this verdict,
//! `check-receiver` derives what a receiver must answer to each of its
//! deliveries from it, and an application embedding this crate gets the same
//! judgement in one call:
//!
//! ```
//! use whereby_webhooks_conformance::judge::{Conformance, Judge, Verdict};
//! use whereby_webhooks_conformance::{Options, Validator};
//! use whereby_webhooks_signature::{HEADER_NAME, Secret, sign};
//!
//! let secret = Secret::new("endpoint-signing-secret")?;
//! let judge = Judge::new(Validator::embedded(Options::default())?, vec![secret.clone()]);
//! let body = br#"{"id":"e1","apiVersion":"1.0","createdAt":"2026-03-31T09:00:04.700Z",
//!     "type":"room.session.started",
//!     "data":{"roomName":"/demo","roomSessionId":"d5e8","subdomain":"acme"}}"#;
//! let header = sign(&secret, 1_700_000_000, body);
//! let now = 1_700_000_005; // in production: whereby_webhooks_signature::now_unix()
//!
//! let verdict = judge.judge(&[(HEADER_NAME, header.as_bytes())], body, now);
//! let Verdict::Authentic { conformance: Conformance::Valid { event }, .. } = &verdict else {
//!     panic!("{verdict:?}");
//! };
//! assert_eq!(event.id(), "e1");
//! assert_eq!(verdict.status(), 200);
//!
//! // One changed byte: the signature no longer holds, and the body is not parsed.
//! let verdict = judge.judge(&[(HEADER_NAME, header.as_bytes())], b"{}", now);
//! assert!(matches!(verdict, Verdict::Unauthentic { .. }));
//! assert_eq!(verdict.status(), 401);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A server that streams bodies judges in two steps, so that it knows from
//! the headers alone whether a body is worth buffering: [`Judge::signature`]
//! reads the header, [`Judge::conclude`] judges the body. Looking for the
//! cause of a signature that does not hold takes a few dozen HMACs and JSON
//! re-serialisations of the body: [`Judge::judge`] does it, the two-step
//! path leaves it to [`Judge::cause`], so that a server can bound how often
//! it pays for it.

use whereby_webhooks_model::{Event, UnknownEventType};
use whereby_webhooks_signature::{
    Cause, ErrorKind, EventAt, HEADER_NAME, Profile, Scheme, Secret, SignatureHeader, Tolerance,
    VerifyError, diagnose,
};

use crate::{IssueKind, Report, Validator, parse_payload};

/// What a receiver judges deliveries with: its secrets, how far a
/// timestamp may be from now, and the compiled document. Build it once and
/// share it: it is `Send + Sync`, and judging takes `&self`.
pub struct Judge {
    validator: Validator,
    secrets: Vec<Secret>,
    tolerance: Tolerance,
    /// The signature scheme: Whereby's unless [`Judge::with_scheme`].
    scheme: &'static Scheme,
}

/// Why a request is refused before its signature can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Whereby-Signature` header.
    MissingSignature,
    /// Several `Whereby-Signature` headers.
    SeveralSignatures,
    /// A `Whereby-Signature` header that is not UTF-8.
    SignatureNotUtf8,
}

impl Refusal {
    /// The status a receiver answers: 401 when there is no signature, 400
    /// when the header is unusable.
    #[must_use]
    pub fn status(self) -> u16 {
        match self {
            Refusal::MissingSignature => 401,
            Refusal::SeveralSignatures | Refusal::SignatureNotUtf8 => 400,
        }
    }

    /// One sentence: what is wrong and what a sender should do instead.
    #[must_use]
    pub fn reason(self) -> String {
        self.reason_for(Profile::Whereby.scheme())
    }

    /// [`Refusal::reason`] for a delivery of `scheme`, naming its header.
    #[must_use]
    pub fn reason_for(self, scheme: &Scheme) -> String {
        if scheme.name != Profile::Whereby.name() {
            let header = scheme.signature_header;
            return match self {
                Refusal::MissingSignature => format!(
                    "missing {header} header: sign the raw body and send the {} scheme's headers, {}",
                    scheme.name,
                    scheme.layout()
                ),
                Refusal::SeveralSignatures => format!(
                    "several {header} headers: send exactly one, with every signature in it"
                ),
                Refusal::SignatureNotUtf8 => {
                    format!("the {header} header is not UTF-8: send it in ASCII")
                }
            };
        }
        match self {
            Refusal::MissingSignature => format!(
                "missing {HEADER_NAME} header: sign the raw body and send `{HEADER_NAME}: t=<unix seconds>,v1=<hex>`"
            ),
            Refusal::SeveralSignatures => format!(
                "several {HEADER_NAME} headers: send exactly one, with every v1 signature in it"
            ),
            Refusal::SignatureNotUtf8 => format!(
                "the {HEADER_NAME} header is not UTF-8: send `t=<unix seconds>,v1=<hex>` in ASCII"
            ),
        }
    }
}

/// How an authentic body fared against the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Conformance {
    /// It conforms, and the event model types it.
    Valid {
        /// The event, typed.
        event: Box<Event>,
    },
    /// It does not conform (a body with a key twice among them, with an
    /// [`IssueKind::DuplicateKey`] issue).
    Invalid {
        /// What is wrong.
        report: Report,
        /// Its `id`, when it has a string one.
        id: Option<String>,
    },
    /// Its `type` is not an event type the document describes, and nothing
    /// else is wrong with it as far as the document can tell. The contract
    /// tells receivers to acknowledge such deliveries (Whereby adds event
    /// types). With [`Options::strict`](crate::Options) it is
    /// [`Conformance::Invalid`] instead.
    Unknown {
        /// The event type.
        event_type: String,
        /// The report, with its one unknown-event-type issue.
        report: Report,
        /// Its `id`, when it has a string one.
        id: Option<String>,
    },
    /// The document accepts it, this build's event model does not (a
    /// document newer than the build, a count past `u32`, `2.0` for `2`).
    Model {
        /// The (valid) report.
        report: Report,
        /// The model's complaint.
        error: String,
        /// Its `id`, when it has a string one.
        id: Option<String>,
        /// Whether it was judged by an earlier contract than today's
        /// ([`Validator::as_of`], [`Validator::as_of_created`]): the model
        /// types today's, so an event sent before a property was documented
        /// conforms and is still not typed.
        earlier: bool,
    },
}

impl Conformance {
    /// Whether the document accepts the body (whether or not this build's
    /// event model types it, and including unknown event types, which
    /// receivers acknowledge): the document is the contract.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        !matches!(self, Conformance::Invalid { .. })
    }

    /// Whether an object in the body has a key twice: a body that parsers
    /// may read differently, which a relay should not pass on.
    #[must_use]
    pub fn has_duplicate_key(&self) -> bool {
        matches!(self, Conformance::Invalid { report, .. }
            if report.errors.iter().any(|issue| issue.kind == IssueKind::DuplicateKey))
    }

    /// The event type, as validated.
    #[must_use]
    pub fn event_type(&self) -> Option<&str> {
        match self {
            Conformance::Valid { event } => Some(event.event_type().as_str()),
            Conformance::Unknown { event_type, .. } => Some(event_type),
            Conformance::Invalid { report, .. } | Conformance::Model { report, .. } => {
                report.event_type.as_deref()
            }
        }
    }

    /// The event's `id`, when it has a string one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Conformance::Valid { event } => Some(event.id()),
            Conformance::Invalid { id, .. }
            | Conformance::Model { id, .. }
            | Conformance::Unknown { id, .. } => id.as_deref(),
        }
    }

    /// The report: empty for a valid body.
    #[must_use]
    pub fn report(&self) -> Option<&Report> {
        match self {
            Conformance::Valid { .. } => None,
            Conformance::Invalid { report, .. }
            | Conformance::Unknown { report, .. }
            | Conformance::Model { report, .. } => Some(report),
        }
    }
}

/// The judgement of one delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Refused before its signature could be checked.
    Refused(Refusal),
    /// Its signature does not hold: the body was not parsed.
    Unauthentic {
        /// Why.
        error: VerifyError,
        /// The header's timestamp, when it parsed.
        timestamp: Option<u64>,
        /// The likely cause, as the signature doctor names it
        /// ([`whereby_webhooks_signature::diagnose`]), when it was looked
        /// for and found.
        cause: Option<Cause>,
    },
    /// Its signature holds.
    Authentic {
        /// The signature's timestamp, in unix seconds; `None` for a scheme
        /// that signs none (GitHub's).
        timestamp: Option<u64>,
        /// How the body fared against the document.
        conformance: Conformance,
    },
}

impl Verdict {
    /// The status a receiver answers: 200 for an authentic body the
    /// document accepts (unknown event types included), 422 for an
    /// authentic body that does not conform, 401 for a signature that does
    /// not match or is out of tolerance (or is missing), 400 for a header
    /// that cannot be read. Each refusal is a 4xx: a retry would send the
    /// same request again.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Verdict::Refused(refusal) => refusal.status(),
            Verdict::Unauthentic { error, .. } => match error.kind() {
                ErrorKind::NoMatch | ErrorKind::TooOld | ErrorKind::InFuture => 401,
                _ => 400,
            },
            Verdict::Authentic { conformance, .. } if conformance.is_valid() => 200,
            Verdict::Authentic { .. } => 422,
        }
    }

    /// Whether the signature held.
    #[must_use]
    pub fn is_authentic(&self) -> bool {
        matches!(self, Verdict::Authentic { .. })
    }

    /// `refused`, `unauthentic` or `authentic`: the name a record line
    /// gives the verdict.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::Refused(_) => "refused",
            Verdict::Unauthentic { .. } => "unauthentic",
            Verdict::Authentic { .. } => "authentic",
        }
    }
}

/// A request's signature header, read: the first step of
/// [`Judge::signature`] and [`Judge::conclude`].
#[derive(Debug, Clone)]
pub enum Signature {
    /// Nothing to verify.
    Refused(Refusal),
    /// A header that does not parse: the body need not be read.
    Malformed {
        /// The header, as sent.
        header: String,
        /// Why it does not parse.
        error: VerifyError,
    },
    /// A header that parsed: the body is worth reading whole.
    Parsed {
        /// The header, as sent.
        header: String,
        /// Its timestamp.
        timestamp: u64,
    },
}

impl Signature {
    /// Whether the signature could hold, and so the body should be read
    /// whole to verify it.
    #[must_use]
    pub fn needs_body(&self) -> bool {
        matches!(self, Signature::Parsed { .. })
    }

    /// The header, when there is one.
    #[must_use]
    pub fn header(&self) -> Option<&str> {
        match self {
            Signature::Refused(_) => None,
            Signature::Malformed { header, .. } | Signature::Parsed { header, .. } => Some(header),
        }
    }
}

impl Judge {
    /// A judge of deliveries signed with any of `secrets` (oldest last
    /// during a rotation, or in any order), with the default tolerance.
    #[must_use]
    pub fn new(validator: Validator, secrets: Vec<Secret>) -> Judge {
        Judge {
            validator,
            secrets,
            tolerance: Tolerance::default(),
            scheme: Profile::Whereby.scheme(),
        }
    }

    /// The same judge for deliveries signed with another scheme (a
    /// [`Profile`] other than the default): [`Judge::judge`] verifies them
    /// as [`Scheme::verify`] does, reads the event where the scheme says
    /// (GitHub's `X-GitHub-Event` header and the body's `action`, matched
    /// to the document's `webhooks` keys), and checks the time only as far
    /// as the scheme can express it. The two-step path
    /// ([`Judge::signature`], [`Judge::conclude`]) reads the default
    /// scheme's header only. The secrets must be keys of that scheme
    /// ([`Scheme::secret`]).
    #[must_use]
    pub fn with_scheme(self, scheme: &'static Scheme) -> Judge {
        Judge { scheme, ..self }
    }

    /// The signature scheme the judge verifies.
    #[must_use]
    pub fn scheme(&self) -> &'static Scheme {
        self.scheme
    }

    /// The same judge with another tolerance for the signature's timestamp.
    #[must_use]
    pub fn with_tolerance(self, tolerance: Tolerance) -> Judge {
        Judge { tolerance, ..self }
    }

    /// The compiled document.
    #[must_use]
    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// The header names the judge reads, lowercase: its scheme's.
    #[must_use]
    pub fn headers(&self) -> &'static [&'static str] {
        self.scheme.read_headers
    }

    /// Judges a delivery in one call: `headers` are the request's headers
    /// (any, in any case; only [`Judge::headers`] are read), `body` its raw
    /// bytes, `now` the time in unix seconds. The cause of a signature that
    /// does not hold is looked for.
    #[must_use]
    pub fn judge(&self, headers: &[(&str, &[u8])], body: &[u8], now: u64) -> Verdict {
        if self.scheme.name != Profile::Whereby.name() {
            return self.judge_scheme(headers, body, now);
        }
        let values = headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(HEADER_NAME))
            .map(|(_, value)| *value);
        let signature = self.signature(values);
        let header = signature.header().map(str::to_owned);
        let mut verdict = self.conclude(signature, body, now);
        if let (Verdict::Unauthentic { cause, .. }, Some(header)) = (&mut verdict, header)
            && cause.is_none()
        {
            *cause = self.cause(&header, body, now);
        }
        verdict
    }

    /// [`Judge::judge`] under a scheme other than the default.
    fn judge_scheme(&self, headers: &[(&str, &[u8])], body: &[u8], now: u64) -> Verdict {
        let mut verdict = self.conclude_scheme(headers, body, now);
        if let Verdict::Unauthentic { cause, .. } = &mut verdict
            && cause.is_none()
        {
            *cause = self.cause_of(headers, body, now);
        }
        verdict
    }

    /// The headers the scheme reads, UTF-8 only: a value that is not UTF-8
    /// reads as absent.
    fn scheme_pairs<'h>(&self, headers: &[(&'h str, &'h [u8])]) -> Vec<(&'h str, &'h str)> {
        headers
            .iter()
            .filter(|(name, _)| {
                self.headers()
                    .iter()
                    .any(|known| name.eq_ignore_ascii_case(known))
            })
            .filter_map(|(name, value)| Some((*name, std::str::from_utf8(value).ok()?)))
            .collect()
    }

    /// The likely cause of an unauthentic delivery under the judge's
    /// scheme, `headers` being the request's (any, in any case), as
    /// [`Judge::judge`] names it: a few dozen HMACs and JSON
    /// re-serialisations of the body, so a server looks for it within a
    /// budget.
    #[must_use]
    pub fn cause_of(&self, headers: &[(&str, &[u8])], body: &[u8], now: u64) -> Option<Cause> {
        if self.scheme.name == Profile::Whereby.name() {
            let mut values = headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(HEADER_NAME))
                .map(|(_, value)| *value);
            let header = std::str::from_utf8(values.next()?).ok()?;
            return self.cause(header, body, now);
        }
        let pairs = self.scheme_pairs(headers);
        self.scheme
            .diagnose(&pairs, body, &self.secrets, self.tolerance, now)
            .causes
            .first()
            .map(|found| found.cause)
    }

    /// [`Judge::conclude`] under a scheme other than the default: the
    /// cause of a signature that matches no secret is not looked for.
    fn conclude_scheme(&self, headers: &[(&str, &[u8])], body: &[u8], now: u64) -> Verdict {
        let scheme = self.scheme;
        let mut signatures = headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(scheme.signature_header));
        match (signatures.next(), signatures.next()) {
            (None, _) => return Verdict::Refused(Refusal::MissingSignature),
            (Some(_), Some(_)) => return Verdict::Refused(Refusal::SeveralSignatures),
            (Some((_, value)), None) if std::str::from_utf8(value).is_err() => {
                return Verdict::Refused(Refusal::SignatureNotUtf8);
            }
            _ => {}
        }
        let pairs = self.scheme_pairs(headers);
        match scheme.verify(&pairs, body, &self.secrets, self.tolerance, now) {
            Err(error) => {
                // A signature matching no secret is the costly cause to
                // look for; the others take a header's parse or one HMAC.
                let cause = if error.kind() == ErrorKind::NoMatch {
                    None
                } else {
                    scheme
                        .diagnose(&pairs, body, &self.secrets, self.tolerance, now)
                        .causes
                        .first()
                        .map(|found| found.cause)
                };
                Verdict::Unauthentic {
                    error: error.into_verify_error(),
                    timestamp: None,
                    cause,
                }
            }
            Ok(verified) => {
                let conformance = match scheme.event {
                    EventAt::BodyField(_) => self.conform(body),
                    EventAt::Header { header, .. } => {
                        let event = pairs
                            .iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(header))
                            .map(|(_, value)| *value);
                        self.conform_as(event, body)
                    }
                };
                Verdict::Authentic {
                    timestamp: verified.timestamp,
                    conformance,
                }
            }
        }
    }

    /// Judges an authentic body whose event is named outside it (the
    /// `event` header's value, and the body's action where the scheme has
    /// one): validated as the document's webhook of that key. The event
    /// model types Whereby's events only, so a conforming body is
    /// [`Conformance::Model`] (accepted, untyped); a key the document lacks
    /// is [`Conformance::Unknown`], acknowledged as an unknown event type
    /// is.
    fn conform_as(&self, event: Option<&str>, bytes: &[u8]) -> Conformance {
        let value = match parse_payload(bytes) {
            Ok(value) => value,
            Err(issue) => {
                return Conformance::Invalid {
                    report: Report::failed(None, *issue),
                    id: None,
                };
            }
        };
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let Some(key) = self.scheme.webhook_key(event, &value) else {
            let report = Report::failed(
                None,
                crate::Issue::new(
                    IssueKind::MissingType,
                    "",
                    format!(
                        "no event: the {} scheme names it in a header, and the delivery has none",
                        self.scheme.name
                    ),
                ),
            );
            return Conformance::Invalid { report, id };
        };
        let report = self.validator.validate_value_as(&key, &value);
        if report.is_valid() {
            return Conformance::Model {
                report,
                error: format!(
                    "the event model types Whereby's events, not the {} scheme's",
                    self.scheme.name
                ),
                id,
                earlier: false,
            };
        }
        let unknown = !self.validator.options().strict
            && report
                .errors
                .iter()
                .all(|issue| issue.kind == IssueKind::UnknownEventType);
        if unknown {
            return Conformance::Unknown {
                event_type: key,
                report,
                id,
            };
        }
        Conformance::Invalid { report, id }
    }

    /// [`Judge::signature`] for any scheme: `headers` are the request's
    /// (any, in any case). For the default scheme it reads the
    /// `Whereby-Signature` values; for another, whether its signature
    /// header is there once and UTF-8 ([`Signature::Parsed`] then carries
    /// it, with a timestamp of 0: the scheme's other headers are read by
    /// [`Judge::conclude_with`]).
    #[must_use]
    pub fn signature_of(&self, headers: &[(&str, &[u8])]) -> Signature {
        let name = self.scheme.signature_header;
        let values = headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value);
        if self.scheme.name == Profile::Whereby.name() {
            return self.signature(values);
        }
        let mut values = values;
        let Some(value) = values.next() else {
            return Signature::Refused(Refusal::MissingSignature);
        };
        if values.next().is_some() {
            return Signature::Refused(Refusal::SeveralSignatures);
        }
        match std::str::from_utf8(value) {
            Ok(header) => Signature::Parsed {
                header: header.to_owned(),
                timestamp: 0,
            },
            Err(_) => Signature::Refused(Refusal::SignatureNotUtf8),
        }
    }

    /// [`Judge::conclude`] for any scheme: `headers` are the request's, read
    /// by a scheme other than the default. As with [`Judge::conclude`], the
    /// cause of a signature that matches no secret is not looked for
    /// ([`Judge::cause_of`] looks for it).
    #[must_use]
    pub fn conclude_with(
        &self,
        signature: Signature,
        headers: &[(&str, &[u8])],
        body: &[u8],
        now: u64,
    ) -> Verdict {
        if self.scheme.name == Profile::Whereby.name() {
            return self.conclude(signature, body, now);
        }
        match signature {
            Signature::Refused(refusal) => Verdict::Refused(refusal),
            _ => self.conclude_scheme(headers, body, now),
        }
    }

    /// Reads the values of a request's `Whereby-Signature` headers (all of
    /// them, in the order received).
    #[must_use]
    pub fn signature<'v>(&self, values: impl IntoIterator<Item = &'v [u8]>) -> Signature {
        let mut values = values.into_iter();
        let Some(value) = values.next() else {
            return Signature::Refused(Refusal::MissingSignature);
        };
        if values.next().is_some() {
            return Signature::Refused(Refusal::SeveralSignatures);
        }
        let Ok(header) = std::str::from_utf8(value) else {
            return Signature::Refused(Refusal::SignatureNotUtf8);
        };
        match SignatureHeader::parse(header) {
            Ok(parsed) => Signature::Parsed {
                timestamp: parsed.timestamp(),
                header: header.to_owned(),
            },
            Err(error) => Signature::Malformed {
                header: header.to_owned(),
                error,
            },
        }
    }

    /// Judges a request whose header [`Judge::signature`] read: `body` is
    /// its raw bytes (not looked at unless [`Signature::needs_body`]). The
    /// cause of a signature that does not hold is not looked for, except
    /// for a header that does not parse, which is its own cause.
    #[must_use]
    pub fn conclude(&self, signature: Signature, body: &[u8], now: u64) -> Verdict {
        let (header, timestamp) = match signature {
            Signature::Refused(refusal) => return Verdict::Refused(refusal),
            Signature::Malformed { error, .. } => {
                return Verdict::Unauthentic {
                    error,
                    timestamp: None,
                    cause: Some(Cause::HeaderMalformed),
                };
            }
            Signature::Parsed { header, timestamp } => (header, timestamp),
        };
        let verified = SignatureHeader::parse(&header)
            .and_then(|parsed| parsed.verify(body, &self.secrets, self.tolerance, now));
        match verified {
            Err(error) => Verdict::Unauthentic {
                error,
                timestamp: Some(timestamp),
                cause: None,
            },
            Ok(timestamp) => Verdict::Authentic {
                timestamp: Some(timestamp),
                conformance: self.conform(body),
            },
        }
    }

    /// The likely cause of a signature `header` that does not hold over
    /// `body`, as `whereby-webhooks verify` names it (see
    /// [`whereby_webhooks_signature::diagnose`]): a few dozen HMACs and
    /// JSON re-serialisations of the body.
    #[must_use]
    pub fn cause(&self, header: &str, body: &[u8], now: u64) -> Option<Cause> {
        diagnose(header, body, &self.secrets, self.tolerance, now, None)
            .causes
            .first()
            .map(|found| found.cause)
    }

    /// Judges an authentic body: a valid one without building a value (see
    /// [`Validator::accepts`]), any other read once as
    /// [`Validator::validate_bytes`] reads it, so that both report the same
    /// issues for the same bytes.
    #[must_use]
    pub fn conform(&self, bytes: &[u8]) -> Conformance {
        let validator = &self.validator;
        let earlier = validator.date().is_some() || validator.judges_by_created();
        if let Some(event_type) = validator.accepts(bytes) {
            let typed = event_type
                .parse()
                .map_err(|error: UnknownEventType| error.to_string())
                .and_then(|ty| Event::from_slice_as(ty, bytes).map_err(|error| error.to_string()));
            let report = Report {
                event_type: Some(event_type.to_owned()),
                errors: Vec::new(),
            };
            return typed_by_the_model(typed, report, earlier, || {
                serde_json::from_slice::<IdOnly>(bytes)
                    .ok()
                    .and_then(|only| only.id)
            });
        }
        let value = match parse_payload(bytes) {
            Ok(value) => value,
            Err(issue) => {
                return Conformance::Invalid {
                    report: Report::failed(None, *issue),
                    id: None,
                };
            }
        };
        let report = validator.validate_value(&value);
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        if !report.is_valid() {
            let unknown = !validator.options().strict
                && report
                    .errors
                    .iter()
                    .all(|issue| issue.kind == IssueKind::UnknownEventType);
            if let (true, Some(event_type)) = (unknown, value.get("type").and_then(|t| t.as_str()))
            {
                return Conformance::Unknown {
                    event_type: event_type.to_owned(),
                    report,
                    id,
                };
            }
            return Conformance::Invalid { report, id };
        }
        // Valid, though the quick reading did not say so.
        let typed = Event::from_value(value).map_err(|error| error.to_string());
        typed_by_the_model(typed, report, earlier, || id)
    }
}

impl std::fmt::Debug for Judge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Judge")
            .field("secrets", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .field("scheme", &self.scheme.name)
            .finish_non_exhaustive()
    }
}

/// A body the document accepts, as the event model typed it (or why it
/// could not).
fn typed_by_the_model(
    typed: Result<Event, String>,
    report: Report,
    earlier: bool,
    id: impl FnOnce() -> Option<String>,
) -> Conformance {
    match typed {
        Ok(event) => Conformance::Valid {
            event: Box::new(event),
        },
        Err(error) => Conformance::Model {
            report,
            error,
            id: id(),
            earlier,
        },
    }
}

/// A payload's `id`, when it is a string.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use serde_json::{Value, json};
    use whereby_webhooks_model::EventType;
    use whereby_webhooks_signature::sign;

    use super::*;
    use crate::Options;

    const T: u64 = 1_700_000_000;

    fn judge() -> &'static Judge {
        static JUDGE: OnceLock<Judge> = OnceLock::new();
        JUDGE.get_or_init(|| {
            let validator = Validator::embedded(Options::default()).expect("embedded spec");
            Judge::new(validator, vec![secret("s")])
        })
    }

    fn secret(key: &str) -> Secret {
        Secret::new(key).expect("non-empty")
    }

    /// Other schemes: verified as the scheme says, the time checked as far
    /// as it can be, the event read where the scheme puts it.
    #[test]
    fn other_schemes_are_judged_as_their_scheme_says() {
        use whereby_webhooks_signature::Message;
        let body = serde_json::to_vec(&example()).unwrap();
        for profile in [Profile::Stripe, Profile::Github, Profile::StandardWebhooks] {
            let scheme = profile.scheme();
            let key = scheme
                .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap();
            let judge = Judge::new(validator(), vec![key.clone()]).with_scheme(scheme);
            assert_eq!(judge.scheme().name, profile.name());
            let sign_at = |t: u64, body: &[u8]| -> Vec<(&'static str, String)> {
                let message = Message {
                    id: Some("msg_1"),
                    timestamp: t,
                    body,
                };
                let mut headers = scheme.sign(&key, &message);
                headers.push(("X-GitHub-Event", "room.client.joined".to_owned()));
                headers
            };
            let verdict = |headers: &[(&'static str, String)], body: &[u8], now: u64| {
                let raw: Vec<(&str, &[u8])> =
                    headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
                judge.judge(&raw, body, now)
            };
            let ok = verdict(&sign_at(T, &body), &body, T);
            assert_eq!(ok.status(), 200, "{profile}: {ok:?}");
            let forged = verdict(&sign_at(T, &body), b"{}", T);
            assert_eq!(forged.status(), 401, "{profile}: {forged:?}");
            if let Verdict::Unauthentic { error, .. } = &forged {
                assert!(
                    !error.to_string().contains(HEADER_NAME),
                    "{profile}: {error}"
                );
            }
            let stale = verdict(&sign_at(T, &body), &body, T + 3600);
            let expected = if scheme.checks.stale { 401 } else { 200 };
            assert_eq!(stale.status(), expected, "{profile}: {stale:?}");
            let unsigned: Vec<(&'static str, String)> = sign_at(T, &body)
                .into_iter()
                .filter(|(name, _)| *name != scheme.signature_header)
                .collect();
            assert_eq!(
                verdict(&unsigned, &body, T),
                Verdict::Refused(Refusal::MissingSignature)
            );
        }
    }

    fn validator() -> Validator {
        Validator::embedded(Options::default()).expect("embedded spec")
    }

    fn example() -> Value {
        let example = whereby_webhooks_model::examples(EventType::RoomClientJoined)
            .into_iter()
            .next()
            .expect("an example");
        serde_json::to_value(&example.event).expect("serialisable")
    }

    fn check(header: &str, body: &[u8]) -> Verdict {
        judge().judge(&[("whereby-signature", header.as_bytes())], body, T + 1)
    }

    fn signed(body: &[u8]) -> Verdict {
        check(&sign(&secret("s"), T, body), body)
    }

    fn conformance(verdict: Verdict) -> Conformance {
        match verdict {
            Verdict::Authentic {
                conformance,
                timestamp,
            } => {
                assert_eq!(timestamp, Some(T));
                conformance
            }
            other => panic!("not authentic: {other:?}"),
        }
    }

    #[test]
    fn every_model_example_is_typed() {
        for example in whereby_webhooks_model::all_examples() {
            let body = serde_json::to_vec(&example.event).expect("json");
            let verdict = signed(&body);
            assert_eq!(verdict.status(), 200, "{}", example.file_stem());
            let Conformance::Valid { event } = conformance(verdict) else {
                panic!("{}: not valid", example.file_stem());
            };
            assert_eq!(*event, example.event);
        }
    }

    /// A bad signature is reported even when the body is not JSON at all:
    /// the body is never parsed before the signature holds.
    #[test]
    fn the_signature_is_checked_before_the_body() {
        let body = b"{not json";
        let forged = sign(&secret("attacker"), T, body);
        let verdict = check(&forged, body);
        assert!(
            matches!(
                verdict,
                Verdict::Unauthentic {
                    error: VerifyError::NoMatch,
                    timestamp: Some(T),
                    cause: Some(Cause::SecretMismatch),
                }
            ),
            "{verdict:?}"
        );
        assert_eq!(verdict.status(), 401);

        // A stale signature over a valid payload.
        let body = serde_json::to_vec(&example()).expect("json");
        let verdict = check(&sign(&secret("s"), T - 3600, &body), &body);
        let Verdict::Unauthentic { error, cause, .. } = &verdict else {
            panic!("{verdict:?}");
        };
        assert_eq!(error.kind(), ErrorKind::TooOld);
        assert_eq!(*cause, Some(Cause::StaleTimestamp));
        assert_eq!(verdict.status(), 401);
    }

    #[test]
    fn a_reserialised_body_is_named_as_the_cause() {
        let value = example();
        let sent = serde_json::to_vec_pretty(&value).expect("json");
        let compact = serde_json::to_vec(&value).expect("json");
        let verdict = check(&sign(&secret("s"), T, &sent), &compact);
        assert!(
            matches!(
                verdict,
                Verdict::Unauthentic {
                    cause: Some(Cause::BodyReserialized),
                    ..
                }
            ),
            "{verdict:?}"
        );
        // The two-step path leaves the cause to the caller.
        let judge = judge();
        let header = sign(&secret("s"), T, &sent);
        let signature = judge.signature([header.as_bytes()]);
        assert!(signature.needs_body());
        let verdict = judge.conclude(signature, &compact, T + 1);
        assert!(
            matches!(verdict, Verdict::Unauthentic { cause: None, .. }),
            "{verdict:?}"
        );
        assert_eq!(
            judge.cause(&header, &compact, T + 1),
            Some(Cause::BodyReserialized)
        );
    }

    #[test]
    fn headers_that_cannot_be_verified_are_refused_or_malformed() {
        let judge = judge();
        let body = b"{}";
        type Headers<'a> = &'a [(&'a str, &'a [u8])];
        let cases: [(Headers<'_>, u16, &str); 5] = [
            (&[], 401, "refused"),
            (&[("content-type", b"application/json")], 401, "refused"),
            (
                &[
                    ("Whereby-Signature", b"t=1,v1=00"),
                    ("whereby-signature", b"t=1,v1=00"),
                ],
                400,
                "refused",
            ),
            (&[("WHEREBY-SIGNATURE", b"t=1,v1=\xff")], 400, "refused"),
            (&[("whereby-signature", b"v1=00")], 400, "unauthentic"),
        ];
        for (headers, status, kind) in cases {
            let verdict = judge.judge(headers, body, T);
            assert_eq!(
                (verdict.status(), verdict.kind()),
                (status, kind),
                "{headers:?}"
            );
        }
        let verdict = judge.judge(&[("whereby-signature", b"v1=00")], body, T);
        assert!(
            matches!(
                verdict,
                Verdict::Unauthentic {
                    cause: Some(Cause::HeaderMalformed),
                    ..
                }
            ),
            "{verdict:?}"
        );
        assert!(!judge.signature([&b"v1=00"[..]]).needs_body());
    }

    #[test]
    fn signed_but_not_json_is_invalid() {
        for (body, kind) in [
            (&b"{not json"[..], IssueKind::Syntax),
            (&b""[..], IssueKind::Empty),
            (&[0x7b, 0xff][..], IssueKind::Encoding),
            (&b"[]"[..], IssueKind::NotAnObject),
        ] {
            let verdict = signed(body);
            assert_eq!(verdict.status(), 422, "{kind:?}");
            let Conformance::Invalid { report, id: None } = conformance(verdict) else {
                panic!("{kind:?}: not invalid");
            };
            let kinds: Vec<IssueKind> = report.errors.iter().map(|issue| issue.kind).collect();
            assert_eq!(kinds, [kind]);
        }
    }

    /// Parsing once gives the same report as `validate_bytes`, whatever the
    /// bytes.
    #[test]
    fn reports_match_validate_bytes() {
        let mut bodies: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b" \n\t".to_vec(),
            b"{".to_vec(),
            b"{\"id\": \"\xff\"}".to_vec(),
            b"\xef\xbb\xbf{}".to_vec(),
            b"null".to_vec(),
            b"{}".to_vec(),
            b"{\"type\": 1}".to_vec(),
            b"{\"a\": 1, \"a\": 2, \"type\": \"room.session.started\"}".to_vec(),
            b"{} trailing".to_vec(),
        ];
        let mut invalid = example();
        invalid["createdAt"] = json!("yesterday");
        bodies.push(serde_json::to_vec(&invalid).expect("json"));
        for body in bodies {
            let conformance = conformance(signed(&body));
            assert!(!conformance.is_valid());
            let expected = judge().validator().validate_bytes(&body);
            assert_eq!(
                conformance.report(),
                Some(&expected),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn schema_errors_are_reported_with_the_id() {
        let mut value = example();
        value["data"]["numClients"] = json!(-1);
        value["data"]
            .as_object_mut()
            .expect("data")
            .remove("displayName");
        let body = serde_json::to_vec(&value).expect("json");
        let conformance = conformance(signed(&body));
        assert_eq!(conformance.event_type(), Some("room.client.joined"));
        assert_eq!(conformance.id(), value["id"].as_str());
        let report = conformance.report().expect("a report");
        let kinds: Vec<IssueKind> = report.errors.iter().map(|issue| issue.kind).collect();
        assert_eq!(kinds, [IssueKind::Required, IssueKind::Minimum]);
    }

    /// Whereby adds event types: an authentic one the document does not
    /// describe is acknowledged, unless strict mode asks otherwise.
    #[test]
    fn unknown_event_types_are_acknowledged_unless_strict() {
        let mut value = example();
        value["type"] = json!("room.client.teleported");
        let body = serde_json::to_vec(&value).expect("json");
        let verdict = signed(&body);
        assert_eq!(verdict.status(), 200);
        let conformance = conformance(verdict);
        assert!(
            matches!(&conformance, Conformance::Unknown { event_type, .. } if event_type == "room.client.teleported"),
            "{conformance:?}"
        );
        assert_eq!(conformance.id(), value["id"].as_str());

        let strict = Judge::new(
            Validator::embedded(Options { strict: true }).expect("strict"),
            vec![secret("s")],
        );
        let header = sign(&secret("s"), T, &body);
        let verdict = strict.judge(&[("whereby-signature", header.as_bytes())], &body, T);
        assert_eq!(verdict.status(), 422);
    }

    #[test]
    fn strict_mode_reports_unknown_properties() {
        let mut value = example();
        value["data"]["newlyAdded"] = json!(true);
        let body = serde_json::to_vec(&value).expect("json");
        assert!(matches!(
            conformance(signed(&body)),
            Conformance::Valid { .. }
        ));
        let strict = Judge::new(
            Validator::embedded(Options { strict: true }).expect("strict"),
            vec![secret("s")],
        );
        let header = sign(&secret("s"), T, &body);
        let verdict = strict.judge(&[("whereby-signature", header.as_bytes())], &body, T);
        let report = match &verdict {
            Verdict::Authentic { conformance, .. } => conformance.report().expect("a report"),
            other => panic!("{other:?}"),
        };
        assert!(
            report
                .errors
                .iter()
                .any(|issue| issue.kind == IssueKind::UnknownProperty),
            "{report:?}"
        );
    }

    /// A body the document accepts but the model cannot type is accepted,
    /// with the model's complaint.
    #[test]
    fn the_document_is_the_contract_not_the_model() {
        let mut value = example();
        value["data"]["numClients"] = json!(2.0);
        let body = serde_json::to_vec(&value).expect("json");
        let verdict = signed(&body);
        assert_eq!(verdict.status(), 200);
        let conformance = conformance(verdict);
        assert!(
            matches!(&conformance, Conformance::Model { .. }),
            "{conformance:?}"
        );
        assert_eq!(conformance.event_type(), Some("room.client.joined"));
        assert_eq!(conformance.id(), value["id"].as_str());
    }

    /// Judged by the contract of its date, Whereby's own delivery of 2022
    /// conforms; the model types today's contract, and says which.
    #[test]
    fn an_old_delivery_conforms_to_its_date_and_the_model_says_it_predates_it() {
        let body = include_bytes!(
            "../../../tests/samples/real/room.client.joined.recorder-2022-10-10.json"
        );
        let header = sign(&secret("s"), T, body);
        let headers = [("whereby-signature", header.as_bytes())];
        let today = judge().judge(&headers, body, T);
        assert_eq!(today.status(), 422, "{today:?}");
        let dated = Judge::new(
            Validator::embedded_as_of_created(Options::default()).expect("embedded spec"),
            vec![secret("s")],
        );
        let verdict = dated.judge(&headers, body, T);
        assert_eq!(verdict.status(), 200, "{verdict:?}");
        assert!(
            matches!(
                conformance(verdict),
                Conformance::Model { earlier: true, .. }
            ),
            "the model types today's contract"
        );
    }

    #[test]
    fn rotation_accepts_either_secret() {
        let (old, new) = (secret("old"), secret("new"));
        let judge = Judge::new(validator(), vec![new.clone(), old.clone()]);
        let body = serde_json::to_vec(&example()).expect("json");
        for (signer, authentic) in [(&old, true), (&new, true), (&secret("retired"), false)] {
            let header = sign(signer, T, &body);
            let verdict = judge.judge(&[("whereby-signature", header.as_bytes())], &body, T);
            assert_eq!(verdict.is_authentic(), authentic, "{verdict:?}");
        }
    }

    #[test]
    fn no_secrets_is_a_signature_error() {
        let judge = Judge::new(validator(), Vec::new());
        let header = sign(&secret("s"), T, b"{}");
        let verdict = judge.judge(&[("whereby-signature", header.as_bytes())], b"{}", T);
        assert!(
            matches!(
                verdict,
                Verdict::Unauthentic {
                    error: VerifyError::NoSecrets,
                    ..
                }
            ),
            "{verdict:?}"
        );
    }
}
