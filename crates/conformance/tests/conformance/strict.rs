//! Strict mode closes the schemas without breaking what `$ref`, `allOf` and
//! `if`/`then` mean, and without changing the document.

use serde_json::{Value, json};
use whereby_webhooks_conformance::{IssueKind, Options, Validator};

use crate::common::{document, within_two_minutes};

fn composed() -> Value {
    json!({
        "openapi": "3.1.1",
        "info": { "title": "composed", "version": "0" },
        "webhooks": {
            "composed": { "post": { "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Composed" }
            } } } } },
            "conditional": { "post": { "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Conditional" }
            } } } } }
        },
        "components": { "schemas": {
            "Base": {
                "type": "object",
                "properties": { "id": { "type": "string" }, "inner": { "$ref": "#/components/schemas/Inner" } },
                "required": ["id"]
            },
            "Inner": { "type": "object", "properties": { "x": { "type": "integer" } } },
            "Composed": {
                "allOf": [
                    { "$ref": "#/components/schemas/Base" },
                    { "type": "object", "properties": { "type": { "const": "composed" }, "extra": { "type": "integer" } } }
                ]
            },
            "Conditional": {
                "type": "object",
                "properties": {
                    "type": { "const": "conditional" },
                    "kind": { "type": "string" },
                    "map": { "type": "object", "additionalProperties": { "type": "integer" } },
                    "free": { "type": "object" }
                },
                "if": { "properties": { "kind": { "const": "a" } }, "required": ["kind"] },
                "then": { "properties": { "aOnly": { "type": "string" } } }
            }
        } }
    })
}

fn unknown(validator: &Validator, payload: Value) -> Vec<String> {
    let report = validator.validate_value(&payload);
    report
        .errors
        .iter()
        .map(|issue| {
            assert_eq!(
                issue.kind,
                IssueKind::UnknownProperty,
                "{:#?}",
                report.errors
            );
            issue.instance_path.clone()
        })
        .collect()
}

#[test]
fn all_of_branches_see_each_others_properties() {
    let strict = Validator::from_document(&composed(), Options { strict: true }).expect("loads");
    let open = Validator::from_document(&composed(), Options::default()).expect("loads");
    let full = json!({ "type": "composed", "id": "1", "extra": 2, "inner": { "x": 1 } });
    assert!(unknown(&strict, full.clone()).is_empty());
    let mut more = full;
    more["zzz"] = json!(1);
    more["inner"]["y"] = json!(2);
    assert_eq!(unknown(&strict, more.clone()), ["/inner/y", "/zzz"]);
    assert!(open.validate_value(&more).is_valid());
}

#[test]
fn then_counts_only_when_its_condition_holds_and_if_stays_open() {
    let strict = Validator::from_document(&composed(), Options { strict: true }).expect("loads");
    assert!(
        unknown(
            &strict,
            json!({ "type": "conditional", "kind": "a", "aOnly": "x" })
        )
        .is_empty()
    );
    assert_eq!(
        unknown(
            &strict,
            json!({ "type": "conditional", "kind": "b", "aOnly": "x" })
        ),
        ["/aOnly"]
    );
    // Maps and free-form objects have no list of properties to close.
    assert!(
        unknown(
            &strict,
            json!({ "type": "conditional", "map": { "any": 1 }, "free": { "any": true } })
        )
        .is_empty()
    );
}

#[test]
fn strict_mode_leaves_the_document_alone() {
    let before = document().clone();
    let _strict = Validator::from_document(document(), Options { strict: true }).expect("loads");
    assert_eq!(document(), &before);
    let text = whereby_webhooks_conformance::EMBEDDED_SPEC;
    assert!(
        !text.contains("unevaluatedProperties"),
        "the published spec stays open"
    );
}

#[test]
fn unknown_property_names_are_escaped_in_pointers() {
    let strict = Validator::from_document(&composed(), Options { strict: true }).expect("loads");
    assert_eq!(
        unknown(
            &strict,
            json!({ "type": "composed", "id": "1", "a/b": 1, "c~d": 2 })
        ),
        ["/a~1b", "/c~0d"]
    );
}

