//! `spec/profile-vectors.json`: signed deliveries for every signature
//! profile, valid and invalid, for implementations of those schemes to be
//! tested against. CI checks each profile's section with that vendor's own
//! reference library (`.ci/profiles.sh`).
//!
//! `spec/test-vectors.json` stays as it is: a list of Whereby vectors whose
//! shape receivers and the guide's snippets already read.
//!
//! Each vector is `{"name", "valid", "kind", "secret", "now", "headers",
//! "body"}`: with the receiver's clock at `now` (unix seconds), the default
//! tolerance of 300 s, and `secret` as the vendor hands it out, a correct
//! implementation accepts the UTF-8 bytes of `body` sent with `headers`
//! exactly when `valid` is true. `kind` names the error this project's
//! verifier reports for an invalid vector (`ErrorKind::as_str`).

use serde_json::{Map, Value, json};
use whereby_webhooks_signature::{
    Message, Profile, Scheme, SignatureFormat, SignedContent, TimestampAt, Tolerance,
};

/// When every vector is signed.
const T: u64 = 1_700_000_000;

/// One vector.
#[derive(Debug, Clone)]
pub struct Vector {
    name: String,
    kind: Option<&'static str>,
    secret: &'static str,
    now: u64,
    headers: Vec<(String, String)>,
    body: String,
}

/// The secret of each profile's vectors, in the form the vendor hands out.
fn secret_of(profile: Profile) -> &'static str {
    match profile {
        Profile::Github => "It's a Secret to Everybody",
        // `whsec_` and the base64 of 24 bytes, as Standard Webhooks and
        // Stripe hand out; Stripe keys the HMAC with the whole text.
        Profile::Stripe => "whsec_cHJvZmlsZS12ZWN0b3JzLXN0cmlwZSEh",
        Profile::StandardWebhooks => "whsec_cHJvZmlsZS12ZWN0b3JzLXN0YW5kYXJk",
        _ => "whereby-test-secret-profile",
    }
}

/// Another secret, for the wrong-secret and rotation vectors.
fn other_secret_of(profile: Profile) -> &'static str {
    match profile {
        Profile::StandardWebhooks => "whsec_b2xkLXNlY3JldC1iZWZvcmUtcm90YXRl",
        Profile::Stripe => "whsec_b2xkLXNlY3JldC1iZWZvcmUtcm90YXRl",
        Profile::Github => "an old secret, before rotating",
        _ => "whereby-old-secret-before-rotation",
    }
}

fn sign(
    scheme: &Scheme,
    secret: &str,
    timestamp: u64,
    body: &str,
) -> Result<Vec<(String, String)>, String> {
    let key = scheme.secret(secret).map_err(|e| e.to_string())?;
    let message = Message {
        id: Some("msg_2ZWhP6kqYh2tW6nSJ3xXvU9fDcb"),
        timestamp,
        body: body.as_bytes(),
    };
    Ok(scheme
        .sign(&key, &message)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect())
}

/// `headers` with the value of `name` replaced (or removed, for `None`).
fn with(headers: &[(String, String)], name: &str, value: Option<String>) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(key, old)| {
            if key == name {
                value.clone().map(|value| (key.clone(), value))
            } else {
                Some((key.clone(), old.clone()))
            }
        })
        .collect()
}

