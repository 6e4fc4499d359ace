//! The line `listen --record` writes for each delivery, which `validate`
//! and `replay` read back: one [`Record`] per line, one JSON object each.
//!
//! ```text
//! {"received_at":"2026-03-31T09:00:04.700Z","method":"POST","path":"/","status":200,
//!  "verdict":"authentic","reason":"accepted room.client.joined 5c8f...","elapsed_ms":0.4,
//!  "signature":{"valid":true,"error":null,"error_kind":null,"timestamp":1774947604},
//!  "schema":{"valid":true,"event_type":"room.client.joined","errors":[]},
//!  "event_type":"room.client.joined","id":"5c8f...",
//!  "headers":{"content-type":"application/json","whereby-signature":"t=...,v1=..."},
//!  "body_bytes":512,"raw_body":"{\"type\":\"room.client.joined\",...}"}
//! ```
//!
//! * `verdict` is `refused` (the request was turned down before its
//!   signature was checked: wrong method, body too slow or too large, no or
//!   several signature headers, or the receiver was too busy), `unauthentic`
//!   (the signature did not hold; `signature.error_kind` says why, as
//!   `whereby_webhooks_signature::ErrorKind` names it), or `authentic`.
//! * The body of an authentic delivery is kept byte for byte: `raw_body`
//!   when it is UTF-8, `raw_body_base64` otherwise, so its signature can be
//!   checked again and `replay` can send exactly it. For any other delivery
//!   only the first [`PREFIX`] bytes are kept (`body_truncated` is then
//!   true when there were more), with `body_bytes` and `body_sha256`: an
//!   unauthenticated client cannot make the record grow by more than a line
//!   of bounded size per request.
//! * `headers` keeps only an allow-list ([`KEPT_HEADERS`]), names in
//!   lowercase, each value cut at [`HEADER_VALUE_MAX`] bytes; credentials
//!   such as `authorization`, `cookie` or `x-api-key` are never written. The
//!   path is written without its query (some endpoints carry a token
//!   there).
//! * There is no top-level `type` key, so `validate` tells a record line
//!   from an event.
//!
//! Lines of the earlier format (a parsed `body` instead of `raw_body`) are
//! still read: `body` is validated as it stands, but cannot be replayed
//! byte for byte.
//!
//! Reading a line costs memory in proportion to its length, whatever it
//! holds: `body` and `schema.errors` are kept as the JSON text they are,
//! not as parsed values (a line of a million small numbers would otherwise
//! take over a hundred times its size), and of `headers` only the names in
//! [`KEPT_HEADERS`] are read, the others skipped.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
#[cfg(test)]
use serde_json::Value;

/// How many leading bytes of an unauthenticated body are kept.
pub const PREFIX: usize = 256;

/// The most of one header value that is kept.
pub const HEADER_VALUE_MAX: usize = 1024;

/// The request headers a record keeps: what identifies and describes a
/// delivery, never credentials.
pub const KEPT_HEADERS: [&str; 6] = [
    "whereby-signature",
    "content-type",
    "content-length",
    "user-agent",
    "x-request-id",
    "transfer-encoding",
];

/// The headers of the other signature profiles, read from a record as
/// well as [`KEPT_HEADERS`]: where `validate --profile github` finds the
/// event (`x-github-event`), and what a delivery of another scheme is
/// signed with.
pub const PROFILE_HEADERS: [&str; 7] = [
    "stripe-signature",
    "x-hub-signature-256",
    "x-github-event",
    "x-github-delivery",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

/// One delivery as `listen --record` writes it, and as `validate` and
/// `replay` read it back: `listen` builds it borrowing the request's path,
/// headers and body (`Record<'_>`), a reader gets it owned
/// (`Record<'static>`, from [`Record::from_slice`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record<'a> {
    /// When the request's head arrived, RFC 3339 with milliseconds.
    pub received_at: Cow<'a, str>,
    /// The request method.
    pub method: Cow<'a, str>,
    /// The request path, without the query.
    pub path: Cow<'a, str>,
    /// The status answered.
    pub status: u16,
    /// `refused`, `unauthentic` or `authentic`.
    #[serde(default)]
    pub verdict: Cow<'a, str>,
    /// The reason given with the status.
    #[serde(default)]
    pub reason: Cow<'a, str>,
    /// How long the answer took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: f64,
    /// The signature check; `null` when it did not happen.
    #[serde(default)]
    pub signature: Option<SignatureRecord>,
    /// The schema check of an authentic body; `null` otherwise.
    #[serde(default)]
    pub schema: Option<SchemaRecord>,
    /// The forwarding outcome, with `--forward-to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward: Option<ForwardRecord>,
    /// The event type of an authentic body, as validated.
    #[serde(default)]
    pub event_type: Option<Cow<'a, str>>,
    /// The event id of an authentic body.
    #[serde(default)]
    pub id: Option<Cow<'a, str>>,
    /// The allow-listed headers, by lowercase name (any other name in the
    /// line is skipped).
    #[serde(default, deserialize_with = "kept_headers")]
    pub headers: BTreeMap<&'static str, Cow<'a, str>>,
    /// How many body bytes arrived.
    #[serde(default)]
    pub body_bytes: u64,
    /// The SHA-256 of the body, in hex, when only a prefix is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<Cow<'a, str>>,
    /// Whether `raw_body`/`raw_body_base64` is only the body's start.
    #[serde(default, skip_serializing_if = "is_false")]
    pub body_truncated: bool,
    /// The body bytes, when they are UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<Cow<'a, str>>,
    /// The body bytes in base64, when they are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body_base64: Option<String>,
    /// A parsed body (lines of the earlier format), as its JSON text;
    /// never written.
    #[serde(default, skip_serializing)]
    pub body: Option<RawJson>,
}

