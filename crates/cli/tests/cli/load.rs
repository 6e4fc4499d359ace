//! A bounded load test: 2,000 deliveries from 32 concurrent clients to one
//! `listen --record`, every one answered 2xx and recorded exactly once.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use whereby_webhooks_signature::{Secret, now_unix, sign};

use crate::support::listen::{Listener, SECRET};
use crate::support::{self, whereby};

const DELIVERIES: usize = 2_000;
const CLIENTS: usize = 32;
/// The whole exchange must be over by then, or the test fails.
const LIMIT: Duration = Duration::from_secs(60);

/// The `room.client.joined` example with its id replaced.
fn delivery(template: &Value, id: &str) -> Vec<u8> {
    let mut event = template.clone();
    event["id"] = Value::String(id.to_owned());
    serde_json::to_vec(&event).expect("serialisable")
}

#[test]
#[ignore = "slow"]
fn two_thousand_deliveries_from_32_clients_are_all_recorded_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let record = dir.path().join("record.ndjson");
    let listener = Listener::start(&["--record", record.to_str().expect("UTF-8 path")]);
    let url = listener.url("/load");
    let template = serde_json::to_value(
        &whereby_webhooks_model::all_examples()
            .first()
            .expect("an example")
            .event,
    )
    .expect("serialisable");
    let secret = Secret::new(SECRET).expect("non-empty");
    let started = Instant::now();
    let give_up = Arc::new(AtomicBool::new(false));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (url, template, secret) = (url.clone(), template.clone(), secret.clone());
            let give_up = Arc::clone(&give_up);
            std::thread::spawn(move || {
                // Keep-alive connections, no proxy, a bounded wait per request.
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .proxy(None)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                let mut answers = Vec::new();
                for n in (client..DELIVERIES).step_by(CLIENTS) {
                    if give_up.load(Ordering::Relaxed) || started.elapsed() > LIMIT {
                        give_up.store(true, Ordering::Relaxed);
                        break;
                    }
                    let id = format!("load-{n:04}");
                    let body = delivery(&template, &id);
                    let signature = sign(&secret, now_unix(), &body);
                    let status = agent
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .header("Whereby-Signature", &signature)
                        .send(&body[..])
                        .map(|response| response.status().as_u16())
                        .unwrap_or_else(|error| panic!("{id}: {error}"));
                    answers.push((id, status));
                }
                answers
            })
        })
        .collect();
    let answers: Vec<(String, u16)> = clients
        .into_iter()
        .flat_map(|client| client.join().expect("a client thread"))
        .collect();
    let took = started.elapsed();
    assert!(
        !give_up.load(Ordering::Relaxed),
        "not done within {LIMIT:?}: {} answers",
        answers.len()
    );
    assert_eq!(answers.len(), DELIVERIES);
    let refused: Vec<_> = answers
        .iter()
        .filter(|(_, s)| !(200..300).contains(s))
        .collect();
    assert!(
        refused.is_empty(),
        "{} refused, first {:?}",
        refused.len(),
        refused.first()
    );

    let stopped = listener.interrupt();
    assert!(stopped.status.success(), "{}", stopped.stderr);
    assert_eq!(
        stopped.lines.len(),
        DELIVERIES,
        "one stdout line per delivery"
    );

    let text = std::fs::read_to_string(&record).expect("the record");
    assert!(text.ends_with('\n'));
    let mut ids = HashSet::new();
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).expect("whole JSON lines");
        assert_eq!(line["status"], 200, "{line}");
        assert_eq!(line["signature"]["valid"], true);
        assert_eq!(line["schema"]["valid"], true);
        let body: Value =
            serde_json::from_str(line["raw_body"].as_str().expect("the exact body")).expect("JSON");
        assert_eq!(line["id"], body["id"], "the verified id is recorded");
        let id = body["id"].as_str().expect("an id").to_owned();
        assert!(ids.insert(id.clone()), "{id} recorded twice");
    }
    assert_eq!(ids.len(), DELIVERIES, "every delivery recorded");
    let sent: HashSet<String> = answers.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, sent);
    eprintln!("{DELIVERIES} deliveries from {CLIENTS} clients in {took:?}");

    // The whole record passes `validate`.
    let out = whereby()
        .arg("validate")
        .arg("--quiet")
        .arg(&record)
        .output()
        .expect("validate runs");
    support::assert_exit(&out, 0);
}