fn value_of<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// The vectors of one profile, in a fixed order.
pub fn vectors(profile: Profile) -> Result<Vec<Vector>, String> {
    let scheme = profile.scheme();
    let secret = secret_of(profile);
    let bodies = super::vectors::vectors()?;
    let mut out = Vec::new();
    let mut push = |name: &str, kind, now, headers: Vec<(String, String)>, body: &str| {
        out.push(Vector {
            name: name.to_owned(),
            kind,
            secret,
            now,
            headers,
            body: body.to_owned(),
        });
    };
    if profile == Profile::Github {
        // GitHub's documented example: its secret, this body, and the
        // digest its docs give (757107ea...).
        let hello = "Hello, World!";
        push(
            "documented-example",
            None,
            T,
            sign(scheme, secret, T, hello)?,
            hello,
        );
    }
    // Valid: the bodies of the Whereby vectors, compact, pretty-printed
    // and non-ASCII.
    for vector in &bodies {
        push(
            vector.name,
            None,
            T,
            sign(scheme, secret, T, &vector.body)?,
            &vector.body,
        );
    }
    let body = bodies[0].body.as_str();
    let signed = sign(scheme, secret, T, body)?;
    let sig = scheme.signature_header;
    let digest = |headers: &[(String, String)]| -> String {
        let value = value_of(headers, sig);
        match scheme.format {
            SignatureFormat::Items { key } => value
                .split(',')
                .find_map(|item| item.strip_prefix(&format!("{key}=")[..]))
                .unwrap_or("")
                .to_owned(),
            SignatureFormat::Prefixed(prefix) => {
                value.strip_prefix(prefix).unwrap_or("").to_owned()
            }
            SignatureFormat::Versioned(version) => value
                .strip_prefix(&format!("{version},")[..])
                .unwrap_or("")
                .to_owned(),
        }
    };
    let old = sign(scheme, other_secret_of(profile), T, body)?;
    if scheme.checks.rotation {
        // Two signatures, the first by a secret the receiver no longer has.
        let value = match scheme.format {
            SignatureFormat::Items { key } => {
                format!("t={T},{key}={},{key}={}", digest(&old), digest(&signed))
            }
            SignatureFormat::Versioned(version) => {
                format!("{version},{} {version},{}", digest(&old), digest(&signed))
            }
            SignatureFormat::Prefixed(_) => unreachable!("no rotation in one prefixed value"),
        };
        push("rotation", None, T, with(&signed, sig, Some(value)), body);
    }
    if scheme.signed == SignedContent::TimestampDotBody {
        // The timestamp is signed as the number it is, whatever its digits.
        let value = value_of(&signed, sig).replacen("t=", "t=0", 1);
        push(
            "timestamp-leading-zero",
            None,
            T,
            with(&signed, sig, Some(value)),
            body,
        );
    }
    if scheme.checks.stale {
        push("at-the-tolerance", None, T + 300, signed.clone(), body);
    }
    if scheme.tolerance.is_some() && !scheme.checks.future {
        // The vendor's libraries accept a timestamp from the future.
        push("from-the-future", None, T - 3600, signed.clone(), body);
    }
    if scheme.timestamp.is_none() {
        // No timestamp is signed: the clock does not matter.
        push(
            "years-later",
            None,
            T + 10 * 365 * 86_400,
            signed.clone(),
            body,
        );
    }
    // Invalid, one error kind each.
    push(
        "body-changed",
        Some("no_match"),
        T,
        signed.clone(),
        &format!("{body} "),
    );
    push("other-secret", Some("no_match"), T, old.clone(), body);
    if scheme.checks.stale {
        push("stale", Some("too_old"), T + 301, signed.clone(), body);
    }
    if scheme.checks.future {
        push("future", Some("in_future"), T - 301, signed.clone(), body);
    }
    push(
        "no-signature-header",
        Some("missing_header"),
        T,
        with(&signed, sig, None),
        body,
    );
    match scheme.format {
        SignatureFormat::Items { key } => {
            push(
                "timestamp-not-digits",
                Some("malformed_header"),
                T,
                with(
                    &signed,
                    sig,
                    Some(format!("t=1.7e9,{key}={}", digest(&signed))),
                ),
                body,
            );
            push(
                "no-timestamp",
                Some("missing_timestamp"),
                T,
                with(&signed, sig, Some(format!("{key}={}", digest(&signed)))),
                body,
            );
            push(
                "only-other-schemes",
                Some("no_v1_signature"),
                T,
                with(&signed, sig, Some(format!("t={T},v0={}", digest(&signed)))),
                body,
            );
        }
        SignatureFormat::Prefixed(_) => {
            push(
                "sha1-prefix",
                Some("malformed_header"),
                T,
                with(&signed, sig, Some(format!("sha1={}", digest(&signed)))),
                body,
            );
            push(
                "uppercase-hex",
                Some("malformed_header"),
                T,
                with(
                    &signed,
                    sig,
                    Some(
                        value_of(&signed, sig)
                            .to_ascii_uppercase()
                            .replace("SHA256=", "sha256="),
                    ),
                ),
                body,
            );
        }
        SignatureFormat::Versioned(version) => {
            push(
                "other-version-only",
                Some("no_v1_signature"),
                T,
                with(&signed, sig, Some(format!("v2,{}", digest(&signed)))),
                body,
            );
            push(
                "signature-not-base64",
                Some("malformed_header"),
                T,
                with(&signed, sig, Some(format!("{version},not-base64!"))),
                body,
            );
        }
    }
    if let Some(TimestampAt::Header(name)) = scheme.timestamp {
        push(
            "no-timestamp-header",
            Some("missing_header"),
            T,
            with(&signed, name, None),
            body,
        );
        push(
            "timestamp-not-digits",
            Some("malformed_header"),
            T,
            with(&signed, name, Some("soon".to_owned())),
            body,
        );
    }
    if scheme.checks.signed_id
        && let Some(id) = scheme.id_header
    {
        push(
            "id-changed",
            Some("no_match"),
            T,
            with(&signed, id, Some("msg_other".to_owned())),
            body,
        );
        push(
            "no-id-header",
            Some("missing_header"),
            T,
            with(&signed, id, None),
            body,
        );
    }
    // Each vector's verdict is the one this project's verifier gives.
    for vector in &out {
        let key = scheme.secret(vector.secret).map_err(|e| e.to_string())?;
        let headers: Vec<(&str, &str)> = vector
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let verdict = scheme.verify(
            &headers,
            vector.body.as_bytes(),
            &[key],
            Tolerance::DEFAULT,
            vector.now,
        );
        let kind = verdict.as_ref().err().map(|e| e.kind().as_str());
        if kind != vector.kind {
            return Err(format!(
                "{profile} vector {}: expected {:?}, the verifier says {kind:?}",
                vector.name, vector.kind
            ));
        }
    }
    Ok(out)
}

