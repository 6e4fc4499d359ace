//! The deliveries each check sends, built from the model's examples.
//!
//! Bodies are the compact JSON serialisation of the examples (what a
//! `JSON.stringify` sender produces), each with a fresh `id` and
//! `createdAt`, except where a check changes the bytes on purpose. Each
//! delivery is signed when it is sent, so a slow receiver does not make a
//! later delivery stale.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use whereby_webhooks_conformance::judge::{self, Judge};
use whereby_webhooks_model::{EventType, all_examples, examples};
use whereby_webhooks_signature::{Message, Scheme, Secret, SignatureFormat, now_unix};

use super::CheckId;

/// How a delivery is signed.
#[derive(Debug, Clone)]
pub enum Signing {
    /// With the endpoint's secret, now.
    Now,
    /// With the endpoint's secret, this many seconds from now.
    Offset(i64),
    /// With a secret that is not the endpoint's.
    OtherSecret,
    /// Not at all: no `Whereby-Signature` header.
    Unsigned,
    /// With the endpoint's secret, now, over these bytes rather than the
    /// bytes sent.
    OtherBytes(Vec<u8>),
    /// A signature header anyone can write, no secret needed: this text,
    /// with `{t}` replaced by the current timestamp (the scheme's other
    /// headers are signed as usual).
    Forged(&'static str),
}

/// What a delivery must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx: the delivery is authentic.
    Accept,
    /// A 4xx: the delivery is forged or replayed.
    Reject,
}

impl Expect {
    /// What a receiver must answer to a delivery the judge gave `verdict`:
    /// a 2xx where the judge answers one, a 4xx otherwise.
    pub fn of(verdict: &judge::Verdict) -> Expect {
        if (200..300).contains(&verdict.status()) {
            Expect::Accept
        } else {
            Expect::Reject
        }
    }
}

/// `deliveries`, each with what it must get set from the judge's verdict on
/// it, signed now with `secret` as it will be sent.
fn judged(mut deliveries: Vec<Delivery>, judge: &Judge, secret: &Secret) -> Vec<Delivery> {
    let now = now_unix();
    for delivery in &mut deliveries {
        let headers = delivery.headers(judge.scheme(), secret, now);
        let headers: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_bytes()))
            .collect();
        delivery.expect = Expect::of(&judge.judge(&headers, &delivery.sent, now));
    }
    deliveries
}

/// One request of the battery.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The check it belongs to.
    pub check: CheckId,
    /// What it is, for the report (`room.client.joined.host`, `indented`).
    pub label: String,
    /// The body, byte for byte.
    pub sent: Vec<u8>,
    /// How it is signed.
    pub signing: Signing,
    /// What it must get: what the library's judge (`listen`'s judgement)
    /// makes of it, signed as it will be sent.
    pub expect: Expect,
    /// Its place among its check's deliveries.
    order: usize,
}

impl Delivery {
    /// A delivery signed now; [`Delivery::expect`] is set when it is
    /// judged ([`judged`]).
    fn new(check: CheckId, label: impl Into<String>, sent: Vec<u8>) -> Self {
        Delivery {
            check,
            label: label.into(),
            sent,
            signing: Signing::Now,
            expect: Expect::Accept,
            order: 0,
        }
    }

    fn signed(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }

