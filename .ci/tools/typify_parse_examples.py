"""Writes the main.rs of .ci/tools/typify-check: every example, parsed with the
types cargo-typify generated from spec/schemas/event.json.

Usage: typify_parse_examples.py EXAMPLES_DIR OUT_MAIN_RS

The program (built beside the generated src/generated.rs) checks, for each
example of EXAMPLES_DIR:
- it deserialises into its event's struct (RoomClientJoinedEvent for
  room.client.joined, ...) and serialises back to the same JSON (createdAt
  compared as an instant, an absent optional property allowed back as null);
- the untagged union of all events deserialises it into that same variant
  (typify names the union after the schema's title: WherebyWebhookEvent);
- with an unknown property added to the envelope and to `data`, both still
  deserialise (the contract is open; typify's structs accept unknown
  properties and drop them).
Then it runs `route` of examples/generated-models/route.rs (copied beside
it as src/route.rs) on every example and on an event of a type Whereby may
add: each example it routes must come back as its event's type, it must route
at least one, and the new type must come back as `None` (where the union
fails).
It prints one line per failure and "N passed, M failed", and exits 1 on any
failure. The events come from the examples, so a new one is checked without
editing this file.
"""
import glob
import json
import os
import sys

examples_dir, out = sys.argv[1:3]
cases = []
for path in sorted(glob.glob(os.path.join(examples_dir, "*.json"))):
    event = json.load(open(path, encoding="utf-8"))
    name = "".join(p[:1].upper() + p[1:] for p in event["type"].split(".")) + "Event"
    cases.append(
        f"        ({json.dumps(os.path.abspath(path))}, {json.dumps(name)}, check::<generated::{name}> as Check),"
    )

program = """//! Written by .ci/tools/typify_parse_examples.py.
#![allow(clippy::all, dead_code, irrefutable_let_patterns)]
mod generated;
mod route;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

type Check = fn(&str, &str) -> Result<(), String>;

/// `back` less the null properties `want` lacks.
fn without_added_nulls(back: Value, want: &Value) -> Value {
    match (back, want) {
        (Value::Object(back), Value::Object(want)) => Value::Object(
            back.into_iter()
                .filter(|(k, v)| want.get(k).is_some() || !v.is_null())
                .map(|(k, v)| {
                    let w = want.get(&k).cloned().unwrap_or(Value::Null);
                    (k, without_added_nulls(v, &w))
                })
                .collect(),
        ),
        (back, _) => back,
    }
}

fn instant(value: &mut Value) {
    if let Some(text) = value.get("createdAt").and_then(Value::as_str) {
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
            value["createdAt"] = at.timestamp_nanos_opt().into();
        }
    }
}

fn round_trip<T: Serialize + DeserializeOwned>(text: &str) -> Result<(), String> {
    let parsed: T = serde_json::from_str(text).map_err(|e| format!("deserialise: {e}"))?;
    let back = serde_json::to_value(&parsed).map_err(|e| format!("serialise: {e}"))?;
    let mut want: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut back = without_added_nulls(back, &want);
    instant(&mut want);
    instant(&mut back);
    if want != back {
        return Err(format!("serialises back differently: {back}"));
    }
    Ok(())
}

fn check<T: Serialize + DeserializeOwned>(text: &str, name: &str) -> Result<(), String> {
    round_trip::<T>(text).map_err(|e| format!("{name}: {e}"))?;
    let union: generated::WherebyWebhookEvent =
        serde_json::from_str(text).map_err(|e| format!("WherebyWebhookEvent: {e}"))?;
    let chosen = format!("{union:?}");
    let chosen = chosen.split('(').next().unwrap_or_default();
    if chosen != name {
        return Err(format!("WherebyWebhookEvent chose {chosen}"));
    }
    let mut open: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    open["aPropertyFromTheFuture"] = serde_json::json!({ "added": true });
    open["data"]["anotherPropertyFromTheFuture"] = "added".into();
    let open = open.to_string();
    serde_json::from_str::<T>(&open).map_err(|e| format!("{name}, with unknown properties: {e}"))?;
    let union: generated::WherebyWebhookEvent = serde_json::from_str(&open)
        .map_err(|e| format!("WherebyWebhookEvent, with unknown properties: {e}"))?;
    let chosen = format!("{union:?}");
    if !chosen.starts_with(&format!("{name}(")) {
        return Err(format!("WherebyWebhookEvent, with unknown properties, chose {chosen}"));
    }
    Ok(())
}

/// Runs `route` on every example and on a type Whereby may add.
fn check_routing(examples: &[(&str, &str, Check)]) -> Result<usize, String> {
    let mut routed = 0;
    let mut last = String::new();
    for (path, name, _) in examples {
        last = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        match route::route(last.as_bytes()).map_err(|e| format!("{path}: route: {e}"))? {
            None => {}
            Some(handled) => {
                routed += 1;
                let shown = format!("{handled:?}");
                if !shown.contains(&format!("({name} ")) {
                    return Err(format!("{path}: routed to {}", &shown[..shown.len().min(60)]));
                }
            }
        }
    }
    if routed == 0 {
        return Err("route handled no example".into());
    }
    let mut future: Value = serde_json::from_str(&last).map_err(|e| e.to_string())?;
    future["type"] = "room.somethingNew".into();
    if serde_json::from_value::<generated::WherebyWebhookEvent>(future.clone()).is_ok() {
        return Err("the union took a new event type: routing is moot".into());
    }
    match route::route(future.to_string().as_bytes()) {
        Ok(None) => Ok(routed),
        other => Err(format!("a new event type: {other:?}; want Ok(None)")),
    }
}

fn main() {
    let examples: Vec<(&str, &str, Check)> = vec![
CASES
    ];
    let mut failed = 0;
    for (path, name, check) in &examples {
        let result = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| check(&text, name));
        if let Err(error) = result {
            failed += 1;
            println!("{path}: {error}");
        }
    }
    let routing = check_routing(&examples);
    match &routing {
        Ok(routed) => println!(
            "route: {routed} examples handled, the rest and a new event type acknowledged"
        ),
        Err(error) => println!("route: {error}"),
    }
    println!("{} passed, {failed} failed", examples.len() - failed);
    if failed > 0 || examples.is_empty() || routing.is_err() {
        std::process::exit(1);
    }
}
"""
open(out, "w", encoding="utf-8").write(program.replace("CASES", "\n".join(cases)))
