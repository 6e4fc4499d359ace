//! Signature schemes as data: where a vendor puts the signature, timestamp
//! and id, what it signs, how it encodes digest and secret, and which checks
//! its scheme can express.
//!
//! Whereby's scheme ([`Profile::Whereby`], the default) is the one the rest
//! of this crate implements; [`Scheme::verify`] with it gives exactly what
//! [`crate::verify`] gives. The other built-in profiles describe other
//! vendors' published schemes so that the same tools can test their
//! receivers; each is checked in CI against that vendor's own reference
//! library:
//!
//! | profile | signature | signed content | secret |
//! |---|---|---|---|
//! | `whereby` | `Whereby-Signature: t=<unix>,v1=<hex>` | `<t as sent>.<body>` | UTF-8 |
//! | `stripe` | `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]` | `<t in decimal>.<body>` | UTF-8, `whsec_` included |
//! | `github` | `X-Hub-Signature-256: sha256=<hex>` | `<body>` | UTF-8 |
//! | `standard-webhooks` | `webhook-signature: v1,<base64> ...` | `<webhook-id>.<webhook-timestamp>.<body>` | base64 after `whsec_` |
//!
//! Every scheme is HMAC-SHA256; they differ in the data above, and the
//! code reads it rather than branching on the vendor.
//!
//! ```
//! use whereby_webhooks_signature::{Message, Profile, Tolerance};
//!
//! let scheme = Profile::StandardWebhooks.scheme();
//! let secret = scheme.secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let body = br#"{"type":"contact.created"}"#;
//! let message = Message { id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"), timestamp: 1_614_265_330, body };
//! let headers = scheme.sign(&secret, &message);
//! assert_eq!(headers[0], ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".to_owned()));
//!
//! let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
//! let verified = scheme.verify(&pairs, body, &[secret], Tolerance::default(), 1_614_265_330)?;
//! assert_eq!(verified.timestamp, Some(1_614_265_330));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::{ErrorKind, VerifyError};
use crate::secret::{Secret, Tag, tags_equal};
use crate::{DEFAULT_TOLERANCE, HEADER_NAME, SignatureHeader, Tolerance};

/// Standard base64, with or without its padding: Standard Webhooks'
/// libraries pad a secret before decoding it.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A built-in signature scheme, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// Whereby's `Whereby-Signature` (the default).
    #[default]
    Whereby,
    /// Stripe's `Stripe-Signature`, the scheme Whereby's resembles.
    Stripe,
    /// GitHub's `X-Hub-Signature-256`: the body alone, no timestamp.
    Github,
    /// The Standard Webhooks specification (`webhook-id`,
    /// `webhook-timestamp`, `webhook-signature`).
    StandardWebhooks,
}

impl Profile {
    /// Every built-in profile, the default first.
    pub const ALL: [Profile; 4] = [
        Profile::Whereby,
        Profile::Stripe,
        Profile::Github,
        Profile::StandardWebhooks,
    ];

    /// The profile's name, as `--profile` takes it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.scheme().name
    }

    /// The scheme this profile names.
    #[must_use]
    pub const fn scheme(self) -> &'static Scheme {
        match self {
            Profile::Whereby => &WHEREBY,
            Profile::Stripe => &STRIPE,
            Profile::Github => &GITHUB,
            Profile::StandardWebhooks => &STANDARD_WEBHOOKS,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no built-in profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?}: use one of whereby, stripe, github, standard-webhooks")]
pub struct UnknownProfile(String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}

/// Where a scheme carries the signature's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampAt {
    /// An item of the signature header, such as `t=` in `t=...,v1=...`.
    SignatureItem(&'static str),
    /// A header of its own, such as `webhook-timestamp`.
    Header(&'static str),
}

/// Where a scheme says which event a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAt {
    /// A string member of the JSON body, such as `type`.
    BodyField(&'static str),
    /// A header, such as `X-GitHub-Event`, refined by a string member of
    /// the body when there is one (GitHub's `action`): `issues` and
    /// `opened` make the document's webhook `issues-opened`.
    Header {
        /// The header naming the event.
        header: &'static str,
        /// The body member naming the event's action, if any.
        action: Option<&'static str>,
    },
}

/// The bytes a scheme signs, in order, joined by `.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedContent {
    /// The timestamp's digits exactly as sent, `.`, the body (Whereby).
    TimestampAsSentDotBody,
    /// The timestamp written in decimal (leading zeros dropped), `.`, the
    /// body (Stripe's libraries format the parsed number).
    TimestampDotBody,
    /// The body alone (GitHub).
    Body,
    /// The id, `.`, the timestamp in decimal, `.`, the body (Standard
    /// Webhooks).
    IdDotTimestampDotBody,
}

