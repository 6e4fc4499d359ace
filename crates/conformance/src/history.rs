//! The contract as it stood on a date.
//!
//! Every webhook, every envelope and data property and every value of a
//! list carries the date Whereby first documented it: `x-since` on a
//! webhook's operation and on a property, `x-enumSince` (value → date)
//! beside a list's values (the rule is in the model's `provenance` module).
//! [`as_of`] keeps what was documented by a date and drops the rest, so
//! the document it returns says what a delivery sent that day could carry:
//!
//! - a webhook dated later is dropped, with its schema and its branch of
//!   the union of all events;
//! - a property dated later is dropped from `properties` and from every
//!   `required` list of its object (`then` and `else` included; an `if`
//!   that requires it stays, and so never holds on that date);
//! - a value dated later is dropped from `enum`, `x-extensible-enum`,
//!   `x-enumDescriptions` and `x-enumSince`;
//! - the examples lose the properties dropped, so they stay valid;
//! - `info` says the date, in `x-as-of` and in its description.
//!
//! Nothing else changes: descriptions are today's. The result is an OpenAPI
//! 3.1 document like its source, so two dates can be compared with
//! [`diff`](crate::diff::diff). A date before the docs' history begins
//! ([`HISTORY_START`]) is judged against the earliest contract, and
//! [`AsOf::note`] says so.
//!
//! ```
//! use whereby_webhooks_conformance::{EMBEDDED_SPEC, history};
//!
//! let today: serde_json::Value = serde_json::from_str(EMBEDDED_SPEC)?;
//! let then = history::as_of(&today, "2023-01-01")?;
//! let webhooks = then.document["webhooks"].as_object().unwrap();
//! assert!(webhooks.contains_key("room.client.joined"));
//! assert!(!webhooks.contains_key("recording.finished"));
//! assert_eq!(then.later["recording.finished"], "2023-08-22");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// The first date of Whereby's docs history: what is dated so may be older,
/// and the contract of that day stands for every earlier date.
pub const HISTORY_START: &str = "2022-04-01";

const SINCE: &str = "x-since";
const ENUM_SINCE: &str = "x-enumSince";

/// A date that is not `YYYY-MM-DD`, or not in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a date: give it as YYYY-MM-DD, such as 2023-10-31",
    crate::text::quote(given)
)]
pub struct DateError {
    /// What was given.
    pub given: String,
}

/// `text` when it is a calendar date written `YYYY-MM-DD`.
///
/// ```
/// use whereby_webhooks_conformance::history::parse_date;
///
/// assert_eq!(parse_date("2024-02-29").unwrap(), "2024-02-29");
/// assert!(parse_date("2023-02-29").is_err());
/// assert!(parse_date("2023-1-01").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<&str, DateError> {
    let error = || DateError {
        given: text.to_owned(),
    };
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(error());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().map_err(|_| error());
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(error()),
    };
    if day == 0 || day > days {
        return Err(error());
    }
    Ok(text)
}

/// The date of a `date-time` such as a payload's `createdAt`: its first ten
/// characters, when they are a calendar date.
pub fn date_of(date_time: &str) -> Option<&str> {
    date_time.get(..10).and_then(|date| parse_date(date).ok())
}

/// A document as it stood on a date.
#[derive(Debug, Clone)]
pub struct AsOf {
    /// The document of that date.
    pub document: Value,
    /// The date asked for.
    pub date: String,
    /// The date it was judged as: [`HISTORY_START`] for an earlier date.
    pub judged: String,
    /// The webhooks documented only later, by event type (the webhook's
    /// key), with the date each was first documented.
    pub later: BTreeMap<String, String>,
    /// Why the date was judged as another, if it was.
    pub note: Option<String>,
}

/// Every date at which the document changes: the dates of its webhooks,
/// properties and list values, sorted, each once.
pub fn change_dates(document: &Value) -> Vec<String> {
    let mut dates = BTreeSet::new();
    collect_dates(document, 0, &mut dates);
    dates.into_iter().collect()
}

