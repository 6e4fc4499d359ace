//! Why a signature does not verify: the likely causes, each with its fix.
//!
//! "Signature does not match" is the most repeated complaint about webhook
//! signatures, and its cause is almost always one of a few: the body was
//! parsed and re-serialised before it was hashed, a trailing newline was
//! added or lost, the secret carries a stray newline or space, the
//! timestamp was written in milliseconds, or the header is not what the
//! code expected. [`diagnose`] tries the variants that explain those
//! mistakes and names the one that matches.
//!
//! Re-serialisations are tried for bodies of at most [`REWRITE_MAX`] bytes,
//! so that a hostile body costs bounded time and memory.
//!
//! It never accepts what [`crate::verify`] refuses: its verdict is
//! [`crate::verify`]'s, and the variants only explain a refusal. With the
//! signature a receiver's own code computed, it also says what that code
//! did wrong ([`Cause::ComputedWithoutTimestamp`] and its siblings), even
//! when the delivery itself verifies.
//!
//! ```
//! use whereby_webhooks_signature::{diagnose, sign, Cause, Secret, Tolerance};
//!
//! let secret = Secret::new("endpoint-signing-secret")?;
//! let body = br#"{"type":"room.client.joined","data":{"roomName":"/a"}}"#;
//! let header = sign(&secret, 1_700_000_000, body);
//!
//! // The receiver parsed the JSON and hashed it pretty-printed.
//! let pretty = b"{\n  \"type\": \"room.client.joined\",\n  \"data\": {\n    \"roomName\": \"/a\"\n  }\n}";
//! let diagnosis = diagnose(&header, pretty, &[secret], Tolerance::default(), 1_700_000_010, None);
//! assert!(diagnosis.verified.is_err());
//! assert_eq!(diagnosis.causes[0].cause, Cause::BodyReserialized);
//! # Ok::<(), whereby_webhooks_signature::EmptySecret>(())
//! ```

use std::fmt;

use crate::secret::{Tag, tags_equal};
use crate::{Secret, SignatureHeader, Tolerance, VerifyError};

/// A likely cause of a signature that does not verify, with a stable id
/// ([`Cause::id`]) and its fix ([`Cause::fix`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// The header matches another serialisation of the same JSON value: the
    /// body was parsed and re-written before it was hashed or sent.
    BodyReserialized,
    /// The header matches the body with a trailing newline added or
    /// removed.
    BodyTrailingNewline,
    /// The header matches once the secret is trimmed, or given the newline
    /// a file read adds.
    SecretWhitespace,
    /// No variant explains it: the secret differs.
    SecretMismatch,
    /// The signature matches, and `t` reads as milliseconds, not seconds.
    TimestampInMilliseconds,
    /// The signature matches, but `t` is older than the tolerance.
    StaleTimestamp,
    /// The signature matches, but `t` is further ahead than the tolerance.
    FutureTimestamp,
    /// The header is not `t=<unix seconds>,v1=<64 hex digits>`.
    HeaderMalformed,
    /// The receiver's computed signature is the HMAC of the body alone,
    /// without `t.` before it.
    ComputedWithoutTimestamp,
    /// The receiver's computed signature is the HMAC of `t.` and a
    /// re-serialisation of the body.
    ComputedOverReserializedBody,
    /// The receiver's computed signature is none of the above: its secret
    /// differs.
    ComputedWithOtherSecret,
}

impl Cause {
    /// Every cause, in declaration order.
    pub const ALL: [Cause; 11] = [
        Cause::BodyReserialized,
        Cause::BodyTrailingNewline,
        Cause::SecretWhitespace,
        Cause::SecretMismatch,
        Cause::TimestampInMilliseconds,
        Cause::StaleTimestamp,
        Cause::FutureTimestamp,
        Cause::HeaderMalformed,
        Cause::ComputedWithoutTimestamp,
        Cause::ComputedOverReserializedBody,
        Cause::ComputedWithOtherSecret,
    ];