/// How the signature header's value is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    /// Comma-separated `key=value` items: one timestamp item, and one or
    /// more signature items under `key` (`v1`); other keys are ignored.
    /// The grammar of [`SignatureHeader`].
    Items {
        /// The key of the signature items.
        key: &'static str,
    },
    /// One signature after a fixed prefix, such as `sha256=`; the hex
    /// digest must be lowercase, as the vendor's libraries compare the
    /// text.
    Prefixed(&'static str),
    /// Space-separated `version,signature` entries (`v1,<base64>`); entries
    /// of other versions are ignored.
    Versioned(&'static str),
}

/// How the digest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestEncoding {
    /// Hexadecimal digits.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// How the secret's text becomes the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretEncoding {
    /// Its UTF-8 bytes, exactly as written (any prefix included).
    Utf8,
    /// Standard base64, after an optional prefix such as `whsec_`.
    Base64 {
        /// The prefix dropped before decoding, when present.
        prefix: &'static str,
    },
}

/// The checks of a delivery's signature that a scheme can express; a
/// check it cannot express is skipped and should be reported as skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// A signature older than the tolerance is refused (a replay).
    pub stale: bool,
    /// A signature further in the future than the tolerance is refused.
    pub future: bool,
    /// One header may carry several signatures (secret rotation).
    pub rotation: bool,
    /// The scheme signs an id that a receiver deduplicates on.
    pub signed_id: bool,
}

/// A signature scheme, as data. The built-in ones are reached through
/// [`Profile::scheme`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scheme {
    /// The profile's name.
    pub name: &'static str,
    /// The header carrying the signature.
    pub signature_header: &'static str,
    /// How its value is laid out.
    pub format: SignatureFormat,
    /// Where the timestamp is, if the scheme signs one.
    pub timestamp: Option<TimestampAt>,
    /// The header carrying the delivery's id, if the scheme has one.
    pub id_header: Option<&'static str>,
    /// Where the event's name is.
    pub event: EventAt,
    /// What is signed.
    pub signed: SignedContent,
    /// How the HMAC-SHA256 digest is written.
    pub encoding: DigestEncoding,
    /// How the secret's text becomes the key.
    pub secret: SecretEncoding,
    /// The tolerance receivers apply by default, if the scheme has a
    /// timestamp.
    pub tolerance: Option<Duration>,
    /// The checks the scheme can express.
    pub checks: Checks,
    /// What the vendor calls the secret, for messages.
    pub secret_name: &'static str,
    /// Every header above, lowercase (as HTTP libraries name them): what a
    /// receiver reads of a request to judge it.
    pub read_headers: &'static [&'static str],
}

const WHEREBY: Scheme = Scheme {
    name: "whereby",
    signature_header: HEADER_NAME,
    format: SignatureFormat::Items { key: "v1" },
    timestamp: Some(TimestampAt::SignatureItem("t")),
    id_header: None,
    event: EventAt::BodyField("type"),
    signed: SignedContent::TimestampAsSentDotBody,
    encoding: DigestEncoding::Hex,
    secret: SecretEncoding::Utf8,
    tolerance: Some(DEFAULT_TOLERANCE),
    checks: Checks {
        stale: true,
        future: true,
        rotation: true,
        signed_id: false,
    },
    secret_name: "the endpoint's signing secret, exactly as Whereby shows it",
    read_headers: &["whereby-signature"],
};

const STRIPE: Scheme = Scheme {
    name: "stripe",
    signature_header: "Stripe-Signature",
    format: SignatureFormat::Items { key: "v1" },
    timestamp: Some(TimestampAt::SignatureItem("t")),
    id_header: None,
    event: EventAt::BodyField("type"),
    signed: SignedContent::TimestampDotBody,
    encoding: DigestEncoding::Hex,
    secret: SecretEncoding::Utf8,
    tolerance: Some(DEFAULT_TOLERANCE),
    // Stripe's libraries refuse a signature older than the tolerance, and
    // accept one from the future.
    checks: Checks {
        stale: true,
        future: false,
        rotation: true,
        signed_id: false,
    },
    secret_name: "the endpoint's signing secret, whsec_ included",
    read_headers: &["stripe-signature"],
};