    /// The headers `scheme` signs it with at `now` (for the default
    /// scheme, `Whereby-Signature`), without the signature header for an
    /// unsigned delivery; with the event and id headers of a scheme that
    /// names them outside the body (GitHub's `X-GitHub-Event`, the body's
    /// `type` here, and `X-GitHub-Delivery`).
    pub fn headers(
        &self,
        scheme: &Scheme,
        secret: &Secret,
        now: u64,
    ) -> Vec<(&'static str, String)> {
        let id = serde_json::from_slice::<Value>(&self.sent)
            .ok()
            .and_then(|event| event.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(fresh_id);
        let signed = |secret: &Secret, timestamp: u64, body: &[u8]| {
            let message = Message {
                id: Some(&id),
                timestamp,
                body,
            };
            scheme.sign(secret, &message)
        };
        let mut headers = match &self.signing {
            Signing::Now | Signing::Unsigned => signed(secret, now, &self.sent),
            Signing::Offset(offset) => {
                signed(secret, now.saturating_add_signed(*offset), &self.sent)
            }
            Signing::OtherSecret => {
                let other = scheme
                    .secret(&other_secret(scheme))
                    .expect("a fresh secret is a key of every scheme");
                signed(&other, now, &self.sent)
            }
            Signing::OtherBytes(bytes) => signed(secret, now, bytes),
            Signing::Forged(template) => {
                let mut headers = signed(secret, now, &self.sent);
                for (name, value) in &mut headers {
                    if *name == scheme.signature_header {
                        *value = template.replace("{t}", &now.to_string());
                    }
                }
                headers
            }
        };
        if matches!(self.signing, Signing::Unsigned) {
            headers.retain(|(name, _)| *name != scheme.signature_header);
        }
        if matches!(
            scheme.event,
            whereby_webhooks_signature::EventAt::Header { .. }
        ) {
            let event = serde_json::from_slice::<Value>(&self.sent)
                .ok()
                .and_then(|event| event.get("type").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "ping".to_owned());
            scheme.name_delivery(&mut headers, event, id);
        }
        headers
    }
}

/// A secret that is not the endpoint's, written as `scheme` hands secrets
/// out (Standard Webhooks: `whsec_` and base64).
fn other_secret(scheme: &Scheme) -> String {
    use base64::Engine as _;
    let text = format!("not-the-endpoint-secret-{}", fresh_id());
    match scheme.secret {
        whereby_webhooks_signature::SecretEncoding::Base64 { prefix } => format!(
            "{prefix}{}",
            base64::engine::general_purpose::STANDARD.encode(text)
        ),
        _ => text,
    }
}

/// Ten minutes: twice the tolerance we recommend.
const TEN_MINUTES: i64 = 600;

/// The event type no spec has.
pub const UNKNOWN_EVENT_TYPE: &str = "whereby.future.event";

/// The role name no list has.
pub const UNKNOWN_ROLE: &str = "future_role";

/// The deliveries of the selected checks, in order. When `answers-within-5s`
/// is the only check, it sends one authentic delivery of its own to time.
pub fn build(selected: &[CheckId], judge: &Judge, secret: &Secret) -> Vec<Delivery> {
    let mut deliveries = Vec::new();
    for &check in selected {
        deliveries.extend(
            for_check(check, judge.scheme())
                .into_iter()
                .enumerate()
                .map(|(order, delivery)| Delivery { order, ..delivery }),
        );
    }
    if deliveries.is_empty() && selected.contains(&CheckId::AnswersWithin5s) {
        deliveries.push(Delivery::new(
            CheckId::AnswersWithin5s,
            "room.client.joined.host",
            compact(&joined()),
        ));
    }
    shuffle(&mut deliveries);
    judged(deliveries, judge, secret)
}

/// Puts `deliveries` in a random order, each check's own still in the order
/// it made them (a redelivery after its first delivery). In a fixed order, a
/// receiver that verifies nothing could pass by its position alone, say by
/// refusing the deliveries that follow an unsigned one.
fn shuffle(deliveries: &mut [Delivery]) {
    // Fisher-Yates, with randomly keyed hashers as the source of chance:
    // the order needs to be unpredictable, not secret.
    let random = |bound: usize| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_usize(bound);
        usize::try_from(hasher.finish() % bound as u64).unwrap_or(0)
    };
    for last in (1..deliveries.len()).rev() {
        deliveries.swap(last, random(last + 1));
    }
    // Each check's deliveries back in their order, in the places they drew.
    for check in super::CheckId::ALL {
        let places: Vec<usize> = (0..deliveries.len())
            .filter(|&i| deliveries[i].check == check)
            .collect();
        let mut own: Vec<Delivery> = places.iter().map(|&i| deliveries[i].clone()).collect();
        own.sort_by_key(|delivery| delivery.order);
        for (place, delivery) in places.into_iter().zip(own) {
            deliveries[place] = delivery;
        }
    }
}