    /// The stable id, in `snake_case` (`body_reserialized`, ...).
    pub const fn id(self) -> &'static str {
        match self {
            Cause::BodyReserialized => "body_reserialized",
            Cause::BodyTrailingNewline => "body_trailing_newline",
            Cause::SecretWhitespace => "secret_whitespace",
            Cause::SecretMismatch => "secret_mismatch",
            Cause::TimestampInMilliseconds => "timestamp_in_milliseconds",
            Cause::StaleTimestamp => "stale_timestamp",
            Cause::FutureTimestamp => "future_timestamp",
            Cause::HeaderMalformed => "header_malformed",
            Cause::ComputedWithoutTimestamp => "computed_without_timestamp",
            Cause::ComputedOverReserializedBody => "computed_over_reserialized_body",
            Cause::ComputedWithOtherSecret => "computed_with_other_secret",
        }
    }

    /// What to do about it, in one sentence.
    pub const fn fix(self) -> &'static str {
        match self {
            Cause::BodyReserialized | Cause::ComputedOverReserializedBody => {
                "hash the raw request body, byte for byte, before any JSON parsing (in Express: express.raw(); in Flask: request.get_data())"
            }
            Cause::BodyTrailingNewline => {
                "hash exactly the bytes received: do not add or strip a trailing newline"
            }
            Cause::SecretWhitespace => {
                "trim the secret: a newline or space read with it from a file or an environment variable is part of the key"
            }
            Cause::SecretMismatch | Cause::ComputedWithOtherSecret => {
                "check the secret: use the signing secret of this endpoint, exactly as Whereby shows it (with several, the current one and the old one while rotating)"
            }
            Cause::TimestampInMilliseconds => {
                "write t in seconds since the Unix epoch (Math.floor(Date.now() / 1000)), not milliseconds"
            }
            Cause::StaleTimestamp => {
                "a delivery older than the tolerance is refused as a replay: send it afresh, or check this machine's clock"
            }
            Cause::FutureTimestamp => {
                "check the clocks: the timestamp is ahead of this machine's by more than the tolerance"
            }
            Cause::HeaderMalformed => {
                "send the header's value as Whereby writes it: t=<unix seconds>,v1=<64 hex digits>"
            }
            Cause::ComputedWithoutTimestamp => {
                "sign `t.` and the body: HMAC-SHA256(secret, t + \".\" + raw body), where t is the header's timestamp"
            }
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One cause found, with what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The cause.
    pub cause: Cause,
    /// What was seen, in one line (never a secret).
    pub detail: String,
}

/// What [`diagnose`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// [`crate::verify`]'s verdict, unchanged.
    pub verified: Result<u64, VerifyError>,
    /// The likely causes, the most likely first; empty when the delivery
    /// verifies and no computed signature was given (or it was right).
    pub causes: Vec<Found>,
}

/// Serialisations of a JSON value that receivers produce after parsing it.
#[derive(Debug, Clone, Copy)]
enum Rewrite {
    /// `JSON.stringify(value)`: compact, keys in order.
    Compact,
    /// Python's `json.dumps(value)`: `", "` and `": "`, non-ASCII escaped.
    Python,
    /// Compact with keys sorted (Go's `map`, `sort_keys=True`).
    SortedCompact,
    /// Python's `json.dumps(value, sort_keys=True)`.
    SortedPython,
    /// `JSON.stringify(value, null, 2)`.
    Pretty2,
    /// `JSON.stringify(value, null, 4)`, `json.dumps(value, indent=4)`.
    Pretty4,
}

impl Rewrite {
    const ALL: [Rewrite; 6] = [
        Rewrite::Compact,
        Rewrite::Python,
        Rewrite::SortedCompact,
        Rewrite::SortedPython,
        Rewrite::Pretty2,
        Rewrite::Pretty4,
    ];

    fn describe(self) -> &'static str {
        match self {
            Rewrite::Compact => "re-serialised compact, as JSON.stringify writes it",
            Rewrite::Python => "as Python's json.dumps writes it by default",
            Rewrite::SortedCompact => "re-serialised compact with its keys sorted",
            Rewrite::SortedPython => "as json.dumps(sort_keys=True) writes it",
            Rewrite::Pretty2 => "pretty-printed with 2 spaces",
            Rewrite::Pretty4 => "pretty-printed with 4 spaces",
        }
    }

    fn apply(self, value: &serde_json::Value) -> Option<Vec<u8>> {
        use serde::Serialize as _;
        let value = match self {
            Rewrite::SortedCompact | Rewrite::SortedPython => sorted(value),
            _ => value.clone(),
        };
        let mut out = Vec::new();
        match self {
            Rewrite::Compact | Rewrite::SortedCompact => {
                serde_json::to_writer(&mut out, &value).ok()?
            }
            Rewrite::Python | Rewrite::SortedPython => {
                out = crate::reserialize::python_dumps(&value)
            }
            Rewrite::Pretty2 => serde_json::to_writer_pretty(&mut out, &value).ok()?,
            Rewrite::Pretty4 => {
                let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
                let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
                value.serialize(&mut serializer).ok()?;
            }
        }
        Some(out)
    }
}