const GITHUB: Scheme = Scheme {
    name: "github",
    signature_header: "X-Hub-Signature-256",
    format: SignatureFormat::Prefixed("sha256="),
    timestamp: None,
    id_header: Some("X-GitHub-Delivery"),
    event: EventAt::Header {
        header: "X-GitHub-Event",
        action: Some("action"),
    },
    signed: SignedContent::Body,
    encoding: DigestEncoding::Hex,
    secret: SecretEncoding::Utf8,
    tolerance: None,
    checks: Checks {
        stale: false,
        future: false,
        rotation: false,
        signed_id: false,
    },
    secret_name: "the webhook's secret",
    read_headers: &["x-hub-signature-256", "x-github-event", "x-github-delivery"],
};

const STANDARD_WEBHOOKS: Scheme = Scheme {
    name: "standard-webhooks",
    signature_header: "webhook-signature",
    format: SignatureFormat::Versioned("v1"),
    timestamp: Some(TimestampAt::Header("webhook-timestamp")),
    id_header: Some("webhook-id"),
    event: EventAt::BodyField("type"),
    signed: SignedContent::IdDotTimestampDotBody,
    encoding: DigestEncoding::Base64,
    secret: SecretEncoding::Base64 { prefix: "whsec_" },
    tolerance: Some(DEFAULT_TOLERANCE),
    checks: Checks {
        stale: true,
        future: true,
        rotation: true,
        signed_id: true,
    },
    secret_name: "the endpoint's whsec_ secret",
    read_headers: &["webhook-id", "webhook-timestamp", "webhook-signature"],
};

/// What a sender signs: the body, and the id and time when the scheme
/// signs them.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The delivery's id (ignored by schemes that sign none; required by
    /// those that do, where `None` signs an empty id).
    pub id: Option<&'a str>,
    /// When it was signed, in unix seconds (ignored by schemes without a
    /// timestamp).
    pub timestamp: u64,
    /// The exact request body.
    pub body: &'a [u8],
}

/// What [`Scheme::verify`] established about an authentic delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signed timestamp, for schemes that sign one.
    pub timestamp: Option<u64>,
    /// The signed id, for schemes that sign one.
    pub id: Option<String>,
}

/// Why [`Scheme::verify`] refused a delivery, or [`Scheme::secret`] a
/// secret. The message names headers and rules, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SchemeError {
    kind: ErrorKind,
    message: String,
    /// For the default profile, the error as [`crate::verify`] gives it.
    whereby: Option<VerifyError>,
}

impl SchemeError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            whereby: None,
        }
    }

    /// A field-less summary, for metrics and matching.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `true` when the request is at fault (an HTTP 4xx), `false` when the
    /// receiver is misconfigured.
    #[must_use]
    pub const fn is_client_error(&self) -> bool {
        !matches!(self.kind, ErrorKind::NoSecrets | ErrorKind::BadSecret)
    }

    /// The same error as [`crate::verify`] reports it, for the items
    /// grammar of the `whereby` and `stripe` profiles.
    #[must_use]
    pub const fn as_verify_error(&self) -> Option<&VerifyError> {
        self.whereby.as_ref()
    }

    /// The error as a [`VerifyError`]: the default profile's own, or
    /// [`VerifyError::Scheme`] carrying this message.
    #[must_use]
    pub fn into_verify_error(self) -> VerifyError {
        match self.whereby {
            Some(inner) if inner.to_string() == self.message => inner,
            _ => VerifyError::Scheme {
                kind: self.kind,
                message: self.message,
            },
        }
    }

    /// The error with the default profile's header name replaced by this
    /// scheme's.
    fn from_items(error: VerifyError, scheme: &Scheme) -> Self {
        let message = error
            .to_string()
            .replace(HEADER_NAME, scheme.signature_header);
        Self {
            kind: error.kind(),
            message,
            whereby: Some(error),
        }
    }
}

impl Scheme {
    /// The HMAC key of a secret as the vendor hands it out.
    ///
    /// # Errors
    ///
    /// The secret is empty or only whitespace, or (for a base64 secret)
    /// not base64 after its prefix.
    pub fn secret(&self, text: &str) -> Result<Secret, SchemeError> {
        let empty = || {
            SchemeError::new(
                ErrorKind::BadSecret,
                format!(
                    "signing secret is empty or only whitespace: give {}",
                    self.secret_name
                ),
            )
        };
        match self.secret {
            SecretEncoding::Utf8 => Secret::new(text).map_err(|_| empty()),
            SecretEncoding::Base64 { prefix } => {
                if text.trim().is_empty() {
                    return Err(empty());
                }
                let encoded = text.strip_prefix(prefix).unwrap_or(text);
                let key = SECRET_BASE64.decode(encoded).map_err(|_| {
                    SchemeError::new(
                        ErrorKind::BadSecret,
                        format!(
                            "the {} secret is not base64 after its `{prefix}` prefix: give {}",
                            self.name, self.secret_name
                        ),
                    )
                })?;
                Secret::from_key_bytes(&key).map_err(|_| empty())
            }
        }
    }

