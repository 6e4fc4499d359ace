//! Mutations of the spec's own examples: each breaks one rule of the schema,
//! and each must be reported, at the right place, and alone.
//!
//! Which properties are required, enumerated or open is read from the
//! document, so the mutations follow the contract as it changes.

use serde_json::{Map, Value, json};
use whereby_webhooks_conformance::{IssueKind, Report};

use crate::common::{document, validator};

/// Follows local `$ref`s.
fn follow(mut schema: &Value) -> &Value {
    while let Some(Value::String(reference)) = schema.get("$ref") {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        schema = document().pointer(pointer).expect("a resolvable reference");
    }
    schema
}

/// The request body schema of an event type.
fn event_schema(event_type: &str) -> &'static Value {
    let hooks = document()["webhooks"].as_object().expect("webhooks");
    hooks
        .values()
        .map(|hook| &hook["post"]["requestBody"]["content"]["application/json"]["schema"])
        .find(|schema| {
            let pinned = &follow(schema)["properties"]["type"];
            let value = pinned.get("const").unwrap_or(&pinned["enum"][0]);
            value.as_str() == Some(event_type)
        })
        .expect("a webhook for the event type")
}

/// One object of an example, with what its schema says about it.
struct Level {
    pointer: String,
    required: Vec<String>,
    /// Whether the schema lists the object's properties (a record), rather
    /// than describing a map.
    has_properties: bool,
}

