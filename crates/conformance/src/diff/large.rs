//! Large documents: long lists, many properties, webhooks and headers, and
//! values shared by many places are compared in bounded time and memory.
//!
//! Each list here is long enough that comparing it item against item (as
//! this module once did) takes hours; compared through hash sets, each test
//! takes a few seconds in a debug build. A test that does not finish within
//! [`LIMIT`] fails with a message instead of hanging.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::tests::{data, document, with_data};
use super::{Change, ChangeKind, DiffError, LIMITS, Limits, diff_limited};

/// Far more than any of these takes in a debug build, far less than an
/// item-against-item comparison of the same lists.
const LIMIT: Duration = Duration::from_secs(120);

/// How long the lists are.
const LONG: usize = 100_000;

/// `diff(old, new)`, or a failure naming `what` if it does not finish
/// within [`LIMIT`].
fn diff_within(what: &str, old: Value, new: Value) -> Result<Vec<Change>, DiffError> {
    diff_limited_within(what, old, new, LIMITS)
}

/// The same, within smaller `limits`: as the published ones, but reached
/// sooner.
fn diff_limited_within(
    what: &str,
    old: Value,
    new: Value,
    limits: Limits,
) -> Result<Vec<Change>, DiffError> {
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let _ = send.send(diff_limited(&old, &new, limits));
    });
    receive.recv_timeout(LIMIT).unwrap_or_else(|_| {
        panic!("comparing {what} did not finish within {LIMIT:?}: it is not linear")
    })
}

/// Compares two schemas of `data` and expects these changes, by pointer
/// and kind.
fn expect(what: &str, old: Value, new: Value, expected: &[(&str, ChangeKind)]) {
    let changes = diff_within(what, data(old), data(new)).unwrap();
    let kinds: Vec<(&str, ChangeKind)> = changes
        .iter()
        .map(|c| (c.pointer.as_str(), c.kind))
        .collect();
    assert_eq!(kinds, expected);
}

/// A result in a few words: the changes can be very large.
fn outcome(result: &Result<Vec<Change>, DiffError>) -> String {
    match result {
        Ok(changes) => format!("{} changes", changes.len()),
        Err(err) => err.to_string(),
    }
}

/// A document whose `data` has 400 properties, each a `$ref` to `shared`.
fn shared_by_400(shared: Value) -> Value {
    let properties: Map<String, Value> = (0..400)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"$ref": "#/components/schemas/Shared"}),
            )
        })
        .collect();
    document(
        with_data(json!({"type": "object", "properties": properties}), true),
        shared,
    )
}

/// `prefix0`, `prefix1`, ... as strings.
fn names(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| Value::from(format!("{prefix}{i}")))
        .collect()
}

#[test]
#[ignore = "slow"]
fn a_long_closed_list_is_compared_in_linear_time() {
    let old = names("v", LONG);
    let mut new = old.clone();
    new[LONG / 2] = json!("added");
    expect(
        "two long enums",
        json!({"type": "string", "enum": old}),
        json!({"type": "string", "enum": new}),
        &[
            ("/data", ChangeKind::EnumValueAdded),
            ("/data", ChangeKind::EnumValueRemoved),
        ],
    );
}

#[test]
#[ignore = "slow"]
fn a_long_open_list_is_compared_in_linear_time() {
    let old = names("v", LONG);
    let mut new = old.clone();
    new.push(json!("added"));
    // Each value twice: an open list keeps every value once.
    new.extend(old.clone());
    expect(
        "two long open lists",
        json!({"type": "string", "x-extensible-enum": old}),
        json!({"type": "string", "x-extensible-enum": new}),
        &[("/data", ChangeKind::OpenValueAdded)],
    );
}

/// `enum` in one `allOf` branch, intersected with a long `enum` in another;
/// and `anyOf` of `const`s, each read once.
#[test]
#[ignore = "slow"]
fn long_lists_are_merged_in_linear_time() {
    let all = names("v", LONG);
    let constants: Vec<Value> = all.iter().map(|v| json!({"const": v})).collect();
    let mut fewer = all.clone();
    fewer.pop();
    expect(
        "long lists merged",
        json!({"allOf": [{"enum": all}, {"enum": all}]}),
        json!({"allOf": [{"anyOf": constants}, {"enum": fewer}]}),
        &[("/data", ChangeKind::EnumValueRemoved)],
    );
}

#[test]
#[ignore = "slow"]
fn many_properties_are_compared_in_linear_time() {
    let properties = |last: &str| -> Map<String, Value> {
        (0..LONG)
            .map(|i| (format!("p{i}"), json!({})))
            .chain([(last.to_owned(), json!({}))])
            .collect()
    };
    expect(
        "schemas with many properties",
        json!({"type": "object", "properties": properties("old")}),
        json!({"type": "object", "properties": properties("new")}),
        &[
            ("/data/old", ChangeKind::PropertyRemoved),
            ("/data/new", ChangeKind::PropertyAdded),
        ],
    );
}

/// An unknown keyword in many `allOf` branches, each with another value.
#[test]
#[ignore = "slow"]
fn an_unknown_keyword_met_many_times_is_read_in_linear_time() {
    let branches: Vec<Value> = (0..LONG / 4).map(|i| json!({"x": i})).collect();
    expect(
        "many values of one unknown keyword",
        json!({"allOf": branches}),
        json!({"allOf": branches}),
        &[],
    );
}

