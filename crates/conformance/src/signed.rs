//! Receiving a delivery: check its signature, then its contract, then type it.
//!
//! A webhook body is untrusted until its `Whereby-Signature` holds: anyone can
//! POST to a public endpoint. [`verify_then_parse`] is the order a receiver
//! must follow, in one call:
//!
//! 1. verify the signature over the raw bytes
//!    ([`whereby_webhooks_signature::verify`]); nothing is parsed before it
//!    holds, so a forged or replayed request costs one HMAC and never reaches
//!    the JSON parser or the schemas;
//! 2. validate the bytes against the document (with the verdict of
//!    [`Validator::validate_bytes`]);
//! 3. type the payload as a [`whereby_webhooks_model::Event`].
//!
//! The body is parsed once, for both the document and the model.
//!
//! ```
//! use whereby_webhooks_conformance::signed::{SignedError, verify_then_parse};
//! use whereby_webhooks_conformance::{Options, Validator};
//! use whereby_webhooks_signature::{Secret, Tolerance, sign};
//!
//! let validator = Validator::embedded(Options::default())?;
//! let secrets = [Secret::new("endpoint-signing-secret")?];
//! let body = br#"{"id":"e1","apiVersion":"1.0","createdAt":"2026-03-31T09:00:04.700Z",
//!     "type":"room.session.started",
//!     "data":{"roomName":"/demo","roomSessionId":"d5e8","subdomain":"acme"}}"#;
//! let header = sign(&secrets[0], 1_700_000_000, body);
//!
//! let now = 1_700_000_005; // in production: whereby_webhooks_signature::now_unix()
//! let verified = verify_then_parse(&header, body, &secrets, Tolerance::default(), now, &validator)?;
//! assert_eq!(verified.event.id(), "e1");
//! assert_eq!(verified.timestamp, 1_700_000_000);
//!
//! // One changed byte: the signature no longer holds, and the body is not parsed.
//! let error = verify_then_parse(&header, b"{}", &secrets, Tolerance::default(), now, &validator)
//!     .unwrap_err();
//! assert!(matches!(error, SignedError::Signature(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use whereby_webhooks_model::{Event, EventError};
use whereby_webhooks_signature::{Secret, Tolerance, VerifyError, verify};

use crate::{Report, Validator};

/// A delivery whose signature holds and whose payload conforms.
#[derive(Debug, Clone)]
pub struct VerifiedEvent {
    /// The signature's timestamp, in unix seconds.
    pub timestamp: u64,
    /// The payload, typed.
    pub event: Event,
    /// The validation report: valid, and naming the event type.
    pub report: Report,
}

/// Why a delivery was refused by [`verify_then_parse`]; each variant is one
/// stage of the check, in order.
#[derive(Debug, thiserror::Error)]
pub enum SignedError {
    /// The signature does not hold (or is stale): the body was not looked at.
    /// Refuse the request with a 4xx.
    #[error(transparent)]
    Signature(#[from] VerifyError),

    /// The delivery is authentic, but its payload does not conform to the
    /// document: not JSON, not UTF-8, an unknown type, or schema errors, all
    /// listed in the report.
    #[error("the payload does not conform to the spec: {}", summary(.report))]
    Invalid {
        /// The signature's timestamp, in unix seconds.
        timestamp: u64,
        /// What is wrong with the payload.
        report: Report,
    },

    /// The delivery is authentic and conforms to the document, but the
    /// event model cannot type it: the document and the model disagree
    /// (for example a document newer than this build).
    #[error(
        "the payload conforms to the spec but not to the event model ({error}): check that the spec and this build are the same version"
    )]
    Model {
        /// The signature's timestamp, in unix seconds.
        timestamp: u64,
        /// The (valid) validation report.
        report: Report,
        /// Why the model refused the payload.
        error: EventError,
    },
}

impl SignedError {
    /// The signature's timestamp when the signature held (the failure is
    /// in the payload), `None` when the signature itself failed.
    #[must_use]
    pub fn timestamp(&self) -> Option<u64> {
        match self {
            SignedError::Signature(_) => None,
            SignedError::Invalid { timestamp, .. } | SignedError::Model { timestamp, .. } => {
                Some(*timestamp)
            }
        }
    }

    /// The validation report, when the payload got as far as being validated.
    #[must_use]
    pub fn report(&self) -> Option<&Report> {
        match self {
            SignedError::Signature(_) => None,
            SignedError::Invalid { report, .. } | SignedError::Model { report, .. } => Some(report),
        }
    }
}