    /// The names of the headers [`verify`](Self::verify) reads, the
    /// signature's first.
    #[must_use]
    pub fn signed_headers(&self) -> Vec<&'static str> {
        let mut names = vec![self.signature_header];
        if let Some(TimestampAt::Header(name)) = self.timestamp {
            names.push(name);
        }
        if self.signed == SignedContent::IdDotTimestampDotBody
            && let Some(id) = self.id_header
        {
            names.push(id);
        }
        names
    }

    /// Adds to `headers` (those [`Scheme::sign`] gave) what names a delivery
    /// for a scheme that reads its event outside the body: `event` in the
    /// event header, and `id` in the id header unless `headers` has it
    /// already. A scheme that reads the event from the body adds nothing.
    pub fn name_delivery(
        &self,
        headers: &mut Vec<(&'static str, String)>,
        event: String,
        id: String,
    ) {
        if let EventAt::Header { header, .. } = self.event {
            headers.push((header, event));
            if let Some(id_header) = self.id_header
                && headers.iter().all(|(name, _)| *name != id_header)
            {
                headers.push((id_header, id));
            }
        }
    }

    /// Signs a message: the headers to send with it, in the order
    /// id, timestamp, signature (those the scheme has).
    #[must_use]
    pub fn sign(&self, secret: &Secret, message: &Message<'_>) -> Vec<(&'static str, String)> {
        let timestamp = message.timestamp.to_string();
        let id = message.id.unwrap_or("");
        let tag = self.tag(secret, id, &timestamp, message.body);
        let digest = self.encode(&tag);
        let mut headers = Vec::with_capacity(3);
        if self.signed == SignedContent::IdDotTimestampDotBody
            && let Some(name) = self.id_header
        {
            headers.push((name, id.to_owned()));
        }
        if let Some(TimestampAt::Header(name)) = self.timestamp {
            headers.push((name, timestamp.clone()));
        }
        let value = match self.format {
            SignatureFormat::Items { key } => match self.timestamp {
                Some(TimestampAt::SignatureItem(t)) => format!("{t}={timestamp},{key}={digest}"),
                _ => format!("{key}={digest}"),
            },
            SignatureFormat::Prefixed(prefix) => format!("{prefix}{digest}"),
            SignatureFormat::Versioned(version) => format!("{version},{digest}"),
        };
        headers.push((self.signature_header, value));
        headers
    }

    /// The HMAC of what the scheme signs.
    fn tag(&self, secret: &Secret, id: &str, timestamp: &str, body: &[u8]) -> Tag {
        match self.signed {
            SignedContent::TimestampAsSentDotBody | SignedContent::TimestampDotBody => {
                secret.tag(&[timestamp.as_bytes(), b".", body])
            }
            SignedContent::Body => secret.tag(&[body]),
            SignedContent::IdDotTimestampDotBody => {
                secret.tag(&[id.as_bytes(), b".", timestamp.as_bytes(), b".", body])
            }
        }
    }

    fn encode(&self, tag: &Tag) -> String {
        match self.encoding {
            DigestEncoding::Hex => crate::hex::encode(tag),
            DigestEncoding::Base64 => BASE64.encode(tag),
        }
    }

    /// Verifies a delivery: `headers` are the request's headers (names in
    /// any case; the first of a name is read), `body` the raw body.
    ///
    /// With the `whereby` profile this is [`crate::verify`] on the
    /// `Whereby-Signature` header, with the same errors. For every
    /// scheme the signature is checked before the time, so a stale-time
    /// error means the delivery was signed with one of the secrets. The
    /// time is checked as far as the scheme's [`Checks`] say (Stripe's
    /// libraries accept a timestamp from the future; GitHub signs none).
    ///
    /// # Errors
    ///
    /// A [`SchemeError`] naming the first rule broken.
    pub fn verify(
        &self,
        headers: &[(&str, &str)],
        body: &[u8],
        secrets: &[Secret],
        tolerance: Tolerance,
        now: u64,
    ) -> Result<Verified, SchemeError> {
        if secrets.is_empty() {
            return Err(SchemeError::from_items(VerifyError::NoSecrets, self));
        }
        let header = |name: &'static str| {
            headers
                .iter()
                .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
                .map(|(_, value)| *value)
                .ok_or_else(|| {
                    SchemeError::new(
                        ErrorKind::MissingHeader,
                        format!(
                            "missing {name} header: the {} scheme sends it with every delivery",
                            self.name
                        ),
                    )
                })
        };
        let signature = header(self.signature_header)?;
        let (timestamp, candidates, timestamp_text) = match self.format {
            SignatureFormat::Items { .. } => {
                let parsed = SignatureHeader::parse(signature)
                    .map_err(|error| SchemeError::from_items(error, self))?;
                let text = match self.signed {
                    SignedContent::TimestampAsSentDotBody => parsed.timestamp_text().to_owned(),
                    _ => parsed.timestamp().to_string(),
                };
                (
                    Some(parsed.timestamp()),
                    parsed.v1_signatures().collect::<Vec<_>>(),
                    text,
                )
            }
            SignatureFormat::Prefixed(prefix) => {
                (None, vec![self.prefixed(signature, prefix)?], String::new())
            }
            SignatureFormat::Versioned(version) => {
                let candidates = self.versioned(signature, version)?;
                let (timestamp, text) = match self.timestamp {
                    Some(TimestampAt::Header(name)) => {
                        let value = header(name)?.trim();
                        let parsed = crate::header::parse_timestamp(value).map_err(|_| {
                            SchemeError::new(
                                ErrorKind::MalformedHeader,
                                format!("malformed {name} header: expected unix seconds in plain ASCII digits"),
                            )
                        })?;
                        (Some(parsed), parsed.to_string())
                    }
                    _ => (None, String::new()),
                };
                (timestamp, candidates, text)
            }
        };
        let id = match (self.signed, self.id_header) {
            (SignedContent::IdDotTimestampDotBody, Some(name)) => Some(header(name)?.to_owned()),
            _ => None,
        };
        let id_text = id.as_deref().unwrap_or("");
        let matched = secrets.iter().any(|secret| {
            let expected = self.tag(secret, id_text, &timestamp_text, body);
            candidates.iter().fold(false, |matched, candidate| {
                matched | tags_equal(&expected, candidate)
            })
        });
        if !matched {
            return Err(match self.format {
                SignatureFormat::Items { .. } => {
                    SchemeError::from_items(VerifyError::NoMatch, self)
                }
                _ => SchemeError::new(
                    ErrorKind::NoMatch,
                    format!(
                        "no signature in the {} header matches: are you hashing the raw request body, byte for byte, and using the right secret?",
                        self.signature_header
                    ),
                ),
            });
        }
        if let Some(timestamp) = timestamp {
            let tolerance = Tolerance::from_checks(tolerance, self.checks);
            tolerance
                .check(timestamp, now)
                .map_err(|error| SchemeError::from_items(error, self))?;
        }
        Ok(Verified { timestamp, id })
    }

    /// The digest after `prefix`: 64 lowercase hex digits.
    fn prefixed(&self, value: &str, prefix: &str) -> Result<Tag, SchemeError> {
        let malformed = |what: &str| {
            SchemeError::new(
                ErrorKind::MalformedHeader,
                format!(
                    "malformed {} header: {what}; expected `{prefix}<64 lowercase hex digits>`",
                    self.signature_header
                ),
            )
        };
        let Some(digits) = value.trim().strip_prefix(prefix) else {
            return Err(malformed(&format!("it does not start with `{prefix}`")));
        };
        if digits.len() != 64
            || !digits
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(malformed(&format!(
                "the digest is {} characters, not 64 lowercase hex digits",
                digits.chars().count()
            )));
        }
        crate::hex::decode(digits).ok_or_else(|| malformed("the digest is not hex"))
    }

    /// The digests of the `version,<base64>` entries, separated by spaces.
    fn versioned(&self, value: &str, version: &str) -> Result<Vec<Tag>, SchemeError> {
        let malformed = |item: usize, what: &str| {
            SchemeError::new(
                ErrorKind::MalformedHeader,
                format!(
                    "malformed {} header: entry {item} {what}; expected `{version},<base64 HMAC-SHA256>`, several separated by spaces",
                    self.signature_header
                ),
            )
        };
        if value.trim().is_empty() {
            return Err(SchemeError::new(
                ErrorKind::MalformedHeader,
                format!(
                    "malformed {} header: the header is empty",
                    self.signature_header
                ),
            ));
        }
        let mut tags = Vec::new();
        for (index, entry) in value.split_ascii_whitespace().enumerate() {
            let item = index + 1;
            let Some((key, encoded)) = entry.split_once(',') else {
                return Err(malformed(item, "has no `,` after its version"));
            };
            if key != version {
                continue;
            }
            let tag = BASE64
                .decode(encoded)
                .ok()
                .and_then(|bytes| Tag::try_from(bytes.as_slice()).ok())
                .ok_or_else(|| malformed(item, "is not the base64 of 32 bytes"))?;
            tags.push(tag);
        }
        if tags.is_empty() {
            return Err(SchemeError::new(
                ErrorKind::NoV1Signature,
                format!(
                    "no `{version},` signature in the {} header (entries of other versions are ignored)",
                    self.signature_header
                ),
            ));
        }
        Ok(tags)
    }

    /// The headers' layout, in one line, as an example.
    #[must_use]
    pub fn layout(&self) -> String {
        let digest = match self.encoding {
            DigestEncoding::Hex => "<hex HMAC-SHA256>",
            DigestEncoding::Base64 => "<base64 HMAC-SHA256>",
        };
        let signature = match (self.format, self.timestamp) {
            (SignatureFormat::Items { key }, Some(TimestampAt::SignatureItem(t))) => {
                format!("{t}=<unix seconds>,{key}={digest}")
            }
            (SignatureFormat::Items { key }, _) => format!("{key}={digest}"),
            (SignatureFormat::Prefixed(prefix), _) => format!("{prefix}{digest}"),
            (SignatureFormat::Versioned(version), _) => format!("{version},{digest}"),
        };
        let mut parts = Vec::new();
        if self.signed == SignedContent::IdDotTimestampDotBody
            && let Some(id) = self.id_header
        {
            parts.push(format!("{id}: <id>"));
        }
        if let Some(TimestampAt::Header(name)) = self.timestamp {
            parts.push(format!("{name}: <unix seconds>"));
        }
        parts.push(format!("{}: {signature}", self.signature_header));
        parts.join(", ")
    }

    /// The event's name in `headers` and `body` as the document's
    /// `webhooks` key: the body's `type`, or (GitHub) the event header
    /// joined by `-` to the body's `action` when it has one, `_` written
    /// `-` as in GitHub's document (`pull_request` and `opened` make
    /// `pull-request-opened`). `None` when the place holds no string.
    #[must_use]
    pub fn webhook_key(
        &self,
        event_header: Option<&str>,
        body: &serde_json::Value,
    ) -> Option<String> {
        match self.event {
            EventAt::BodyField(field) => body.get(field)?.as_str().map(str::to_owned),
            EventAt::Header { action, .. } => {
                let event = event_header?.trim().replace('_', "-");
                if event.is_empty() {
                    return None;
                }
                match action.and_then(|field| body.get(field)?.as_str()) {
                    Some(action) => Some(format!("{event}-{}", action.replace('_', "-"))),
                    None => Some(event),
                }
            }
        }
    }
}

