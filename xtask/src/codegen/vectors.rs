//! `spec/test-vectors.json`: signed deliveries that every signature
//! implementation (the example receivers and the guide's snippets) must
//! verify.
//!
//! Each vector is `{"name", "secret", "timestamp", "body", "header"}`:
//! `header` is the `Whereby-Signature` value of `body`'s UTF-8 bytes signed
//! with `secret` at `timestamp`. A correct implementation with a tolerance of
//! 300 s accepts it when "now" is `timestamp`, and rejects it when a byte of
//! the body changes or "now" is 301 s either side.

use serde_json::{Value, json};
use whereby_webhooks_model::{EventType, examples};
use whereby_webhooks_signature::{Secret, sign};

/// The timestamp every vector is signed at.
const TIMESTAMP: u64 = 1_700_000_000;

/// One test vector.
#[derive(Debug, Clone)]
pub struct Vector {
    /// What the vector exercises.
    pub name: &'static str,
    /// The signing secret.
    pub secret: &'static str,
    /// The signature's `t`.
    pub timestamp: u64,
    /// The exact request body.
    pub body: String,
    /// The `Whereby-Signature` value.
    pub header: String,
}

fn example(ty: EventType) -> Result<Value, String> {
    let example = examples(ty)
        .into_iter()
        .next()
        .ok_or_else(|| format!("no example of {ty}"))?;
    serde_json::to_value(&example.event).map_err(|e| e.to_string())
}

/// Every vector, in a fixed order.
pub fn vectors() -> Result<Vec<Vector>, String> {
    let joined = example(EventType::RoomClientJoined)?;
    let mut accented = joined.clone();
    accented["data"]["displayName"] = json!("Zoë Ångström 李雷 🎉");
    let recording = example(EventType::RecordingFinished)?;
    let compact = |value: &Value| serde_json::to_string(value).map_err(|e| e.to_string());
    let bodies = [
        ("compact", "whereby-test-secret-compact", compact(&joined)?),
        (
            "pretty-printed",
            "whereby-test-secret-pretty",
            format!(
                "{}\n",
                serde_json::to_string_pretty(&recording).map_err(|e| e.to_string())?
            ),
        ),
        ("non-ascii", "whereby-test-secret-ütf8", compact(&accented)?),
    ];
    bodies
        .into_iter()
        .map(|(name, secret, body)| {
            let key = Secret::new(secret).map_err(|e| e.to_string())?;
            Ok(Vector {
                name,
                secret,
                timestamp: TIMESTAMP,
                header: sign(&key, TIMESTAMP, body.as_bytes()),
                body,
            })
        })
        .collect()
}

/// The file's contents.
pub fn file() -> Result<String, String> {
    let list: Vec<Value> = vectors()?
        .into_iter()
        .map(|v| {
            json!({
                "name": v.name,
                "secret": v.secret,
                "timestamp": v.timestamp,
                "body": v.body,
                "header": v.header,
            })
        })
        .collect();
    super::to_json(&Value::Array(list))
}

#[cfg(test)]
mod tests {
    use whereby_webhooks_signature::{Tolerance, verify};

    use super::*;

    #[test]
    fn vectors_cover_compact_pretty_and_non_ascii_bodies_and_verify() {
        let vectors = vectors().unwrap();
        let names: Vec<&str> = vectors.iter().map(|v| v.name).collect();
        assert_eq!(names, ["compact", "pretty-printed", "non-ascii"]);
        assert!(!vectors[0].body.contains('\n'));
        assert!(vectors[1].body.contains("\n  "));
        assert!(!vectors[2].body.is_ascii());
        for vector in vectors {
            let secrets = [Secret::new(vector.secret).unwrap()];
            let body = vector.body.as_bytes();
            verify(
                &vector.header,
                body,
                &secrets,
                Tolerance::DEFAULT,
                TIMESTAMP,
            )
            .unwrap();
            let stale = verify(
                &vector.header,
                body,
                &secrets,
                Tolerance::DEFAULT,
                TIMESTAMP + 301,
            );
            assert!(stale.is_err());
        }
    }
}