/// An open list that may also be null, written as `anyOf` or `oneOf`.
fn nullable_open_list(combinator: &str) -> Value {
    json!({
        "openapi": "3.1.1",
        "info": { "title": "nullable open list", "version": "0" },
        "webhooks": {
            "role": { "post": { "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Role" }
            } } } } }
        },
        "components": { "schemas": {
            "Role": {
                "type": "object",
                "properties": {
                    "type": { "const": "role" },
                    "role": { combinator: [ { "$ref": "#/components/schemas/RoleName" }, { "type": "null" } ] }
                }
            },
            "RoleName": { "type": "string", "x-extensible-enum": ["host", "visitor"] }
        } }
    })
}

#[test]
fn an_open_list_among_alternatives_reports_its_unknown_value() {
    for combinator in ["anyOf", "oneOf"] {
        let document = nullable_open_list(combinator);
        let open = Validator::from_document(&document, Options::default()).expect("loads");
        let strict = Validator::from_document(&document, Options { strict: true }).expect("loads");
        for fine in [json!("host"), Value::Null] {
            let payload = json!({ "type": "role", "role": fine });
            assert!(
                strict.validate_value(&payload).is_valid(),
                "{combinator} {payload}"
            );
        }
        let payload = json!({ "type": "role", "role": "wizard" });
        assert!(open.validate_value(&payload).is_valid(), "{combinator}");
        let report = strict.validate_value(&payload);
        let found: Vec<(IssueKind, &str)> = report
            .errors
            .iter()
            .map(|i| (i.kind, i.instance_path.as_str()))
            .collect();
        assert_eq!(found, [(IssueKind::UnknownValue, "/role")], "{combinator}");
        assert!(
            report.errors[0].message.contains("\"host\", \"visitor\""),
            "{}",
            report.errors[0].message
        );
        // A value of the wrong type is still wrong for every branch.
        let report = strict.validate_value(&json!({ "type": "role", "role": 5 }));
        let kinds: Vec<IssueKind> = report.errors.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [IssueKind::Schema], "{combinator}");
    }
}

/// A payload with 100,000 unknown properties: one issue each. Looking for
/// repeated issues among all the others (as the validator once did) takes
/// almost four minutes at this size in a debug build (and 43 s in a release
/// build for the 60,000 that fit in `validate`'s 1 MiB); through a hash set,
/// about a second. A run that does not finish within two minutes fails.
#[test]
fn many_unknown_properties_are_reported_in_linear_time() {
    const MANY: usize = 100_000;
    let mut payload = json!({"type": "composed", "id": "x"});
    for i in 0..MANY {
        payload[format!("u{i}")] = json!(i);
    }
    let found = within_two_minutes("100,000 unknown properties", move || {
        let validator =
            Validator::from_document(&composed(), Options { strict: true }).expect("loads");
        unknown(&validator, payload).len()
    });
    assert_eq!(found, MANY);
}

/// 100,000 required properties missing from one payload: 100,000 issues at
/// one place, which looking for repeats only among the issues at the same
/// place (as the validator did next) still compared with each other.
#[test]
#[ignore = "slow"]
fn many_missing_properties_at_one_place_are_reported_in_linear_time() {
    const MANY: usize = 100_000;
    let mut document = composed();
    let required: Vec<String> = (0..MANY).map(|i| format!("p{i}")).collect();
    document["components"]["schemas"]["Base"]["required"] = json!(required);
    let found = within_two_minutes("100,000 missing properties", move || {
        let validator = Validator::from_document(&document, Options::default()).expect("loads");
        let report = validator.validate_value(&json!({"type": "composed"}));
        report
            .errors
            .iter()
            .filter(|issue| issue.kind == IssueKind::Required && issue.instance_path.is_empty())
            .count()
    });
    assert_eq!(found, MANY);
}
