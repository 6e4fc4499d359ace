//! `check-receiver` against small receivers of our own: a correct one passes
//! every check, and each receiver with one known flaw fails exactly the
//! checks for that flaw.
//!
//! The receivers are plain `std::net` HTTP/1.1 servers on 127.0.0.1 that
//! answer one request per connection.

use std::collections::{BTreeSet, HashSet};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::Value;
use whereby_webhooks_model::all_examples;

use crate::support::receiver::{Flaw, Receiver, SECRET};
use crate::support::{self, SECRET_ENV, assert_exit, json_lines, whereby};

/// Runs check-receiver against `url` with `args`, in JSON; returns the exit
/// code and the ids of the failed checks.
fn check(url: &str, args: &[&str]) -> (i32, BTreeSet<String>, Vec<Value>) {
    let output = whereby()
        .args(["check-receiver", url, "--format", "json", "--interval", "5"])
        .args(args)
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run check-receiver");
    let results = json_lines(&output.stdout);
    let failed = results
        .iter()
        .filter(|result| result["passed"] == false)
        .map(|result| result["check"].as_str().expect("check id").to_owned())
        .collect();
    (output.status.code().unwrap_or(-1), failed, results)
}

fn fails_exactly(flaw: Flaw, expected: &[&str]) {
    let receiver = Receiver::start(flaw);
    let (code, failed, results) = check(&receiver.url, &[]);
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(failed, expected, "{flaw:?}: {results:#?}");
    assert_eq!(code, 1, "{flaw:?}");
    assert_eq!(results.len(), 12);
}

#[test]
fn a_correct_receiver_passes_every_check() {
    let receiver = Receiver::start(Flaw::None);
    let (code, failed, results) = check(&receiver.url, &[]);
    assert!(failed.is_empty(), "{results:#?}");
    assert_eq!(code, 0);
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["check"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "accepts-every-event",
            "raw-body-signature",
            "rejects-missing-signature",
            "rejects-bad-signature",
            "rejects-tampered-body",
            "rejects-stale-timestamp",
            "rejects-future-timestamp",
            "accepts-unknown-event-type",
            "accepts-unknown-properties",
            "accepts-unknown-enum-value",
            "accepts-redelivery",
            "answers-within-5s",
        ]
    );
    for result in &results {
        let keys: Vec<&String> = result.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["check", "passed", "expected", "got", "detail"]);
    }
}

#[test]
fn hashing_reserialised_json_fails_raw_body_signature() {
    fails_exactly(Flaw::HashesReserialisedJson, &["raw-body-signature"]);
}

/// The checks that send authentic deliveries, all refused by a receiver
/// that verifies no authentic delivery.
const EVERY_AUTHENTIC_CHECK: [&str; 6] = [
    "accepts-every-event",
    "raw-body-signature",
    "accepts-unknown-event-type",
    "accepts-unknown-properties",
    "accepts-unknown-enum-value",
    "accepts-redelivery",
];

/// Runs check-receiver against a receiver with `flaw` at `path` (its own is
/// `/webhooks`), in JSON and then as a report card: exactly the `failing`
/// checks fail, each with the diagnosis `id`, no other check has one, the
/// card says it under each failing check with `fix`, and every probe is
/// marked and counted.
fn diagnosed(flaw: Flaw, path: &str, failing: &[&str], id: &str, fix: &str) {
    let receiver = Receiver::start(flaw);
    let url = receiver.url.replace("/webhooks", path);
    let (code, failed, results) = check(&url, &[]);
    assert_eq!(code, 1, "{flaw:?}");
    let expected: BTreeSet<String> = failing.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(failed, expected, "{flaw:?}: {results:#?}");
    for result in &results {
        if result["passed"] == false {
            assert_eq!(result["diagnosis"]["id"], id, "{flaw:?}: {result:#}");
            assert_eq!(result["diagnosis"]["fix"], fix, "{flaw:?}: {result:#}");
            assert!(
                result["diagnosis"]["detail"]
                    .as_str()
                    .is_some_and(|detail| !detail.is_empty()),
                "{result:#}"
            );
        } else {
            assert!(result.get("diagnosis").is_none(), "{result:#}");
        }
    }

    let before = receiver.seen.lock().expect("log").len();
    let output = whereby()
        .args(["check-receiver", &url, "--interval", "0"])
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let line = format!("      diagnosis: {id}: ");
    assert_eq!(text.matches(&line).count(), failing.len(), "{text}");
    let fix_line = format!("; fix: {fix}\n");
    assert_eq!(text.matches(&fix_line).count(), failing.len(), "{text}");
    let seen = receiver.seen.lock().expect("log")[before..].to_vec();
    assert!(
        text.starts_with(&format!("{} deliveries to ", seen.len())),
        "{} seen: {text}",
        seen.len()
    );
    for request in &seen {
        assert_eq!(
            request.header("Whereby-Webhooks-Test"),
            Some("check-receiver")
        );
    }
}