fn collect_dates(value: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    (SINCE, Value::String(date)) if parse_date(date).is_ok() => {
                        out.insert(date.clone());
                    }
                    (ENUM_SINCE, Value::Object(dates)) => {
                        for date in dates.values().filter_map(Value::as_str) {
                            if parse_date(date).is_ok() {
                                out.insert(date.to_owned());
                            }
                        }
                    }
                    ("examples" | "example", _) => {}
                    _ => collect_dates(child, depth + 1, out),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_dates(item, depth + 1, out)),
        _ => {}
    }
}

/// How deep the walks go: deeper than any schema of the contract, and than
/// the 128 levels a JSON or YAML reader builds.
const MAX_DEPTH: usize = 160;

/// `document` as it stood on `date` (`YYYY-MM-DD`).
///
/// # Errors
///
/// [`DateError`] when `date` is not a calendar date.
pub fn as_of(document: &Value, date: &str) -> Result<AsOf, DateError> {
    parse_date(date)?;
    let (judged, note) = if date < HISTORY_START {
        (
            HISTORY_START.to_owned(),
            Some(format!(
                "{date} is before Whereby's docs history begins ({HISTORY_START}): judged against \
                 the earliest contract, that of {HISTORY_START}"
            )),
        )
    } else {
        (date.to_owned(), None)
    };
    let mut out = document.clone();
    let later = drop_webhooks(&mut out, &judged);
    drop_later(&mut out, &judged, 0);
    prune_examples(document, &mut out);
    drop_unreachable(document, &mut out);
    describe(&mut out, &judged, note.as_deref());
    Ok(AsOf {
        document: out,
        date: date.to_owned(),
        judged,
        later,
        note,
    })
}

/// The webhooks dated after `date` go, with their branch of any union.
fn drop_webhooks(document: &mut Value, date: &str) -> BTreeMap<String, String> {
    let mut later = BTreeMap::new();
    let mut references = BTreeSet::new();
    if let Some(Value::Object(webhooks)) = document.get_mut("webhooks") {
        webhooks.retain(|key, item| {
            let Some(since) = item
                .as_object()
                .into_iter()
                .flat_map(|item| item.values())
                .find_map(|operation| operation.get(SINCE).and_then(Value::as_str))
            else {
                return true;
            };
            if since <= date {
                return true;
            }
            later.insert(key.clone(), since.to_owned());
            for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
                if let Some(Value::String(reference)) =
                    operation.pointer("/requestBody/content/application~1json/schema/$ref")
                {
                    references.insert(reference.clone());
                }
            }
            false
        });
    }
    if !references.is_empty() {
        drop_branches(document, &references, 0);
    }
    later
}

/// Removes `{"$ref": r}` branches of `oneOf`/`anyOf` and discriminator
/// mappings to `r`, for each `r` in `references`.
fn drop_branches(value: &mut Value, references: &BTreeSet<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for keyword in ["oneOf", "anyOf"] {
                if let Some(Value::Array(branches)) = map.get_mut(keyword) {
                    branches.retain(|branch| {
                        !branch
                            .get("$ref")
                            .and_then(Value::as_str)
                            .is_some_and(|r| references.contains(r))
                    });
                }
            }
            if let Some(Value::Object(mapping)) = map
                .get_mut("discriminator")
                .and_then(|d| d.get_mut("mapping"))
            {
                mapping
                    .retain(|_, target| !target.as_str().is_some_and(|r| references.contains(r)));
            }
            for (key, child) in map.iter_mut() {
                if key != "examples" && key != "example" {
                    drop_branches(child, references, depth + 1);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| drop_branches(item, references, depth + 1)),
        _ => {}
    }
}

