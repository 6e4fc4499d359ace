//! Behaviour of `sign` and `verify` as a receiver sees it.

use std::time::Duration;

use proptest::prelude::*;
use whereby_webhooks_signature::{
    DEFAULT_TOLERANCE, EmptySecret, ErrorKind, HEADER_NAME, MalformedReason, Secret,
    SignatureHeader, Tolerance, V1Signatures, VerifyError, now_unix, sign, verify,
};

const NOW: u64 = 1_700_000_000;
const TEST_SECRET: &str = "whereby-test-secret";
const DOCS_HEADER: &str =
    "t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3";

fn secret(value: &str) -> Secret {
    Secret::new(value).expect("non-empty secret")
}

fn malformed(item: Option<usize>, reason: MalformedReason) -> VerifyError {
    VerifyError::MalformedHeader { item, reason }
}

/// Verifies with `TEST_SECRET`, no time check.
fn check(header: &str, body: &[u8]) -> Result<u64, VerifyError> {
    verify(
        header,
        body,
        &[secret(TEST_SECRET)],
        Tolerance::Disabled,
        NOW,
    )
}

/// The `v1` hex of a header made by `sign`.
fn v1_of(header: &str) -> &str {
    header.split_once(",v1=").expect("signed header").1
}

// ---------------------------------------------------------------------------
// Known answers, computed with Python's `hmac` module and `openssl dgst`.
// ---------------------------------------------------------------------------

#[test]
fn known_answer_vectors() {
    let long_secret = "clé-secrète-🔑-".repeat(6); // 114 bytes: longer than a block
    let cases: [(&str, u64, &[u8], &str); 6] = [
        (
            TEST_SECRET,
            1_606_227_791,
            br#"{"type":"room.client.joined","data":{"roomName":"/demo","roleName":"host"}}"#,
            "c6fab8f5c3d9d1f9d3a8480bafda7021944e2b59700a554bf43764ee1a468f8b",
        ),
        (
            &long_secret,
            1_700_000_000,
            b"\xff\xfe\x00binary\x80",
            "df099d16d255ff0d9b23f37d68194c8deb9f7b8eb8f947f78f740f10f165960c",
        ),
        (
            "x",
            0,
            b"",
            "045c61d8e9ff9274e9d6b8afb5207891632db48432629340fe21266c085c9fd1",
        ),
        (
            TEST_SECRET,
            1_606_227_791,
            b"{}",
            "0592d0c51918726e787231fe0210bc0d54140ba8d31a1633540c6136c36e68f2",
        ),
        (
            TEST_SECRET,
            u64::MAX,
            b"payload",
            "d8b4f8367d5cadf0d3b70ab3f3107e0f16dce190b0a9fcce4b8d8648346f7d32",
        ),
        (
            "secret",
            1_606_227_791,
            b"{}",
            "b286fd8f68858e0b0e35afdb2e437f8daa6ff4f2126f23b513cd09d6b98adb2d",
        ),
    ];
    for (key, timestamp, body, expected_hex) in cases {
        let key = secret(key);
        let header = sign(&key, timestamp, body);
        assert_eq!(header, format!("t={timestamp},v1={expected_hex}"));
        assert_eq!(
            verify(&header, body, &[key], Tolerance::Disabled, NOW),
            Ok(timestamp)
        );
    }
}

#[test]
fn timestamp_digits_are_hashed_as_sent() {
    // HMAC of "0001606227791.{}": leading zeros are part of the message.
    let zeros =
        "t=0001606227791,v1=340b1644a80332b830e62330923cfa1f5c829e1f77a5f9fbf8d621e00a423995";
    assert_eq!(check(zeros, b"{}"), Ok(1_606_227_791));
    // The signature over "1606227791.{}" does not carry over to "0001606227791".
    let canonical_sig = "0592d0c51918726e787231fe0210bc0d54140ba8d31a1633540c6136c36e68f2";
    assert_eq!(
        check(&format!("t=0001606227791,v1={canonical_sig}"), b"{}"),
        Err(VerifyError::NoMatch)
    );
    assert_eq!(
        check(&format!("t=1606227791,v1={canonical_sig}"), b"{}"),
        Ok(1_606_227_791)
    );
}