const HASH_THE_RAW_BODY: &str = "hash the raw request body, byte for byte, before any JSON parsing (in Express: express.raw(); in Flask: request.get_data())";

const CHECK_THE_SECRET: &str = "check the secret (this endpoint's signing secret, exactly as Whereby shows it, with no newline or space read along with it) and that the receiver reads the Whereby-Signature header";

const CHECK_THE_PATH: &str =
    "check the URL's path: the receiver answers 404, so nothing handles webhooks there";

#[test]
fn reserialising_as_json_stringify_is_diagnosed() {
    diagnosed(
        Flaw::HashesReserialisedJson,
        "/webhooks",
        &["raw-body-signature"],
        "receiver_reserializes_body",
        HASH_THE_RAW_BODY,
    );
}

#[test]
fn reserialising_as_python_json_dumps_is_diagnosed() {
    diagnosed(
        Flaw::HashesPythonJson,
        "/webhooks",
        &EVERY_AUTHENTIC_CHECK,
        "receiver_reserializes_body",
        HASH_THE_RAW_BODY,
    );
}

#[test]
fn another_secret_is_diagnosed() {
    diagnosed(
        Flaw::OtherSecret,
        "/webhooks",
        &EVERY_AUTHENTIC_CHECK,
        "receiver_secret_mismatch",
        CHECK_THE_SECRET,
    );
}

#[test]
fn a_secret_with_a_trailing_newline_is_diagnosed() {
    diagnosed(
        Flaw::SecretWithNewline,
        "/webhooks",
        &EVERY_AUTHENTIC_CHECK,
        "receiver_secret_mismatch",
        CHECK_THE_SECRET,
    );
}

#[test]
fn a_wrong_path_is_diagnosed() {
    diagnosed(
        Flaw::None,
        "/hooks",
        &EVERY_AUTHENTIC_CHECK,
        "receiver_wrong_path",
        CHECK_THE_PATH,
    );
}

/// A correct receiver gets exactly the battery, and no diagnosis.
#[test]
fn a_correct_receiver_gets_no_probe() {
    let receiver = Receiver::start(Flaw::None);
    let output = whereby()
        .args(["check-receiver", &receiver.url, "--interval", "0"])
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run");
    assert_exit(&output, 0);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(!text.contains("diagnosis"), "{text}");
    let seen = receiver.seen.lock().expect("log").len();
    assert!(
        text.starts_with(&format!("{seen} deliveries to ")),
        "{seen}: {text}"
    );
    let battery = all_examples().len() + 17;
    assert_eq!(seen, battery);
}

#[test]
fn a_500_to_forgeries_fails_every_rejection() {
    fails_exactly(
        Flaw::Answers500ToForgeries,
        &[
            "rejects-missing-signature",
            "rejects-bad-signature",
            "rejects-tampered-body",
            "rejects-stale-timestamp",
            "rejects-future-timestamp",
        ],
    );
}

#[test]
fn accepting_forgeries_fails_every_rejection() {
    fails_exactly(
        Flaw::VerifiesNothing,
        &[
            "rejects-missing-signature",
            "rejects-bad-signature",
            "rejects-tampered-body",
            "rejects-stale-timestamp",
            "rejects-future-timestamp",
        ],
    );
}