/// `value` with the keys of every object sorted.
fn sorted(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), sorted(value)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted).collect())
        }
        other => other.clone(),
    }
}

/// Whether any of `candidates` equals the tag of `parts` under any of
/// `secrets`' keys.
fn any_match(candidates: &[Tag], secrets: &[Secret], parts: &[&[u8]]) -> bool {
    secrets.iter().any(|secret| {
        let expected = secret.tag(parts);
        candidates
            .iter()
            .any(|candidate| tags_equal(&expected, candidate))
    })
}

/// The bodies a trailing newline explains: with one more, with one fewer.
fn newline_variants(body: &[u8]) -> Vec<(Vec<u8>, &'static str)> {
    let mut variants = vec![([body, b"\n"].concat(), "with a trailing newline added")];
    if let Some(stripped) = body.strip_suffix(b"\r\n") {
        variants.push((stripped.to_vec(), "without its trailing CRLF"));
    } else if let Some(stripped) = body.strip_suffix(b"\n") {
        variants.push((stripped.to_vec(), "without its trailing newline"));
    }
    variants
}

/// The largest body tried re-serialised: a parsed value can take many
/// times its text (a megabyte of small numbers, tens of megabytes), and a
/// webhook body is a few KiB.
pub const REWRITE_MAX: usize = 1024 * 1024;

/// The re-serialisations of `body` that differ from it, if it is JSON of
/// at most [`REWRITE_MAX`] bytes.
fn rewrites(body: &[u8]) -> Vec<(Vec<u8>, Rewrite)> {
    if body.len() > REWRITE_MAX {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    Rewrite::ALL
        .into_iter()
        .filter_map(|rewrite| Some((rewrite.apply(&value)?, rewrite)))
        .filter(|(bytes, _)| bytes != body)
        .collect()
}

/// Why the header does not parse, in words a person acts on.
fn malformed(header: &str, error: &VerifyError) -> String {
    let trimmed = header.trim();
    if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "only the hex digest was given: send t=<unix seconds>,v1=<that digest>".to_owned();
    }
    if trimmed
        .to_ascii_lowercase()
        .starts_with("whereby-signature")
    {
        return "the header's name is part of its value: send only t=...,v1=...".to_owned();
    }
    if trimmed.starts_with("sha256=") {
        return "a GitHub-style sha256= value: Whereby's header is t=<unix seconds>,v1=<hex>"
            .to_owned();
    }
    if trimmed.contains(" = ") || trimmed.contains("= ") || trimmed.contains(" =") {
        return "a space around `=`: write t=...,v1=... without spaces".to_owned();
    }
    format!("{error}")
}

/// Diagnoses a delivery: [`crate::verify`]'s verdict, and when it refuses,
/// the likely causes; with `computed` (the hex signature the receiver's
/// own code computed for this delivery), what that code did wrong.
///
/// Costs nothing when the delivery verifies and no `computed` is given:
/// only a refusal is explained. The variants are tried with every secret;
/// no secret is ever shown.
pub fn diagnose(
    header: &str,
    body: &[u8],
    secrets: &[Secret],
    tolerance: Tolerance,
    now: u64,
    computed: Option<&str>,
) -> Diagnosis {
    let verified = crate::verify(header, body, secrets, tolerance, now);
    let mut causes = Vec::new();
    let parsed = SignatureHeader::parse(header);
    match (&verified, &parsed) {
        (Ok(_), _) | (Err(VerifyError::NoSecrets), _) => {}
        (Err(error), Err(_)) => causes.push(Found {
            cause: Cause::HeaderMalformed,
            detail: malformed(header, error),
        }),
        (Err(VerifyError::TooOld { .. } | VerifyError::InFuture { .. }), Ok(parsed)) => {
            causes.push(timing(parsed.timestamp(), now, &verified));
        }
        (Err(_), Ok(parsed)) => causes.push(explain_mismatch(parsed, body, secrets)),
    }
    if let (Some(computed), Ok(parsed)) = (computed, &parsed)
        && let Some(found) = explain_computed(computed, parsed.timestamp_text(), body, secrets)
    {
        causes.push(found);
    }
    Diagnosis { verified, causes }
}