#[test]
fn docs_example_header_parses() {
    let parsed = SignatureHeader::parse(DOCS_HEADER).expect("docs header parses");
    assert_eq!(parsed.timestamp(), 1_606_227_791);
    assert_eq!(parsed.timestamp_text(), "1606227791");
    assert_eq!(parsed.v1_count(), 1);
    let signatures: Vec<[u8; 32]> = parsed.v1_signatures().collect();
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0][..4], [0x94, 0xa2, 0x3d, 0xc9]);
    assert_eq!(signatures[0][31], 0xa3);
    // Not signed with our secret, over our body.
    assert_eq!(check(DOCS_HEADER, b"{}"), Err(VerifyError::NoMatch));
}

// ---------------------------------------------------------------------------
// Header grammar.
// ---------------------------------------------------------------------------

#[test]
fn several_v1_entries_any_may_match() {
    let body = b"{\"a\":1}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    let good_v1 = v1_of(&good);
    let other = "ab".repeat(32);
    for header in [
        format!("t={NOW},v1={other},v1={good_v1}"),
        format!("t={NOW},v1={good_v1},v1={other}"),
        format!("v1={other},t={NOW},v0=zz,v1={good_v1}"),
    ] {
        assert_eq!(check(&header, body), Ok(NOW), "{header}");
        let parsed = SignatureHeader::parse(&header).expect("parses");
        assert_eq!(parsed.v1_count(), 2);
    }
    let none = format!("t={NOW},v1={other},v1={}", "cd".repeat(32));
    assert_eq!(check(&none, body), Err(VerifyError::NoMatch));
    // The same matching signature twice still matches (matches are
    // accumulated, not toggled).
    let twice = format!("t={NOW},v1={good_v1},v1={good_v1}");
    assert_eq!(check(&twice, body), Ok(NOW));
    let thrice = format!("t={NOW},v1={good_v1},v1={other},v1={good_v1},v1={good_v1}");
    assert_eq!(check(&thrice, body), Ok(NOW));
}

#[test]
fn v1_signatures_in_header_order() {
    let header = format!("t=1,v1={},v0=00,v1={}", "01".repeat(32), "FE".repeat(32));
    let parsed = SignatureHeader::parse(&header).expect("parses");
    let all: Vec<[u8; 32]> = parsed.v1_signatures().collect();
    assert_eq!(all, vec![[0x01; 32], [0xfe; 32]]);
    let mut signatures = parsed.v1_signatures();
    assert_eq!(signatures.len(), 2);
    assert_eq!(signatures.next(), Some([0x01; 32]));
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures.next(), Some([0xfe; 32]));
    assert_eq!(signatures.len(), 0);
    assert_eq!(signatures.next(), None);
    assert_eq!(signatures.next(), None);
}

/// Later `v1` entries are found after however many items come first,
/// long or short: the position of the first `v1` is counted exactly.
#[test]
fn v1_signatures_after_many_items() {
    for before in [0, 1, 2, 66, 67, 70] {
        let items: Vec<String> = (0..before).map(|i| format!("x{i}=1")).collect();
        let mut header = items.join(",");
        if !header.is_empty() {
            header.push(',');
        }
        header.push_str(&format!(
            "v1={},t=1,v1={}",
            "01".repeat(32),
            "fe".repeat(32)
        ));
        let parsed = SignatureHeader::parse(&header).expect("parses");
        let all: Vec<[u8; 32]> = parsed.v1_signatures().collect();
        assert_eq!(all, vec![[0x01; 32], [0xfe; 32]], "{before} items first");
    }
    // Each item is counted with its comma: with one `x=1` item per byte
    // of an item, a miscount would land on the first `v1=` again.
    let filler: Vec<&str> = vec!["y=1"; 67];
    let header = format!(
        "{},t=1,v1={},v1={}",
        filler.join(","),
        "aa".repeat(32),
        "bb".repeat(32)
    );
    let parsed = SignatureHeader::parse(&header).expect("parses");
    let all: Vec<[u8; 32]> = parsed.v1_signatures().collect();
    assert_eq!(all, vec![[0xaa; 32], [0xbb; 32]]);
}

/// The header's `Debug` shows what was read, not the signatures.
#[test]
fn header_debug_shows_timestamp_and_count_only() {
    let header = format!("t=7,v1={},v1={}", "01".repeat(32), "fe".repeat(32));
    let parsed = SignatureHeader::parse(&header).expect("parses");
    assert_eq!(
        format!("{parsed:?}"),
        "SignatureHeader { timestamp: 7, v1_count: 2 }"
    );
}

#[test]
fn only_other_schemes_is_not_enough() {
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    // Even a correct HMAC under another scheme name is ignored.
    let as_v0 = format!("t={NOW},v0={}", v1_of(&good));
    assert_eq!(check(&as_v0, body), Err(VerifyError::NoV1Signature));
    assert_eq!(
        check(&format!("t={NOW},v2=abc,foo=bar"), body),
        Err(VerifyError::NoV1Signature)
    );
}