#[test]
fn skipping_the_timestamp_fails_both_directions() {
    fails_exactly(
        Flaw::SkipsTimestamp,
        &["rejects-stale-timestamp", "rejects-future-timestamp"],
    );
}

#[test]
fn checking_only_the_age_fails_the_future_timestamp() {
    fails_exactly(Flaw::ChecksOnlyAge, &["rejects-future-timestamp"]);
}

#[test]
fn rejecting_unknown_event_types_fails() {
    fails_exactly(
        Flaw::RejectsUnknownEventTypes,
        &["accepts-unknown-event-type"],
    );
}

#[test]
fn rejecting_unknown_properties_fails() {
    fails_exactly(
        Flaw::RejectsUnknownProperties,
        &["accepts-unknown-properties"],
    );
}

#[test]
fn rejecting_an_unknown_role_fails() {
    fails_exactly(Flaw::RejectsUnknownRole, &["accepts-unknown-enum-value"]);
}

#[test]
fn refusing_a_redelivery_fails() {
    fails_exactly(Flaw::RefusesRedelivery, &["accepts-redelivery"]);
}

/// A header with a fresh timestamp and no `v1`, which anyone can write,
/// is a forgery; before, the battery sent none, and a receiver that
/// accepted it passed every check.
#[test]
fn trusting_a_header_without_v1_fails_the_bad_signature_check() {
    fails_exactly(Flaw::TrustsAHeaderWithoutV1, &["rejects-bad-signature"]);
}

/// The deliveries come in a different order from one run to the next, each
/// check's own in their order (the redelivery after its first delivery).
#[test]
fn the_battery_comes_in_a_random_order() {
    let orders: Vec<Vec<String>> = (0..2)
        .map(|_| {
            let receiver = Receiver::start(Flaw::None);
            let (code, _, _) = check(&receiver.url, &[]);
            assert_eq!(code, 0);
            let seen = receiver.seen.lock().expect("log").clone();
            let ids: Vec<String> = seen
                .iter()
                .map(|request| {
                    let event: Value = serde_json::from_slice(&request.body).expect("JSON");
                    let id = event["id"].as_str().expect("id").to_owned();
                    let signed = request.header("Whereby-Signature").is_some();
                    let ty = event["type"].as_str().expect("type").to_owned();
                    format!("{ty} {signed} {}", id.len())
                })
                .collect();
            // The one repeated id is the redelivery, after its first.
            let bodies: Vec<&Vec<u8>> = seen.iter().map(|request| &request.body).collect();
            let repeated: Vec<usize> = (0..bodies.len())
                .filter(|&i| bodies.iter().filter(|b| **b == bodies[i]).count() > 1)
                .collect();
            assert_eq!(repeated.len(), 2, "one delivery is sent twice");
            ids
        })
        .collect();
    // 27 deliveries in the same order twice by chance: about 1 in 10^20.
    assert_ne!(orders[0], orders[1]);
}

#[test]
#[ignore = "slow"]
fn one_answer_over_5_s_fails_the_timing() {
    fails_exactly(Flaw::SlowOnce, &["answers-within-5s"]);
}

#[test]
fn every_delivery_is_tagged_and_fresh() {
    let receiver = Receiver::start(Flaw::None);
    let (code, _, _) = check(&receiver.url, &[]);
    assert_eq!(code, 0);
    let seen = receiver.seen.lock().expect("log").clone();
    assert!(seen.len() > 20, "{}", seen.len());
    let mut ids = HashSet::new();
    for request in &seen {
        assert_eq!(
            request.header("Whereby-Webhooks-Test"),
            Some("check-receiver")
        );
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        let event: Value = serde_json::from_slice(&request.body).expect("JSON");
        let id = event["id"].as_str().expect("id");
        assert_eq!(id.len(), 64);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        ids.insert(id.to_owned());
    }
    // Only the redelivery repeats an id.
    assert_eq!(ids.len(), seen.len() - 1);
}

