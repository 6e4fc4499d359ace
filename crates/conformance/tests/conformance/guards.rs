//! The edges of reading a document: cycles, depth limits, bodies that are
//! not JSON, broken references inside combinators, and strict mode where a
//! combined schema is itself open.

use serde_json::{Value, json};
use whereby_webhooks_conformance::{IssueKind, Options, SpecError, Validator};

use crate::common::temp_file;

/// A document with one webhook whose request body schema is `schema`, and
/// `schemas` as its components.
fn with_schema(schema: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "edges", "version": "0" },
        "webhooks": {
            "hook": { "post": { "requestBody": { "content": { "application/json": {
                "schema": schema
            } } } } }
        },
        "components": { "schemas": schemas }
    })
}

fn both(document: &Value) -> [Validator; 2] {
    [false, true].map(|strict| {
        Validator::from_document(document, Options { strict }).expect("the document loads")
    })
}

fn kinds(validator: &Validator, payload: &Value) -> Vec<(String, IssueKind)> {
    validator
        .validate_value(payload)
        .errors
        .into_iter()
        .map(|issue| (issue.instance_path, issue.kind))
        .collect()
}

/// `allOf` that refers to the schema it is in: every walk over the
/// document stops, and the type is still found through the other branch.
#[test]
fn a_self_referencing_all_of_is_walked_once() {
    let document = with_schema(
        json!({ "$ref": "#/components/schemas/Loop" }),
        json!({
            "Loop": {
                "allOf": [
                    { "$ref": "#/components/schemas/Loop" },
                    { "$ref": "#/components/schemas/Typed" }
                ]
            },
            "Typed": {
                "type": "object",
                "properties": { "type": { "const": "loop" }, "n": { "type": "integer" } }
            }
        }),
    );
    let [open, strict] = both(&document);
    for validator in [&open, &strict] {
        assert_eq!(validator.event_types().collect::<Vec<_>>(), ["loop"]);
    }
    let payload = json!({ "type": "loop", "n": 1, "extra": 1 });
    assert!(open.validate_value(&payload).is_valid());
    assert_eq!(
        kinds(&strict, &payload),
        [("/extra".to_owned(), IssueKind::UnknownProperty)]
    );
    assert_eq!(
        kinds(&open, &json!({ "type": "loop", "n": "1" })),
        [("/n".to_owned(), IssueKind::Type)]
    );
}

/// A chain of `allOf`s `depth` deep, with the `type` pinned at the bottom.
fn chain(depth: usize) -> Value {
    let mut schemas = serde_json::Map::new();
    for level in 0..depth {
        schemas.insert(
            format!("L{level}"),
            json!({ "allOf": [{ "$ref": format!("#/components/schemas/L{}", level + 1) }] }),
        );
    }
    schemas.insert(
        format!("L{depth}"),
        json!({ "type": "object", "properties": { "type": { "const": "deep" }, "n": { "type": "integer" } } }),
    );
    with_schema(
        json!({ "$ref": "#/components/schemas/L0" }),
        Value::Object(schemas),
    )
}

/// The pinned type is found through at most 64 `allOf` levels below the
/// body's `$ref`, beyond which the webhook's key names it; strict mode
/// closes an object whose properties are at most 63 levels down, and
/// leaves deeper ones open (it never closes what it cannot see).
#[test]
fn type_and_properties_are_looked_for_64_levels_deep() {
    for (depth, event_type, closed) in [
        (62, "deep", true),
        (63, "deep", true),
        (64, "deep", false),
        (65, "hook", false),
        (66, "hook", false),
    ] {
        let [open, strict] = both(&chain(depth));
        assert_eq!(
            open.event_types().collect::<Vec<_>>(),
            [event_type],
            "{depth}"
        );
        if event_type == "hook" {
            // The schema still pins "deep": no payload is valid.
            continue;
        }
        let payload = json!({ "type": event_type, "n": 1, "extra": true });
        assert!(open.validate_value(&payload).is_valid(), "{depth}");
        let expected = if closed {
            vec![("/extra".to_owned(), IssueKind::UnknownProperty)]
        } else {
            vec![]
        };
        assert_eq!(kinds(&strict, &payload), expected, "{depth}");
    }
}

