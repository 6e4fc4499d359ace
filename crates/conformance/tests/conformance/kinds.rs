//! Every kind of issue, with its message, its line for people and its JSON
//! form, pinned by one snapshot; and `property` with `since`, read from the
//! document, so that another version of the spec explains its own history.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Value, json};
use whereby_webhooks_conformance::{Issue, IssueKind, Options, Report, Validator};

/// A small document with one property of each sort: dated (`x-since`,
/// beside a `$ref` or not), closed lists, an open list, formats, bounds.
fn dated() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "dated", "version": "0" },
        "webhooks": {
            "thing.happened": { "post": {
                "x-since": "2022-04-01",
                "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Thing" }
                } } }
            } },
            "thing.vanished": { "post": { "requestBody": { "content": { "application/json": {
                "schema": { "type": "object", "properties": { "type": { "const": "thing.vanished" } } }
            } } } } }
        },
        "components": { "schemas": {
            "Thing": {
                "type": "object",
                "required": ["type", "id", "data"],
                "properties": {
                    "type": { "const": "thing.happened", "x-since": "2022-04-01" },
                    "id": { "type": "string", "pattern": "^[0-9a-f]{4}$", "x-since": "2022-04-01" },
                    "at": { "type": "string", "format": "date-time", "x-since": "2023-01-02" },
                    "data": { "$ref": "#/components/schemas/Data", "x-since": "2022-04-01" }
                }
            },
            "Data": {
                "type": "object",
                "required": ["subdomain", "count"],
                "properties": {
                    "subdomain": { "type": "string", "x-since": "2025-09-08" },
                    "count": { "type": "integer", "minimum": 0, "maximum": 10, "x-since": "2023-12-07" },
                    "role": { "$ref": "#/components/schemas/Role", "x-since": "2024-05-06" },
                    "roles": { "type": "array", "items": { "$ref": "#/components/schemas/Role" } },
                    "storage": { "type": "string", "enum": ["a", "b"], "x-since": "2024-02-03" },
                    "api": { "const": "1.0" },
                    "name": { "type": "string", "minLength": 1 },
                    "undated": { "$ref": "#/components/schemas/Dated" },
                    "byRole": { "type": "object", "additionalProperties": { "type": "integer" } },
                    "ratio": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
                    "code": { "type": "string", "maxLength": 3 },
                    "either": { "oneOf": [{ "type": "integer" }, { "type": "number" }] },
                    "shape": { "anyOf": [{ "type": "integer" }, { "type": "boolean" }] },
                    "level": { "oneOf": [{ "const": "low" }, { "const": "high" }] },
                    "never": false,
                    "tags": { "type": "array", "uniqueItems": true },
                    "maybe": { "type": ["string", "null"] }
                }
            },
            "Role": {
                "type": "string",
                "x-extensible-enum": ["host", "visitor"],
                "x-enumDescriptions": { "host": "hosts", "visitor": "visits" }
            },
            "Dated": { "type": "integer", "x-since": "2021-01-01" }
        } }
    })
}

fn open() -> Validator {
    Validator::from_document(&dated(), Options::default()).expect("the dated document loads")
}

fn strict() -> Validator {
    Validator::from_document(&dated(), Options { strict: true }).expect("the dated document loads")
}

/// A valid payload of the dated document.
fn thing() -> Value {
    json!({
        "type": "thing.happened",
        "id": "00af",
        "at": "2026-03-31T09:00:04.700Z",
        "data": { "subdomain": "acme", "count": 1, "role": "host", "roles": ["visitor"],
                  "storage": "a", "api": "1.0", "name": "n", "undated": 1, "byRole": { "x": 1 },
                  "ratio": 0.5, "code": "abc", "either": 1.5, "shape": true, "level": "low",
                  "tags": ["a"], "maybe": null }
    })
}

fn with(pointer: &str, value: Value) -> Value {
    let mut thing = thing();
    *thing.pointer_mut(pointer).expect("a place in the example") = value;
    thing
}

fn without(parent: &str, name: &str) -> Value {
    let mut thing = thing();
    thing
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("an object")
        .remove(name);
    thing
}