/// A JSON value kept as its compact text: reading it costs no more memory
/// than the text, whatever its shape (it is transcoded as it is read, never
/// built as a value). Two are equal when their texts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    /// `value` serialised.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> RawJson {
        RawJson(serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned()))
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

/// The empty list, `[]`.
impl Default for RawJson {
    fn default() -> RawJson {
        RawJson("[]".to_owned())
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = serde_json::Deserializer::from_str(&self.0);
        serde_transcode::transcode(&mut text, serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawJson, D::Error> {
        let mut text = Vec::new();
        serde_transcode::transcode(deserializer, &mut serde_json::Serializer::new(&mut text))
            .map_err(de::Error::custom)?;
        String::from_utf8(text)
            .map(RawJson)
            .map_err(de::Error::custom)
    }
}

/// Reads a `headers` object keeping only the names in [`KEPT_HEADERS`] and
/// [`PROFILE_HEADERS`]
/// (compared without case, kept in lowercase), each value cut at
/// [`HEADER_VALUE_MAX`] bytes: a line cannot make the map grow past them,
/// nor cost memory for the names it skips.
fn kept_headers<'de, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<&'static str, Cow<'a, str>>, D::Error> {
    /// One name: which of [`KEPT_HEADERS`] it is, if any.
    struct Name;

    impl<'de> DeserializeSeed<'de> for Name {
        type Value = Option<&'static str>;

        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_str(self)
        }
    }

    impl Visitor<'_> for Name {
        type Value = Option<&'static str>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a header name")
        }

        fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
            Ok(KEPT_HEADERS
                .into_iter()
                .chain(PROFILE_HEADERS)
                .find(|kept| kept.eq_ignore_ascii_case(name)))
        }
    }

    struct Headers<'a>(std::marker::PhantomData<&'a ()>);

    impl<'de, 'a> Visitor<'de> for Headers<'a> {
        type Value = BTreeMap<&'static str, Cow<'a, str>>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("an object of header names and values")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut headers = BTreeMap::new();
            while let Some(name) = map.next_key_seed(Name)? {
                match name {
                    Some(name) => {
                        let mut value = map.next_value::<String>()?;
                        // Cut as `listen` cuts it when it writes the line.
                        if value.len() > HEADER_VALUE_MAX {
                            let end = (0..=HEADER_VALUE_MAX)
                                .rev()
                                .find(|end| value.is_char_boundary(*end))
                                .unwrap_or(0);
                            value.truncate(end);
                        }
                        headers.insert(name, Cow::Owned(value));
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(headers)
        }
    }

    deserializer.deserialize_map(Headers(std::marker::PhantomData))
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_false(value: &bool) -> bool {
    !*value
}

/// The signature check of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    /// Whether the signature held.
    pub valid: bool,
    /// Why not.
    #[serde(default)]
    pub error: Option<String>,
    /// Why not, as a stable name (`no_match`, `too_old`, ...).
    #[serde(default)]
    pub error_kind: Option<String>,
    /// The likely cause (`secret_mismatch`, `body_reserialized`, ...), as
    /// `whereby-webhooks verify` names it, when `listen` looked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The header's timestamp, when the header could be read.
    #[serde(default)]
    pub timestamp: Option<u64>,
}

/// The schema check of an authentic delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaRecord {
    /// Whether the body conforms.
    pub valid: bool,
    /// The event type it was validated as.
    #[serde(default)]
    pub event_type: Option<String>,
    /// The list of issues, each in the conformance crate's one JSON form
    /// (its `Serialize`), as `validate --format json` prints it. Read back
    /// as JSON text, not as `Issue`, so that lines written before every
    /// issue had a `kind`, or with kinds a later version adds, still read.
    #[serde(default)]
    pub errors: RawJson,
    /// The event model's complaint about a body the spec accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_error: Option<String>,
}

