//! `verify` against its lower bound: one HMAC-SHA256 over the same
//! `<t>.<body>` bytes of a 500-byte body. `bare_hmac` keys the HMAC on every
//! call, as a hand-written check would; `bare_hmac_prekeyed` starts from a
//! keyed state, as `Secret` does, and is the floor for `verify`.
//!
//! Run with `cargo bench -p whereby-webhooks-signature`.

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use whereby_webhooks_signature::{Secret, SignatureHeader, Tolerance, sign, verify};

const KEY: &str = "whereby-bench-secret-0123456789abcdef";
const TIMESTAMP: u64 = 1_700_000_000;
const BODY_LEN: usize = 500;

fn main() {
    divan::main();
}

/// A 500-byte JSON-like body.
fn body() -> Vec<u8> {
    let mut body = br#"{"type":"room.client.joined","createdAt":"2024-01-01T00:00:00.000Z","data":{"roomName":"/bench","roleName":"host","metadata":""#.to_vec();
    body.resize(BODY_LEN - 3, b'x');
    body.extend_from_slice(br#""}}"#);
    assert_eq!(body.len(), BODY_LEN);
    body
}

/// The bytes that are signed: `<t>.<body>`.
fn message(body: &[u8]) -> Vec<u8> {
    let mut message = format!("{TIMESTAMP}.").into_bytes();
    message.extend_from_slice(body);
    message
}

/// The limit: key the HMAC, hash `<t>.<body>`, finalise.
#[divan::bench]
fn bare_hmac(bencher: Bencher) {
    let message = message(&body());
    bencher.counter(BytesCount::new(BODY_LEN)).bench(|| {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(black_box(KEY.as_bytes())).expect("any key length");
        mac.update(black_box(&message));
        mac.finalize().into_bytes()
    });
}

/// The same HMAC from an already-keyed state (what `Secret` holds).
#[divan::bench]
fn bare_hmac_prekeyed(bencher: Bencher) {
    let message = message(&body());
    let keyed = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).expect("any key length");
    bencher.counter(BytesCount::new(BODY_LEN)).bench(|| {
        let mut mac = black_box(&keyed).clone();
        mac.update(black_box(&message));
        mac.finalize().into_bytes()
    });
}

/// Parse the header, HMAC once, compare in constant time, check the time.
#[divan::bench]
fn verify_one_secret(bencher: Bencher) {
    let body = body();
    let secrets = [Secret::new(KEY).expect("non-empty")];
    let header = sign(&secrets[0], TIMESTAMP, &body);
    bencher.counter(BytesCount::new(BODY_LEN)).bench(|| {
        verify(
            black_box(&header),
            black_box(&body),
            black_box(&secrets),
            Tolerance::default(),
            black_box(TIMESTAMP + 1),
        )
    });
}

/// Rotation, worst case: the second of two secrets matches (two HMACs).
#[divan::bench]
fn verify_rotation_second_secret(bencher: Bencher) {
    let body = body();
    let secrets = [
        Secret::new("previous-secret").expect("non-empty"),
        Secret::new(KEY).expect("non-empty"),
    ];
    let header = sign(&secrets[1], TIMESTAMP, &body);
    bencher.counter(BytesCount::new(BODY_LEN)).bench(|| {
        verify(
            black_box(&header),
            black_box(&body),
            black_box(&secrets),
            Tolerance::default(),
            black_box(TIMESTAMP + 1),
        )
    });
}

/// Produce the header value.
#[divan::bench]
fn sign_one(bencher: Bencher) {
    let body = body();
    let secret = Secret::new(KEY).expect("non-empty");
    bencher
        .counter(BytesCount::new(BODY_LEN))
        .bench(|| sign(black_box(&secret), black_box(TIMESTAMP), black_box(&body)));
}

/// Parse and validate the header alone.
#[divan::bench]
fn parse_header(bencher: Bencher) {
    let secret = Secret::new(KEY).expect("non-empty");
    let header = sign(&secret, TIMESTAMP, &body());
    bencher.bench(|| SignatureHeader::parse(black_box(&header)).map(|h| h.timestamp()));
}

/// Parse, then decode every signature (as `verify` walks them).
#[divan::bench]
fn parse_and_decode(bencher: Bencher) {
    let secret = Secret::new(KEY).expect("non-empty");
    let header = sign(&secret, TIMESTAMP, &body());
    bencher.bench(|| {
        SignatureHeader::parse(black_box(&header))
            .map(|h| h.v1_signatures().fold(0u8, |a, s| a ^ s[0] ^ s[31]))
    });
}
