//! What users read, made the same on every run and machine before it is
//! compared with its snapshot: clock times, durations, signing timestamps,
//! and ports become placeholders; everything else stays.
//! (Plain regular expressions: insta's `filters` feature would pull in an
//! ANSI stripper besides.)

use std::sync::LazyLock;

use regex::Regex;

/// What varies between runs, and what stands in for it.
static VARYING: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
    [
        // listen's clock time, at the start of a human line or in JSON.
        (r"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", "[TIME] "),
        (r#""received_at": "[^"]*""#, r#""received_at": "[TIME]""#),
        // Durations: listen's lines, send's answers, check-receiver's timing.
        (r"\b\d+(\.\d+)? ms\b", "[ELAPSED] ms"),
        (
            r#""elapsed_ms": \d+(\.\d+)?"#,
            r#""elapsed_ms": "[ELAPSED]""#,
        ),
        // Signing timestamps, taken from the clock when signing.
        (
            r"signed at \d+ \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)",
            "signed at [UNIX] ([DATE])",
        ),
        (r#""(signed_at|timestamp)": \d+"#, r#""$1": "[UNIX]""#),
        (r"\bt=\d{10}\b", "t=[UNIX]"),
        // The age of a signature, counted from the clock.
        (r"\b\d+( ?)s old\b", "[AGE]${1}s old"),
        // Ports chosen by the system.
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("a valid pattern"), with))
    .collect()
});

/// `text` with what varies between runs replaced by placeholders.
pub fn redact(text: &str) -> String {
    let mut text = text.to_owned();
    for (pattern, with) in VARYING.iter() {
        text = pattern.replace_all(&text, *with).into_owned();
    }
    text
}

/// One JSON document per line, each printed pretty (key order kept) and
/// redacted, separated by blank lines.
pub fn json_lines(text: &str) -> String {
    let pretty: Vec<String> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            serde_json::to_string_pretty(&value).expect("JSON")
        })
        .collect();
    redact(&pretty.join("\n\n"))
}

#[test]
fn redaction_keeps_what_is_fixed_and_replaces_what_varies() {
    let human = "2026-12-06T14:50:14.932Z POST /webhooks 200 room.client.joined signature ok (0.489 ms)\n\
                 200 OK in 3.1 ms, p50 12 ms, 3600s old, 3601 s old\nvalid: signed at 1796568637 (2026-12-06T14:50:37Z)\n\
                 http://127.0.0.1:36209/webhooks t=1796568637,v1=ab createdAt 2026-03-31T09:00:04.512Z";
    assert_eq!(
        redact(human),
        "[TIME] POST /webhooks 200 room.client.joined signature ok ([ELAPSED] ms)\n\
         200 OK in [ELAPSED] ms, p50 [ELAPSED] ms, [AGE]s old, [AGE] s old\nvalid: signed at [UNIX] ([DATE])\n\
         http://127.0.0.1:[PORT]/webhooks t=[UNIX],v1=ab createdAt 2026-03-31T09:00:04.512Z"
    );
    let json = r#"{"received_at":"2026-12-06T14:50:17.086Z","elapsed_ms":0.35,"signature":{"timestamp":1796568617},"body_bytes":532}"#;
    assert_eq!(
        json_lines(json),
        "{\n  \"received_at\": \"[TIME]\",\n  \"elapsed_ms\": \"[ELAPSED]\",\n  \"signature\": {\n    \"timestamp\": \"[UNIX]\"\n  },\n  \"body_bytes\": 532\n}"
    );
}