/// What forwarding a delivery gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardRecord {
    /// Where it was forwarded.
    pub url: String,
    /// The application's status, when it gave a final answer.
    #[serde(default)]
    pub status: Option<u16>,
    /// Why there is no answer to relay.
    #[serde(default)]
    pub error: Option<String>,
}

/// The body a record keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedBody {
    /// The exact bytes.
    Exact(Vec<u8>),
    /// A parsed body of the earlier format, re-serialised: not the bytes
    /// that were sent.
    Reserialised(Vec<u8>),
    /// Only a prefix, or nothing, was kept.
    Missing,
}

impl Record<'_> {
    /// Reads a line that may be a record: `None` when it is not shaped like
    /// one (not an object, a top-level `type`, no `received_at`), otherwise
    /// the record or why it does not read as one.
    pub fn from_slice(line: &[u8]) -> Option<Result<Record<'static>, String>> {
        let shape = serde_json::from_slice::<Shape>(line).ok()?;
        if shape.event_type || !shape.received_at {
            return None;
        }
        Some(serde_json::from_slice(line).map_err(|error| error.to_string()))
    }

    /// Whether the delivery was answered 2xx.
    pub fn is_accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Why [`Record::body`] is [`RecordedBody::Missing`].
    pub fn why_no_body(&self) -> &'static str {
        if self.body_truncated {
            "the record keeps only the first bytes of this body (it was not authentic)"
        } else if self.raw_body_base64.is_some() {
            "its raw_body_base64 is not valid base64 (the record was altered?)"
        } else {
            "the record keeps no body"
        }
    }

    /// The body kept, as exactly as it can be had.
    pub fn body(&self) -> RecordedBody {
        if self.body_truncated {
            return RecordedBody::Missing;
        }
        if let Some(text) = &self.raw_body {
            return RecordedBody::Exact(text.as_bytes().to_vec());
        }
        if let Some(encoded) = &self.raw_body_base64 {
            return base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_or(RecordedBody::Missing, RecordedBody::Exact);
        }
        match &self.body {
            None => RecordedBody::Missing,
            Some(raw) => match serde_json::from_str::<String>(raw.get()) {
                Ok(text) => RecordedBody::Reserialised(text.into_bytes()),
                Err(_) => RecordedBody::Reserialised(raw.get().as_bytes().to_vec()),
            },
        }
    }

    /// What a person should know about a refused delivery's line, or `None`
    /// when the delivery was accepted.
    pub fn refusal(&self) -> Option<String> {
        if self.is_accepted() {
            return None;
        }
        if self.verdict == "suppressed" {
            // Not one delivery: requests past the budget of unauthenticated
            // requests, counted.
            return Some(format!(
                "this line counts requests without a valid signature that `listen` did not record one by one: {}",
                self.reason
            ));
        }
        let what = match &*self.verdict {
            "unauthentic" => "an unauthentic delivery",
            "authentic" => "an authentic delivery",
            _ => "a delivery",
        };
        Some(format!(
            "{what} refused with {}: {}",
            self.status, self.reason
        ))
    }
}

/// Which of the keys that tell a record from an event a line has; reading
/// it skips every value without keeping any.
#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "type", default, deserialize_with = "present")]
    event_type: bool,
    #[serde(default, deserialize_with = "present")]
    received_at: bool,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