/// Labelled reports of every kind of problem.
fn cases() -> Vec<(&'static str, Report)> {
    let open = open();
    let strict = strict();
    let mut extra = thing();
    extra["data"]["extra"] = json!(1);
    let mut never = thing();
    never["data"]["never"] = json!(1);
    vec![
        (
            "required, recent",
            open.validate_value(&without("/data", "subdomain")),
        ),
        ("required, oldest", open.validate_value(&without("", "id"))),
        (
            "type",
            open.validate_value(&with("/data/count", json!("3"))),
        ),
        (
            "type, open list not a string (strict)",
            strict.validate_value(&with("/data/role", json!(5))),
        ),
        (
            "enum",
            open.validate_value(&with("/data/storage", json!("c"))),
        ),
        (
            "const",
            open.validate_value(&with("/data/api", json!("2.0"))),
        ),
        (
            "format",
            open.validate_value(&with("/at", json!("yesterday"))),
        ),
        (
            "minimum",
            open.validate_value(&with("/data/count", json!(-1))),
        ),
        (
            "maximum",
            open.validate_value(&with("/data/count", json!(11))),
        ),
        ("pattern", open.validate_value(&with("/id", json!("zz")))),
        (
            "schema (minLength), dated on the referenced schema",
            open.validate_value(&with("/data/name", json!(""))),
        ),
        (
            "since on the referenced schema",
            open.validate_value(&with("/data/undated", json!("x"))),
        ),
        (
            "minimum, exclusive",
            open.validate_value(&with("/data/ratio", json!(0))),
        ),
        (
            "maximum, exclusive",
            open.validate_value(&with("/data/ratio", json!(1))),
        ),
        (
            "schema (maxLength)",
            open.validate_value(&with("/data/code", json!("abcd"))),
        ),
        (
            "schema (oneOf, several match)",
            open.validate_value(&with("/data/either", json!(2))),
        ),
        (
            "schema (oneOf, none match)",
            open.validate_value(&with("/data/either", json!("2"))),
        ),
        (
            "schema (anyOf, none match)",
            open.validate_value(&with("/data/shape", json!("x"))),
        ),
        (
            "enum (oneOf of constants)",
            open.validate_value(&with("/data/level", json!("mid"))),
        ),
        ("schema (false)", open.validate_value(&never)),
        (
            "schema (other keyword)",
            open.validate_value(&with("/data/tags", json!(["a", "a"]))),
        ),
        (
            "type, several",
            open.validate_value(&with("/data/maybe", json!(1))),
        ),
        (
            "map value: no property",
            open.validate_value(&with("/data/byRole/x", json!("1"))),
        ),
        ("unknown_property (strict)", strict.validate_value(&extra)),
        (
            "unknown_value (strict)",
            strict.validate_value(&with("/data/role", json!("superhost"))),
        ),
        (
            "unknown_value in an array (strict)",
            strict.validate_value(&with("/data/roles/0", json!("guest"))),
        ),
        ("syntax", open.validate_bytes(b"{\"type\": ")),
        (
            "syntax, YAML",
            open.validate_bytes(b"type: thing.happened\n"),
        ),
        (
            "syntax, YAML document",
            open.validate_bytes(b"---\ntype: x\n"),
        ),
        ("syntax, YAML list", open.validate_bytes(b"- type: x\n")),
        ("syntax, comment", open.validate_bytes(b"# events\n{}")),
        ("syntax, two documents", open.validate_bytes(b"{}\n{}")),
        ("syntax, a bare word", open.validate_bytes(b"nothing")),
        (
            "encoding, UTF-8 byte order mark",
            open.validate_bytes(b"\xef\xbb\xbf{}"),
        ),
        (
            "encoding, UTF-16LE with mark",
            open.validate_bytes(b"\xff\xfe{\x00}\x00"),
        ),
        (
            "encoding, UTF-16BE with mark",
            open.validate_bytes(b"\xfe\xff\x00{\x00}"),
        ),
        ("encoding, UTF-16LE", open.validate_bytes(b"{\x00}\x00")),
        ("encoding, UTF-16BE", open.validate_bytes(b"\x00{\x00}")),
        (
            "encoding, UTF-32LE with mark",
            open.validate_bytes(b"\xff\xfe\x00\x00{\x00\x00\x00"),
        ),
        (
            "encoding, UTF-32BE with mark",
            open.validate_bytes(b"\x00\x00\xfe\xff\x00\x00\x00{"),
        ),
        (
            "encoding, Latin-1",
            open.validate_bytes(b"{\"a\": \"caf\xe9\"}"),
        ),
        ("empty", open.validate_bytes(b" \r\n\t")),
        (
            "not_an_object, array",
            open.validate_bytes(b"[{\"type\": \"thing.happened\"}]"),
        ),
        ("not_an_object, number", open.validate_bytes(b"1")),
        (
            "missing_type",
            open.validate_value(&json!({ "id": "00af" })),
        ),
        (
            "missing_type, not a string",
            open.validate_value(&json!({ "type": ["thing.happened"] })),
        ),
        (
            "unknown_event_type, near",
            open.validate_value(&json!({ "type": "thing.hapened" })),
        ),
        (
            "unknown_event_type, far",
            open.validate_value(&json!({ "type": "payment.succeeded" })),
        ),
        (
            "unknown_event_type, escaped",
            open.validate_value(&json!({ "type": "x\u{1b}[2J\n2099 ok" })),
        ),
        (
            "duplicate_key, top",
            open.validate_bytes(b"{\"type\": \"thing.vanished\",\n \"type\": \"thing.happened\"}"),
        ),
        (
            "duplicate_key, nested",
            open.validate_bytes(b"{\"data\": {\"roles\": [1, {\"a/b\": 1, \"a/b\": 2}]}}"),
        ),
        (
            "too_large, size known",
            Report::failed(None, Issue::too_large(1024, Some(2048))),
        ),
        (
            "too_large, size unknown",
            Report::failed(None, Issue::too_large(1024, None)),
        ),
        (
            "refused_delivery",
            Report::failed(
                None,
                Issue::refused_delivery("a delivery refused with 401: no Whereby-Signature header"),
            ),
        ),
        (
            "malformed_record",
            Report::failed(
                None,
                Issue::new(
                    IssueKind::MalformedRecord,
                    "",
                    "this line has the shape of a record line but does not read as one: status: invalid value: integer `70000`, expected u16\u{1b}[2J".to_owned(),
                ),
            ),
        ),
    ]
}