#[test]
fn unknown_keys_are_ignored() {
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    let header = format!("foo=bar,t={NOW},v0=not-hex,v2=,x=a=b=c,v1={}", v1_of(&good));
    assert_eq!(check(&header, body), Ok(NOW));
}

#[test]
fn malformed_headers() {
    let hex = "0".repeat(64);
    let cases: Vec<(String, Option<usize>, MalformedReason)> = vec![
        (String::new(), None, MalformedReason::EmptyHeader),
        (" \t ".into(), None, MalformedReason::EmptyHeader),
        ("t".into(), Some(1), MalformedReason::MissingEquals),
        (
            format!("t=1,v1{hex}"),
            Some(2),
            MalformedReason::MissingEquals,
        ),
        ("t=".into(), Some(1), MalformedReason::EmptyTimestamp),
        (
            format!("t=123abc,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=-1,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=+5,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=1 2,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=1.5,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=0x10,v1={hex}"),
            Some(1),
            MalformedReason::TimestampNotDigits,
        ),
        (
            format!("t=18446744073709551616,v1={hex}"),
            Some(1),
            MalformedReason::TimestampOverflow,
        ),
        (
            format!("v1={hex},t={}", "9".repeat(40)),
            Some(2),
            MalformedReason::TimestampOverflow,
        ),
        (
            format!("t=1,,v1={hex}"),
            Some(2),
            MalformedReason::EmptyItem,
        ),
        (
            format!("t=1,v1={hex},"),
            Some(3),
            MalformedReason::EmptyItem,
        ),
        (
            format!(",t=1,v1={hex}"),
            Some(1),
            MalformedReason::EmptyItem,
        ),
        (
            format!("t=1,=x,v1={hex}"),
            Some(2),
            MalformedReason::EmptyKey,
        ),
        (
            format!("t =1,v1={hex}"),
            Some(1),
            MalformedReason::WhitespaceInKey,
        ),
        (
            "t=1,v1=".into(),
            Some(2),
            MalformedReason::V1WrongLength { len: 0 },
        ),
        (
            "t=1,v1=abc".into(),
            Some(2),
            MalformedReason::V1WrongLength { len: 3 },
        ),
        (
            format!("t=1,v1={}", "a".repeat(63)),
            Some(2),
            MalformedReason::V1WrongLength { len: 63 },
        ),
        (
            format!("t=1,v1={}", "a".repeat(65)),
            Some(2),
            MalformedReason::V1WrongLength { len: 65 },
        ),
        (
            format!("t=1,v1={}", "é".repeat(32)),
            Some(2),
            MalformedReason::V1WrongLength { len: 32 },
        ),
        (
            format!("t=1,v1={}", "g".repeat(64)),
            Some(2),
            MalformedReason::V1NotHex,
        ),
        (
            format!("t=1,v1={}z", "a".repeat(63)),
            Some(2),
            MalformedReason::V1NotHex,
        ),
        (
            // Base64 of 32 bytes is 44 characters, not a v1 signature.
            "t=1,v1=lKI9ydc+jmq9+dQJWu6VRpfpMX6WSedCNhs1cH7dRaM=".into(),
            Some(2),
            MalformedReason::V1WrongLength { len: 44 },
        ),
    ];
    for (header, item, reason) in cases {
        let expected = malformed(item, reason);
        assert_eq!(check(&header, b"{}"), Err(expected.clone()), "{header:?}");
        assert_eq!(
            SignatureHeader::parse(&header).err(),
            Some(expected),
            "{header:?}"
        );
    }
}

#[test]
fn malformed_header_fails_even_if_a_v1_matches() {
    // The header is validated as a whole before anything is hashed.
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    assert_eq!(
        check(&format!("{good},junk"), body),
        Err(malformed(Some(3), MalformedReason::MissingEquals))
    );
    assert_eq!(
        check(&format!("{good},v1=abc"), body),
        Err(malformed(
            Some(3),
            MalformedReason::V1WrongLength { len: 3 }
        ))
    );
}

#[test]
fn duplicate_timestamp() {
    let hex = "0".repeat(64);
    assert_eq!(
        check(&format!("t=1,v1={hex},t=1"), b""),
        Err(VerifyError::DuplicateTimestamp { item: 3 })
    );
    assert_eq!(
        check(&format!("t=1,t=2,v1={hex}"), b""),
        Err(VerifyError::DuplicateTimestamp { item: 2 })
    );
    // Even when the first one is correctly signed.
    let good = sign(&secret(TEST_SECRET), NOW, b"{}");
    assert_eq!(
        check(&format!("{good},t={NOW}"), b"{}"),
        Err(VerifyError::DuplicateTimestamp { item: 3 })
    );
}