/// Drops the properties and list values dated after `date`, everywhere.
fn drop_later(value: &mut Value, date: &str, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            let mut dropped = BTreeSet::new();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.retain(|name, property| {
                    let later = property
                        .get(SINCE)
                        .and_then(Value::as_str)
                        .is_some_and(|since| since > date);
                    if later {
                        dropped.insert(name.clone());
                    }
                    !later
                });
            }
            if !dropped.is_empty() {
                unrequire(map, &dropped, 0);
            }
            drop_values(map, date);
            for (key, child) in map.iter_mut() {
                if key != "examples" && key != "example" {
                    drop_later(child, date, depth + 1);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| drop_later(item, date, depth + 1)),
        _ => {}
    }
}

/// Takes `names` out of the `required` lists of `map` and of the schemas
/// applied in place with it (`allOf`, conditions).
fn unrequire(map: &mut Map<String, Value>, names: &BTreeSet<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(Value::Array(required)) = map.get_mut("required") {
        required.retain(|name| !name.as_str().is_some_and(|n| names.contains(n)));
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(keyword) {
            for branch in branches.iter_mut().filter_map(Value::as_object_mut) {
                unrequire(branch, names, depth + 1);
            }
        }
    }
    // An `if` is a test, not a requirement: one that requires a property
    // dated later fails on that date's payloads, so its `then` does not apply.
    for keyword in ["then", "else"] {
        if let Some(Value::Object(branch)) = map.get_mut(keyword) {
            unrequire(branch, names, depth + 1);
        }
    }
}

/// Drops from a list the values its `x-enumSince` dates after `date`.
fn drop_values(map: &mut Map<String, Value>, date: &str) {
    let Some(Value::Object(dates)) = map.get(ENUM_SINCE) else {
        return;
    };
    let later: BTreeSet<String> = dates
        .iter()
        .filter(|(_, since)| since.as_str().is_some_and(|since| since > date))
        .map(|(value, _)| value.clone())
        .collect();
    if later.is_empty() {
        return;
    }
    for keyword in ["enum", "x-extensible-enum"] {
        if let Some(Value::Array(values)) = map.get_mut(keyword) {
            values.retain(|value| !value.as_str().is_some_and(|v| later.contains(v)));
        }
    }
    for keyword in ["x-enumDescriptions", ENUM_SINCE] {
        if let Some(Value::Object(described)) = map.get_mut(keyword) {
            described.retain(|value, _| !later.contains(value));
        }
    }
}

/// The examples of each webhook lose the envelope and `data` properties
/// its body's schema no longer has.
fn prune_examples(source: &Value, document: &mut Value) {
    let Some(Value::Object(webhooks)) = document.get("webhooks") else {
        return;
    };
    let mut edits = Vec::new();
    for (key, item) in webhooks {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
            else {
                continue;
            };
            let Some(before) = source
                .get("webhooks")
                .and_then(|w| w.get(key))
                .and_then(|item| item.get(method))
                .and_then(|op| op.pointer("/requestBody/content/application~1json/schema"))
            else {
                continue;
            };
            let envelope = dropped(source, before, document, schema);
            let data = dropped(
                source,
                &crate::resolve_ref(source, before)["properties"]["data"],
                document,
                &crate::resolve_ref(document, schema)["properties"]["data"],
            );
            edits.push((key.clone(), method.clone(), envelope, data));
        }
    }
    for (key, method, envelope, data) in edits {
        let Some(Value::Object(examples)) = document
            .get_mut("webhooks")
            .and_then(|w| w.get_mut(&key))
            .and_then(|item| item.get_mut(&method))
            .and_then(|op| op.pointer_mut("/requestBody/content/application~1json/examples"))
        else {
            continue;
        };
        for example in examples.values_mut() {
            let Some(Value::Object(value)) = example.get_mut("value") else {
                continue;
            };
            value.retain(|name, _| !envelope.contains(name));
            if let Some(Value::Object(data_value)) = value.get_mut("data") {
                data_value.retain(|name, _| !data.contains(name));
            }
        }
    }
}

