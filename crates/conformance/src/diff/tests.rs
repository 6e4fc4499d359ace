//! One small OLD/NEW pair per kind of change, judged as receivers see it.

use serde_json::{Value, json};

use super::{ChangeKind, diff};

/// A document with one webhook, `ping`, whose body is `#/components/schemas/Ping`,
/// with `Shared` available for references.
fn document(ping: Value, shared: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0"},
        "webhooks": {
            "ping": {"post": {
                "parameters": [{"name": "Whereby-Signature", "in": "header", "required": true,
                    "schema": {"type": "string", "pattern": "^t=[0-9]+"}}],
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Ping"}}}}
            }}
        },
        "components": {"schemas": {"Ping": ping, "Shared": shared}}
    })
}

/// A body with one property, `data`, whose schema is given.
fn with_data(data: Value, required: bool) -> Value {
    let required = if required { json!(["data"]) } else { json!([]) };
    json!({"type": "object", "properties": {"data": data}, "required": required})
}

fn data(data: Value) -> Value {
    document(with_data(data, true), json!({}))
}

struct Row {
    name: &'static str,
    old: Value,
    new: Value,
    /// The expected `(pointer, kind)` of every change, in order.
    expected: Vec<(&'static str, ChangeKind)>,
}

fn rows() -> Vec<Row> {
    use ChangeKind::*;
    let s = |schema: Value| data(schema);
    let base = document(with_data(json!({"type": "string"}), true), json!({}));
    let mut no_signature = base.clone();
    no_signature["webhooks"]["ping"]["post"]["parameters"] = json!([]);
    let mut signature_changed = base.clone();
    signature_changed["webhooks"]["ping"]["post"]["parameters"][0]["schema"]["pattern"] =
        json!("^ts=[0-9]+");
    let mut signature_described = base.clone();
    signature_described["webhooks"]["ping"]["post"]["parameters"][0]["description"] =
        json!("how to verify");
    let mut two_hooks = base.clone();
    two_hooks["webhooks"]["pong"] = base["webhooks"]["ping"].clone();
    let mut summary = base.clone();
    summary["webhooks"]["ping"]["post"]["summary"] = json!("Ping");
    summary["webhooks"]["ping"]["post"]["x-since"] = json!("2025-09-08");
    vec![
        Row {
            name: "identical documents",
            old: base.clone(),
            new: base.clone(),
            expected: vec![],
        },
        Row {
            name: "webhook removed",
            old: two_hooks.clone(),
            new: base.clone(),
            expected: vec![("", WebhookRemoved)],
        },
        Row {
            name: "webhook added",
            old: base.clone(),
            new: two_hooks.clone(),
            expected: vec![("", WebhookAdded)],
        },
        Row {
            name: "signature header removed",
            old: base.clone(),
            new: no_signature,
            expected: vec![("header:Whereby-Signature", HeaderRemoved)],
        },
        Row {
            name: "signature header changed",
            old: base.clone(),
            new: signature_changed,
            expected: vec![("header:Whereby-Signature", HeaderChanged)],
        },
        Row {
            name: "signature header described",
            old: base.clone(),
            new: signature_described,
            expected: vec![("header:Whereby-Signature", Metadata)],
        },
        Row {
            name: "operation summary and x-since",
            old: base.clone(),
            new: summary,
            expected: vec![("", Metadata), ("", Metadata)],
        },
        Row {
            name: "data property removed",
            old: s(
                json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
            ),
            new: s(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
            expected: vec![("/data/b", PropertyRemoved)],
        },
        Row {
            name: "envelope property removed",
            old: document(
                json!({"type": "object", "properties": {"id": {"type": "string"}, "data": {}}}),
                json!({}),
            ),
            new: document(
                json!({"type": "object", "properties": {"data": {}}}),
                json!({}),
            ),
            expected: vec![("/id", PropertyRemoved)],
        },
        Row {
            name: "property added, optional and required",
            old: s(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
            new: s(json!({"type": "object", "required": ["c"], "properties": {
                "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "integer"}}})),
            expected: vec![("/data/b", PropertyAdded), ("/data/c", PropertyAdded)],
        },
        Row {
            name: "required -> optional",
            old: document(with_data(json!({"type": "string"}), true), json!({})),
            new: document(with_data(json!({"type": "string"}), false), json!({})),
            expected: vec![("/data", NowOptional)],
        },
        Row {
            name: "optional -> required",
            old: document(with_data(json!({"type": "string"}), false), json!({})),
            new: document(with_data(json!({"type": "string"}), true), json!({})),
            expected: vec![("/data", NowRequired)],
        },
        Row {
            name: "required -> required only under a condition",
            old: s(json!({"type": "object", "required": ["r"], "properties": {
                "kind": {"type": "string"}, "r": {"type": "string"}}})),
            new: s(json!({"type": "object", "properties": {
                "kind": {"type": "string"}, "r": {"type": "string"}},
                "if": {"properties": {"kind": {"const": "x"}}, "required": ["kind"]},
                "then": {"required": ["r"]}})),
            expected: vec![("/data/r", NowOptional)],
        },
        Row {
            name: "optional -> required under a condition",
            old: s(json!({"type": "object", "properties": {"r": {"type": "string"}}})),
            new: s(
                json!({"type": "object", "properties": {"r": {"type": "string"}},
                "if": {"required": ["x"]}, "then": {"required": ["r"]}}),
            ),
            expected: vec![("/data/r", NowRequired)],
        },
        Row {
            name: "newly nullable (type array with null)",
            old: s(json!({"type": "string"})),
            new: s(json!({"type": ["string", "null"]})),
            expected: vec![("/data", NewlyNullable)],
        },
        Row {
            name: "newly nullable (oneOf with a null branch)",
            old: s(json!({"type": "string"})),
            new: s(json!({"oneOf": [{"type": "string"}, {"type": "null"}]})),
            expected: vec![("/data", NewlyNullable)],
        },
        Row {
            name: "nullable -> non-nullable",
            old: s(json!({"type": ["string", "null"]})),
            new: s(json!({"type": "string"})),
            expected: vec![("/data", NoLongerNullable)],
        },
        Row {
            name: "integer -> number",
            old: s(json!({"type": "integer"})),
            new: s(json!({"type": "number"})),
            expected: vec![("/data", TypeChanged)],
        },
        Row {
            name: "string -> object",
            old: s(json!({"type": "string"})),
            new: s(json!({"type": "object"})),
            expected: vec![("/data", TypeChanged)],
        },
        Row {
            name: "number -> integer",
            old: s(json!({"type": "number"})),
            new: s(json!({"type": "integer"})),
            expected: vec![("/data", TypeNarrowed)],
        },
        Row {
            name: "value added to a closed enum",
            old: s(json!({"type": "string", "enum": ["a", "b"]})),
            new: s(json!({"type": "string", "enum": ["a", "b", "c"]})),
            expected: vec![("/data", EnumValueAdded)],
        },
        Row {
            name: "value added to a closed oneOf of consts",
            old: s(json!({"oneOf": [{"type": "string", "const": "a"}]})),
            new: s(
                json!({"oneOf": [{"type": "string", "const": "a"}, {"type": "string", "const": "b"}]}),
            ),
            expected: vec![("/data", EnumValueAdded)],
        },
        Row {
            name: "oneOf of consts rewritten as an enum with the same values",
            old: s(json!({"oneOf": [{"type": "string", "const": "a", "description": "A"}]})),
            new: s(json!({"type": "string", "enum": ["a"], "x-enumDescriptions": {"a": "A"}})),
            expected: vec![("/data", Metadata)],
        },
        Row {
            name: "value removed from an enum",
            old: s(json!({"type": "string", "enum": ["a", "b"]})),
            new: s(json!({"type": "string", "enum": ["a"]})),
            expected: vec![("/data", EnumValueRemoved)],
        },
        Row {
            name: "value added to an open list",
            old: s(json!({"type": "string", "x-extensible-enum": ["a"]})),
            new: s(json!({"type": "string", "x-extensible-enum": ["a", "b"]})),
            expected: vec![("/data", OpenValueAdded)],
        },
        Row {
            name: "closed list opened",
            old: s(json!({"type": "string", "enum": ["a"]})),
            new: s(json!({"type": "string", "x-extensible-enum": ["a"]})),
            expected: vec![("/data", EnumOpened)],
        },
        Row {
            name: "open list closed",
            old: s(json!({"type": "string", "x-extensible-enum": ["a"]})),
            new: s(json!({"type": "string", "enum": ["a"]})),
            expected: vec![("/data", ConstraintTightened)],
        },
        Row {
            name: "const changed (apiVersion)",
            old: s(json!({"type": "string", "const": "1.0"})),
            new: s(json!({"type": "string", "const": "2.0"})),
            expected: vec![("/data", ConstChanged)],
        },
        Row {
            name: "minimum removed",
            old: s(json!({"type": "integer", "minimum": 0})),
            new: s(json!({"type": "integer"})),
            expected: vec![("/data", ConstraintLoosened)],
        },
        Row {
            name: "maxLength raised",
            old: s(json!({"type": "string", "maxLength": 10})),
            new: s(json!({"type": "string", "maxLength": 20})),
            expected: vec![("/data", ConstraintLoosened)],
        },
        Row {
            name: "format removed",
            old: s(json!({"type": "string", "format": "date-time"})),
            new: s(json!({"type": "string"})),
            expected: vec![("/data", ConstraintLoosened)],
        },
        Row {
            name: "maximum lowered and minLength raised",
            old: s(json!({"type": "string", "maximum": 10, "minLength": 1})),
            new: s(json!({"type": "string", "maximum": 5, "minLength": 2})),
            expected: vec![
                ("/data", ConstraintTightened),
                ("/data", ConstraintTightened),
            ],
        },
        Row {
            name: "pattern added",
            old: s(json!({"type": "string"})),
            new: s(json!({"type": "string", "pattern": "^a"})),
            expected: vec![("/data", ConstraintTightened)],
        },
        Row {
            name: "pattern replaced",
            old: s(json!({"type": "string", "pattern": "^a"})),
            new: s(json!({"type": "string", "pattern": "^b"})),
            expected: vec![("/data", ConstraintChanged)],
        },
        Row {
            name: "description, example and x- metadata",
            old: s(json!({"type": "string", "description": "old", "x-since": "2022-04-01"})),
            new: s(
                json!({"type": "string", "description": "new", "example": "e",
                "x-since": "2025-09-08", "x-sources": ["whereby/docs@7e6c4f2 webhooks.md"]}),
            ),
            expected: vec![
                ("/data", Metadata),
                ("/data", Metadata),
                ("/data", Metadata),
                ("/data", Metadata),
            ],
        },
        Row {
            name: "unjudged keyword",
            old: s(json!({"type": "string", "not": {"const": "a"}})),
            new: s(json!({"type": "string", "not": {"const": "b"}})),
            expected: vec![("/data", SchemaChanged)],
        },
        Row {
            name: "map values loosened",
            old: s(
                json!({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}),
            ),
            new: s(json!({"type": "object", "additionalProperties": {"type": "integer"}})),
            expected: vec![("/data/*", ConstraintLoosened)],
        },
        Row {
            name: "array items changed type",
            old: s(json!({"type": "array", "items": {"type": "string"}})),
            new: s(json!({"type": "array", "items": {"type": "number"}})),
            expected: vec![("/data/*", TypeChanged)],
        },
        Row {
            name: "change through $ref and allOf",
            old: document(
                with_data(
                    json!({"allOf": [{"$ref": "#/components/schemas/Shared"}]}),
                    true,
                ),
                json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
            ),
            new: document(
                with_data(
                    json!({"allOf": [{"$ref": "#/components/schemas/Shared"}]}),
                    true,
                ),
                json!({"type": "object", "properties": {"n": {"type": "number"}}}),
            ),
            expected: vec![("/data/n", TypeChanged)],
        },
        Row {
            name: "a description beside a $ref overrides the target's",
            old: document(
                with_data(
                    json!({"$ref": "#/components/schemas/Shared", "description": "own"}),
                    true,
                ),
                json!({"type": "string", "description": "A"}),
            ),
            new: document(
                with_data(
                    json!({"$ref": "#/components/schemas/Shared", "description": "own"}),
                    true,
                ),
                json!({"type": "string", "description": "B"}),
            ),
            expected: vec![],
        },
        Row {
            name: "a property moved into a referenced component is no change",
            old: s(
                json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}),
            ),
            new: document(
                with_data(json!({"$ref": "#/components/schemas/Shared"}), true),
                json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}),
            ),
            expected: vec![],
        },
    ]
}

#[test]
fn every_row_is_judged_as_receivers_see_it() {
    let mut failures = Vec::new();
    for row in rows() {
        let changes = diff(&row.old, &row.new).unwrap_or_else(|e| panic!("{}: {e}", row.name));
        let got: Vec<(&str, ChangeKind)> = changes
            .iter()
            .map(|c| (c.pointer.as_str(), c.kind))
            .collect();
        if got != row.expected {
            failures.push(format!(
                "{}: expected {:?}, got {changes:#?}",
                row.name, row.expected
            ));
        }
        for change in &changes {
            assert_eq!(change.breaking, change.kind.is_breaking(), "{}", row.name);
            assert!(!change.webhook.is_empty(), "{}", row.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn breaking_kinds_follow_the_receivers_table() {
    use ChangeKind::*;
    let breaking = [
        WebhookRemoved,
        HeaderRemoved,
        HeaderChanged,
        PropertyRemoved,
        NowOptional,
        NewlyNullable,
        TypeChanged,
        EnumValueAdded,
        EnumOpened,
        ConstChanged,
        ConstraintLoosened,
        ConstraintChanged,
        SchemaChanged,
    ];
    for kind in ChangeKind::ALL {
        assert_eq!(kind.is_breaking(), breaking.contains(&kind), "{kind}");
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            Value::from(kind.name()),
            "{kind}"
        );
    }
}

#[test]
fn a_shared_component_is_reported_for_every_webhook_reaching_it() {
    let shared = |ty: &str| json!({"type": "object", "properties": {"n": {"type": ty}}});
    let build = |ty: &str| {
        let mut doc = document(
            with_data(json!({"$ref": "#/components/schemas/Shared"}), true),
            shared(ty),
        );
        doc["webhooks"]["pong"] = doc["webhooks"]["ping"].clone();
        doc["webhooks"]["other"] = json!({"post": {"requestBody": {"content": {
            "application/json": {"schema": {"type": "object"}}}}}});
        doc
    };
    let changes = diff(&build("integer"), &build("string")).unwrap();
    let webhooks: Vec<&str> = changes.iter().map(|c| c.webhook.as_str()).collect();
    assert_eq!(webhooks, ["ping", "pong"]);
    assert!(changes.iter().all(|c| c.pointer == "/data/n" && c.breaking));
}

#[test]
fn the_published_spec_has_no_changes_from_itself() {
    let spec: Value = serde_json::from_str(crate::EMBEDDED_SPEC).unwrap();
    assert_eq!(diff(&spec, &spec).unwrap(), vec![]);
    let yaml = yaml_serde::to_string(&spec).unwrap();
    let from_yaml = super::parse_document(&yaml).unwrap();
    assert_eq!(diff(&spec, &from_yaml).unwrap(), vec![]);
}

#[test]
fn roomsessionid_made_optional_in_the_published_spec_is_breaking_in_every_client_event() {
    let old: Value = serde_json::from_str(crate::EMBEDDED_SPEC).unwrap();
    let mut new = old.clone();
    for name in ["ClientJoinLeaveData", "ClientData"] {
        let required = new["components"]["schemas"][name]["required"]
            .as_array_mut()
            .unwrap();
        required.retain(|v| v != "roomSessionId");
    }
    let changes = diff(&old, &new).unwrap();
    let webhooks: Vec<&str> = changes.iter().map(|c| c.webhook.as_str()).collect();
    assert_eq!(
        webhooks,
        [
            "room.client.joined",
            "room.client.left",
            "room.client.knocked",
            "room.client.knockCancelled"
        ]
    );
    assert!(
        changes
            .iter()
            .all(|c| c.kind == ChangeKind::NowOptional && c.pointer == "/data/roomSessionId")
    );
}

#[test]
fn recursive_schemas_end() {
    let node = |ty: &str| {
        json!({"type": "object", "properties": {
            "v": {"type": ty},
            "next": {"$ref": "#/components/schemas/Shared"}}})
    };
    let old = document(
        with_data(json!({"$ref": "#/components/schemas/Shared"}), true),
        node("string"),
    );
    let new = document(
        with_data(json!({"$ref": "#/components/schemas/Shared"}), true),
        node("integer"),
    );
    let changes = diff(&old, &new).unwrap();
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c.kind == ChangeKind::TypeChanged));
}

#[test]
fn documents_that_are_not_openapi_are_errors_naming_their_side() {
    let good = data(json!({"type": "string"}));
    let err = diff(&json!({"openapi": "3.0.0"}), &good).unwrap_err();
    assert!(err.to_string().starts_with("the old document: "), "{err}");
    let err = diff(&good, &json!([])).unwrap_err();
    assert!(err.to_string().starts_with("the new document: "), "{err}");
}

#[test]
fn a_changed_signature_header_names_what_changed() {
    let old = data(json!({"type": "string"}));
    let mut new = old.clone();
    new["webhooks"]["ping"]["post"]["parameters"][0]["schema"]["pattern"] = json!("^t=");
    new["webhooks"]["ping"]["post"]["parameters"][0]["required"] = json!(false);
    let changes = diff(&old, &new).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].message,
        "header `Whereby-Signature` changed (`required`, `schema.pattern`): receivers verifying it may reject deliveries"
    );
}

#[test]
fn change_records_serialise_with_every_field() {
    let changes = diff(
        &data(json!({"type": "string"})),
        &data(json!({"type": ["string", "null"]})),
    )
    .unwrap();
    let json = serde_json::to_value(&changes[0]).unwrap();
    assert_eq!(
        json,
        json!({"webhook": "ping", "pointer": "/data", "kind": "newly_nullable", "breaking": true,
            "message": "`/data` may now be null", "old": false, "new": true})
    );
}

#[test]
fn display_escapes_control_characters() {
    let mut old = data(json!({"type": "object", "properties": {"a\u{1b}[2J": {"type": "string"}}}));
    old["webhooks"]["ping"]["post"]["x-note"] = json!(1);
    let new = data(json!({"type": "object"}));
    let changes = diff(&old, &new).unwrap();
    let text: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert!(text.iter().all(|t| !t.contains('\u{1b}')), "{text:?}");
    assert!(text.iter().any(|t| t.contains("a\\u{1b}[2J")), "{text:?}");
}