/// A signature that matched, at a time out of tolerance.
fn timing(timestamp: u64, now: u64, verified: &Result<u64, VerifyError>) -> Found {
    let seconds = timestamp / 1000;
    if timestamp > now && seconds.abs_diff(now) <= 24 * 3600 {
        return Found {
            cause: Cause::TimestampInMilliseconds,
            detail: format!("t={timestamp} is {seconds} read as milliseconds, which is now"),
        };
    }
    let (cause, detail) = match verified {
        Err(VerifyError::InFuture { skew, .. }) => (
            Cause::FutureTimestamp,
            format!(
                "t={timestamp} is {} s ahead of this machine's clock",
                skew.as_secs()
            ),
        ),
        Err(VerifyError::TooOld { age, .. }) => (
            Cause::StaleTimestamp,
            format!("t={timestamp} is {} s old", age.as_secs()),
        ),
        _ => (Cause::StaleTimestamp, format!("t={timestamp}")),
    };
    Found { cause, detail }
}

/// A header that parses, whose `v1`s match no secret over this body.
fn explain_mismatch(parsed: &SignatureHeader<'_>, body: &[u8], secrets: &[Secret]) -> Found {
    let candidates: Vec<Tag> = parsed.v1_signatures().collect();
    let t = parsed.timestamp_text().as_bytes();
    for (variant, what) in newline_variants(body) {
        if any_match(&candidates, secrets, &[t, b".", &variant]) {
            return Found {
                cause: Cause::BodyTrailingNewline,
                detail: format!("the signature matches the body {what}"),
            };
        }
    }
    let near: Vec<Secret> = secrets.iter().flat_map(Secret::near_misses).collect();
    if any_match(&candidates, &near, &[t, b".", body]) {
        return Found {
            cause: Cause::SecretWhitespace,
            detail: "the signature matches once the secret is trimmed, or given a trailing newline"
                .to_owned(),
        };
    }
    for (variant, rewrite) in rewrites(body) {
        // Tools that write JSON often end it with a newline (NDJSON, `jq`,
        // `json.tool`): each re-serialisation is tried with one too.
        for (newline, with) in [(&b""[..], ""), (&b"\n"[..], ", and a trailing newline")] {
            if any_match(&candidates, secrets, &[t, b".", &variant, newline]) {
                return Found {
                    cause: Cause::BodyReserialized,
                    detail: format!(
                        "the signature matches the same JSON {}{with}, not the bytes given",
                        rewrite.describe()
                    ),
                };
            }
        }
    }
    let tried = match secrets.len() {
        1 => "the one secret given".to_owned(),
        n => format!("each of the {n} secrets given"),
    };
    let reserialised = if body.len() > REWRITE_MAX {
        "(re-serialisations not tried: the body is over 1 MiB)"
    } else if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        "(re-serialisations not tried: the body is not JSON)"
    } else {
        "nor with the body re-serialised"
    };
    Found {
        cause: Cause::SecretMismatch,
        detail: format!(
            "no v1 matches with {tried}, nor with a trailing newline changed, {reserialised}"
        ),
    }
}

/// What a receiver's own computed signature says about its code.
fn explain_computed(computed: &str, t: &str, body: &[u8], secrets: &[Secret]) -> Option<Found> {
    let computed = computed.trim();
    let Some(tag) = crate::hex::decode(computed) else {
        return Some(Found {
            cause: Cause::ComputedWithOtherSecret,
            detail: "the computed signature is not 64 hex digits".to_owned(),
        });
    };
    let t = t.as_bytes();
    if any_match(&[tag], secrets, &[t, b".", body]) {
        return None;
    }
    if any_match(&[tag], secrets, &[body]) {
        return Some(Found {
            cause: Cause::ComputedWithoutTimestamp,
            detail: "the computed signature is the HMAC of the body alone, without `t.`".to_owned(),
        });
    }
    for (variant, rewrite) in rewrites(body) {
        if any_match(&[tag], secrets, &[t, b".", &variant])
            || any_match(&[tag], secrets, &[&variant])
        {
            return Some(Found {
                cause: Cause::ComputedOverReserializedBody,
                detail: format!(
                    "the computed signature is over the JSON {}, not the bytes received",
                    rewrite.describe()
                ),
            });
        }
    }
    Some(Found {
        cause: Cause::ComputedWithOtherSecret,
        detail: "the computed signature matches no secret given over `t.` and the body, the body alone, or a re-serialisation".to_owned(),
    })
}

/// What [`Scheme::diagnose`](crate::Scheme::diagnose) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeDiagnosis {
    /// [`Scheme::verify`](crate::Scheme::verify)'s verdict, unchanged.
    pub verified: Result<crate::Verified, crate::SchemeError>,
    /// The likely causes, the most likely first; empty when the delivery
    /// verifies.
    pub causes: Vec<Found>,
}