#[test]
fn missing_timestamp() {
    let good = sign(&secret(TEST_SECRET), NOW, b"{}");
    let v1 = v1_of(&good);
    assert_eq!(
        check(&format!("v1={v1}"), b"{}"),
        Err(VerifyError::MissingTimestamp)
    );
    // Keys are case-sensitive: `T` is an unknown key.
    assert_eq!(
        check(&format!("T={NOW},v1={v1}"), b"{}"),
        Err(VerifyError::MissingTimestamp)
    );
    // Missing `t` is reported before missing `v1`.
    assert_eq!(check("v0=1", b"{}"), Err(VerifyError::MissingTimestamp));
}

// ---------------------------------------------------------------------------
// Documented leniency: hex case and whitespace around items.
// ---------------------------------------------------------------------------

#[test]
fn uppercase_and_mixed_case_hex_are_accepted() {
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    let v1 = v1_of(&good);
    assert_eq!(v1, v1.to_ascii_lowercase(), "sign emits lowercase");
    let upper = format!("t={NOW},v1={}", v1.to_ascii_uppercase());
    assert_eq!(check(&upper, body), Ok(NOW));
    let mixed: String = v1
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    assert_eq!(check(&format!("t={NOW},v1={mixed}"), body), Ok(NOW));
}

#[test]
fn whitespace_around_items_is_accepted() {
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    let v1 = v1_of(&good);
    for header in [
        format!("t={NOW}, v1={v1}"),
        format!(" t={NOW} ,  v1={v1} "),
        format!("\tt={NOW},\r\n v1={v1}\t"),
    ] {
        assert_eq!(check(&header, body), Ok(NOW), "{header:?}");
    }
}

#[test]
fn whitespace_inside_items_is_not() {
    let body = b"{}";
    let good = sign(&secret(TEST_SECRET), NOW, body);
    let v1 = v1_of(&good);
    assert_eq!(
        check(&format!("t= {NOW},v1={v1}"), body),
        Err(malformed(Some(1), MalformedReason::TimestampNotDigits))
    );
    assert_eq!(
        check(&format!("t={NOW},v1 ={v1}"), body),
        Err(malformed(Some(2), MalformedReason::WhitespaceInKey))
    );
    assert_eq!(
        check(&format!("t={NOW},v1= {v1}"), body),
        Err(malformed(
            Some(2),
            MalformedReason::V1WrongLength { len: 65 }
        ))
    );
}

// ---------------------------------------------------------------------------
// Time window.
// ---------------------------------------------------------------------------

fn at(timestamp: u64, tolerance: Tolerance) -> Result<u64, VerifyError> {
    let body = b"{}";
    let key = secret(TEST_SECRET);
    let header = sign(&key, timestamp, body);
    verify(&header, body, &[key], tolerance, NOW)
}

#[test]
fn too_old() {
    assert_eq!(
        at(NOW - 301, Tolerance::default()),
        Err(VerifyError::TooOld {
            age: Duration::from_secs(301),
            tolerance: DEFAULT_TOLERANCE,
        })
    );
    assert_eq!(
        at(0, Tolerance::seconds(60)),
        Err(VerifyError::TooOld {
            age: Duration::from_secs(NOW),
            tolerance: Duration::from_secs(60),
        })
    );
}

#[test]
fn in_the_future() {
    assert_eq!(
        at(NOW + 301, Tolerance::default()),
        Err(VerifyError::InFuture {
            skew: Duration::from_secs(301),
            tolerance: DEFAULT_TOLERANCE,
        })
    );
    assert_eq!(
        at(u64::MAX, Tolerance::default()),
        Err(VerifyError::InFuture {
            skew: Duration::from_secs(u64::MAX - NOW),
            tolerance: DEFAULT_TOLERANCE,
        })
    );
}

