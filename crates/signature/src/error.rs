//! Why a signature header was rejected.

use std::fmt;
use std::time::Duration;

use crate::HEADER_NAME;

/// The expected shape of the header, quoted in error messages.
const EXPECTED: &str = "expected `t=<unix seconds>,v1=<64 hex digits>`";

/// Why [`verify`](crate::verify) (or [`SignatureHeader::parse`](crate::SignatureHeader::parse))
/// rejected a request.
///
/// Every variant is matchable; [`kind`](Self::kind) gives a field-less
/// summary for metrics and logs, and [`is_client_error`](Self::is_client_error)
/// tells a rejected request apart from a receiver misconfiguration.
///
/// No variant carries the signing secret, the body, or the text of the header
/// (which a caller controls): messages name the item position and the rule
/// broken, so they are safe to log and to return to the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No secret was given to verify against. This is a receiver bug (empty
    /// configuration), not a bad request.
    #[error(
        "no signing secrets were given: configure at least one endpoint signing secret to verify against"
    )]
    NoSecrets,

    /// The header does not follow `t=<unix seconds>,v1=<hex>,...`.
    #[error("malformed {HEADER_NAME} header: {}; {EXPECTED}", At(*item, *reason))]
    MalformedHeader {
        /// The 1-based position of the offending comma-separated item, or
        /// `None` when the header as a whole is at fault (it is empty).
        item: Option<usize>,
        /// What is wrong with it.
        reason: MalformedReason,
    },

    /// No `t=` item was found.
    #[error(
        "missing `t=` timestamp in the {HEADER_NAME} header: send `t=<unix seconds>` alongside `v1=`"
    )]
    MissingTimestamp,

    /// More than one `t=` item was found, so it is ambiguous which one was
    /// signed.
    #[error(
        "duplicate `t=` timestamp at item {item} of the {HEADER_NAME} header: send exactly one `t=`"
    )]
    DuplicateTimestamp {
        /// The 1-based position of the second `t=` item.
        item: usize,
    },

    /// No `v1=` item was found. Other schemes (such as `v0`) are ignored,
    /// so a header carrying only those ends here.
    #[error(
        "missing `v1=` signature in the {HEADER_NAME} header: sign with HMAC-SHA256 and send it as `v1=<64 hex digits>` (other schemes are ignored)"
    )]
    NoV1Signature,

    /// The header is well formed, but no `v1` signature equals the
    /// HMAC-SHA256 of `<t>.<body>` under any of the given secrets.
    #[error(
        "no v1 signature matches: are you hashing the raw request body, byte for byte, and using the right secret?"
    )]
    NoMatch,

    /// The signature is authentic but its timestamp is older than the
    /// tolerance allows (a replay, or a sender or receiver clock that is off).
    #[error(
        "signature timestamp is {}s old, beyond the {tolerance:?} tolerance: reject the request as a possible replay, or check the sender's and receiver's clocks",
        age.as_secs()
    )]
    TooOld {
        /// How long before the receiver's `now` the signature was made.
        age: Duration,
        /// The tolerance in force.
        tolerance: Duration,
    },

    /// The signature is authentic but its timestamp is further in the
    /// future than the tolerance allows (a receiver clock running late, or
    /// a forged timestamp signed with a leaked secret).
    #[error(
        "signature timestamp is {}s in the future, beyond the {tolerance:?} tolerance: check the receiver's clock (is it synchronised?)",
        skew.as_secs()
    )]
    InFuture {
        /// How far after the receiver's `now` the timestamp is.
        skew: Duration,
        /// The tolerance in force.
        tolerance: Duration,
    },

    /// A delivery of another signature scheme (a [`Profile`](crate::Profile)
    /// other than the default) refused for a reason of that scheme's, as
    /// [`Scheme::verify`](crate::Scheme::verify) words it; never returned
    /// by [`verify`](crate::verify).
    #[error("{message}")]
    Scheme {
        /// What kind of error it is.
        kind: ErrorKind,
        /// The scheme's message, naming its headers.
        message: String,
    },
}

impl VerifyError {
    /// A field-less summary of the error, for metrics labels and matching.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::NoSecrets => ErrorKind::NoSecrets,
            Self::MalformedHeader { .. } => ErrorKind::MalformedHeader,
            Self::MissingTimestamp => ErrorKind::MissingTimestamp,
            Self::DuplicateTimestamp { .. } => ErrorKind::DuplicateTimestamp,
            Self::NoV1Signature => ErrorKind::NoV1Signature,
            Self::NoMatch => ErrorKind::NoMatch,
            Self::TooOld { .. } => ErrorKind::TooOld,
            Self::InFuture { .. } => ErrorKind::InFuture,
            Self::Scheme { kind, .. } => *kind,
        }
    }

    /// `true` when the request itself is at fault and should be refused
    /// (an HTTP 4xx); `false` when the receiver is misconfigured
    /// ([`NoSecrets`](Self::NoSecrets)), which deserves a 5xx and an alert.
    #[must_use]
    pub const fn is_client_error(&self) -> bool {
        !matches!(
            self,
            Self::NoSecrets
                | Self::Scheme {
                    kind: ErrorKind::NoSecrets | ErrorKind::BadSecret,
                    ..
                }
        )
    }
}

