//! One small OLD/NEW pair per kind of change, judged as receivers see it.

use serde_json::{Value, json};

use super::{ChangeKind, diff};

/// A document with one webhook, `ping`, whose body is `#/components/schemas/Ping`,
/// with `Shared` available for references.
pub(super) fn document(ping: Value, shared: Value) -> Value {
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
pub(super) fn with_data(data: Value, required: bool) -> Value {
    let required = if required { json!(["data"]) } else { json!([]) };
    json!({"type": "object", "properties": {"data": data}, "required": required})
}

pub(super) fn data(data: Value) -> Value {
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

#[test]
fn kinds_display_as_their_names() {
    for kind in ChangeKind::ALL {
        assert_eq!(kind.to_string(), kind.name());
        assert!(!kind.name().is_empty());
    }
}

#[test]
fn code_spans_hold_any_text_whole() {
    use super::code;
    assert_eq!(code("/data/name"), "`/data/name`");
    assert_eq!(code("x` **bold** `"), "`` x` **bold** ` ``");
    assert_eq!(code("a``b"), "```a``b```");
    assert_eq!(code("`"), "`` ` ``");
    assert_eq!(code(" a "), "`  a  `");
    assert_eq!(code("  "), "`  `");
    // Not the span of two spaces above.
    assert_eq!(code(""), "*(empty)*");
}

#[test]
fn read_document_reads_yaml_and_json_files() {
    use super::read_document;
    let dir = std::env::temp_dir().join(format!("ww-diff-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = data(json!({"type": "string"}));
    let yaml = dir.join("doc.yaml");
    std::fs::write(&yaml, yaml_serde::to_string(&doc).unwrap()).unwrap();
    let json_file = dir.join("doc.json");
    std::fs::write(&json_file, serde_json::to_string(&doc).unwrap()).unwrap();
    let read_yaml = read_document(&yaml);
    let read_json = read_document(&json_file);
    let missing = read_document(&dir.join("absent.yaml"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(read_yaml.unwrap(), doc);
    assert_eq!(read_json.unwrap(), doc);
    assert!(missing.is_err());
}

#[test]
fn any_breaking_is_true_only_with_a_breaking_change() {
    use super::any_breaking;
    let base = data(json!({"type": "string"}));
    assert!(!any_breaking(&[]));
    let mut described = base.clone();
    described["webhooks"]["ping"]["post"]["summary"] = json!("Ping");
    let informational = diff(&base, &described).unwrap();
    assert_eq!(informational.len(), 1);
    assert!(!any_breaking(&informational));
    let breaking = diff(&base, &data(json!({"type": "integer"}))).unwrap();
    assert!(any_breaking(&breaking));
}

/// A schema graph whose pairs, followed through shared `$ref`s, number
/// ten to the sixth: far past the budget, however quickly each is compared.
/// (The graphs are the same, so that no change is kept: with the leaf
/// changed, the changes found would outgrow what a comparison keeps first.)
#[test]
#[ignore = "slow"]
fn documents_past_the_budget_are_too_complex() {
    let level = |n: usize| {
        let next = json!({"$ref": format!("#/components/schemas/L{}", n + 1)});
        let properties: serde_json::Map<String, Value> =
            (0..10).map(|i| (format!("p{i}"), next.clone())).collect();
        json!({"type": "object", "properties": properties})
    };
    let build = |leaf: &str| {
        let mut doc = data(json!({"$ref": "#/components/schemas/L0"}));
        for n in 0..6 {
            doc["components"]["schemas"][format!("L{n}")] = level(n);
        }
        doc["components"]["schemas"]["L6"] = json!({"type": leaf});
        doc
    };
    let err = diff(&build("string"), &build("string")).unwrap_err();
    assert!(matches!(err, super::DiffError::TooComplex), "{err}");
}

#[test]
fn examples_of_the_body_are_compared() {
    let old = data(json!({"type": "string"}));
    let mut new = old.clone();
    new["webhooks"]["ping"]["post"]["requestBody"]["content"]["application/json"]["example"] =
        json!({"data": "x"});
    let changes = diff(&old, &new).unwrap();
    let got: Vec<(&str, ChangeKind, &str)> = changes
        .iter()
        .map(|c| (c.pointer.as_str(), c.kind, c.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [("", ChangeKind::Metadata, "the body's `example` changed")]
    );
    assert_eq!(changes[0].new, Some(json!({"data": "x"})));
}

#[test]
fn metadata_says_added_removed_or_changed() {
    let base = data(json!({"type": "string"}));
    let mut with_summary = base.clone();
    with_summary["webhooks"]["ping"]["post"]["summary"] = json!("Ping");
    let mut other_summary = base.clone();
    other_summary["webhooks"]["ping"]["post"]["summary"] = json!("Pong");
    let message = |old: &Value, new: &Value| {
        let changes = diff(old, new).unwrap();
        assert_eq!(changes.len(), 1, "{changes:#?}");
        changes[0].message.clone()
    };
    assert_eq!(
        message(&base, &with_summary),
        "the webhook's `summary` added"
    );
    assert_eq!(
        message(&with_summary, &base),
        "the webhook's `summary` removed"
    );
    assert_eq!(
        message(&with_summary, &other_summary),
        "the webhook's `summary` changed"
    );
}

/// A document whose webhook also sends `X-Trace`, declared as given.
fn with_trace(required: bool, schema: Value) -> Value {
    let mut doc = data(json!({"type": "string"}));
    doc["webhooks"]["ping"]["post"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "X-Trace", "in": "header", "required": required, "schema": schema}));
    doc
}

#[test]
fn other_headers_are_compared_for_presence_and_schema() {
    use ChangeKind::*;
    let string = json!({"type": "string"});
    let kinds = |old: &Value, new: &Value| -> Vec<(String, ChangeKind)> {
        diff(old, new)
            .unwrap()
            .into_iter()
            .map(|c| (c.pointer, c.kind))
            .collect()
    };
    let trace = "header:X-Trace".to_owned();
    assert_eq!(
        kinds(
            &with_trace(true, string.clone()),
            &with_trace(false, string.clone())
        ),
        [(trace.clone(), NowOptional)]
    );
    assert_eq!(
        kinds(
            &with_trace(false, string.clone()),
            &with_trace(true, string.clone())
        ),
        [(trace.clone(), NowRequired)]
    );
    assert_eq!(
        kinds(
            &with_trace(true, string.clone()),
            &with_trace(true, string.clone())
        ),
        []
    );
    assert_eq!(
        kinds(
            &with_trace(false, string.clone()),
            &with_trace(false, string.clone())
        ),
        []
    );
    assert_eq!(
        kinds(
            &with_trace(true, string.clone()),
            &with_trace(true, json!({"type": "integer"}))
        ),
        [(trace.clone(), TypeChanged)]
    );
    // Only header parameters are headers.
    let mut query = with_trace(true, string.clone());
    query["webhooks"]["ping"]["post"]["parameters"][1]["in"] = json!("query");
    assert_eq!(
        kinds(&query, &with_trace(true, string.clone())),
        [(trace, HeaderAdded)]
    );
}

#[test]
fn an_operation_header_overrides_the_path_items_of_the_same_name() {
    let string = json!({"type": "string"});
    let mut old = with_trace(true, string.clone());
    // The path item declares the same header, optional, in another case;
    // the operation's declaration wins.
    old["webhooks"]["ping"]["parameters"] = json!([
        {"name": "x-trace", "in": "header", "required": false, "schema": {"type": "integer"}}
    ]);
    let new = with_trace(true, string);
    let changes = diff(&old, &new).unwrap();
    assert_eq!(changes, []);
}

#[test]
fn a_changed_signature_content_is_named_as_is() {
    let old = data(json!({"type": "string"}));
    let mut new = old.clone();
    new["webhooks"]["ping"]["post"]["parameters"][0]["content"] =
        json!({"text/plain": {"schema": {"type": "string"}}});
    let mut newer = new.clone();
    newer["webhooks"]["ping"]["post"]["parameters"][0]["content"] =
        json!({"text/plain": {"schema": {"type": "integer"}}});
    let changes = diff(&new, &newer).unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        changes[0].message,
        "header `Whereby-Signature` changed (`content`): receivers verifying it may reject deliveries"
    );
}

/// `(pointer, kind)` of every change between two `data` schemas.
fn data_changes(old: Value, new: Value) -> Vec<(String, ChangeKind)> {
    diff(&data(old), &data(new))
        .unwrap()
        .into_iter()
        .map(|c| (c.pointer, c.kind))
        .collect()
}

fn at_data(kinds: &[ChangeKind]) -> Vec<(String, ChangeKind)> {
    kinds.iter().map(|k| ("/data".to_owned(), *k)).collect()
}

#[test]
fn all_of_bounds_keep_the_tightest_whatever_the_order() {
    // (keyword, the tightest of two, the other, a value between them)
    for (key, tightest, other, between) in [("minimum", 5, 1, 3), ("maximum", 3, 10, 5)] {
        for both in [
            json!([{key: other}, {key: tightest}]),
            json!([{key: tightest}, {key: other}]),
        ] {
            let old = json!({"allOf": both});
            assert_eq!(
                data_changes(old.clone(), json!({"allOf": [{key: tightest}]})),
                [],
                "{old}"
            );
            assert_eq!(
                data_changes(old.clone(), json!({"allOf": [{key: between}]})),
                at_data(&[ChangeKind::ConstraintLoosened]),
                "{old}"
            );
        }
    }
}

#[test]
fn all_of_keeps_every_distinct_unjudged_keyword() {
    use ChangeKind::*;
    // Two different values of a keyword this tool does not judge are both
    // kept: dropping one is a change (here, the first now holds the second's
    // value and the second is gone).
    assert_eq!(
        data_changes(
            json!({"allOf": [{"propertyNames": {"maxLength": 3}}, {"propertyNames": {"maxLength": 4}}]}),
            json!({"allOf": [{"propertyNames": {"maxLength": 4}}]}),
        ),
        at_data(&[SchemaChanged, SchemaChanged])
    );
    // The same value twice is kept once.
    assert_eq!(
        data_changes(
            json!({"allOf": [{"propertyNames": {"maxLength": 3}}, {"propertyNames": {"maxLength": 3}}]}),
            json!({"allOf": [{"propertyNames": {"maxLength": 3}}]}),
        ),
        []
    );
}

#[test]
fn const_and_enum_combined_are_a_closed_list() {
    use ChangeKind::*;
    // `const` with an `enum` around it is an enum, not a constant.
    let got = data_changes(
        json!({"allOf": [{"const": "a"}, {"enum": ["a", "b"]}]}),
        json!({"allOf": [{"enum": ["a", "b"]}, {"const": "b"}]}),
    );
    assert!(got.iter().all(|(_, k)| *k != ConstChanged), "{got:?}");
    assert_eq!(got, at_data(&[EnumValueAdded, EnumValueRemoved]));
    // Two `const`s that agree are still a constant.
    assert_eq!(
        data_changes(
            json!({"allOf": [{"const": "a"}, {"const": "a"}]}),
            json!({"const": "b"}),
        ),
        at_data(&[ConstChanged])
    );
}

#[test]
fn nullable_true_adds_null_and_nullable_false_does_not() {
    use ChangeKind::*;
    assert_eq!(
        data_changes(
            json!({"type": "string"}),
            json!({"type": "string", "nullable": true})
        ),
        at_data(&[NewlyNullable])
    );
    assert_eq!(
        data_changes(
            json!({"type": "string"}),
            json!({"type": "string", "nullable": false})
        ),
        []
    );
}

#[test]
fn any_of_lists_of_constants_and_enums_are_one_closed_list() {
    use ChangeKind::*;
    assert_eq!(
        data_changes(
            json!({"anyOf": [{"enum": ["a", "b"]}, {"const": "c"}]}),
            json!({"anyOf": [{"enum": ["a", "b"]}, {"const": "d"}]}),
        ),
        at_data(&[EnumValueAdded, EnumValueRemoved])
    );
    // The branches' types, written as a list, restrict the value's type.
    assert_eq!(
        data_changes(
            json!({"anyOf": [{"type": ["string", "null"], "enum": ["a", null]}]}),
            json!({"anyOf": [{"type": ["string", "integer", "null"], "enum": ["a", null]}]}),
        ),
        data_changes(
            json!({"type": ["string", "null"], "enum": ["a", null]}),
            json!({"type": ["string", "integer", "null"], "enum": ["a", null]}),
        )
    );
    assert_ne!(
        data_changes(
            json!({"anyOf": [{"type": ["string", "null"], "enum": ["a", null]}]}),
            json!({"anyOf": [{"type": ["string", "integer", "null"], "enum": ["a", null]}]}),
        ),
        []
    );
}

#[test]
fn any_of_one_schema_or_null_is_nullable_and_one_alone_is_not() {
    use ChangeKind::*;
    let got = data_changes(
        json!({"anyOf": [{"type": "string"}]}),
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
    );
    assert!(
        got.contains(&("/data".to_owned(), SchemaChanged)),
        "{got:?}"
    );
    assert_eq!(
        data_changes(
            json!({"type": "string"}),
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
        ),
        at_data(&[NewlyNullable])
    );
}

#[test]
fn conditional_properties_and_constraints_are_compared() {
    use ChangeKind::*;
    let conditional =
        |then: Value| json!({"type": "object", "if": {"required": ["a"]}, "then": then});
    // Properties a `then` describes are properties of the value.
    assert_eq!(
        data_changes(
            conditional(json!({"properties": {"x": {"type": "string"}}})),
            conditional(json!({"properties": {"x": {"type": "integer"}}})),
        ),
        [("/data/x".to_owned(), TypeChanged)]
    );
    // Anything else in it is reported for review.
    assert_eq!(
        data_changes(
            conditional(json!({"minProperties": 1})),
            conditional(json!({"minProperties": 2})),
        ),
        at_data(&[SchemaChanged])
    );
    // Its documentation is not a change to the contract.
    assert_eq!(
        data_changes(
            conditional(json!({"description": "one", "required": ["b"]})),
            conditional(json!({"description": "two", "required": ["b"]})),
        ),
        []
    );
}

/// `data` whose value is a `{type: leaf}` schema reached through `depth`
/// links of `link`: `$ref`s from one component to the next, or `allOf` /
/// "`anyOf` X or null" written one inside the other.
fn chain(link: &str, depth: usize, leaf: &str) -> Value {
    let mut schema = json!({"type": leaf});
    if link == "$ref" {
        let mut doc = data(json!({"$ref": "#/components/schemas/C0"}));
        for n in 0..depth {
            doc["components"]["schemas"][format!("C{n}")] =
                json!({"$ref": format!("#/components/schemas/C{}", n + 1)});
        }
        doc["components"]["schemas"][format!("C{depth}")] = schema;
        return doc;
    }
    for _ in 0..depth {
        schema = match link {
            "allOf" => json!({"allOf": [schema]}),
            "anyOf" => json!({"anyOf": [schema, {"type": "null"}]}),
            other => panic!("{other}"),
        };
    }
    data(schema)
}

#[test]
fn views_follow_links_to_their_depth_limit_and_no_further() {
    use super::schema::MAX_DEPTH;
    // The `$ref` in `data` itself is the first link of a chain of `$ref`s.
    for (link, deepest) in [
        ("$ref", MAX_DEPTH - 1),
        ("allOf", MAX_DEPTH),
        ("anyOf", MAX_DEPTH),
    ] {
        let kinds = |depth: usize, leaf: &str| -> Vec<ChangeKind> {
            diff(&chain(link, depth, "string"), &chain(link, depth, leaf))
                .unwrap()
                .into_iter()
                .map(|c| c.kind)
                .collect()
        };
        let changes = |depth: usize| kinds(depth, "integer");
        assert_eq!(changes(1), [ChangeKind::TypeChanged], "{link}");
        assert_eq!(changes(deepest), [ChangeKind::TypeChanged], "{link}");
        // Past the limit the change is not judged, but reported, once, for
        // review (it passed in silence, as if the documents were the same).
        for depth in [deepest + 1, MAX_DEPTH + 48] {
            assert_eq!(
                changes(depth),
                [ChangeKind::SchemaChanged],
                "{link} {depth}"
            );
            assert_eq!(kinds(depth, "string"), [], "{link} {depth}");
        }
    }
}

/// Properties nested past the depth limit: a change below it is reported
/// once, for review, at the deepest place compared, and nothing when the
/// two sides are the same there (a description aside). It passed in
/// silence: `diff` printed nothing and exited 0.
#[test]
fn a_change_nested_past_the_depth_limit_is_reported_for_review() {
    use super::schema::MAX_DEPTH;
    let nested = |levels: usize, leaf: Value| {
        let mut schema = leaf;
        for _ in 0..levels {
            schema = json!({"type": "object", "properties": {"x": schema}});
        }
        data(schema)
    };
    for levels in [MAX_DEPTH + 2, MAX_DEPTH + 40] {
        let old = nested(levels, json!({"type": "string"}));
        let changes = diff(&old, &nested(levels, json!({"type": "integer"}))).unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind, ChangeKind::SchemaChanged);
        assert!(changes[0].breaking);
        assert!(
            changes[0].message.contains("review it by hand"),
            "{changes:?}"
        );
        let described = nested(levels, json!({"type": "string", "description": "new"}));
        assert_eq!(diff(&old, &described).unwrap(), []);
        assert_eq!(diff(&old, &old).unwrap(), []);
    }
}

/// What lies past the limit is written out without recursion: a chain of
/// 4,000 references met from the top every 300 links (within what a
/// document may nest) overflowed the stack when written out recursively.
#[test]
fn a_long_chain_past_the_depth_limit_is_written_out_without_recursion() {
    let document = |leaf: &str| {
        let links = 4_000;
        let mut doc = data(json!({"type": "object", "properties": (0..links)
            .step_by(300)
            .map(|i| (format!("h{i}"), json!({"$ref": format!("#/components/schemas/L{i}")})))
            .collect::<serde_json::Map<_, _>>()}));
        for i in 0..links {
            doc["components"]["schemas"][format!("L{i}")] = json!({"type": "object",
                "properties": {"x": {"$ref": format!("#/components/schemas/L{}", i + 1)}}});
        }
        doc["components"]["schemas"][format!("L{links}")] = json!({"type": leaf});
        doc
    };
    let changes = diff(&document("string"), &document("integer")).unwrap();
    assert!(!changes.is_empty());
    assert!(
        changes.iter().all(|c| c.kind == ChangeKind::SchemaChanged),
        "{changes:?}"
    );
}

/// Every change of every row, and of the extra pairs below, as one text:
/// pointer, kind, whether it breaks, the message, and the old and new
/// values. The rows test pins the kinds; this pins what people read.
#[test]
fn every_change_record_is_pinned() {
    // A JSON text of exactly 80 characters is shown whole; 81 is cut.
    let pattern = |len: usize| Value::from("p".repeat(len - 2));
    let extra = [
        (
            "pattern shown whole at 80 characters",
            data(json!({"type": "string", "pattern": pattern(80)})),
            data(json!({"type": "string"})),
        ),
        (
            "pattern cut past 80 characters",
            data(json!({"type": "string", "pattern": pattern(81)})),
            data(json!({"type": "string"})),
        ),
        (
            "type list narrowed to one type",
            data(json!({"type": ["string", "integer"]})),
            data(json!({"type": "string"})),
        ),
        (
            "const dropped",
            data(json!({"type": "string", "const": "x"})),
            data(json!({"type": "string"})),
        ),
        (
            "one-value enum dropped",
            data(json!({"type": "string", "enum": ["x"]})),
            data(json!({"type": "string"})),
        ),
        (
            "additionalProperties false dropped",
            data(json!({"type": "object", "additionalProperties": false})),
            data(json!({"type": "object"})),
        ),
        (
            "additionalProperties false added",
            data(json!({"type": "object"})),
            data(json!({"type": "object", "additionalProperties": false})),
        ),
        (
            "additionalProperties false -> a schema",
            data(json!({"type": "object", "additionalProperties": false})),
            data(json!({"type": "object", "additionalProperties": {"type": "string"}})),
        ),
        (
            "additionalProperties a schema -> false",
            data(json!({"type": "object", "additionalProperties": {"type": "string"}})),
            data(json!({"type": "object", "additionalProperties": false})),
        ),
        (
            "additionalProperties false on both sides",
            data(json!({"type": "object", "additionalProperties": false})),
            data(json!({"type": "object", "additionalProperties": false, "description": "d"})),
        ),
        (
            "items no longer described",
            data(json!({"type": "array", "items": {"type": "string"}})),
            data(json!({"type": "array"})),
        ),
        (
            "items false no longer described",
            data(json!({"type": "array", "items": false})),
            data(json!({"type": "array"})),
        ),
        (
            "items false now described",
            data(json!({"type": "array"})),
            data(json!({"type": "array", "items": false})),
        ),
        (
            "items now described",
            data(json!({"type": "array"})),
            data(json!({"type": "array", "items": {"type": "string"}})),
        ),
        (
            "bounds equal as numbers, written differently",
            data(json!({"type": "number", "minimum": 1, "maximum": 2.0})),
            data(json!({"type": "number", "minimum": 1.0, "maximum": 2})),
        ),
        (
            "bounds that are not numbers, unchanged and changed",
            data(json!({"type": "number", "minimum": "1", "maximum": "2"})),
            data(json!({"type": "number", "minimum": "1", "maximum": "3"})),
        ),
        (
            "required under one condition -> under two",
            data(json!({"type": "object", "properties": {"x": {}},
                "if": {"required": ["a"]}, "then": {"required": ["x"]}})),
            data(json!({"type": "object", "properties": {"x": {}}, "allOf": [
                {"if": {"required": ["a"]}, "then": {"required": ["x"]}},
                {"if": {"required": ["b"]}, "then": {"required": ["x"]}}]})),
        ),
        (
            "required under two conditions -> under one",
            data(json!({"type": "object", "properties": {"x": {}}, "allOf": [
                {"if": {"required": ["a"]}, "then": {"required": ["x"]}},
                {"if": {"required": ["b"]}, "then": {"required": ["x"]}}]})),
            data(json!({"type": "object", "properties": {"x": {}},
                "if": {"required": ["b"]}, "then": {"required": ["x"]}})),
        ),
        (
            "conditionally required",
            data(json!({"type": "object", "properties": {"x": {}}})),
            data(json!({"type": "object", "properties": {"x": {}},
                "if": {"required": ["a"]}, "then": {"required": ["x"]}})),
        ),
    ];
    let mut text = String::new();
    let rows = rows();
    let all = rows
        .iter()
        .map(|r| (r.name, &r.old, &r.new))
        .chain(extra.iter().map(|(n, o, n2)| (*n, o, n2)));
    for (name, old, new) in all {
        text.push_str(&format!("## {name}\n"));
        for c in diff(old, new).unwrap() {
            let show = |v: &Option<Value>| v.as_ref().map_or("-".to_owned(), Value::to_string);
            text.push_str(&format!(
                "{} {} {} [{}] {}\n    old: {}\n    new: {}\n",
                c.webhook,
                if c.pointer.is_empty() {
                    "\"\""
                } else {
                    &c.pointer
                },
                c.kind,
                if c.breaking { "breaking" } else { "safe" },
                c.message,
                show(&c.old),
                show(&c.new),
            ));
        }
    }
    insta::assert_snapshot!(text);
}

/// `data` holding an object nested `depth` levels deep through property
/// `a`, the innermost a `{type: leaf}`.
fn nested(depth: usize, leaf: &str) -> Value {
    let mut schema = json!({"type": leaf});
    for _ in 0..depth {
        schema = json!({"type": "object", "properties": {"a": schema}});
    }
    data(schema)
}

#[test]
fn comparisons_go_as_deep_as_the_limit_and_no_further() {
    let changes = |depth: usize| {
        diff(&nested(depth, "string"), &nested(depth, "integer"))
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == ChangeKind::TypeChanged)
            .count()
    };
    let deepest = (1..super::schema::MAX_DEPTH * 2)
        .take_while(|depth| changes(*depth) == 1)
        .last()
        .unwrap();
    // The body, `data` and `depth` levels of `a`: one comparison each,
    // the last at the limit.
    assert_eq!(deepest, super::schema::MAX_DEPTH - 1);
    assert_eq!(changes(deepest + 1), 0);
}

/// A recursive schema on one side and the same shape written out inline on
/// the other: the comparison follows the inline side to its end, so a
/// change two levels down is found.
#[test]
fn a_recursive_schema_against_an_inline_one_is_compared_to_the_end() {
    let node = json!({"type": "object", "properties": {
        "v": {"type": "string"},
        "next": {"$ref": "#/components/schemas/Shared"}}});
    let old = document(
        with_data(json!({"$ref": "#/components/schemas/Shared"}), true),
        node,
    );
    let inline = data(json!({"type": "object", "properties": {
        "v": {"type": "string"},
        "next": {"type": "object", "properties": {
            "v": {"type": "integer"},
            "next": {"type": "object", "properties": {"v": {"type": "string"}}}}}}}));
    let got: Vec<(String, ChangeKind)> = diff(&old, &inline)
        .unwrap()
        .into_iter()
        .map(|c| (c.pointer, c.kind))
        .collect();
    assert_eq!(
        got,
        [
            ("/data/next/v".to_owned(), ChangeKind::TypeChanged),
            (
                "/data/next/next/next".to_owned(),
                ChangeKind::PropertyRemoved
            ),
        ]
    );
}

/// A node with a dozen children of its own type, on both sides: the
/// comparison stops where the pair of `$ref`s recurs, instead of walking
/// every path of children until the budget runs out.
#[test]
fn a_wide_recursive_schema_is_compared_once_per_level() {
    let tree = |leaf: &str| {
        let child = json!({"$ref": "#/components/schemas/Shared"});
        let mut properties: serde_json::Map<String, Value> =
            (0..12).map(|i| (format!("c{i}"), child.clone())).collect();
        properties.insert("v".to_owned(), json!({"type": leaf}));
        document(
            with_data(child.clone(), true),
            json!({"type": "object", "properties": properties}),
        )
    };
    let changes = diff(&tree("string"), &tree("integer")).unwrap();
    let pointers: Vec<&str> = changes.iter().map(|c| c.pointer.as_str()).collect();
    assert_eq!(pointers, ["/data/v"]);
}