#[test]
fn only_and_skip_select_checks() {
    let receiver = Receiver::start(Flaw::RefusesRedelivery);
    let (code, failed, results) = check(
        &receiver.url,
        &[
            "--only",
            "rejects-bad-signature,accepts-redelivery",
            "--skip",
            "rejects-bad-signature",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(results.len(), 1);
    assert!(failed.contains("accepts-redelivery"));
    // The redelivery check's two deliveries, then probes of the refused
    // redelivery (afresh with a new id, and as json.dumps writes it): both
    // accepted, so the refusal is the id's, and nothing is diagnosed.
    let seen = receiver.seen.lock().expect("log").len();
    assert_eq!(
        seen, 4,
        "the redelivery check's two deliveries and two probes"
    );
    assert!(results[0].get("diagnosis").is_none(), "{results:#?}");
}

#[test]
fn deliveries_are_paced() {
    let receiver = Receiver::start(Flaw::None);
    let output = whereby()
        .args(["check-receiver", &receiver.url])
        .args(["--only", "accepts-redelivery", "--interval", "400"])
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run");
    assert_exit(&output, 0);
    let seen = receiver.seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].arrived - seen[0].arrived;
    assert!(gap >= Duration::from_millis(400), "{gap:?}");
}

#[test]
fn the_report_card_has_a_line_per_check_and_a_fix_per_failure() {
    let receiver = Receiver::start(Flaw::Answers500ToForgeries);
    let output = whereby()
        .args([
            "check-receiver",
            &receiver.url,
            "--only",
            "rejects-bad-signature,accepts-redelivery",
            "--interval",
            "0",
        ])
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run");
    assert_exit(&output, 1);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    insta::assert_snapshot!(support::snapshot::redact(&text));
}

#[test]
fn an_unreachable_receiver_is_exit_2() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let output = whereby()
        .args([
            "check-receiver",
            &format!("http://127.0.0.1:{port}/webhooks"),
        ])
        .env(SECRET_ENV, SECRET)
        .output()
        .expect("run");
    assert_exit(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [
        vec![
            "check-receiver",
            "http://127.0.0.1:9/",
            "--only",
            "no-such-check",
        ],
        vec!["check-receiver", "127.0.0.1:9/webhooks"],
        vec!["check-receiver", "http://127.0.0.1:9/", "--timeout", "0"],
        vec![
            "check-receiver",
            "http://127.0.0.1:9/",
            "--only",
            "accepts-redelivery",
            "--skip",
            "accepts-redelivery",
        ],
    ] {
        let output = whereby()
            .args(&args)
            .env(SECRET_ENV, SECRET)
            .output()
            .expect("run");
        assert_exit(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("cannot reach"),
            "{args:?}: sent anyway: {stderr}"
        );
    }
    let output = whereby()
        .args(["check-receiver", "http://127.0.0.1:9/"])
        .output()
        .expect("run");
    assert_exit(&output, 2);
}

/// The report `check-receiver` prints, in both formats, for a receiver that
/// passes every check and for one that fails some.
#[test]
fn report_output() {
    for (name, flaw) in [
        ("passing", Flaw::None),
        ("failing", Flaw::HashesReserialisedJson),
    ] {
        let receiver = Receiver::start(flaw);
        for format in ["human", "json"] {
            let output = whereby()
                .args(["check-receiver", &receiver.url, "--interval", "0"])
                .args(["--format", format])
                .env(SECRET_ENV, SECRET)
                .output()
                .expect("run");
            assert_exit(&output, i32::from(flaw != Flaw::None));
            let stdout = String::from_utf8(output.stdout).expect("UTF-8");
            let stdout = match format {
                "json" => support::snapshot::json_lines(&stdout),
                _ => support::snapshot::redact(&stdout),
            };
            let stderr = support::snapshot::redact(&String::from_utf8_lossy(&output.stderr));
            insta::assert_snapshot!(
                format!("report_{name}_{format}"),
                format!("{stdout}\n--- stderr\n{stderr}")
            );
        }
    }
}