impl Tolerance {
    /// The tolerance as far as a scheme's checks go: a window that only
    /// looks back when the scheme accepts timestamps from the future.
    fn from_checks(tolerance: Tolerance, checks: Checks) -> Bounded {
        Bounded {
            tolerance,
            past: checks.stale,
            future: checks.future,
        }
    }
}

/// A [`Tolerance`] applied one way, the other, or both.
struct Bounded {
    tolerance: Tolerance,
    past: bool,
    future: bool,
}

impl Bounded {
    fn check(&self, timestamp: u64, now: u64) -> Result<(), VerifyError> {
        match self.tolerance.check(timestamp, now) {
            Err(VerifyError::TooOld { .. }) if !self.past => Ok(()),
            Err(VerifyError::InFuture { .. }) if !self.future => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read_headers` lists exactly the headers the scheme's other fields
    /// name, lowercase.
    #[test]
    fn every_scheme_reads_the_headers_it_names() {
        for profile in Profile::ALL {
            let scheme = profile.scheme();
            let mut named = vec![scheme.signature_header];
            if let Some(TimestampAt::Header(name)) = scheme.timestamp {
                named.push(name);
            }
            named.extend(scheme.id_header);
            if let EventAt::Header { header, .. } = scheme.event {
                named.push(header);
            }
            let mut named: Vec<String> = named.iter().map(|n| n.to_ascii_lowercase()).collect();
            named.sort();
            let mut read: Vec<String> = scheme
                .read_headers
                .iter()
                .map(|n| (*n).to_owned())
                .collect();
            read.sort();
            assert_eq!(read, named, "{profile}");
        }
    }

    fn pairs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
        headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
    }

    #[test]
    fn whereby_profile_signs_and_verifies_as_the_crate_does() {
        let scheme = Profile::Whereby.scheme();
        let secret = scheme.secret("whereby-test-secret").unwrap();
        let message = Message {
            id: None,
            timestamp: 1_700_000_000,
            body: b"{}",
        };
        let headers = scheme.sign(&secret, &message);
        assert_eq!(
            headers,
            [(HEADER_NAME, crate::sign(&secret, 1_700_000_000, b"{}"))]
        );
        let secrets = [secret];
        for (body, now) in [
            (&b"{}"[..], 1_700_000_000),
            (b"{ }", 1_700_000_000),
            (b"{}", 1_700_000_301),
            (b"{}", 1_699_999_699),
        ] {
            let ours = scheme.verify(&pairs(&headers), body, &secrets, Tolerance::DEFAULT, now);
            let crates = crate::verify(&headers[0].1, body, &secrets, Tolerance::DEFAULT, now);
            assert_eq!(
                ours.as_ref().map(|v| v.timestamp),
                crates
                    .as_ref()
                    .map(|t| Some(*t))
                    .map_err(|_| ours.as_ref().unwrap_err())
            );
            if let Err(error) = &crates {
                assert_eq!(ours.as_ref().unwrap_err().to_string(), error.to_string());
                assert_eq!(ours.unwrap_err().as_verify_error(), Some(error));
            }
        }
    }

    /// GitHub's documented test vector.
    #[test]
    fn github_documented_vector() {
        let scheme = Profile::Github.scheme();
        let secret = scheme.secret("It's a Secret to Everybody").unwrap();
        let headers = scheme.sign(
            &secret,
            &Message {
                id: None,
                timestamp: 0,
                body: b"Hello, World!",
            },
        );
        assert_eq!(
            headers,
            [(
                "X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
                    .to_owned()
            )]
        );
        let secrets = [secret];
        assert!(
            scheme
                .verify(
                    &pairs(&headers),
                    b"Hello, World!",
                    &secrets,
                    Tolerance::DEFAULT,
                    u64::MAX
                )
                .is_ok()
        );
        let upper = [(
            "x-hub-signature-256",
            "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17",
        )];
        assert_eq!(
            scheme
                .verify(&upper, b"Hello, World!", &secrets, Tolerance::DEFAULT, 0)
                .unwrap_err()
                .kind(),
            ErrorKind::MalformedHeader
        );
        assert_eq!(
            scheme
                .verify(&[], b"Hello, World!", &secrets, Tolerance::DEFAULT, 0)
                .unwrap_err()
                .kind(),
            ErrorKind::MissingHeader
        );
    }

    /// The example of the Standard Webhooks specification's reference
    /// libraries (their tests sign this message with this secret).
    #[test]
    fn standard_webhooks_secret_and_signature() {
        let scheme = Profile::StandardWebhooks.scheme();
        let secret = scheme
            .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        let body = br#"{"test": 2432232314}"#;
        let message = Message {
            id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
            timestamp: 1_614_265_330,
            body,
        };
        let headers = scheme.sign(&secret, &message);
        assert_eq!(
            headers[2].1,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let secrets = [secret];
        let mut rotated = pairs(&headers);
        let both = format!("v2,abc v1,{} {}", BASE64.encode([0u8; 32]), headers[2].1);
        rotated[2].1 = &both;
        assert!(
            scheme
                .verify(&rotated, body, &secrets, Tolerance::DEFAULT, 1_614_265_330)
                .is_ok()
        );
        let stale = scheme.verify(&rotated, body, &secrets, Tolerance::DEFAULT, 1_614_265_631);
        assert_eq!(stale.unwrap_err().kind(), ErrorKind::TooOld);
        let future = scheme.verify(&rotated, body, &secrets, Tolerance::DEFAULT, 1_614_265_029);
        assert_eq!(future.unwrap_err().kind(), ErrorKind::InFuture);
        assert_eq!(
            scheme.secret("whsec_not base64!").unwrap_err().kind(),
            ErrorKind::BadSecret
        );
    }

    #[test]
    fn stripe_accepts_the_future_and_hashes_the_timestamp_in_decimal() {
        let scheme = Profile::Stripe.scheme();
        let secret = scheme.secret("whsec_test_secret").unwrap();
        let headers = scheme.sign(
            &secret,
            &Message {
                id: None,
                timestamp: 1_700_000_000,
                body: b"{}",
            },
        );
        let secrets = [secret];
        let header = headers[0].1.replacen("t=", "t=0", 1);
        let zero = [("Stripe-Signature", header.as_str())];
        assert!(
            scheme
                .verify(&zero, b"{}", &secrets, Tolerance::DEFAULT, 1_700_000_000)
                .is_ok()
        );
        assert!(
            scheme
                .verify(&zero, b"{}", &secrets, Tolerance::DEFAULT, 1_600_000_000)
                .is_ok()
        );
        let stale = scheme
            .verify(&zero, b"{}", &secrets, Tolerance::DEFAULT, 1_700_000_301)
            .unwrap_err();
        assert_eq!(stale.kind(), ErrorKind::TooOld);
        assert!(stale.to_string().contains("beyond"));
        let missing = scheme
            .verify(
                &[("Stripe-Signature", "v1=00")],
                b"{}",
                &secrets,
                Tolerance::DEFAULT,
                0,
            )
            .unwrap_err();
        assert!(
            missing.to_string().contains("Stripe-Signature"),
            "{missing}"
        );
        assert!(!missing.to_string().contains("Whereby"), "{missing}");
    }

    #[test]
    fn github_keys_join_event_and_action() {
        let scheme = Profile::Github.scheme();
        let body = serde_json::json!({"action": "opened"});
        assert_eq!(
            scheme.webhook_key(Some("pull_request"), &body).as_deref(),
            Some("pull-request-opened")
        );
        assert_eq!(
            scheme
                .webhook_key(Some("push"), &serde_json::json!({}))
                .as_deref(),
            Some("push")
        );
        assert_eq!(scheme.webhook_key(None, &body), None);
        let whereby = Profile::Whereby.scheme();
        assert_eq!(
            whereby
                .webhook_key(
                    Some("x"),
                    &serde_json::json!({"type": "room.client.joined"})
                )
                .as_deref(),
            Some("room.client.joined")
        );
    }

    #[test]
    fn the_doctor_names_causes_a_profile_can_have() {
        use crate::Cause;
        let body = br#"{"type":"issue.opened","n":1}"#;
        for profile in [Profile::Stripe, Profile::Github, Profile::StandardWebhooks] {
            let scheme = profile.scheme();
            let secret = scheme
                .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap();
            let message = Message {
                id: Some("msg_1"),
                timestamp: 1_700_000_000,
                body,
            };
            let headers = scheme.sign(&secret, &message);
            let headers = pairs(&headers);
            let secrets = [secret];
            let cause = |body: &[u8], now: u64| {
                let diagnosis = scheme.diagnose(&headers, body, &secrets, Tolerance::DEFAULT, now);
                diagnosis.causes.first().map(|found| found.cause)
            };
            assert_eq!(cause(body, 1_700_000_000), None, "{profile}");
            assert_eq!(
                cause(br#"{"type": "issue.opened", "n": 1}"#, 1_700_000_000),
                Some(Cause::BodyReserialized),
                "{profile}"
            );
            assert_eq!(
                cause(&[&body[..], b"\n"].concat(), 1_700_000_000),
                Some(Cause::BodyTrailingNewline),
                "{profile}"
            );
            let stale = cause(body, 1_700_000_400);
            if scheme.checks.stale {
                assert_eq!(stale, Some(Cause::StaleTimestamp), "{profile}");
            } else {
                assert_eq!(stale, None, "{profile}");
            }
            let other = scheme
                .secret("whsec_b3RoZXIgc2VjcmV0IG9mIGVub3VnaCBieXRlcw==")
                .unwrap();
            let diagnosis =
                scheme.diagnose(&headers, body, &[other], Tolerance::DEFAULT, 1_700_000_000);
            assert_eq!(
                diagnosis.causes[0].cause,
                Cause::SecretMismatch,
                "{profile}"
            );
            assert!(
                !scheme.fix(Cause::SecretMismatch).contains("Whereby"),
                "{profile}"
            );
        }
    }

    #[test]
    fn profiles_by_name() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
        }
        assert!("Stripe".parse::<Profile>().is_err());
        assert_eq!(Profile::default(), Profile::Whereby);
    }
}