fn for_check(check: CheckId, scheme: &Scheme) -> Vec<Delivery> {
    use CheckId as C;
    match check {
        C::AcceptsEveryEvent => all_examples()
            .into_iter()
            .map(|example| {
                let event =
                    fresh(serde_json::to_value(&example.event).expect("examples serialise"));
                Delivery::new(check, example.file_stem(), compact(&event))
            })
            .collect(),
        C::RawBodySignature => {
            let mut accented = joined();
            accented["data"]["displayName"] = json!("Zoë Ångström");
            vec![
                Delivery::new(check, "indented with 2 spaces", pretty(&joined())),
                Delivery::new(check, "keys in reverse order", compact(&reversed(joined()))),
                Delivery::new(
                    check,
                    "non-ASCII and `/` written as \\u00e9-style and \\/ escapes",
                    escaped(&accented),
                ),
                Delivery::new(check, "a trailing newline", {
                    let mut bytes = compact(&joined());
                    bytes.push(b'\n');
                    bytes
                }),
            ]
        }
        C::RejectsMissingSignature => vec![
            Delivery::new(
                check,
                format!("no {} header", scheme.signature_header),
                compact(&joined()),
            )
            .signed(Signing::Unsigned),
        ],
        C::RejectsBadSignature => {
            let mut deliveries = vec![
                Delivery::new(check, "signed with another secret", compact(&joined()))
                    .signed(Signing::OtherSecret),
            ];
            // Headers anyone can write: a receiver that checks "every v1
            // matches" over an empty list accepts them.
            for (label, template) in forgeries(scheme) {
                deliveries.push(
                    Delivery::new(check, *label, compact(&joined()))
                        .signed(Signing::Forged(template)),
                );
            }
            deliveries
        }
        C::RejectsTamperedBody => {
            let original = joined();
            let mut tampered = original.clone();
            tampered["data"]["numClients"] = json!(20);
            vec![
                Delivery::new(
                    check,
                    "numClients changed after signing",
                    compact(&tampered),
                )
                .signed(Signing::OtherBytes(compact(&original))),
            ]
        }
        C::RejectsStaleTimestamp => vec![
            Delivery::new(check, "signed 10 minutes ago", compact(&joined()))
                .signed(Signing::Offset(-TEN_MINUTES)),
        ],
        C::RejectsFutureTimestamp => vec![
            Delivery::new(check, "signed 10 minutes ahead", compact(&joined()))
                .signed(Signing::Offset(TEN_MINUTES)),
        ],
        C::AcceptsUnknownEventType => {
            let mut event = example_value(EventType::AssistantRequested);
            event["type"] = json!(UNKNOWN_EVENT_TYPE);
            vec![Delivery::new(
                check,
                format!("type {UNKNOWN_EVENT_TYPE}"),
                compact(&event),
            )]
        }
        C::AcceptsUnknownProperties => {
            let mut event = joined();
            event["futureEnvelopeProperty"] = json!({"addedIn": "a later 1.x"});
            event["data"]["futureDataProperty"] = json!("a value");
            vec![Delivery::new(
                check,
                "futureEnvelopeProperty and data.futureDataProperty",
                compact(&event),
            )]
        }
        C::AcceptsUnknownEnumValue => {
            let mut event = joined();
            event["data"]["roleName"] = json!(UNKNOWN_ROLE);
            if let Some(Value::Object(counts)) = event["data"].get_mut("numClientsByRoleName") {
                let host = counts.shift_remove("host").unwrap_or(json!(1));
                counts.insert(UNKNOWN_ROLE.to_owned(), host);
            }
            vec![Delivery::new(
                check,
                format!("roleName {UNKNOWN_ROLE}"),
                compact(&event),
            )]
        }
        C::AcceptsRedelivery => {
            let body = compact(&joined());
            vec![
                Delivery::new(check, "first delivery", body.clone()),
                Delivery::new(check, "redelivery of the same id", body),
            ]
        }
        C::AnswersWithin5s => Vec::new(),
    }
}

/// Signature headers anyone can write, in the scheme's layout, with a
/// label each.
fn forgeries(scheme: &Scheme) -> &'static [(&'static str, &'static str)] {
    match scheme.format {
        SignatureFormat::Items { .. } => &[
            ("a timestamp and no v1", "t={t}"),
            ("an empty v1", "t={t},v1="),
            (
                "a v0 and no v1",
                "t={t},v0=0000000000000000000000000000000000000000000000000000000000000000",
            ),
        ],
        SignatureFormat::Prefixed(_) => &[
            ("an empty sha256=", "sha256="),
            (
                "a sha1= and no sha256=",
                "sha1=0000000000000000000000000000000000000000",
            ),
        ],
        SignatureFormat::Versioned(_) => &[
            ("an empty v1,", "v1,"),
            (
                "a v2, and no v1,",
                "v2,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            ),
        ],
    }
}

/// A form in which a probe writes a refused authentic delivery again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The refused delivery's own bytes, with a fresh `id`.
    Delivered,
    /// Compact, as `JSON.stringify` writes it (`2367`, not `2367.0`).
    Compact,
    /// As Python's `json.dumps` writes it by default.
    Python,
}