/// A webhook whose only body is not JSON cannot be validated: refused.
#[test]
fn a_webhook_without_a_json_body_is_refused() {
    let mut document = with_schema(json!({ "type": "object" }), json!({}));
    let content = &mut document["webhooks"]["hook"]["post"]["requestBody"]["content"];
    let schema = content["application/json"].clone();
    *content = json!({ "text/plain": schema.clone(), "application/jsonl": schema.clone() });
    let err = Validator::from_document(&document, Options::default()).expect_err("refused");
    assert!(
        matches!(&err, SpecError::MissingSchema { webhook } if webhook == "hook"),
        "{err:?}"
    );
    // `+json` and parameters are JSON.
    for media_type in [
        "application/vnd.whereby+json",
        "application/json; charset=utf-8",
        " text/json ;x=1",
    ] {
        document["webhooks"]["hook"]["post"]["requestBody"]["content"] =
            json!({ "text/plain": schema.clone(), media_type: schema.clone() });
        Validator::from_document(&document, Options::default())
            .unwrap_or_else(|err| panic!("{media_type}: {err}"));
    }
}

/// A broken `$ref` anywhere under the body schema, even inside `allOf`,
/// is refused when the document is loaded, naming the reference.
#[test]
fn a_broken_reference_inside_all_of_is_refused() {
    for schema in [
        json!({ "allOf": [{ "type": "object" }, { "$ref": "#/components/schemas/Gone" }] }),
        json!({ "type": "object", "properties": { "a": { "allOf": [{ "$ref": "#/components/schemas/Gone" }] } } }),
        json!({ "anyOf": [{ "$ref": "#/components/schemas/Gone" }] }),
    ] {
        let document = with_schema(schema, json!({}));
        for strict in [false, true] {
            let err = Validator::from_document(&document, Options { strict })
                .expect_err("a broken reference");
            assert!(
                matches!(&err, SpecError::UnresolvableRef { webhook, reference }
                    if webhook == "hook" && reference == "#/components/schemas/Gone"),
                "{err:?}"
            );
        }
    }
}

/// A schema nested deeper than the document walk goes is refused before it
/// is compiled: the compiler's time grows faster than the depth, and
/// 80,000 levels of `properties`, each through a `$ref`, took 70 s to load.
/// The error names the last reference on the way down.
#[test]
fn a_schema_nested_past_the_walk_is_refused_before_it_is_compiled() {
    let levels = 2_000;
    let mut schemas = serde_json::Map::new();
    for i in 0..levels {
        schemas.insert(
            format!("L{i}"),
            json!({ "type": "object", "properties": {
                "next": { "$ref": format!("#/components/schemas/L{}", i + 1) },
            }}),
        );
    }
    schemas.insert(format!("L{levels}"), json!({ "type": "string" }));
    let document = with_schema(
        json!({ "$ref": "#/components/schemas/L0" }),
        Value::Object(schemas),
    );
    let err = Validator::from_document(&document, Options::default()).expect_err("too deep");
    assert!(
        matches!(&err, SpecError::TooNested { webhook, via: Some(via), max: 1024 }
            if webhook == "hook" && via.starts_with("#/components/schemas/L")),
        "{err:?}"
    );
    assert!(err.to_string().contains("flatten it"), "{err}");
}

/// Strict mode closes an open list wherever the schema holds it, including
/// inside the branches of `allOf`, `anyOf` and `oneOf` (arrays of schemas).
/// The issue names the unknown value under each of them: under `anyOf` and
/// `oneOf`, a branch that fails only on an unknown value of an open list is
/// reported as that, not as "matches none of the allowed schemas".
#[test]
fn strict_mode_closes_open_lists_inside_combinators() {
    let list = json!({ "type": "string", "x-extensible-enum": ["host", "visitor"] });
    for keyword in ["allOf", "anyOf", "oneOf"] {
        let schema = json!({
            "type": "object",
            "properties": {
                "type": { "const": "t" },
                "role": { keyword: [list] },
            },
        });
        let document = with_schema(schema, json!({}));
        let [open, strict] = both(&document);
        let payload = json!({ "type": "t", "role": "owner" });
        assert!(open.validate_value(&payload).is_valid(), "{keyword}");
        let found = kinds(&strict, &payload);
        assert_eq!(
            found,
            [("/role".to_owned(), IssueKind::UnknownValue)],
            "{keyword}"
        );
        let known = json!({ "type": "t", "role": "visitor" });
        assert!(strict.validate_value(&known).is_valid(), "{keyword}");
    }
}