/// One value of an example, with its schema.
struct Leaf {
    pointer: String,
    enumerated: bool,
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `required` of a schema, with `then.required` when its `if` holds, its own
/// or one in an `allOf` entry.
fn required(schema: &Value, instance: &Value) -> Vec<String> {
    let mut out: Vec<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect();
    for entry in schema["allOf"].as_array().into_iter().flatten() {
        if entry.get("if").is_some() {
            out.extend(required(entry, instance));
        }
    }
    if let Some(condition) = schema.get("if") {
        let holds = jsonschema::validator_for(condition)
            .expect("an `if` without references compiles")
            .is_valid(instance);
        if holds {
            out.extend(
                schema["then"]["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|name| name.as_str().map(str::to_owned)),
            );
        }
    }
    out
}

fn walk(
    schema: &Value,
    instance: &Value,
    pointer: String,
    levels: &mut Vec<Level>,
    leaves: &mut Vec<Leaf>,
) {
    let schema = follow(schema);
    let enumerated = schema.get("enum").is_some()
        || schema.get("const").is_some()
        || schema["oneOf"]
            .as_array()
            .is_some_and(|branches| branches.iter().all(|b| follow(b).get("const").is_some()));
    leaves.push(Leaf {
        pointer: pointer.clone(),
        enumerated,
    });
    let Value::Object(object) = instance else {
        return;
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    levels.push(Level {
        pointer: pointer.clone(),
        required: required(schema, instance),
        has_properties: properties.is_some(),
    });
    for (name, value) in object {
        let child = properties
            .and_then(|p| p.get(name))
            .or_else(|| schema.get("additionalProperties").filter(|s| s.is_object()));
        if let Some(child) = child {
            walk(
                child,
                value,
                format!("{pointer}/{}", escape(name)),
                levels,
                leaves,
            );
        }
    }
}

struct Example {
    label: String,
    value: Value,
    levels: Vec<Level>,
    leaves: Vec<Leaf>,
}

fn examples() -> Vec<Example> {
    let examples = validator(false).examples();
    assert!(!examples.is_empty(), "the document has examples");
    examples
        .into_iter()
        .map(|(event_type, name, value)| {
            let mut levels = Vec::new();
            let mut leaves = Vec::new();
            walk(
                event_schema(&event_type),
                &value,
                String::new(),
                &mut levels,
                &mut leaves,
            );
            Example {
                label: format!("{event_type}.{name}"),
                value,
                levels,
                leaves,
            }
        })
        .collect()
}

fn parent_mut<'a>(value: &'a mut Value, pointer: &str) -> (&'a mut Map<String, Value>, String) {
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer below the root");
    let last = last.replace("~1", "/").replace("~0", "~");
    let object = value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("the parent is an object");
    (object, last)
}

fn assert_only_at(report: &Report, pointer: &str, what: &str) {
    assert!(!report.is_valid(), "{what}: not reported");
    for issue in &report.errors {
        assert_eq!(issue.instance_path, pointer, "{what}: {:#?}", report.errors);
    }
}

#[test]
fn the_examples_conform() {
    for example in examples() {
        let report = validator(false).validate_value(&example.value);
        assert!(report.is_valid(), "{}: {:#?}", example.label, report.errors);
        let report = validator(true).validate_value(&example.value);
        assert!(
            report.is_valid(),
            "strict {}: {:#?}",
            example.label,
            report.errors
        );
    }
}

#[test]
fn dropping_a_required_property_is_reported_at_its_parent() {
    let mut checked = 0;
    for example in examples() {
        for level in &example.levels {
            let object = example
                .value
                .pointer(&level.pointer)
                .and_then(Value::as_object)
                .expect("an object");
            for name in object.keys() {
                let mut mutated = example.value.clone();
                mutated
                    .pointer_mut(&level.pointer)
                    .and_then(Value::as_object_mut)
                    .expect("an object")
                    .shift_remove(name);
                let report = validator(false).validate_value(&mutated);
                let what = format!("{}: drop {}/{name}", example.label, level.pointer);
                if !level.required.contains(name) {
                    assert!(
                        report.is_valid(),
                        "{what} is optional: {:#?}",
                        report.errors
                    );
                    continue;
                }
                checked += 1;
                assert_eq!(report.errors.len(), 1, "{what}: {:#?}", report.errors);
                let issue = &report.errors[0];
                if level.pointer.is_empty() && name == "type" {
                    // Without a `type` there is no schema to report from.
                    assert_eq!(issue.kind, IssueKind::MissingType, "{what}");
                    assert_eq!(issue.instance_path, "/type", "{what}");
                } else {
                    assert_eq!(issue.kind, IssueKind::Required, "{what}");
                    assert_eq!(issue.instance_path, level.pointer, "{what}");
                    assert_eq!(issue.property.as_deref(), Some(name.as_str()), "{what}");
                    assert!(
                        issue
                            .message
                            .starts_with(&format!("missing property {name}")),
                        "{what}: {}",
                        issue.message
                    );
                }
            }
        }
    }
    assert!(checked >= 100, "only {checked} required properties dropped");
}

#[test]
fn an_unknown_enum_value_is_reported_at_the_property() {
    let mut checked = 0;
    for example in examples() {
        for leaf in example.leaves.iter().filter(|leaf| leaf.enumerated) {
            checked += 1;
            let mut mutated = example.value.clone();
            *mutated.pointer_mut(&leaf.pointer).expect("the leaf") =
                json!("surely-not-a-known-value");
            let report = validator(false).validate_value(&mutated);
            let what = format!("{}: {} unknown", example.label, leaf.pointer);
            assert_only_at(&report, &leaf.pointer, &what);
            assert_eq!(report.errors.len(), 1, "{what}: {:#?}", report.errors);
            let expected: &[IssueKind] = if leaf.pointer == "/type" {
                &[IssueKind::UnknownEventType]
            } else {
                &[IssueKind::Enum, IssueKind::Const]
            };
            assert!(expected.contains(&report.errors[0].kind), "{what}");
            assert!(
                report.errors[0]
                    .message
                    .contains("surely-not-a-known-value"),
                "{what}: {}",
                report.errors[0].message
            );
        }
    }
    // type, apiVersion and roleName, transcription type and status, storage type, recording status
    assert!(checked >= 30, "only {checked} enumerated values changed");
}

/// A value of another JSON type than `value`.
fn retyped(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(42),
        Value::Number(_) => json!("42"),
        Value::Object(_) => json!("an object was expected"),
        Value::Bool(b) => json!(b.to_string()),
        Value::Null => json!({}),
        Value::Array(_) => json!("an array was expected"),
    }
}

#[test]
fn a_value_of_the_wrong_json_type_is_reported_at_the_property() {
    let mut checked = 0;
    for example in examples() {
        for leaf in example
            .leaves
            .iter()
            .filter(|leaf| !leaf.pointer.is_empty())
        {
            checked += 1;
            let mut mutated = example.value.clone();
            let target = mutated.pointer_mut(&leaf.pointer).expect("the leaf");
            let original = target.clone();
            *target = retyped(&original);
            let report = validator(false).validate_value(&mutated);
            let what = format!(
                "{}: {} from {original} to {}",
                example.label,
                leaf.pointer,
                retyped(&original)
            );
            assert_only_at(&report, &leaf.pointer, &what);
            // A wrong type; a closed list or a constant also says the value
            // is not one of its values.
            let expected: &[IssueKind] = if leaf.pointer == "/type" {
                &[IssueKind::MissingType]
            } else {
                // `oneOf` of constants: each branch fails in two ways.
                &[
                    IssueKind::Type,
                    IssueKind::Enum,
                    IssueKind::Const,
                    IssueKind::Schema,
                ]
            };
            assert!(
                report
                    .errors
                    .iter()
                    .all(|issue| expected.contains(&issue.kind)),
                "{what}: {:#?}",
                report.errors
            );
        }
        let report = validator(false).validate_value(&json!([example.value]));
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].kind, IssueKind::NotAnObject);
    }
    assert!(checked >= 150, "only {checked} values retyped");
}