/// The first issue of a report, and how many more there are.
fn summary(report: &Report) -> String {
    match report.errors.as_slice() {
        [] => "no issue reported".to_owned(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

/// Verifies a delivery's signature, then validates its payload against
/// `validator`'s document, then types it.
///
/// * `header`: the `Whereby-Signature` header's value;
/// * `body`: the raw request body, byte for byte;
/// * `secrets`, `tolerance`, `now`: as for
///   [`whereby_webhooks_signature::verify`].
///
/// # Errors
///
/// The first stage that fails, in order: [`SignedError::Signature`] (the
/// body was not parsed), [`SignedError::Invalid`],
/// [`SignedError::Model`].
pub fn verify_then_parse(
    header: &str,
    body: &[u8],
    secrets: &[Secret],
    tolerance: Tolerance,
    now: u64,
    validator: &Validator,
) -> Result<VerifiedEvent, SignedError> {
    let timestamp = verify(header, body, secrets, tolerance, now)?;
    // Parsed once, for the validator and the model, exactly as
    // `validate_bytes` parses (duplicate keys refused).
    let value = match crate::parse_payload(body) {
        Ok(value) => value,
        Err(issue) => {
            let report = Report::failed(None, *issue);
            return Err(SignedError::Invalid { timestamp, report });
        }
    };
    let report = validator.validate_value(&value);
    if !report.is_valid() {
        return Err(SignedError::Invalid { timestamp, report });
    }
    match Event::from_value(value) {
        Ok(event) => Ok(VerifiedEvent {
            timestamp,
            event,
            report,
        }),
        Err(error) => Err(SignedError::Model {
            timestamp,
            report,
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use serde_json::{Value, json};
    use whereby_webhooks_model::EventType;
    use whereby_webhooks_signature::sign;

    use super::*;
    use crate::{IssueKind, Options};

    const T: u64 = 1_700_000_000;

    fn validator() -> &'static Validator {
        static VALIDATOR: OnceLock<Validator> = OnceLock::new();
        VALIDATOR.get_or_init(|| Validator::embedded(Options::default()).expect("embedded spec"))
    }

    fn secret(key: &str) -> Secret {
        Secret::new(key).expect("non-empty")
    }

    fn example() -> Value {
        let example = whereby_webhooks_model::examples(EventType::RoomClientJoined)
            .into_iter()
            .next()
            .expect("an example");
        serde_json::to_value(&example.event).expect("serialisable")
    }

    fn check(header: &str, body: &[u8], secrets: &[Secret]) -> Result<VerifiedEvent, SignedError> {
        verify_then_parse(
            header,
            body,
            secrets,
            Tolerance::default(),
            T + 1,
            validator(),
        )
    }

    #[test]
    fn valid_delivery_is_typed() {
        let secrets = [secret("s")];
        let body = serde_json::to_vec(&example()).expect("json");
        let header = sign(&secrets[0], T, &body);
        let verified = check(&header, &body, &secrets).expect("valid");
        assert_eq!(verified.timestamp, T);
        assert_eq!(verified.event.event_type(), EventType::RoomClientJoined);
        assert_eq!(verified.event.id(), example()["id"].as_str().expect("id"));
        assert!(verified.report.is_valid());
        assert_eq!(
            verified.report.event_type.as_deref(),
            Some("room.client.joined")
        );
    }

    #[test]
    fn every_model_example_passes() {
        let secrets = [secret("s")];
        for example in whereby_webhooks_model::all_examples() {
            let body = serde_json::to_vec(&example.event).expect("json");
            let header = sign(&secrets[0], T, &body);
            let verified = check(&header, &body, &secrets)
                .unwrap_or_else(|e| panic!("{}: {e}", example.file_stem()));
            assert_eq!(verified.event, example.event);
        }
    }

    /// A bad signature is reported even when the body is not JSON at all:
    /// the body is never parsed before the signature holds.
    #[test]
    fn signature_is_checked_before_the_body() {
        let secrets = [secret("s")];
        let body = b"{not json";
        let forged = sign(&secret("attacker"), T, body);
        let error = check(&forged, body, &secrets).expect_err("forged");
        assert!(
            matches!(error, SignedError::Signature(VerifyError::NoMatch)),
            "{error:?}"
        );
        assert!(error.report().is_none());
        assert!(error.timestamp().is_none());
        assert!(error.to_string().contains("raw request body"), "{error}");

        // Not UTF-8 and unsigned: still the signature.
        let error = check("", &[0xff, 0xfe], &secrets).expect_err("no header");
        assert!(
            matches!(
                error,
                SignedError::Signature(VerifyError::MalformedHeader { .. })
            ),
            "{error:?}"
        );

        // A stale signature over a valid payload.
        let body = serde_json::to_vec(&example()).expect("json");
        let header = sign(&secrets[0], T - 3600, &body);
        let error = check(&header, &body, &secrets).expect_err("stale");
        assert!(
            matches!(error, SignedError::Signature(VerifyError::TooOld { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn signed_but_not_json_is_invalid() {
        let secrets = [secret("s")];
        for (body, kind) in [
            (&b"{not json"[..], "syntax"),
            (&b""[..], "empty"),
            (&[0x7b, 0xff][..], "utf8"),
            (&b"[]"[..], "object"),
        ] {
            let header = sign(&secrets[0], T, body);
            let error = check(&header, body, &secrets).expect_err(kind);
            let SignedError::Invalid { timestamp, report } = &error else {
                panic!("{kind}: {error:?}");
            };
            assert_eq!(*timestamp, T);
            assert_eq!(report.errors.len(), 1, "{kind}: {report:?}");
            let matches = match kind {
                "syntax" => report.errors[0].kind == IssueKind::Syntax,
                "empty" => report.errors[0].kind == IssueKind::Empty,
                "utf8" => report.errors[0].kind == IssueKind::Encoding,
                _ => report.errors[0].kind == IssueKind::NotAnObject,
            };
            assert!(matches, "{kind}: {report:?}");
        }
    }

    /// Parsing once gives the same report as `validate_bytes`, whatever the
    /// bytes.
    #[test]
    fn reports_match_validate_bytes() {
        let secrets = [secret("s")];
        let mut bodies: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b" \n\t".to_vec(),
            b"{".to_vec(),
            b"{\"id\": \"\xff\"}".to_vec(),
            b"\xef\xbb\xbf{}".to_vec(),
            b"null".to_vec(),
            b"{}".to_vec(),
            b"{\"type\": 1}".to_vec(),
            b"{\"type\": \"nope\"}".to_vec(),
            b"{\"a\": 1, \"a\": 2, \"type\": \"room.session.started\"}".to_vec(),
            b"{} trailing".to_vec(),
        ];
        let mut invalid = example();
        invalid["createdAt"] = json!("yesterday");
        bodies.push(serde_json::to_vec(&invalid).expect("json"));
        for body in bodies {
            let header = sign(&secrets[0], T, &body);
            let error = check(&header, &body, &secrets).expect_err("invalid");
            let expected = validator().validate_bytes(&body);
            assert_eq!(
                error.report(),
                Some(&expected),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn schema_errors_are_reported() {
        let secrets = [secret("s")];
        let mut value = example();
        value["data"]["numClients"] = json!(-1);
        value["data"]
            .as_object_mut()
            .expect("data")
            .remove("displayName");
        let body = serde_json::to_vec(&value).expect("json");
        let header = sign(&secrets[0], T, &body);
        let error = check(&header, &body, &secrets).expect_err("schema-invalid");
        assert_eq!(error.timestamp(), Some(T));
        let report = error.report().expect("a report");
        assert_eq!(report.event_type.as_deref(), Some("room.client.joined"));
        let paths: Vec<&str> = report
            .errors
            .iter()
            .map(|issue| issue.instance_path.as_str())
            .collect();
        assert!(paths.contains(&"/data/numClients"), "{paths:?}");
        let kinds: Vec<IssueKind> = report.errors.iter().map(|issue| issue.kind).collect();
        assert_eq!(kinds, [IssueKind::Required, IssueKind::Minimum]);
        assert_eq!(
            error.to_string(),
            "the payload does not conform to the spec: /data: missing property displayName (documented since 2023-07-28; samples captured before then lack it) (and 1 more)"
        );

        // An unknown type is a report too, not a model error.
        let mut value = example();
        value["type"] = json!("room.client.teleported");
        let body = serde_json::to_vec(&value).expect("json");
        let header = sign(&secrets[0], T, &body);
        let error = check(&header, &body, &secrets).expect_err("unknown type");
        let report = error.report().expect("a report");
        assert_eq!(report.errors[0].kind, IssueKind::UnknownEventType);
    }

    #[test]
    fn strict_mode_reports_unknown_properties() {
        let secrets = [secret("s")];
        let mut value = example();
        value["data"]["newlyAdded"] = json!(true);
        let body = serde_json::to_vec(&value).expect("json");
        let header = sign(&secrets[0], T, &body);
        // Open by default: accepted and typed.
        check(&header, &body, &secrets).expect("open schemas accept additions");
        let strict = Validator::embedded(Options { strict: true }).expect("strict");
        let error = verify_then_parse(&header, &body, &secrets, Tolerance::default(), T, &strict)
            .expect_err("strict");
        let report = error.report().expect("a report");
        assert!(
            report
                .errors
                .iter()
                .any(|issue| issue.kind == IssueKind::UnknownProperty),
            "{report:?}"
        );
    }

    #[test]
    fn rotation_accepts_either_secret() {
        let old = secret("old");
        let new = secret("new");
        let body = serde_json::to_vec(&example()).expect("json");
        for signer in [&old, &new] {
            let header = sign(signer, T, &body);
            check(&header, &body, &[new.clone(), old.clone()]).expect("either secret");
        }
        let header = sign(&secret("retired"), T, &body);
        let error = check(&header, &body, &[new, old]).expect_err("retired");
        assert!(matches!(
            error,
            SignedError::Signature(VerifyError::NoMatch)
        ));
    }

    #[test]
    fn no_secrets_is_a_signature_error() {
        let error = check("t=1,v1=00", b"{}", &[]).expect_err("no secrets");
        assert!(matches!(
            error,
            SignedError::Signature(VerifyError::NoSecrets)
        ));
    }
}