impl Form {
    /// What the form is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Form::Delivered => "the bytes as delivered",
            Form::Compact => "compact, as JSON.stringify writes it",
            Form::Python => "as Python's json.dumps writes it",
        }
    }
}

/// Authentic probes of the event `refused` carried, each with a fresh `id`:
/// its own bytes again, then the re-serialisations a receiver may hash
/// instead of the raw body, each only when its bytes differ from those
/// before it. None when the body is not a JSON object with an `id`.
pub fn probes(refused: &Delivery, judge: &Judge, secret: &Secret) -> Vec<(Form, Delivery)> {
    let Ok(event) = serde_json::from_slice::<Value>(&refused.sent) else {
        return Vec::new();
    };
    let Some(old) = event.get("id").and_then(Value::as_str).map(str::to_owned) else {
        return Vec::new();
    };
    // Every form with the refused id, to compare; each gets its own id
    // once kept.
    let mut forms: Vec<(Form, Vec<u8>)> = vec![(Form::Delivered, refused.sent.clone())];
    for (form, bytes) in [
        (Form::Compact, stringify(&event)),
        (Form::Python, python(&event)),
    ] {
        if forms.iter().all(|(_, sent)| *sent != bytes) {
            forms.push((form, bytes));
        }
    }
    let (forms, probes): (Vec<Form>, Vec<Delivery>) = forms
        .into_iter()
        .filter_map(|(form, bytes)| {
            let sent = replace_once(&bytes, old.as_bytes(), fresh_id().as_bytes())?;
            let label = format!("probe of {}: {}", refused.label, form.describe());
            Some((form, Delivery::new(refused.check, label, sent)))
        })
        .unzip();
    forms
        .into_iter()
        .zip(judged(probes, judge, secret))
        .collect()
}

/// `bytes` with the one occurrence of `old` replaced by `new`; `None` when
/// `old` does not occur exactly once.
fn replace_once(bytes: &[u8], old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    let at: Vec<usize> = bytes
        .windows(old.len())
        .enumerate()
        .filter(|(_, window)| *window == old)
        .map(|(at, _)| at)
        .collect();
    let [at] = at[..] else { return None };
    let mut out = Vec::with_capacity(bytes.len() - old.len() + new.len());
    out.extend_from_slice(&bytes[..at]);
    out.extend_from_slice(new);
    out.extend_from_slice(&bytes[at + old.len()..]);
    Some(out)
}

/// The first example of `ty`, with a fresh `id` and `createdAt`.
fn example_value(ty: EventType) -> Value {
    let example = examples(ty)
        .into_iter()
        .next()
        .expect("every type has an example");
    fresh(serde_json::to_value(&example.event).expect("examples serialise"))
}

/// A fresh `room.client.joined` (the host example).
fn joined() -> Value {
    example_value(EventType::RoomClientJoined)
}

/// `event` with a fresh `id` and `createdAt`.
fn fresh(mut event: Value) -> Value {
    event["id"] = json!(fresh_id());
    event["createdAt"] = json!(humantime::format_rfc3339_millis(SystemTime::now()).to_string());
    event
}

/// A fresh event id: 64 lowercase hex digits, the form of Whereby's ids.
/// Unique, not secret: hashed from a counter with randomly keyed hashers.
pub fn fresh_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut id = String::with_capacity(64);
    for lane in 0..4u64 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(count);
        hasher.write_u64(lane);
        hasher.write_u128(nanos);
        let _ = write!(id, "{:016x}", hasher.finish());
    }
    id
}

/// The compact serialisation: what Whereby sends.
fn compact(event: &Value) -> Vec<u8> {
    serde_json::to_vec(event).expect("a JSON value serialises")
}

/// As Python's `json.dumps` writes it by default.
fn python(event: &Value) -> Vec<u8> {
    whereby_webhooks_signature::reserialize::python_dumps(event)
}

/// As JavaScript's `JSON.stringify` writes it (numbers included).
fn stringify(event: &Value) -> Vec<u8> {
    whereby_webhooks_signature::reserialize::json_stringify(event)
}

/// Indented with two spaces.
fn pretty(event: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(event).expect("a JSON value serialises")
}

/// Every object's keys in reverse order, recursively.
fn reversed(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, value) in object.into_iter().rev() {
                out.insert(key, reversed(value));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(reversed).collect()),
        other => other,
    }
}