/// The file's contents.
pub fn file() -> Result<String, String> {
    let mut profiles = Map::new();
    for profile in Profile::ALL {
        let scheme = profile.scheme();
        let vectors: Vec<Value> = vectors(profile)?
            .into_iter()
            .map(|v| {
                let headers: Map<String, Value> = v
                    .headers
                    .into_iter()
                    .map(|(name, value)| (name, Value::String(value)))
                    .collect();
                json!({
                    "name": v.name,
                    "valid": v.kind.is_none(),
                    "kind": v.kind,
                    "secret": v.secret,
                    "now": v.now,
                    "headers": headers,
                    "body": v.body,
                })
            })
            .collect();
        profiles.insert(
            profile.name().to_owned(),
            json!({
                "headers": scheme.layout(),
                "tolerance_seconds": scheme.tolerance.map(|t| t.as_secs()),
                "vectors": vectors,
            }),
        );
    }
    super::to_json(&json!({
        "$comment": "Generated by `cargo xtask generate`, do not edit. With the receiver's clock at `now` and `secret` as the vendor hands it out, an implementation accepts `body` (its UTF-8 bytes) sent with `headers` exactly when `valid` is true; `kind` is the error whereby-webhooks reports.",
        "profiles": profiles,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_valid_vectors_and_invalid_ones_of_several_kinds() {
        for profile in Profile::ALL {
            let vectors = vectors(profile).unwrap();
            assert!(
                vectors.iter().filter(|v| v.kind.is_none()).count() >= 4,
                "{profile}"
            );
            let mut kinds: Vec<&str> = vectors.iter().filter_map(|v| v.kind).collect();
            kinds.sort_unstable();
            kinds.dedup();
            assert!(kinds.len() >= 3, "{profile}: {kinds:?}");
            assert!(
                kinds.contains(&"no_match") && kinds.contains(&"missing_header"),
                "{profile}"
            );
        }
    }

    /// GitHub documents this secret, body and digest.
    #[test]
    fn github_vectors_start_with_the_documented_example() {
        let first = vectors(Profile::Github).unwrap().remove(0);
        assert_eq!(first.secret, "It's a Secret to Everybody");
        assert_eq!(first.body, "Hello, World!");
        assert_eq!(
            first.headers,
            [(
                "X-Hub-Signature-256".to_owned(),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
                    .to_owned()
            )]
        );
    }
}
