//! Sign and verify the `Whereby-Signature` header of Whereby webhooks.
//!
//! ```
//! use whereby_webhooks_signature::{sign, verify, Secret, Tolerance, VerifyError};
//!
//! let secrets = [Secret::new("endpoint-signing-secret")?];
//! let body = br#"{"type":"room.client.joined"}"#;
//!
//! // Sender side (or a test fixture).
//! let header = sign(&secrets[0], 1_700_000_000, body);
//! assert!(header.starts_with("t=1700000000,v1="));
//!
//! // Receiver side: pass the header value and the raw body.
//! let now = 1_700_000_042; // in production: whereby_webhooks_signature::now_unix()
//! let signed_at = verify(&header, body, &secrets, Tolerance::default(), now)?;
//! assert_eq!(signed_at, 1_700_000_000);
//!
//! // The same JSON, re-serialised with a space, is not what was signed.
//! let reserialised = br#"{"type": "room.client.joined"}"#;
//! let error = verify(&header, reserialised, &secrets, Tolerance::default(), now).unwrap_err();
//! assert_eq!(error, VerifyError::NoMatch);
//! assert!(error.to_string().contains("raw request body"));
//!
//! // Replayed an hour later.
//! let error = verify(&header, body, &secrets, Tolerance::default(), now + 3600).unwrap_err();
//! assert!(matches!(error, VerifyError::TooOld { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Whereby signs every webhook request so that the receiver can tell it came
//! from Whereby and was not altered or replayed. The header looks like
//!
//! ```text
//! Whereby-Signature: t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3
//! ```
//!
//! where `v1` is the lowercase hex HMAC-SHA256 of the bytes `<t>.<raw body>`,
//! keyed with the endpoint's signing secret. This crate is that rule and
//! nothing else (no HTTP types), written so that the easy mistakes are hard:
//!
//! * **The raw body, byte for byte.** [`verify`] takes `&[u8]`: hash what
//!   came off the wire, not a re-serialised parsed JSON value (a different
//!   key order or one extra space is a different signature), and not a
//!   `String` (the body need not be UTF-8).
//! * **Constant-time comparison**, so response timing does not leak how much
//!   of a forged signature was right.
//! * **Replay protection**: a signature older than the [`Tolerance`] (300 s by
//!   default, as in Stripe's identical scheme), or as far in the future, is
//!   rejected. `now` is a parameter, so tests need no clock.
//! * **Secret rotation**: a header may carry several `v1` entries and the
//!   receiver may hold several [`Secret`]s; any match passes.
//! * **Strict grammar, lenient only where it is harmless**: the header is
//!   fully validated before anything is hashed (one `t` of plain digits,
//!   every `v1` exactly 64 hex digits); uppercase hex and whitespace around
//!   items are accepted. [`SignatureHeader`] states the exact rules.
//! * **Useful errors**: each [`VerifyError`] says what is wrong and what to
//!   do next, and none of them, nor a [`Secret`]'s `Debug`, ever shows the
//!   secret.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod doctor;
mod error;
mod header;
mod hex;
pub mod reserialize;
mod scheme;
mod secret;

pub use doctor::{Cause, Diagnosis, Found, REWRITE_MAX, SchemeDiagnosis, diagnose};
pub use error::{ErrorKind, MalformedReason, VerifyError};
pub use header::{SignatureHeader, V1Signatures};
pub use scheme::{
    Checks, DigestEncoding, EventAt, Message, Profile, Scheme, SchemeError, SecretEncoding,
    SignatureFormat, SignedContent, TimestampAt, UnknownProfile, Verified,
};
pub use secret::{EmptySecret, Secret};

/// The name of the HTTP header carrying the signature. HTTP header names are
/// case-insensitive, so look it up accordingly.
pub const HEADER_NAME: &str = "Whereby-Signature";

/// How far a signature's timestamp may be from the receiver's clock, either
/// way, by default: 300 seconds, as in Stripe's SDKs for the same scheme.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// How far a signature's timestamp may be from `now` before [`verify`]
/// rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tolerance {
    /// Accept timestamps at most this far before or after `now`; the bounds
    /// are inclusive (exactly 300 s old passes a 300 s window, 301 s fails).
    Window(Duration),
    /// Do not look at the timestamp at all. This gives up replay
    /// protection: use it only to check stored fixtures or captured
    /// requests, never for live traffic.
    Disabled,
}

impl Tolerance {
    /// The default window, [`DEFAULT_TOLERANCE`] (300 s).
    pub const DEFAULT: Self = Self::Window(DEFAULT_TOLERANCE);

    /// A window of `secs` seconds either side of `now`.
    #[must_use]
    pub const fn seconds(secs: u64) -> Self {
        Self::Window(Duration::from_secs(secs))
    }

    /// The window, or `None` when the check is [`Disabled`](Self::Disabled).
    #[must_use]
    pub const fn window(self) -> Option<Duration> {
        match self {
            Self::Window(window) => Some(window),
            Self::Disabled => None,
        }
    }