#[test]
fn tolerance_edges_are_inclusive() {
    assert_eq!(at(NOW - 300, Tolerance::default()), Ok(NOW - 300));
    assert_eq!(at(NOW + 300, Tolerance::default()), Ok(NOW + 300));
    assert_eq!(at(NOW, Tolerance::seconds(0)), Ok(NOW));
    assert!(matches!(
        at(NOW - 1, Tolerance::seconds(0)),
        Err(VerifyError::TooOld { .. })
    ));
    assert!(matches!(
        at(NOW + 1, Tolerance::seconds(0)),
        Err(VerifyError::InFuture { .. })
    ));
    // Sub-second windows compare exactly: 1 s is beyond 0.5 s.
    assert!(matches!(
        at(NOW - 1, Tolerance::Window(Duration::from_millis(500))),
        Err(VerifyError::TooOld { .. })
    ));
    assert_eq!(
        at(NOW - 1, Tolerance::Window(Duration::from_millis(1500))),
        Ok(NOW - 1)
    );
}

#[test]
fn tolerance_disabled_accepts_any_time() {
    for timestamp in [0, 1, NOW - 1_000_000, NOW + 1_000_000, u64::MAX] {
        assert_eq!(at(timestamp, Tolerance::Disabled), Ok(timestamp));
    }
}

#[test]
fn signature_is_checked_before_time() {
    // Old and forged: reported as a forgery, not as a replay.
    let body = b"{}";
    let header = sign(&secret("someone-else"), NOW - 10_000, body);
    assert_eq!(
        verify(
            &header,
            body,
            &[secret(TEST_SECRET)],
            Tolerance::default(),
            NOW
        ),
        Err(VerifyError::NoMatch)
    );
}

#[test]
fn tolerance_api() {
    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));
    assert_eq!(Tolerance::default(), Tolerance::Window(DEFAULT_TOLERANCE));
    assert_eq!(Tolerance::DEFAULT, Tolerance::seconds(300));
    assert_eq!(
        Tolerance::from(Duration::from_secs(5)),
        Tolerance::seconds(5)
    );
    assert_eq!(Tolerance::seconds(7).window(), Some(Duration::from_secs(7)));
    assert_eq!(Tolerance::Disabled.window(), None);
}

// ---------------------------------------------------------------------------
// Body and secrets.
// ---------------------------------------------------------------------------