#[test]
fn every_kind_has_a_pinned_message() {
    let mut text = String::new();
    let mut kinds = BTreeSet::new();
    for (label, report) in cases() {
        assert!(!report.is_valid(), "{label}");
        let _ = writeln!(text, "## {label} ({:?})", report.event_type);
        for issue in &report.errors {
            kinds.insert(issue.kind.name());
            let _ = writeln!(text, "{issue}");
            let _ = writeln!(
                text,
                "{}",
                serde_json::to_string(issue).expect("serialisable")
            );
        }
    }
    insta::assert_snapshot!(text);
    let all: BTreeSet<&str> = IssueKind::ALL.iter().map(|kind| kind.name()).collect();
    assert_eq!(kinds, all, "every kind is shown");
}

#[test]
fn the_examples_are_valid_in_both_modes() {
    assert!(open().validate_value(&thing()).is_valid());
    let report = strict().validate_value(&thing());
    assert!(report.is_valid(), "{report:#?}");
}

/// An open list accepts any string by default and names only unknown
/// strings in strict mode, where it is, whatever it is nested in.
#[test]
fn open_lists_are_closed_only_by_strict_mode() {
    for (pointer, value) in [("/data/role", "superhost"), ("/data/roles/0", "guest")] {
        let payload = with(pointer, json!(value));
        assert!(open().validate_value(&payload).is_valid(), "{pointer}");
        let report = strict().validate_value(&payload);
        let found: Vec<(&str, IssueKind)> = report
            .errors
            .iter()
            .map(|issue| (issue.instance_path.as_str(), issue.kind))
            .collect();
        assert_eq!(found, [(pointer, IssueKind::UnknownValue)]);
    }
    // A closed list stays an `enum` error in both modes.
    let payload = with("/data/storage", json!("c"));
    for validator in [open(), strict()] {
        let report = validator.validate_value(&payload);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].kind, IssueKind::Enum);
    }
    // The document itself is not changed for the open validator.
    assert!(dated().pointer("/components/schemas/Role/enum").is_none());
}

#[test]
fn since_comes_from_the_document_given() {
    let mut older = dated();
    older["components"]["schemas"]["Data"]["properties"]["subdomain"]["x-since"] =
        json!("2030-01-01");
    let older = Validator::from_document(&older, Options::default()).expect("loads");
    let report = older.validate_value(&without("/data", "subdomain"));
    assert_eq!(report.errors[0].since.as_deref(), Some("2030-01-01"));
    assert_eq!(report.errors[0].property.as_deref(), Some("subdomain"));

    // Without `x-since`, the property is still named, with no date.
    let mut undated = dated();
    undated["components"]["schemas"]["Data"]["properties"]["subdomain"]
        .as_object_mut()
        .expect("a schema")
        .remove("x-since");
    let undated = Validator::from_document(&undated, Options::default()).expect("loads");
    let issue = &undated
        .validate_value(&without("/data", "subdomain"))
        .errors[0];
    assert_eq!(issue.message, "missing property subdomain");
    assert_eq!(
        serde_json::to_value(issue).expect("serialisable"),
        json!({
            "kind": "required",
            "instance_path": "/data",
            "schema_path": "/components/schemas/Data/required",
            "message": "missing property subdomain",
            "property": "subdomain"
        })
    );
}