/// A field-less summary of a [`VerifyError`]; see [`VerifyError::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`VerifyError::NoSecrets`].
    NoSecrets,
    /// See [`VerifyError::MalformedHeader`].
    MalformedHeader,
    /// See [`VerifyError::MissingTimestamp`].
    MissingTimestamp,
    /// See [`VerifyError::DuplicateTimestamp`].
    DuplicateTimestamp,
    /// See [`VerifyError::NoV1Signature`].
    NoV1Signature,
    /// See [`VerifyError::NoMatch`].
    NoMatch,
    /// See [`VerifyError::TooOld`].
    TooOld,
    /// See [`VerifyError::InFuture`].
    InFuture,
    /// A header the scheme needs is absent (for profiles other than the
    /// default: see [`Scheme::verify`](crate::Scheme::verify)).
    MissingHeader,
    /// The secret cannot be a key of the scheme (see
    /// [`Scheme::secret`](crate::Scheme::secret)).
    BadSecret,
}

impl ErrorKind {
    /// A stable `snake_case` name, suitable as a metrics label.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoSecrets => "no_secrets",
            Self::MalformedHeader => "malformed_header",
            Self::MissingTimestamp => "missing_timestamp",
            Self::DuplicateTimestamp => "duplicate_timestamp",
            Self::NoV1Signature => "no_v1_signature",
            Self::NoMatch => "no_match",
            Self::TooOld => "too_old",
            Self::InFuture => "in_future",
            Self::MissingHeader => "missing_header",
            Self::BadSecret => "bad_secret",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a malformed header; see [`VerifyError::MalformedHeader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The header is empty or only whitespace.
    EmptyHeader,
    /// An item between commas is empty or only whitespace (a stray comma).
    EmptyItem,
    /// An item has no `=` between key and value.
    MissingEquals,
    /// An item has nothing before its `=`.
    EmptyKey,
    /// An item's key contains whitespace (as in `t =1`).
    WhitespaceInKey,
    /// The `t` value is empty.
    EmptyTimestamp,
    /// The `t` value has a character other than an ASCII digit (a sign, a
    /// space, a letter, a decimal point...).
    TimestampNotDigits,
    /// The `t` value is all digits but does not fit in a `u64`.
    TimestampOverflow,
    /// A `v1` value is not 64 characters long.
    V1WrongLength {
        /// The number of characters found.
        len: usize,
    },
    /// A `v1` value is 64 characters long but not all hex digits.
    V1NotHex,
    /// The items are separated by `;` instead of `,`.
    SemicolonSeparated,
    /// The signature carries a `sha256=` prefix (another provider's style)
    /// instead of being a bare `v1=<hex>`.
    Sha256Prefix,
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyHeader => f.write_str("the header is empty"),
            Self::EmptyItem => f.write_str("is empty (a stray comma?)"),
            Self::MissingEquals => f.write_str("has no `=` between key and value"),
            Self::EmptyKey => f.write_str("has an empty key before `=`"),
            Self::WhitespaceInKey => f.write_str("has whitespace in its key"),
            Self::EmptyTimestamp => f.write_str("has an empty `t` timestamp"),
            Self::TimestampNotDigits => f.write_str(
                "has a `t` timestamp that is not plain ASCII digits (no sign, spaces or fraction)",
            ),
            Self::TimestampOverflow => {
                f.write_str("has a `t` timestamp too large for 64-bit unix seconds")
            }
            Self::V1WrongLength { len } => write!(
                f,
                "has a `v1` signature of {len} characters where an HMAC-SHA256 in hex has 64"
            ),
            Self::V1NotHex => f.write_str("has a `v1` signature that is not hex digits"),
            Self::SemicolonSeparated => {
                f.write_str("the items are separated by `;`: separate them with `,`")
            }
            Self::Sha256Prefix => f.write_str(
                "has a `sha256=` prefix: send the hex digest bare, as `v1=<64 hex digits>`",
            ),
        }
    }
}

/// Renders a reason with its position: "item 2 has no `=`...".
struct At(Option<usize>, MalformedReason);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(item) => write!(f, "item {item} {}", self.1),
            None => self.1.fmt(f),
        }
    }
}