    fn check(self, timestamp: u64, now: u64) -> Result<(), VerifyError> {
        let Self::Window(tolerance) = self else {
            return Ok(());
        };
        if timestamp <= now {
            let age = Duration::from_secs(now - timestamp);
            if age > tolerance {
                return Err(VerifyError::TooOld { age, tolerance });
            }
        } else {
            let skew = Duration::from_secs(timestamp - now);
            if skew > tolerance {
                return Err(VerifyError::InFuture { skew, tolerance });
            }
        }
        Ok(())
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl From<Duration> for Tolerance {
    fn from(window: Duration) -> Self {
        Self::Window(window)
    }
}

/// Signs `body` as sent at `timestamp` (unix seconds), returning the header
/// value `t=<timestamp>,v1=<64 lowercase hex digits>`.
///
/// `body` must be the exact bytes that will be sent as the request body.
///
/// ```
/// use whereby_webhooks_signature::{sign, Secret};
///
/// let secret = Secret::new("secret")?;
/// assert_eq!(
///     sign(&secret, 1606227791, b"{}"),
///     "t=1606227791,v1=b286fd8f68858e0b0e35afdb2e437f8daa6ff4f2126f23b513cd09d6b98adb2d",
/// );
/// # Ok::<(), whereby_webhooks_signature::EmptySecret>(())
/// ```
#[must_use]
pub fn sign(secret: &Secret, timestamp: u64, body: &[u8]) -> String {
    let mut header = String::with_capacity(2 + 20 + 4 + 64);
    // Writing to a `String` cannot fail.
    let _ = write!(header, "t={timestamp}");
    let tag = secret.tag(&[&header.as_bytes()[2..], b".", body]);
    header.push_str(",v1=");
    hex::encode_into(&tag, &mut header);
    header
}

/// Verifies a `Whereby-Signature` header value against the raw request
/// `body`, returning the signature's timestamp (unix seconds) on success.
///
/// * `header`: the header's value (without the `Whereby-Signature:` name).
/// * `body`: the request body exactly as received, before any parsing.
/// * `secrets`: every secret currently valid for the endpoint (one, or two
///   while rotating); any of them may match.
/// * `tolerance`: how far the timestamp may be from `now`; usually
///   [`Tolerance::default()`].
/// * `now`: the receiver's clock in unix seconds, usually [`now_unix()`].
///
/// The checks run in this order, and the first failure is returned:
///
/// 1. at least one secret is given ([`VerifyError::NoSecrets`]);
/// 2. the header parses (see [`SignatureHeader`] for the exact grammar),
///    before anything is hashed;
/// 3. some `v1` signature equals the HMAC-SHA256 of `<t>.<body>` under some
///    secret, where `<t>` is the timestamp's digits as sent. The HMAC is
///    computed once per secret and compared in constant time with each
///    `v1` ([`VerifyError::NoMatch`]);
/// 4. the timestamp is within `tolerance` of `now`, either way
///    ([`VerifyError::TooOld`], [`VerifyError::InFuture`]).
///
/// The signature is checked before the time, so a stale-time error means the
/// request really was signed with one of the secrets (a replay, or a clock
/// off), never a forgery.
///
/// # Errors
///
/// A [`VerifyError`] naming the first rule broken, as listed above.
pub fn verify(
    header: &str,
    body: &[u8],
    secrets: &[Secret],
    tolerance: Tolerance,
    now: u64,
) -> Result<u64, VerifyError> {
    if secrets.is_empty() {
        return Err(VerifyError::NoSecrets);
    }
    SignatureHeader::parse(header)?.verify(body, secrets, tolerance, now)
}

impl SignatureHeader<'_> {
    /// [`verify`] for a header already parsed: checks 1, 3 and 4 of its
    /// list, for a receiver that parsed the header first (to read its
    /// timestamp, say) and should not parse it twice.
    ///
    /// ```
    /// use whereby_webhooks_signature::{sign, Secret, SignatureHeader, Tolerance, VerifyError};
    ///
    /// let secrets = [Secret::new("endpoint-signing-secret")?];
    /// let header = sign(&secrets[0], 1_700_000_000, b"{}");
    /// let parsed = SignatureHeader::parse(&header)?;
    /// assert_eq!(parsed.verify(b"{}", &secrets, Tolerance::default(), 1_700_000_001), Ok(1_700_000_000));
    /// assert_eq!(parsed.verify(b"{ }", &secrets, Tolerance::default(), 1_700_000_001), Err(VerifyError::NoMatch));
    /// assert_eq!(parsed.verify(b"{}", &[], Tolerance::default(), 1_700_000_001), Err(VerifyError::NoSecrets));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`verify`], except that the header's grammar was checked by
    /// [`SignatureHeader::parse`].
    pub fn verify(
        &self,
        body: &[u8],
        secrets: &[Secret],
        tolerance: Tolerance,
        now: u64,
    ) -> Result<u64, VerifyError> {
        if secrets.is_empty() {
            return Err(VerifyError::NoSecrets);
        }
        let timestamp_text = self.timestamp_text().as_bytes();
        let matched = secrets.iter().any(|secret| {
            let expected = secret.tag(&[timestamp_text, b".", body]);
            self.v1_signatures().fold(false, |matched, candidate| {
                matched | secret::tags_equal(&expected, &candidate)
            })
        });
        if !matched {
            return Err(VerifyError::NoMatch);
        }
        tolerance.check(self.timestamp(), now)?;
        Ok(self.timestamp())
    }
}

/// The system clock in unix seconds, for [`verify`]'s `now` (or [`sign`]'s
/// `timestamp`). A clock set before 1970 reads as 0.
#[must_use]
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