/// A schema that `$ref` or `allOf` applies and that describes any other
/// property's value (`additionalProperties` with a schema: a map) keeps strict
/// mode from closing the object; `additionalProperties: false` does not.
#[test]
fn strict_mode_leaves_open_what_a_combined_schema_opens() {
    let base = json!({ "type": "object", "properties": { "type": { "const": "open" }, "a": { "type": "string" } } });
    for open in [json!({ "type": "integer" })] {
        let mut opened = base.clone();
        opened["additionalProperties"] = open.clone();
        for schema in [
            json!({ "$ref": "#/components/schemas/Base" }),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Base" }] }),
            json!({ "allOf": [{ "type": "object" }, { "allOf": [{ "$ref": "#/components/schemas/Base" }] }] }),
        ] {
            let document = with_schema(schema.clone(), json!({ "Base": opened }));
            let [_, strict] = both(&document);
            let payload = json!({ "type": "open", "a": "x", "extra": 1 });
            assert!(
                strict.validate_value(&payload).is_valid(),
                "{open} in {schema}: {:?}",
                kinds(&strict, &payload)
            );
        }
    }
    // `false` closes; `true` says what leaving the keyword out says (the
    // published documents write it for code generators), so strict mode
    // closes the object all the same, wherever it is written.
    for closing in [json!(false), json!(true)] {
        let mut closed = base.clone();
        closed["additionalProperties"] = closing.clone();
        for schema in [
            json!({ "$ref": "#/components/schemas/Base" }),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Base" }] }),
        ] {
            let document = with_schema(schema.clone(), json!({ "Base": closed }));
            let [lenient, strict] = both(&document);
            let payload = json!({ "type": "open", "a": "x", "extra": 1 });
            assert_eq!(
                lenient.validate_value(&payload).is_valid(),
                closing == true,
                "{closing} in {schema}"
            );
            let found = kinds(&strict, &payload);
            assert!(
                found
                    .iter()
                    .all(|(path, kind)| path == "/extra" && *kind == IssueKind::UnknownProperty)
                    && !found.is_empty(),
                "{closing} in {schema}: {found:?}"
            );
        }
    }
}

/// Conditional and nested schemas in strict mode: what `then`/`else` and
/// `oneOf` declare counts only where they apply, at every depth.
#[test]
fn strict_mode_closes_conditional_and_nested_schemas() {
    let document = with_schema(
        json!({ "$ref": "#/components/schemas/Outer" }),
        json!({
            "Outer": {
                "type": "object",
                "properties": {
                    "type": { "const": "nested" },
                    "inner": { "$ref": "#/components/schemas/Inner" },
                    "list": { "type": "array", "items": { "$ref": "#/components/schemas/Inner" } }
                }
            },
            "Inner": {
                "type": "object",
                "properties": { "kind": { "type": "string" } },
                "if": { "properties": { "kind": { "const": "a" } }, "required": ["kind"] },
                "then": { "properties": { "aOnly": { "type": "integer" } } },
                "else": { "properties": { "otherOnly": { "type": "integer" } } },
                "oneOf": [
                    { "properties": { "x": { "type": "integer" } }, "required": ["x"] },
                    { "properties": { "y": { "type": "integer" } }, "required": ["y"] }
                ]
            }
        }),
    );
    let [open, strict] = both(&document);
    let good = json!({ "type": "nested",
        "inner": { "kind": "a", "aOnly": 1, "x": 1 },
        "list": [{ "kind": "b", "otherOnly": 1, "y": 2 }] });
    assert!(open.validate_value(&good).is_valid());
    assert!(
        strict.validate_value(&good).is_valid(),
        "{:?}",
        kinds(&strict, &good)
    );
    let crossed = json!({ "type": "nested",
        "inner": { "kind": "a", "otherOnly": 1, "x": 1 },
        "list": [{ "kind": "b", "aOnly": 1, "y": 2 }] });
    assert!(open.validate_value(&crossed).is_valid());
    assert_eq!(
        kinds(&strict, &crossed),
        [
            ("/inner/otherOnly".to_owned(), IssueKind::UnknownProperty),
            ("/list/0/aOnly".to_owned(), IssueKind::UnknownProperty)
        ]
    );
}

/// A file that is neither JSON nor YAML, with a name that does not say,
/// is named as not being an OpenAPI document.
#[test]
fn a_spec_file_that_is_not_a_document_says_so() {
    let cargo = "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\n";
    let err = Validator::from_path(&temp_file("Cargo.toml", cargo), Options::default())
        .expect_err("not a document");
    assert!(
        matches!(&err, SpecError::NotADocument { reason, .. } if reason == "it is neither JSON nor YAML"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.ends_with("Cargo.toml is not an OpenAPI document (it is neither JSON nor YAML); give an OpenAPI 3.1 document in JSON or YAML, such as spec/openapi.yaml"),
        "{message}"
    );
    let err = Validator::from_path(&temp_file("notes.txt", "just words\n"), Options::default())
        .expect_err("not a document");
    assert!(
        matches!(&err, SpecError::NotADocument { reason, .. } if reason == "it is a string"),
        "{err:?}"
    );
    // Without an extension, YAML that is an object is read as a document.
    let err = Validator::from_path(&temp_file("spec", "openapi: 3.0.0\n"), Options::default())
        .expect_err("an old document");
    assert!(matches!(err, SpecError::NotOpenApi31 { .. }), "{err:?}");
}
