//! Any bytes given to `Validator::validate_bytes`, in both modes: it must
//! never panic, and every report must be well formed.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use whereby_webhooks_conformance::{IssueKind, Options, Validator};

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
            if let IssueKind::Syntax { line, .. } = issue.kind {
                assert!(line >= 1);
            }
        }
    }
    // Strict mode only adds errors: what the open schema rejects, the closed one does too.
    if !open.is_valid() {
        assert!(!strict.is_valid());
    }
    // The same payload, parsed first, gets the same report.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        assert_eq!(OPEN.validate_value(&value), open);
    }
});