/// The property names the schema had in `source` and no longer has.
fn dropped(source: &Value, before: &Value, document: &Value, after: &Value) -> BTreeSet<String> {
    let names = |document: &Value, schema: &Value| -> BTreeSet<String> {
        crate::resolve_ref(document, schema)
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let now = names(document, after);
    names(source, before)
        .into_iter()
        .filter(|name| !now.contains(name))
        .collect()
}

/// The component schemas that only dropped webhooks reached go.
fn drop_unreachable(source: &Value, document: &mut Value) {
    // Schemas no `$ref` of the source names (such as the union) are roots.
    let roots = unnamed(source);
    let before = reachable(source, &roots);
    let now = reachable(document, &roots);
    if let Some(Value::Object(schemas)) = document
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
    {
        schemas.retain(|name, _| now.contains(name) || !before.contains(name));
    }
}

const COMPONENTS: &str = "#/components/schemas/";

/// The component schemas of `document` that no `$ref` in it names.
fn unnamed(document: &Value) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    references(document, COMPONENTS, 0, &mut named);
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|s| s.keys())
        .filter(|name| !named.contains(*name))
        .cloned()
        .collect()
}

/// The names of the component schemas reachable from the webhooks and
/// from `roots`.
fn reachable(document: &Value, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut stack: Vec<String> = roots.iter().cloned().collect();
    if let Some(webhooks) = document.get("webhooks") {
        let mut found = BTreeSet::new();
        references(webhooks, COMPONENTS, 0, &mut found);
        stack.extend(found);
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
            let mut found = BTreeSet::new();
            references(schema, COMPONENTS, 0, &mut found);
            stack.extend(found.into_iter().filter(|n| !seen.contains(n)));
        }
    }
    seen
}

/// The component names the `$ref`s under `value` point to.
fn references(value: &Value, prefix: &str, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(prefix))
            {
                out.insert(name.split('/').next().unwrap_or(name).to_owned());
            }
            map.values()
                .for_each(|child| references(child, prefix, depth + 1, out));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| references(item, prefix, depth + 1, out)),
        _ => {}
    }
}

