//! Any headers and body at all, under every signature profile: the judge
//! gives a verdict, never a panic, by either of its paths.

use proptest::prelude::*;
use whereby_webhooks_conformance::judge::{Judge, Verdict};
use whereby_webhooks_conformance::{Options, Validator};
use whereby_webhooks_signature::{Message, Profile};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Header values made of the pieces the schemes read, and some that no
/// scheme expects (non-UTF-8 bytes, controls, huge numbers).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"t=".to_vec()),
        Just(b"v1=".to_vec()),
        Just(b"v1,".to_vec()),
        Just(b"sha256=".to_vec()),
        Just(b",".to_vec()),
        Just(b" ".to_vec()),
        Just(b"=".to_vec()),
        Just(b"18446744073709551616".to_vec()),
        Just(b"18446744073709551615".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"1.5".to_vec()),
        Just("\u{663}".as_bytes().to_vec()),
        Just(vec![0xff, 0xc3]),
        "[0-9a-fA-F+/=]{0,70}".prop_map(String::into_bytes),
        "[a-z_-]{0,12}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(br#"{"type":"room.client.joined","action":"opened","id":"a"}"#.to_vec()),
        Just(b"{\"type\":\"x\"}\n".to_vec()),
        Just(b"[1,2,{\"a\":1e999}]".to_vec()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn judges() -> &'static [Judge] {
    static JUDGES: std::sync::LazyLock<Vec<Judge>> = std::sync::LazyLock::new(|| {
        Profile::ALL
            .into_iter()
            .map(|profile| {
                let scheme = profile.scheme();
                let secret = scheme.secret(SECRET).expect("a usable secret");
                let validator = Validator::embedded(Options::default()).expect("loads");
                Judge::new(validator, vec![secret]).with_scheme(scheme)
            })
            .collect()
    });
    &JUDGES
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn any_headers_and_body_get_a_verdict(
        names in prop::collection::vec(0usize..8, 0..6),
        values in prop::collection::vec(value(), 6),
        body in body(),
        now in any::<u64>(),
    ) {
        const NAMES: [&str; 8] = [
            "Whereby-Signature", "Stripe-Signature", "X-Hub-Signature-256", "X-GitHub-Event",
            "webhook-signature", "webhook-timestamp", "webhook-id", "X-GitHub-Delivery",
        ];
        let headers: Vec<(&str, &[u8])> = names
            .iter()
            .zip(&values)
            .map(|(name, value)| (NAMES[*name], value.as_slice()))
            .collect();
        for judge in judges() {
            let verdict = judge.judge(&headers, &body, now);
            let signature = judge.signature_of(&headers);
            let concluded = judge.conclude_with(signature, &headers, &body, now);
            let _ = judge.cause_of(&headers, &body, now);
            // Both paths agree on whether the delivery is authentic.
            prop_assert_eq!(
                matches!(verdict, Verdict::Authentic { .. }),
                matches!(concluded, Verdict::Authentic { .. })
            );
        }
    }

    /// Authentic deliveries of every scheme, at any time and with any id,
    /// and the same with their headers cut or doubled.
    #[test]
    fn signed_deliveries_at_any_time_get_a_verdict(
        timestamp in any::<u64>(),
        now in any::<u64>(),
        id in "[ -~]{0,16}",
        body in body(),
        cut in 0usize..4,
    ) {
        for judge in judges() {
            let scheme = judge.scheme();
            let secret = scheme.secret(SECRET).expect("a usable secret");
            let signed = scheme.sign(&secret, &Message { id: Some(&id), timestamp, body: &body });
            let mut headers: Vec<(&str, &[u8])> =
                signed.iter().map(|(name, value)| (*name, value.as_bytes())).collect();
            headers.push(("X-GitHub-Event", b"issues"));
            let _ = judge.judge(&headers, &body, now);
            headers.truncate(cut);
            let doubled = headers.clone();
            headers.extend(doubled);
            let _ = judge.judge(&headers, &body, now);
            let _ = judge.cause_of(&headers, &body, now);
        }
    }
}