#[test]
#[ignore = "slow"]
fn many_webhooks_are_compared_in_linear_time() {
    let hooks = |prefix: &str| -> Value {
        let mut doc = data(json!({"type": "string"}));
        let hook = json!({"post": {"requestBody": {"content": {"application/json": {
            "schema": {"type": "object"}}}}}});
        doc["webhooks"] = (0..LONG)
            .map(|i| (format!("{prefix}{i}"), hook.clone()))
            .collect::<Map<String, Value>>()
            .into();
        doc
    };
    // Every old webhook removed and every new one added: a change each.
    let changes = diff_within("many webhooks", hooks("a"), hooks("b"));
    // Each change is small: all of them are kept.
    assert_eq!(changes.unwrap().len(), 2 * LONG);
}

#[test]
#[ignore = "slow"]
fn many_headers_are_compared_in_linear_time() {
    let with_headers = |prefix: &str| -> Value {
        let mut doc = data(json!({"type": "string"}));
        let parameters = &mut doc["webhooks"]["ping"]["post"]["parameters"];
        let signature = parameters[0].clone();
        *parameters = std::iter::once(signature)
            .chain((0..LONG).map(|i| json!({"name": format!("{prefix}{i}"), "in": "header"})))
            .collect();
        doc
    };
    let changes = diff_within("many headers", with_headers("a"), with_headers("a"));
    assert!(changes.unwrap().is_empty());
}

/// A long list shared by many places, changed: every place has a change
/// that would copy the whole list. The comparison stops once the changes
/// found would outgrow what one comparison keeps.
#[test]
#[ignore = "slow"]
fn a_large_value_changed_in_many_places_is_not_copied_without_bound() {
    let places = shared_by_400;
    let big = || json!({"type": "string", "enum": names("v", LONG / 10)});
    let limits = Limits {
        kept: 8 << 20,
        ..LIMITS
    };
    let result = diff_limited_within(
        "a large list changed in many places",
        places(big()),
        places(json!({"type": "string"})),
        limits,
    );
    assert!(
        matches!(result, Err(DiffError::TooManyChanges)),
        "{}",
        outcome(&result)
    );
    // Changed in fewer places, it is kept.
    let few = |big: Value| {
        let mut doc = places(big);
        let properties = doc["components"]["schemas"]["Ping"]["properties"]["data"]["properties"]
            .as_object_mut()
            .unwrap();
        properties.retain(|name, _| name.len() == 2);
        doc
    };
    let changes = diff_limited_within(
        "a large list changed in a few places",
        few(big()),
        few(json!({"type": "string"})),
        limits,
    )
    .unwrap();
    assert_eq!(changes.len(), 10);
}

/// A long list shared by many places and unchanged: each place reads it,
/// and the reading counts against the budget.
#[test]
#[ignore = "slow"]
fn a_long_list_shared_by_many_places_is_read_within_the_budget() {
    let places = || shared_by_400(json!({"type": "string", "enum": names("v", LONG / 10)}));
    let limits = Limits {
        work: 400_000,
        ..LIMITS
    };
    let result = diff_limited_within(
        "a long list read in many places",
        places(),
        places(),
        limits,
    );
    assert!(
        matches!(result, Err(DiffError::TooComplex)),
        "{}",
        outcome(&result)
    );
}

/// A long condition, and a `then` that requires many properties under it.
#[test]
#[ignore = "slow"]
fn a_long_condition_is_not_copied_for_each_property_it_requires() {
    let required = names("p", LONG);
    let condition = json!({"properties": {"kind": {"enum": names("k", LONG)}}});
    let schema = json!({"type": "object", "if": condition, "then": {"required": required}});
    expect("a long condition", schema.clone(), schema, &[]);
}

/// The least reading budget (see [`Limits::work`]) within which comparing
/// a document with itself succeeds.
fn least_work(document: &Value) -> usize {
    let fits = |work| diff_limited(document, document, Limits { work, ..LIMITS }).is_ok();
    assert!(fits(LIMITS.work), "the document fits the published budget");
    let (mut low, mut high) = (0, LIMITS.work);
    while low < high {
        let mid = low + (high - low) / 2;
        if fits(mid) { high = mid } else { low = mid + 1 }
    }
    low
}

/// A value this tool keeps without judging it (an unknown keyword, a
/// conditional branch it does not read, alternatives it compares as
/// written) costs its size once per side compared: copying it is one
/// reading, not two.
#[test]
#[ignore = "slow"]
fn a_value_kept_as_written_is_counted_once_for_each_side() {
    let long = |n: usize| Value::from(names("v", n));
    type Case = (&'static str, fn(Value) -> Value);
    let cases: [Case; 3] = [
        (
            "an unknown keyword",
            |list| json!({"propertyNames": {"enum": list}}),
        ),
        (
            "a conditional branch",
            |list| json!({"if": {"required": ["a"]}, "then": {"propertyNames": {"enum": list}}}),
        ),
        (
            "alternatives",
            |list| json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"enum": list}]}),
        ),
    ];
    // A thousand more items, read on each side of the comparison.
    let wrong: Vec<(&str, usize)> = cases
        .into_iter()
        .map(|(what, schema)| {
            let cost = |n| least_work(&data(schema(long(n))));
            (what, cost(2_000) - cost(1_000))
        })
        .filter(|&(_, more)| more != 2 * 1_000)
        .collect();
    assert_eq!(wrong, [], "(case, budget taken by 1,000 more items)");
}