#[test]
fn reserialised_json_body_does_not_match() {
    let key = secret(TEST_SECRET);
    let header = sign(&key, NOW, br#"{"a": 1}"#);
    let error = verify(
        &header,
        br#"{"a":1}"#,
        std::slice::from_ref(&key),
        Tolerance::default(),
        NOW,
    )
    .expect_err("re-serialised body");
    assert_eq!(error, VerifyError::NoMatch);
    assert!(error.to_string().contains(
        "are you hashing the raw request body, byte for byte, and using the right secret?"
    ));
    assert_eq!(
        verify(&header, br#"{"a": 1}"#, &[key], Tolerance::default(), NOW),
        Ok(NOW)
    );
}

#[test]
fn invalid_utf8_body_is_signed_as_bytes() {
    let body: &[u8] = &[0xff, 0xc3, 0x28, 0x00, 0xa0, 0xa1, b'{', 0xf0, 0x28, 0x8c];
    assert!(String::from_utf8(body.to_vec()).is_err());
    let key = secret(TEST_SECRET);
    let header = sign(&key, NOW, body);
    assert_eq!(check(&header, body), Ok(NOW));
    assert_eq!(check(&header, &body[1..]), Err(VerifyError::NoMatch));
}

#[test]
fn empty_secret_is_rejected() {
    assert_eq!(Secret::new("").err(), Some(EmptySecret));
    assert_eq!("".parse::<Secret>().err(), Some(EmptySecret));
    assert_eq!(Secret::try_from("").err(), Some(EmptySecret));
    assert_eq!(Secret::try_from(String::new()).err(), Some(EmptySecret));
    assert_eq!(
        Secret::try_from(" ").err(),
        Some(EmptySecret),
        "only whitespace signs nothing worth checking"
    );
    let message = EmptySecret.to_string();
    assert!(message.starts_with("signing secret is empty"), "{message}");
}

#[test]
fn no_secrets() {
    let header = sign(&secret(TEST_SECRET), NOW, b"{}");
    let error = verify(&header, b"{}", &[], Tolerance::default(), NOW).expect_err("no secrets");
    assert_eq!(error, VerifyError::NoSecrets);
    assert!(!error.is_client_error());
    // Reported before looking at the header.
    assert_eq!(
        verify("", b"{}", &[], Tolerance::default(), NOW),
        Err(VerifyError::NoSecrets)
    );
}

#[test]
fn rotation() {
    let body = b"{\"type\":\"room.client.left\"}";
    let old = secret("old-secret");
    let new = secret("new-secret");
    let unrelated = secret("unrelated");

    // Receiver holds both; sender already switched to the new one.
    let header = sign(&new, NOW, body);
    assert_eq!(
        verify(
            &header,
            body,
            &[old.clone(), new.clone()],
            Tolerance::default(),
            NOW
        ),
        Ok(NOW)
    );
    assert_eq!(
        verify(
            &header,
            body,
            std::slice::from_ref(&old),
            Tolerance::default(),
            NOW
        ),
        Err(VerifyError::NoMatch)
    );

    // Sender signs with both; receiver holds either one.
    let both = format!(
        "{},v1={}",
        sign(&old, NOW, body),
        v1_of(&sign(&new, NOW, body))
    );
    for key in [&old, &new] {
        assert_eq!(
            verify(
                &both,
                body,
                std::slice::from_ref(key),
                Tolerance::default(),
                NOW
            ),
            Ok(NOW)
        );
    }
    assert_eq!(
        verify(&both, body, &[unrelated], Tolerance::default(), NOW),
        Err(VerifyError::NoMatch)
    );
}

#[test]
fn secret_never_shown() {
    let value = "s3cr3t-value-do-not-log";
    let key = secret(value);
    assert_eq!(format!("{key:?}"), "Secret(****)");
    assert_eq!(format!("{key}"), "Secret(****)");
    assert_eq!(format!("{key:#?}"), "Secret(****)");
    let keys = [key.clone(), secret("another")];
    assert!(!format!("{keys:?}").contains(value));

    let body = b"{}";
    let good = sign(&key, NOW, body);
    let headers = [
        String::new(),
        "t=1".into(),
        "t=x,v1=0".into(),
        format!("{good},t=1"),
        format!("v1={}", v1_of(&good)),
        format!("t={NOW},v0=1"),
        format!("t={NOW},v1={}", "0".repeat(64)),
        sign(&key, NOW - 1000, body),
        sign(&key, NOW + 1000, body),
        // Even a header that quotes the secret does not get it echoed.
        format!("t=1,{value}"),
        format!("t={value},v1=0"),
        format!("t=1,v1={value}"),
    ];
    for header in headers {
        let error = verify(&header, body, &keys, Tolerance::default(), NOW).expect_err(&header);
        for rendered in [
            error.to_string(),
            format!("{error:?}"),
            format!("{error:#?}"),
        ] {
            assert!(!rendered.contains(value), "{rendered}");
        }
    }
    assert!(!format!("{:?}", Secret::new("")).contains(value));
}

// ---------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------

#[test]
fn error_messages_and_kinds() {
    let cases = [
        (
            VerifyError::NoSecrets,
            ErrorKind::NoSecrets,
            "no_secrets",
            false,
        ),
        (
            malformed(None, MalformedReason::EmptyHeader),
            ErrorKind::MalformedHeader,
            "malformed_header",
            true,
        ),
        (
            VerifyError::MissingTimestamp,
            ErrorKind::MissingTimestamp,
            "missing_timestamp",
            true,
        ),
        (
            VerifyError::DuplicateTimestamp { item: 3 },
            ErrorKind::DuplicateTimestamp,
            "duplicate_timestamp",
            true,
        ),
        (
            VerifyError::NoV1Signature,
            ErrorKind::NoV1Signature,
            "no_v1_signature",
            true,
        ),
        (VerifyError::NoMatch, ErrorKind::NoMatch, "no_match", true),
        (
            VerifyError::TooOld {
                age: Duration::from_secs(400),
                tolerance: DEFAULT_TOLERANCE,
            },
            ErrorKind::TooOld,
            "too_old",
            true,
        ),
        (
            VerifyError::InFuture {
                skew: Duration::from_secs(400),
                tolerance: DEFAULT_TOLERANCE,
            },
            ErrorKind::InFuture,
            "in_future",
            true,
        ),
    ];
    for (error, kind, label, client) in cases {
        assert_eq!(error.kind(), kind);
        assert_eq!(kind.as_str(), label);
        assert_eq!(kind.to_string(), label);
        assert_eq!(error.is_client_error(), client);
        let message = error.to_string();
        let first = message.chars().next().expect("non-empty message");
        assert!(!first.is_uppercase(), "{message}");
        assert!(!message.ends_with('.'), "{message}");
        assert!(message.contains(':'), "says what to do next: {message}");
    }
}

#[test]
fn error_messages_say_where_and_what() {
    let message = check("t=1,v1=abc", b"").expect_err("bad v1").to_string();
    assert!(
        message.starts_with("malformed Whereby-Signature header"),
        "{message}"
    );
    assert!(message.contains("item 2"), "{message}");
    assert!(message.contains("3 characters"), "{message}");
    assert!(
        message.contains("expected `t=<unix seconds>,v1=<64 hex digits>`"),
        "{message}"
    );

    let message = check("", b"").expect_err("empty").to_string();
    assert!(message.contains("the header is empty"), "{message}");
    assert!(!message.contains("item"), "{message}");

    let message = at(NOW - 400, Tolerance::default())
        .expect_err("old")
        .to_string();
    assert!(message.contains("400s old"), "{message}");
    assert!(message.contains("300s tolerance"), "{message}");

    let message = at(NOW + 400, Tolerance::default())
        .expect_err("future")
        .to_string();
    assert!(message.contains("400s in the future"), "{message}");

    let message = VerifyError::DuplicateTimestamp { item: 3 }.to_string();
    assert!(message.contains("item 3"), "{message}");
}

// ---------------------------------------------------------------------------
// Misc API facts.
// ---------------------------------------------------------------------------

#[test]
fn constants_and_clock() {
    assert_eq!(HEADER_NAME, "Whereby-Signature");
    let now = now_unix();
    assert!(now > 1_600_000_000, "{now}");
    let key = secret(TEST_SECRET);
    let header = sign(&key, now, b"{}");
    assert_eq!(
        verify(&header, b"{}", &[key], Tolerance::default(), now_unix()),
        Ok(now)
    );
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Secret>();
    assert_send_sync::<EmptySecret>();
    assert_send_sync::<VerifyError>();
    assert_send_sync::<ErrorKind>();
    assert_send_sync::<MalformedReason>();
    assert_send_sync::<Tolerance>();
    assert_send_sync::<SignatureHeader<'static>>();
    assert_send_sync::<V1Signatures<'static>>();
    // Usable as boxed errors across threads.
    let _: Box<dyn std::error::Error + Send + Sync> = Box::new(VerifyError::NoMatch);
    let _: Box<dyn std::error::Error + Send + Sync> = Box::new(EmptySecret);
}

// ---------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------

fn any_secret() -> impl Strategy<Value = String> {
    // A blank secret is refused (`blank_secrets_are_refused`).
    "\\PC{1,80}".prop_filter("not blank", |s| !s.trim().is_empty())
}

/// Header-like strings: pieces that reach every branch of the parser.
fn header_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("t=".to_string()),
        Just("v1=".to_string()),
        Just("v0=".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        "[0-9]{1,25}",
        "[0-9a-fA-F]{60,66}",
        "[+-.a-zé🔑]{1,3}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify(
        key in any_secret(),
        timestamp in any::<u64>(),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let key = secret(&key);
        let header = sign(&key, timestamp, &body);
        let parsed = SignatureHeader::parse(&header).expect("signed header parses");
        prop_assert_eq!(parsed.timestamp(), timestamp);
        prop_assert_eq!(parsed.v1_count(), 1);
        prop_assert_eq!(
            verify(&header, &body, std::slice::from_ref(&key), Tolerance::Disabled, NOW),
            Ok(timestamp)
        );
        prop_assert_eq!(
            verify(&header, &body, &[key], Tolerance::default(), timestamp),
            Ok(timestamp)
        );
    }

    #[test]
    fn any_changed_body_byte_fails(
        timestamp in any::<u64>(),
        body in prop::collection::vec(any::<u8>(), 1..600),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let key = secret(TEST_SECRET);
        let header = sign(&key, timestamp, &body);
        let mut tampered = body.clone();
        tampered[index.index(body.len())] ^= flip;
        prop_assert_eq!(
            verify(&header, &tampered, &[key], Tolerance::Disabled, NOW),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn any_changed_timestamp_digit_fails(
        timestamp in any::<u64>(),
        body in prop::collection::vec(any::<u8>(), 0..100),
        index in any::<prop::sample::Index>(),
        delta in 1u8..=9,
    ) {
        let key = secret(TEST_SECRET);
        let header = sign(&key, timestamp, &body);
        let digits = timestamp.to_string();
        let i = index.index(digits.len());
        let mut changed = digits.clone().into_bytes();
        changed[i] = b'0' + (changed[i] - b'0' + delta) % 10;
        let changed = String::from_utf8(changed).expect("digits");
        prop_assert_ne!(&changed, &digits);
        let tampered = header.replacen(&digits, &changed, 1);
        let result = verify(&tampered, &body, &[key], Tolerance::Disabled, NOW);
        // All-digit but past u64::MAX is malformed; anything else must not match.
        if changed.parse::<u64>().is_ok() {
            prop_assert_eq!(result, Err(VerifyError::NoMatch));
        } else {
            prop_assert_eq!(
                result,
                Err(malformed(Some(1), MalformedReason::TimestampOverflow))
            );
        }
    }

    #[test]
    fn any_changed_signature_digit_fails(
        timestamp in any::<u64>(),
        body in prop::collection::vec(any::<u8>(), 0..100),
        index in 0usize..64,
        delta in 1u8..16,
        uppercase in any::<bool>(),
    ) {
        let key = secret(TEST_SECRET);
        let header = sign(&key, timestamp, &body);
        let (prefix, v1) = header.split_once(",v1=").expect("signed header");
        let mut hex = v1.as_bytes().to_vec();
        let nibble = (char::from(hex[index]).to_digit(16).expect("hex") as u8 + delta) % 16;
        let digit = char::from_digit(u32::from(nibble), 16).expect("nibble");
        hex[index] = if uppercase { digit.to_ascii_uppercase() } else { digit } as u8;
        let tampered = format!("{prefix},v1={}", String::from_utf8(hex).expect("ascii"));
        prop_assert_eq!(
            verify(&tampered, &body, &[key], Tolerance::Disabled, NOW),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn whitespace_around_items_never_changes_the_outcome(
        timestamp in any::<u64>(),
        pad in prop::collection::vec("[ \t]{0,3}", 4),
    ) {
        let key = secret(TEST_SECRET);
        let header = sign(&key, timestamp, b"{}");
        let (t, v1) = header.split_once(',').expect("two items");
        let padded = format!("{}{t}{},{}{v1}{}", pad[0], pad[1], pad[2], pad[3]);
        prop_assert_eq!(check(&padded, b"{}"), Ok(timestamp));
    }

    #[test]
    fn arbitrary_strings_never_panic(header in any::<String>(), body in prop::collection::vec(any::<u8>(), 0..64)) {
        let result = verify(&header, &body, &[secret(TEST_SECRET)], Tolerance::default(), NOW);
        prop_assert!(result.is_err());
        let error = result.expect_err("random header");
        let _ = (error.to_string(), format!("{error:?}"), error.kind(), error.is_client_error());
        if let Ok(parsed) = SignatureHeader::parse(&header) {
            prop_assert_eq!(parsed.v1_signatures().count(), parsed.v1_count());
        }
    }

    #[test]
    fn header_like_strings_never_panic(header in header_like(), now in any::<u64>()) {
        for tolerance in [Tolerance::default(), Tolerance::Disabled, Tolerance::seconds(u64::MAX)] {
            if let Err(error) = verify(&header, b"{}", &[secret(TEST_SECRET)], tolerance, now) {
                let _ = (error.to_string(), format!("{error:?}"));
            }
        }
        if let Ok(parsed) = SignatureHeader::parse(&header) {
            prop_assert_eq!(parsed.v1_signatures().count(), parsed.v1_count());
            prop_assert!(parsed.v1_count() >= 1);
            // Every yielded tag is one of the header's `v1` values.
            let expected: Vec<[u8; 32]> = header
                .split(',')
                .filter_map(|item| item.trim_ascii().strip_prefix("v1="))
                .map(|hex| {
                    let mut tag = [0u8; 32];
                    for (i, byte) in tag.iter_mut().enumerate() {
                        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("validated hex");
                    }
                    tag
                })
                .collect();
            prop_assert_eq!(parsed.v1_signatures().collect::<Vec<_>>(), expected);
            prop_assert_eq!(parsed.timestamp_text().parse::<u64>().ok(), Some(parsed.timestamp()));
        }
    }
}

#[test]
fn other_providers_header_styles_are_named() {
    let hex = "a".repeat(64);
    for header in [format!("t=1;v1={hex}"), format!("t=1; v1={hex}")] {
        let message = check(&header, b"").expect_err("semicolons").to_string();
        assert!(message.contains("separated by `;`"), "{message}");
        assert!(message.contains("with `,`"), "{message}");
    }
    for header in [
        format!("sha256={hex}"),
        format!("t=1,sha256={hex}"),
        format!("t=1,v1=sha256={hex}"),
    ] {
        let message = check(&header, b"").expect_err("sha256=").to_string();
        assert!(message.contains("`sha256=` prefix"), "{message}");
        assert!(message.contains("v1=<64 hex digits>"), "{message}");
    }
}

#[test]
fn blank_secrets_are_refused() {
    for blank in ["", " ", "   ", "\t\r\n"] {
        assert_eq!(Secret::new(blank).err(), Some(EmptySecret), "{blank:?}");
    }
}
