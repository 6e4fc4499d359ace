//! A deterministic corpus of realistic events for benchmarks: the
//! document's examples with varied ids, names, counts and times, each
//! serialised compactly to between 300 and 800 bytes.
//!
//! Shared by the `validate` benchmark and the `gen_corpus` example (which
//! writes it as NDJSON for timing the command-line tool).

use serde_json::{Value, json};

/// The smallest and largest event, in bytes.
pub const SIZES: std::ops::RangeInclusive<usize> = 300..=800;

const NAMES: [&str; 8] = [
    "Ada Lovelace",
    "Joe Bloggs",
    "Zoë Ångström",
    "Recorder",
    "李小龍",
    "Grace Hopper-Smith",
    "O'Neil",
    "Guest",
];
const ROLES: [&str; 6] = [
    "host",
    "member",
    "visitor",
    "granted_visitor",
    "viewer",
    "recorder",
];

/// `count` events built from `examples` (event type, name, payload), the
/// same for the same `seed`.
pub fn generate(examples: &[(String, String, Value)], count: usize, seed: u64) -> Vec<Vec<u8>> {
    assert!(!examples.is_empty(), "the document has no examples to vary");
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..count)
        .map(|_| {
            let (_, _, example) = &examples[rng.usize(..examples.len())];
            event(&mut rng, example)
        })
        .collect()
}

fn hex(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(rng.u32(..16), 16).unwrap_or('0'))
        .collect()
}

fn uuid(rng: &mut fastrand::Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        hex(rng, 3),
        hex(rng, 12)
    )
}

fn event(rng: &mut fastrand::Rng, example: &Value) -> Vec<u8> {
    let mut event = example.clone();
    event["id"] = json!(uuid(rng));
    event["createdAt"] = json!(format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        rng.u32(21..27),
        rng.u32(1..13),
        rng.u32(1..29),
        rng.u32(0..24),
        rng.u32(0..60),
        rng.u32(0..60),
        rng.u32(0..1000)
    ));
    let data = &mut event["data"];
    data["roomName"] = json!(format!("/{}", uuid(rng)));
    for key in ["roomSessionId", "transcriptionId", "recordingId"] {
        if data.get(key).is_some_and(Value::is_string) {
            data[key] = json!(uuid(rng));
        }
    }
    if data.get("participantId").is_some() {
        data["participantId"] = json!(uuid(rng));
        data["displayName"] = json!(NAMES[rng.usize(..NAMES.len())]);
        data["metadata"] = if rng.bool() {
            json!(format!("order-{}", rng.u32(..100_000)))
        } else {
            Value::Null
        };
    }
    if data.get("meetingId").is_some() && rng.u8(..10) == 0 {
        data.as_object_mut().map(|d| d.shift_remove("meetingId"));
    }
    if data.get("numClients").is_some() {
        let mut total = 0;
        let mut counts = serde_json::Map::new();
        for role in ROLES {
            if rng.bool() {
                let n = rng.u32(1..4);
                total += n;
                counts.insert(role.to_owned(), json!(n));
            }
        }
        data["numClients"] = json!(total);
        data["numClientsByRoleName"] = Value::Object(counts);
    }
    if data.get("durationInSeconds").is_some() {
        data["durationInSeconds"] = json!(f64::from(rng.u32(1..36_000)) / 4.0);
    }
    // Grow the room name to a size drawn from SIZES.
    let base = serde_json::to_vec(&event).map_or(0, |bytes| bytes.len());
    let target = rng.usize(base.max(*SIZES.start())..=*SIZES.end());
    if target > base {
        let name = event["data"]["roomName"].as_str().unwrap_or("/").to_owned();
        let suffix: String = (0..target - base).map(|_| rng.alphanumeric()).collect();
        event["data"]["roomName"] = json!(format!("{name}{suffix}"));
    }
    serde_json::to_vec(&event).unwrap_or_default()
}