#[test]
fn an_unknown_property_is_accepted_by_default_and_reported_in_strict_mode() {
    let mut checked = 0;
    for example in examples() {
        for level in example.levels.iter().filter(|level| level.has_properties) {
            checked += 1;
            let pointer = format!("{}/unexpectedProperty", level.pointer);
            let mut mutated = example.value.clone();
            let (parent, name) = parent_mut(&mut mutated, &pointer);
            parent.insert(name, json!({ "nested": [1, "two", null] }));
            let what = format!("{}: add {pointer}", example.label);

            let report = validator(false).validate_value(&mutated);
            assert!(report.is_valid(), "{what}: {:#?}", report.errors);

            let report = validator(true).validate_value(&mutated);
            assert_eq!(report.errors.len(), 1, "{what}: {:#?}", report.errors);
            let issue = &report.errors[0];
            assert_eq!(issue.kind, IssueKind::UnknownProperty, "{what}");
            assert_eq!(issue.instance_path, pointer, "{what}");
            assert!(
                issue.message.contains("\"unexpectedProperty\""),
                "{what}: {}",
                issue.message
            );
        }
    }
    assert!(checked >= 26, "only {checked} objects extended");
}

#[test]
fn strict_mode_reports_every_other_error_too() {
    for example in examples() {
        let mut mutated = example.value.clone();
        mutated["createdAt"] = json!("yesterday");
        mutated["data"]["unexpectedProperty"] = json!(true);
        let report = validator(true).validate_value(&mutated);
        let mut found: Vec<(&str, &IssueKind)> = report
            .errors
            .iter()
            .map(|issue| (issue.instance_path.as_str(), &issue.kind))
            .collect();
        found.sort_by_key(|(path, _)| *path);
        assert_eq!(
            found,
            [
                ("/createdAt", &IssueKind::Format),
                ("/data/unexpectedProperty", &IssueKind::UnknownProperty)
            ],
            "{}",
            example.label
        );
    }
}

#[test]
fn date_times_are_checked() {
    for bad in [
        "yesterday",
        "2026-03-31",
        "2026-03-31 09:00:04Z",
        "2026-02-30T09:00:04Z",
        "2026-03-31T25:00:00Z",
        "",
    ] {
        let mut event = validator(false).examples()[0].2.clone();
        event["createdAt"] = json!(bad);
        let report = validator(false).validate_value(&event);
        assert_eq!(report.errors.len(), 1, "{bad:?}: {:#?}", report.errors);
        assert_eq!(report.errors[0].instance_path, "/createdAt");
        assert!(
            report.errors[0].message.contains("date-time"),
            "{}",
            report.errors[0].message
        );
        assert!(
            report.errors[0].schema_path.ends_with("/createdAt/format"),
            "{}",
            report.errors[0].schema_path
        );
    }
    for good in [
        "2021-01-21T16:29:59.681Z",
        "2021-01-21T16:29:59Z",
        "2021-01-21T17:29:59+01:00",
        "2021-01-21t16:29:59z",
    ] {
        let mut event = validator(false).examples()[0].2.clone();
        event["createdAt"] = json!(good);
        assert!(
            validator(false).validate_value(&event).is_valid(),
            "{good:?}"
        );
    }
}