impl<'a> Record<'a> {
    /// Keeps `bytes` as the line's body: all of them, or (`exact == false`)
    /// their first [`PREFIX`] bytes; as text when they are UTF-8, in base64
    /// otherwise.
    pub fn keep_body(&mut self, bytes: &'a [u8], exact: bool) {
        let kept = if exact {
            bytes
        } else {
            self.body_truncated = bytes.len() > PREFIX;
            &bytes[..bytes.len().min(PREFIX)]
        };
        match std::str::from_utf8(kept) {
            Ok(text) => self.raw_body = Some(Cow::Borrowed(text)),
            // A prefix may end inside a character: keep its valid part as
            // text rather than switch encodings.
            Err(error) if !exact && error.error_len().is_none() => {
                self.raw_body = std::str::from_utf8(&kept[..error.valid_up_to()])
                    .ok()
                    .map(Cow::Borrowed);
            }
            Err(_) => {
                self.raw_body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(kept));
            }
        }
    }

    /// Appends this record as one line, newline included, every character
    /// a terminal would act on escaped (see [`whereby_webhooks_conformance::escape::json_line`]).
    pub fn write_line(&self, out: &mut Vec<u8>) {
        // Outside text (path, headers, body) may be read on a terminal.
        whereby_webhooks_conformance::escape::json_line(self, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn line() -> Record<'static> {
        Record {
            received_at: "2026-03-31T09:00:04.700Z".into(),
            method: "POST".into(),
            path: "/".into(),
            status: 200,
            verdict: "authentic".into(),
            reason: "accepted".into(),
            elapsed_ms: 0.4,
            signature: None,
            schema: None,
            forward: None,
            event_type: None,
            id: None,
            headers: BTreeMap::new(),
            body_bytes: 0,
            body_sha256: None,
            body_truncated: false,
            raw_body: None,
            raw_body_base64: None,
            body: None,
        }
    }

    #[test]
    fn exact_bytes_round_trip() {
        for body in [
            &b"{\n  \"type\" : \"x\",\t\"n\": 1.50 }\n"[..],
            &[0xff, 0x00, b'{'][..],
            &b""[..],
        ] {
            let mut line = line();
            line.keep_body(body, true);
            let mut out = Vec::new();
            line.write_line(&mut out);
            assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
            let value: Value = serde_json::from_slice(&out).expect("JSON");
            assert!(value.get("type").is_none());
            let back = Record::from_slice(&out).expect("a record").expect("reads");
            assert_eq!(back.body(), RecordedBody::Exact(body.to_vec()));
        }
    }

    #[test]
    fn prefixes_are_not_bodies() {
        let mut line = line();
        let body = "é".repeat(PREFIX);
        line.keep_body(body.as_bytes(), false);
        assert!(line.body_truncated);
        assert!(line.raw_body.as_ref().is_some_and(|t| t.len() <= PREFIX));
        assert_eq!(line.body(), RecordedBody::Missing);
    }

    #[test]
    fn earlier_lines_are_read() {
        let value = json!({"received_at": "x", "method": "POST", "path": "/", "status": 401,
            "body_encoding": "json", "body": {"type": "room.client.joined"}});
        let line = Record::from_slice(value.to_string().as_bytes())
            .expect("a record")
            .expect("reads");
        assert_eq!(
            line.body(),
            RecordedBody::Reserialised(br#"{"type":"room.client.joined"}"#.to_vec())
        );
        assert!(line.refusal().is_some_and(|r| r.contains("401")));
        let text = json!({"received_at": "x", "method": "POST", "path": "/", "status": 200,
            "body": "{\"type\":1}"});
        let line = Record::from_slice(text.to_string().as_bytes());
        assert_eq!(
            line.expect("a record").expect("reads").body(),
            RecordedBody::Reserialised(br#"{"type":1}"#.to_vec())
        );
        for not_a_record in [
            &br#"{"type": "x", "received_at": "y"}"#[..],
            br#"{"type": null, "received_at": "y"}"#,
            br#"{"method": "POST"}"#,
            br#"["received_at"]"#,
            b"not json",
        ] {
            assert!(Record::from_slice(not_a_record).is_none());
        }
    }

    /// serde_json's `raw_value` feature stays off in this build: with it,
    /// every value read anywhere in the binary would take an object whose
    /// first key is serde_json's private token for the JSON in that key's
    /// string (this one would read as `[1]`, a payload as another payload).
    #[test]
    fn every_key_is_read_as_a_key() {
        let text = r#"{"$serde_json::private::RawValue":"[1]"}"#;
        let value: Value = serde_json::from_str(text).expect("JSON");
        assert!(value.is_object(), "{value}");
    }

    /// A line costs memory in proportion to its length: its body and
    /// issues are read as text, and of its headers only the kept names.
    #[test]
    fn lines_are_read_without_expanding_them() {
        let many = vec!["0"; 1000].join(",");
        let mut names: Vec<String> = (0..1000).map(|i| format!("\"x-{i}\":\"v\"")).collect();
        names.push(r#""Content-Type":"text/plain""#.to_owned());
        names.push(format!(
            r#""user-agent":"{}""#,
            "é".repeat(HEADER_VALUE_MAX)
        ));
        let text = format!(
            r#"{{"received_at":"x","method":"POST","path":"/","status":200,"body":[{many}],"schema":{{"valid":false,"errors":[{many}]}},"headers":{{{}}}}}"#,
            names.join(",")
        );
        let record = Record::from_slice(text.as_bytes())
            .expect("a record")
            .expect("reads");
        assert_eq!(
            record.body(),
            RecordedBody::Reserialised(format!("[{many}]").into_bytes())
        );
        assert_eq!(
            record.schema.expect("a schema").errors.get(),
            format!("[{many}]")
        );
        assert_eq!(
            record.headers.into_iter().collect::<Vec<_>>(),
            [
                ("content-type", "text/plain".into()),
                ("user-agent", "é".repeat(HEADER_VALUE_MAX / 2).into()),
            ]
        );
    }
}