/// Compact, with every non-ASCII character written as a `\uXXXX` escape
/// (surrogate pairs beyond the BMP) and every `/` as `\/`, as PHP's
/// `json_encode` does by default. Both only occur inside strings.
fn escaped(event: &Value) -> Vec<u8> {
    let text = serde_json::to_string(event).expect("a JSON value serialises");
    let mut out = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        if c == '/' {
            out.push_str("\\/");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
pub mod tests {

    use super::*;

    fn secret() -> Secret {
        Secret::new("battery-secret-0123456789").expect("secret")
    }

    fn judge() -> &'static Judge {
        static JUDGE: std::sync::OnceLock<Judge> = std::sync::OnceLock::new();
        JUDGE.get_or_init(|| {
            let validator = whereby_webhooks_conformance::Validator::embedded(Default::default())
                .expect("embedded spec");
            Judge::new(validator, vec![secret()])
        })
    }

    /// The deliveries of `selected`, judged with the test secret.
    pub fn built(selected: &[CheckId]) -> Vec<Delivery> {
        build(selected, judge(), &secret())
    }

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("valid JSON")
    }

    /// Under every other scheme, the battery's authentic deliveries are
    /// signed with that scheme's headers and judged authentic, and every
    /// forged one is judged a forgery, its signature header in the
    /// scheme's layout (or absent).
    #[test]
    fn other_schemes_sign_and_forge_in_their_own_layout() {
        use whereby_webhooks_signature::Profile;
        for profile in [Profile::Stripe, Profile::Github, Profile::StandardWebhooks] {
            let scheme = profile.scheme();
            let key = scheme
                .secret("whsec_YmF0dGVyeS1zZWNyZXQtMDEyMzQ1Njc4OQ==")
                .expect("a key");
            let validator = whereby_webhooks_conformance::Validator::embedded(Default::default())
                .expect("embedded spec");
            let judge = Judge::new(validator, vec![key.clone()]).with_scheme(scheme);
            let checks: Vec<CheckId> = CheckId::ALL
                .into_iter()
                .filter(|check| {
                    !matches!(
                        check,
                        CheckId::RejectsStaleTimestamp | CheckId::RejectsFutureTimestamp
                    )
                })
                .collect();
            for delivery in build(&checks, &judge, &key) {
                let headers = delivery.headers(scheme, &key, now_unix());
                let signature = headers
                    .iter()
                    .find(|(name, _)| *name == scheme.signature_header)
                    .map(|(_, value)| value.as_str());
                let authentic = matches!(delivery.signing, Signing::Now);
                assert_eq!(
                    delivery.expect,
                    if authentic {
                        Expect::Accept
                    } else {
                        Expect::Reject
                    },
                    "{profile} {}",
                    delivery.label
                );
                match (&delivery.signing, signature) {
                    (Signing::Unsigned, None) => {}
                    (Signing::Unsigned, Some(_)) => panic!("{profile}: unsigned but signed"),
                    (_, None) => panic!("{profile} {}: no signature header", delivery.label),
                    (_, Some(value)) => assert!(
                        !value.starts_with("t=")
                            || matches!(scheme.format, SignatureFormat::Items { .. }),
                        "{profile} {}: {value}",
                        delivery.label
                    ),
                }
                if profile == Profile::Github {
                    assert!(
                        headers.iter().any(|(name, _)| *name == "X-GitHub-Event"),
                        "{}",
                        delivery.label
                    );
                }
            }
        }
    }

    #[test]
    fn ids_are_64_lowercase_hex_and_fresh() {
        let deliveries = built(&CheckId::ALL);
        let mut ids = std::collections::BTreeSet::new();
        for delivery in &deliveries {
            let id = parse(&delivery.sent)["id"].as_str().expect("id").to_owned();
            assert_eq!(id.len(), 64, "{id}");
            assert!(
                id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                "{id}"
            );
            ids.insert(id);
        }
        // Only the redelivery repeats an id.
        assert_eq!(ids.len(), deliveries.len() - 1);
    }

    #[test]
    fn variants_differ_in_bytes_but_not_in_meaning() {
        let mut event = joined();
        event["data"]["displayName"] = json!("Zoë 😀 /x");
        let escaped = escaped(&event);
        let text = String::from_utf8(escaped.clone()).expect("ASCII");
        assert!(text.is_ascii());
        assert!(text.contains("Zo\\u00eb \\ud83d\\ude00 \\/x"), "{text}");
        assert_eq!(parse(&escaped), event);
        let reversed = reversed(event.clone());
        assert_eq!(reversed, event, "same JSON value");
        assert_ne!(compact(&reversed), compact(&event), "different bytes");
        assert!(compact(&reversed).starts_with(b"{\"data\""));
    }

    /// Each check's deliveries get from the judge what the check is about:
    /// the reject checks' deliveries a 4xx, every other a 2xx; and a
    /// delivery's expectation follows its signature, not its label.
    #[test]
    fn the_judge_expects_what_each_check_is_about() {
        let rejecting = [
            CheckId::RejectsMissingSignature,
            CheckId::RejectsBadSignature,
            CheckId::RejectsTamperedBody,
            CheckId::RejectsStaleTimestamp,
            CheckId::RejectsFutureTimestamp,
        ];
        let deliveries = built(&CheckId::ALL);
        for check in CheckId::ALL {
            let own: Vec<&Delivery> = deliveries.iter().filter(|d| d.check == check).collect();
            assert!(
                !own.is_empty() || check == CheckId::AnswersWithin5s,
                "{check}"
            );
            let expected = if rejecting.contains(&check) {
                Expect::Reject
            } else {
                Expect::Accept
            };
            for delivery in own {
                assert_eq!(delivery.expect, expected, "{check} {}", delivery.label);
            }
        }
        // The same bytes, signed otherwise, are judged otherwise.
        let mut accepted = built(&[CheckId::AcceptsRedelivery]);
        for delivery in &mut accepted {
            delivery.signing = Signing::Offset(-TEN_MINUTES);
        }
        let rejudged = judged(accepted, judge(), &secret());
        assert!(rejudged.iter().all(|d| d.expect == Expect::Reject));
    }

    #[test]
    fn bodies_other_than_the_variants_are_compact_and_conform() {
        let validator = whereby_webhooks_conformance::Validator::embedded(Default::default())
            .expect("embedded spec");
        for delivery in built(&[CheckId::AcceptsEveryEvent, CheckId::RejectsBadSignature]) {
            let value = parse(&delivery.sent);
            assert_eq!(compact(&value), delivery.sent);
            let report = validator.validate_bytes(&delivery.sent);
            assert!(report.is_valid(), "{}: {report:?}", delivery.label);
        }
    }

    #[test]
    fn probes_write_the_refused_event_again_with_a_fresh_id() {
        let mut event = joined();
        event["data"]["displayName"] = json!("Zoë 😀");
        let refused = Delivery::new(CheckId::RawBodySignature, "indented", pretty(&event));
        let probes = probes(&refused, judge(), &secret());
        let forms: Vec<Form> = probes.iter().map(|(form, _)| *form).collect();
        assert_eq!(forms, [Form::Delivered, Form::Compact, Form::Python]);
        let old_id = event["id"].as_str().expect("id");
        let mut ids = std::collections::BTreeSet::new();
        for (_, probe) in &probes {
            let mut value = parse(&probe.sent);
            let id = value["id"].as_str().expect("id").to_owned();
            assert_ne!(id, old_id);
            value["id"] = json!(old_id);
            assert_eq!(value, event, "the same event");
            assert_eq!(probe.expect, Expect::Accept);
            ids.insert(id);
        }
        assert_eq!(ids.len(), 3, "a fresh id for each probe");
        let python = String::from_utf8(probes[2].1.sent.clone()).expect("ASCII");
        assert!(python.starts_with("{\"id\": \""), "{python}");
        assert!(
            python.contains("\"Zo\\u00eb \\ud83d\\ude00\", \""),
            "{python}"
        );
        let mut float = event.clone();
        float["data"]["durationInSeconds"] = json!(2367.0);
        float["data"]["negative"] = json!(-0.0);
        float["data"]["half"] = json!(2237.5);
        let js = String::from_utf8(stringify(&float)).expect("UTF-8");
        assert!(
            js.contains(r#""durationInSeconds":2367,"negative":0,"half":2237.5}"#),
            "{js}"
        );
        // A compact delivery is probed afresh and as json.dumps writes it.
        let compact_refused = Delivery::new(CheckId::AcceptsEveryEvent, "x", compact(&event));
        let forms: Vec<Form> = super::probes(&compact_refused, judge(), &secret())
            .iter()
            .map(|(form, _)| *form)
            .collect();
        assert_eq!(forms, [Form::Delivered, Form::Python]);
    }

    #[test]
    fn timing_alone_sends_one_delivery() {
        let deliveries = built(&[CheckId::AnswersWithin5s]);
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].expect, Expect::Accept);
    }
}
