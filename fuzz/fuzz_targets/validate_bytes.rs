//! Any bytes given to `Validator::validate_bytes`, in both modes: it must
//! never panic, every report must be well formed, and the quick reading (a
//! tape) must judge exactly as the usual one (`parse_payload`, then
//! `validate_value`).

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use whereby_webhooks_conformance::{Options, Report, Validator, parse_payload};

static OPEN: LazyLock<Validator> =
    LazyLock::new(|| Validator::embedded(Options::default()).expect("the embedded spec loads"));
static STRICT: LazyLock<Validator> = LazyLock::new(|| {
    Validator::embedded(Options { strict: true }).expect("the embedded spec loads")
});

fuzz_target!(|bytes: &[u8]| {
    let open = OPEN.validate_bytes(bytes);
    let strict = STRICT.validate_bytes(bytes);
    for report in [&open, &strict] {
        for issue in &report.errors {
            assert!(issue.instance_path.is_empty() || issue.instance_path.starts_with('/'));
            assert!(!issue.message.is_empty());
            if let Some(position) = issue.position {
                assert!(position.line >= 1);
            }
        }
    }
    // Strict mode only adds errors: what the open schema rejects, the closed one does too.
    if !open.is_valid() {
        assert!(!strict.is_valid());
    }
    // The usual reading alone gives the same reports.
    for (validator, report) in [(&*OPEN, &open), (&*STRICT, &strict)] {
        let usual = match parse_payload(bytes) {
            Ok(value) => validator.validate_value(&value),
            Err(issue) => Report::failed(None, *issue),
        };
        assert_eq!(&usual, report);
    }
});