impl crate::Scheme {
    /// Diagnoses a delivery under this scheme: [`verify`](Self::verify)'s
    /// verdict and, when it refuses, the likely causes the scheme can have
    /// (no timestamp cause for a scheme that signs no timestamp). With the
    /// `whereby` profile, the causes are [`diagnose`]'s.
    ///
    /// The variants are tried with every secret and a disabled tolerance;
    /// no secret is ever shown, and nothing is accepted that `verify`
    /// refuses.
    pub fn diagnose(
        &self,
        headers: &[(&str, &str)],
        body: &[u8],
        secrets: &[Secret],
        tolerance: Tolerance,
        now: u64,
    ) -> SchemeDiagnosis {
        let verified = self.verify(headers, body, secrets, tolerance, now);
        let Err(error) = &verified else {
            return SchemeDiagnosis {
                verified,
                causes: Vec::new(),
            };
        };
        let matches = |body: &[u8], secrets: &[Secret]| {
            self.verify(headers, body, secrets, Tolerance::Disabled, now)
                .is_ok()
        };
        let found = match error.kind() {
            crate::ErrorKind::NoSecrets | crate::ErrorKind::BadSecret => None,
            crate::ErrorKind::TooOld | crate::ErrorKind::InFuture => {
                let timestamp = self
                    .verify(headers, body, secrets, Tolerance::Disabled, now)
                    .ok()
                    .and_then(|verified| verified.timestamp);
                match (timestamp, error.as_verify_error()) {
                    (Some(timestamp), Some(inner)) => {
                        let mut found = timing(timestamp, now, &Err(inner.clone()));
                        if let Some(crate::TimestampAt::Header(name)) = self.timestamp {
                            found.detail = found.detail.replacen("t=", &format!("{name} "), 1);
                        }
                        Some(found)
                    }
                    _ => None,
                }
            }
            crate::ErrorKind::NoMatch => Some(mismatch(body, secrets, &matches)),
            _ => Some(Found {
                cause: Cause::HeaderMalformed,
                detail: error.to_string(),
            }),
        };
        SchemeDiagnosis {
            verified,
            causes: found.into_iter().collect(),
        }
    }

    /// What to do about `cause` under this scheme, in one sentence.
    #[must_use]
    pub fn fix(&self, cause: Cause) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow;
        if self.name == "whereby" {
            return Cow::Borrowed(cause.fix());
        }
        match cause {
            Cause::SecretMismatch | Cause::ComputedWithOtherSecret => Cow::Owned(format!(
                "check the secret: use {} (with several, the current one and the old one while rotating)",
                self.secret_name
            )),
            Cause::HeaderMalformed => Cow::Owned(format!(
                "send the headers as the {} scheme writes them: {}",
                self.name,
                self.layout()
            )),
            Cause::TimestampInMilliseconds => Cow::Borrowed(
                "write the timestamp in seconds since the Unix epoch (Math.floor(Date.now() / 1000)), not milliseconds",
            ),
            other => Cow::Borrowed(other.fix()),
        }
    }
}

/// The likely cause of a signature that matches no secret over `body`,
/// `matches` saying whether a body and secrets verify (time aside).
fn mismatch(body: &[u8], secrets: &[Secret], matches: &dyn Fn(&[u8], &[Secret]) -> bool) -> Found {
    for (variant, what) in newline_variants(body) {
        if matches(&variant, secrets) {
            return Found {
                cause: Cause::BodyTrailingNewline,
                detail: format!("the signature matches the body {what}"),
            };
        }
    }
    let near: Vec<Secret> = secrets.iter().flat_map(Secret::near_misses).collect();
    if !near.is_empty() && matches(body, &near) {
        return Found {
            cause: Cause::SecretWhitespace,
            detail: "the signature matches once the secret is trimmed, or given a trailing newline"
                .to_owned(),
        };
    }
    for (variant, rewrite) in rewrites(body) {
        for (newline, with) in [(&b""[..], ""), (&b"\n"[..], ", and a trailing newline")] {
            if matches(&[&variant[..], newline].concat(), secrets) {
                return Found {
                    cause: Cause::BodyReserialized,
                    detail: format!(
                        "the signature matches the same JSON {}{with}, not the bytes given",
                        rewrite.describe()
                    ),
                };
            }
        }
    }
    let tried = match secrets.len() {
        1 => "the one secret given".to_owned(),
        n => format!("each of the {n} secrets given"),
    };
    Found {
        cause: Cause::SecretMismatch,
        detail: format!(
            "no signature matches with {tried}, nor with a trailing newline changed or the body re-serialised"
        ),
    }
}