/// `info` says which date the document is of.
fn describe(document: &mut Value, date: &str, note: Option<&str>) {
    let Some(Value::Object(info)) = document.get_mut("info") else {
        return;
    };
    let mut text = format!(
        "**As of {date}.** The contract as it stood on {date}: only the webhooks, properties and \
         values Whereby had documented by then (by their `x-since` and `x-enumSince`), each \
         required as it was then. Descriptions are today's."
    );
    if let Some(note) = note {
        text.push_str(&format!(" Note: {note}."));
    }
    let description = match info.get("description").and_then(Value::as_str) {
        Some(today) => format!("{text}\n\n{today}"),
        None => text,
    };
    info.insert("description".into(), description.into());
    info.insert("x-as-of".into(), date.into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_are_calendar_dates() {
        for good in ["2022-04-01", "2024-02-29", "2000-02-29", "1999-12-31"] {
            assert_eq!(parse_date(good), Ok(good));
        }
        for bad in [
            "",
            "2023-02-29",
            "1900-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "2023-4-01",
            "2023-04-01T",
            "20230401",
            "２０２３-04-01",
            "created",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(date_of("2023-10-31T13:09:44.373Z"), Some("2023-10-31"));
        assert_eq!(date_of("2023-10"), None);
        assert_eq!(date_of("2023-10-3é"), None);
    }

    fn sample() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "webhooks": {
                "old": { "post": { "x-since": "2022-04-01", "requestBody": { "content": {
                    "application/json": {
                        "schema": { "$ref": "#/components/schemas/Old" },
                        "examples": { "a": { "value": { "id": "x", "late": 1, "data": { "role": "a", "new": 2 } } } }
                    } } } } },
                "new": { "post": { "x-since": "2024-01-01", "requestBody": { "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/New" } } } } } }
            },
            "components": { "schemas": {
                "Old": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "x-since": "2022-04-01" },
                        "late": { "type": "integer", "x-since": "2023-05-05" },
                        "data": { "$ref": "#/components/schemas/Data" }
                    },
                    "required": ["id", "late", "data"],
                    "allOf": [{ "if": { "required": ["id"] }, "then": { "required": ["late"] } }]
                },
                "New": { "type": "object", "properties": { "data": { "$ref": "#/components/schemas/NewData" } } },
                "NewData": { "type": "object" },
                "Data": {
                    "type": "object",
                    "properties": {
                        "role": { "type": "string", "x-extensible-enum": ["a", "b"],
                                  "x-enumDescriptions": { "a": "A.", "b": "B." },
                                  "x-enumSince": { "a": "2022-04-01", "b": "2023-01-01" } },
                        "new": { "type": "integer", "x-since": "2023-01-01" }
                    },
                    "required": ["role", "new"]
                },
                "Union": { "oneOf": [{ "$ref": "#/components/schemas/Old" }, { "$ref": "#/components/schemas/New" }],
                           "discriminator": { "propertyName": "type", "mapping": {
                               "old": "#/components/schemas/Old", "new": "#/components/schemas/New" } } }
            } }
        })
    }

    #[test]
    fn what_came_later_goes() {
        let source = sample();
        let then = as_of(&source, "2022-12-31").unwrap();
        let doc = &then.document;
        assert_eq!(
            then.later,
            BTreeMap::from([("new".into(), "2024-01-01".into())])
        );
        assert!(doc["webhooks"].get("new").is_none());
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(!schemas.contains_key("New") && !schemas.contains_key("NewData"));
        assert_eq!(
            schemas["Union"]["oneOf"],
            json!([{ "$ref": "#/components/schemas/Old" }])
        );
        assert_eq!(
            schemas["Union"]["discriminator"]["mapping"],
            json!({ "old": "#/components/schemas/Old" })
        );
        assert_eq!(schemas["Old"]["required"], json!(["id", "data"]));
        assert!(schemas["Old"]["properties"].get("late").is_none());
        assert_eq!(schemas["Old"]["allOf"][0]["then"]["required"], json!([]));
        assert_eq!(schemas["Old"]["allOf"][0]["if"]["required"], json!(["id"]));
        assert_eq!(schemas["Data"]["required"], json!(["role"]));
        assert_eq!(
            schemas["Data"]["properties"]["role"]["x-extensible-enum"],
            json!(["a"])
        );
        assert_eq!(
            schemas["Data"]["properties"]["role"]["x-enumDescriptions"],
            json!({ "a": "A." })
        );
        let example = &doc["webhooks"]["old"]["post"]["requestBody"]["content"]["application/json"]
            ["examples"]["a"]["value"];
        assert_eq!(example, &json!({ "id": "x", "data": { "role": "a" } }));
        assert_eq!(doc["info"]["x-as-of"], "2022-12-31");
        assert_eq!(then.note, None);
        // On the day itself, what was documented that day is in.
        let day = as_of(&source, "2023-01-01").unwrap().document;
        assert_eq!(
            day["components"]["schemas"]["Data"]["required"],
            json!(["role", "new"])
        );
        // Today: only `info` differs.
        let mut today = as_of(&source, "2030-01-01").unwrap().document;
        today["info"] = source["info"].clone();
        assert_eq!(today, source);
    }

    #[test]
    fn a_date_before_the_history_is_judged_as_its_first_day() {
        let then = as_of(&sample(), "2021-06-01").unwrap();
        assert_eq!(then.judged, HISTORY_START);
        assert!(
            then.note
                .as_deref()
                .unwrap()
                .contains("before Whereby's docs history")
        );
        assert_eq!(then.document["info"]["x-as-of"], HISTORY_START);
        assert!(as_of(&sample(), "June").is_err());
    }

    #[test]
    fn change_dates_are_every_date_once() {
        assert_eq!(
            change_dates(&sample()),
            ["2022-04-01", "2023-01-01", "2023-05-05", "2024-01-01"]
        );
    }
}
