//! Documents other than the embedded one: an older or newer spec, a
//! hand-written one, YAML, and documents that cannot be used.

use serde_json::{Value, json};
use whereby_webhooks_conformance::{IssueKind, Options, SpecError, Validator};

use crate::common::{document, repo_root, temp_file, validator, within_two_minutes};

/// A small OpenAPI 3.1 document with two webhooks.
fn tiny() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "tiny", "version": "0" },
        "webhooks": {
            // The key is not the type: the pinned `const` decides.
            "ping hook": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": { "$ref": "#/components/schemas/Ping" },
                                "examples": {
                                    "first": { "value": { "type": "ping", "at": "2024-01-01T00:00:00Z" } },
                                    "shared": { "$ref": "#/components/examples/SharedPing" }
                                }
                            }
                        }
                    }
                }
            },
            // No pinned type: the key is the type.
            "pong": {
                "post": {
                    "requestBody": { "$ref": "#/components/requestBodies/Pong" }
                }
            }
        },
        "components": {
            "schemas": {
                "Ping": {
                    "type": "object",
                    "properties": {
                        "type": { "const": "ping" },
                        "at": { "type": "string", "format": "date-time" }
                    },
                    "required": ["type", "at"]
                },
                "Pong": {
                    "type": "object",
                    "properties": { "type": { "type": "string" }, "n": { "type": "integer" } },
                    "required": ["n"]
                }
            },
            "requestBodies": {
                "Pong": {
                    "content": {
                        "application/cloudevents+json; charset=utf-8": {
                            "schema": { "$ref": "#/components/schemas/Pong" },
                            "example": { "type": "pong", "n": 1 }
                        }
                    }
                }
            },
            "examples": {
                "SharedPing": { "value": { "type": "ping", "at": "2024-01-02T00:00:00Z" } }
            }
        }
    })
}

#[test]
fn a_hand_written_document_validates_by_its_own_types() {
    let validator =
        Validator::from_document(&tiny(), Options::default()).expect("the tiny document loads");
    assert_eq!(
        validator.event_types().collect::<Vec<_>>(),
        ["ping", "pong"]
    );
    let examples: Vec<(String, String)> = validator
        .examples()
        .into_iter()
        .map(|(event_type, name, value)| {
            assert!(
                validator.validate_value(&value).is_valid(),
                "{event_type}.{name}"
            );
            (event_type, name)
        })
        .collect();
    assert_eq!(
        examples,
        [
            ("ping".to_owned(), "first".to_owned()),
            ("ping".to_owned(), "shared".to_owned()),
            ("pong".to_owned(), "example".to_owned())
        ]
    );
    let report = validator.validate_value(&json!({ "type": "ping", "at": "noon" }));
    assert_eq!(report.event_type.as_deref(), Some("ping"));
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].instance_path, "/at");
    assert_eq!(
        report.errors[0].schema_path,
        "/components/schemas/Ping/properties/at/format"
    );

    let report = validator.validate_value(&json!({ "type": "pong" }));
    assert_eq!(report.errors[0].instance_path, "");
    assert_eq!(report.errors[0].message, "missing property n");

    let report = validator.validate_value(&json!({ "type": "room.client.joined" }));
    assert_eq!(report.errors[0].kind, IssueKind::UnknownEventType);
    assert!(
        report.errors[0].message.contains("ping, pong"),
        "{}",
        report.errors[0].message
    );
}

#[test]
fn the_embedded_document_without_one_event_knows_one_type_less() {
    let mut older = document().clone();
    let hooks = older["webhooks"].as_object_mut().expect("webhooks");
    hooks
        .shift_remove("assistant.requested")
        .expect("the spec has assistant.requested");
    let older =
        Validator::from_document(&older, Options::default()).expect("the older document loads");
    let full: Vec<&str> = validator(false).event_types().collect();
    let fewer: Vec<&str> = older.event_types().collect();
    assert_eq!(fewer.len() + 1, full.len());
    assert!(!fewer.contains(&"assistant.requested"));
    for (event_type, name, value) in validator(false).examples() {
        let report = older.validate_value(&value);
        if event_type == "assistant.requested" {
            assert_eq!(report.errors.len(), 1, "{name}");
            assert_eq!(report.errors[0].kind, IssueKind::UnknownEventType);
            assert_eq!(report.errors[0].instance_path, "/type");
        } else {
            assert!(
                report.is_valid(),
                "{event_type}.{name}: {:#?}",
                report.errors
            );
        }
    }
}

#[test]
fn a_newer_document_can_add_a_required_property() {
    let mut newer = document().clone();
    let envelope = newer
        .pointer_mut("/components/schemas/RoomSessionStartedEvent")
        .expect("the spec has RoomSessionStartedEvent");
    envelope["properties"]["attempt"] = json!({ "type": "integer" });
    envelope["required"]
        .as_array_mut()
        .expect("required")
        .push(json!("attempt"));
    let newer =
        Validator::from_document(&newer, Options::default()).expect("the newer document loads");
    let (_, _, example) = validator(false)
        .examples()
        .into_iter()
        .find(|(event_type, _, _)| event_type == "room.session.started")
        .expect("an example of room.session.started");
    let report = newer.validate_value(&example);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].instance_path, "");
    assert_eq!(report.errors[0].message, "missing property attempt");
}

#[test]
fn the_embedded_examples_are_the_models() {
    let from_document: Vec<(String, String, Value)> = validator(false).examples();
    let from_model: Vec<(String, String, Value)> = whereby_webhooks_model::all_examples()
        .into_iter()
        .map(|example| {
            (
                example.event.event_type().as_str().to_owned(),
                example.name.to_owned(),
                serde_json::to_value(&example.event).expect("an example serialises"),
            )
        })
        .collect();
    assert_eq!(from_document, from_model);
}

#[test]
fn the_yaml_spec_describes_the_same_events() {
    let yaml = Validator::from_path(&repo_root().join("spec/openapi.yaml"), Options::default())
        .expect("spec/openapi.yaml loads");
    let json = Validator::from_path(&repo_root().join("spec/openapi.json"), Options::default())
        .expect("spec/openapi.json loads");
    assert_eq!(
        yaml.event_types().collect::<Vec<_>>(),
        json.event_types().collect::<Vec<_>>()
    );
    assert_eq!(yaml.examples(), json.examples());
    assert_eq!(
        json.event_types().collect::<Vec<_>>(),
        validator(false).event_types().collect::<Vec<_>>()
    );
}

#[test]
fn the_file_extension_or_first_character_picks_the_parser() {
    let text = serde_json::to_string(&tiny()).expect("serialise");
    let yaml = yaml_serde::to_string(&tiny()).expect("to YAML");
    for (name, text) in [
        ("tiny.json", &text),
        ("tiny.spec", &text),
        ("tiny.yml", &yaml),
        ("tiny.txt", &yaml),
    ] {
        let path = temp_file(name, text);
        let validator = Validator::from_path(&path, Options::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(validator.event_types().count(), 2, "{name}");
    }
}

fn load_error(document: Value) -> SpecError {
    Validator::from_document(&document, Options::default()).expect_err("the document is refused")
}

#[test]
fn unusable_documents_are_refused_with_the_reason() {
    let missing = repo_root().join("no/such/spec.json");
    let err = Validator::from_path(&missing, Options::default()).expect_err("no file");
    assert!(
        matches!(&err, SpecError::Read { path, .. } if *path == missing),
        "{err:?}"
    );

    let err = Validator::from_path(
        &temp_file("broken.json", "{\"openapi\": "),
        Options::default(),
    )
    .expect_err("not JSON");
    assert!(matches!(err, SpecError::Json(_)), "{err:?}");

    // A `.json` file is read as JSON, even when its text would read as YAML.
    let err = Validator::from_path(
        &temp_file("yaml-inside.json", "openapi: 3.1.0\nwebhooks: {}\n"),
        Options::default(),
    )
    .expect_err("not JSON");
    assert!(matches!(err, SpecError::Json(_)), "{err:?}");

    let err = Validator::from_path(
        &temp_file("broken.yaml", "openapi: [3.1\nwebhooks: {"),
        Options::default(),
    )
    .expect_err("not YAML");
    assert!(matches!(err, SpecError::Yaml(_)), "{err:?}");

    let mut doc = tiny();
    doc["openapi"] = json!("3.0.3");
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::NotOpenApi31 { found } if found == "\"3.0.3\""),
        "{err:?}"
    );

    let mut doc = tiny();
    doc.as_object_mut()
        .expect("an object")
        .shift_remove("openapi");
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::NotOpenApi31 { found } if found == "missing"),
        "{err:?}"
    );
    let err = load_error(json!(["openapi", "3.1.0"]));
    assert!(
        matches!(&err, SpecError::NotOpenApi31 { found }
            if found.starts_with("missing: the document is ") && found.contains("array")),
        "{err:?}"
    );

    let mut doc = tiny();
    doc.as_object_mut()
        .expect("an object")
        .shift_remove("webhooks");
    assert!(matches!(load_error(doc), SpecError::NoWebhooks));
    let mut doc = tiny();
    doc["webhooks"] = json!({});
    assert!(matches!(load_error(doc), SpecError::NoWebhooks));

    let mut doc = tiny();
    doc["webhooks"]["ping hook"]["post"] = json!({ "responses": {} });
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::MissingSchema { webhook } if webhook == "ping hook"),
        "{err:?}"
    );

    let mut doc = tiny();
    doc["components"]["schemas"]["Ping"]["properties"]["at"] =
        json!({ "$ref": "#/components/schemas/Nowhere" });
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::UnresolvableRef { webhook, reference } if webhook == "ping hook" && reference == "#/components/schemas/Nowhere"),
        "{err:?}"
    );

    let mut doc = tiny();
    doc["components"]["schemas"]["Ping"]["properties"]["at"] =
        json!({ "$ref": "https://example.com/at.json" });
    assert!(matches!(load_error(doc), SpecError::UnresolvableRef { .. }));

    let mut doc = tiny();
    doc["webhooks"]["pong"]["post"]["requestBody"] =
        json!({ "$ref": "#/components/requestBodies/Gone" });
    assert!(matches!(load_error(doc), SpecError::UnresolvableRef { .. }));

    let mut doc = tiny();
    doc["components"]["schemas"]["Ping"]["properties"]["at"] = json!({ "type": 12 });
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::InvalidSchema { webhook, .. } if webhook == "ping hook"),
        "{err:?}"
    );

    let mut doc = tiny();
    doc["components"]["schemas"]["Pong"]["properties"]["type"] = json!({ "const": "ping" });
    let err = load_error(doc);
    assert!(
        matches!(&err, SpecError::DuplicateEventType { event_type, first, second } if event_type == "ping" && first == "ping hook" && second == "pong"),
        "{err:?}"
    );
}

#[test]
fn spec_errors_say_what_to_do() {
    let mut doc = tiny();
    doc["openapi"] = json!("3.0.3");
    let message = load_error(doc).to_string();
    assert!(
        message.starts_with("the spec is not an OpenAPI 3.1 document"),
        "{message}"
    );
    assert!(
        message.contains("give a document with `openapi: 3.1.x`"),
        "{message}"
    );
    assert!(!message.ends_with('.'), "{message}");
}

/// A spec file over the limit is refused before it is parsed, with the
/// limit named, whatever its extension.
#[test]
fn spec_files_over_the_limit_are_refused_unparsed() {
    use whereby_webhooks_conformance::{MAX_DOCUMENT_BYTES, SpecError};
    let limit = usize::try_from(MAX_DOCUMENT_BYTES).expect("fits");
    for name in ["huge.yaml", "huge.json"] {
        // Valid YAML and JSON prefix, then far too much of it.
        let text = format!(
            "{{\"openapi\": \"3.1.0\", \"x\": \"{}\"}}",
            "a".repeat(limit)
        );
        let path = temp_file(name, &text);
        let error = Validator::from_path(&path, Options::default()).expect_err(name);
        assert!(
            matches!(error, SpecError::TooLarge { .. }),
            "{name}: {error:?}"
        );
        assert!(
            error.to_string().contains(&MAX_DOCUMENT_BYTES.to_string()),
            "{error}"
        );
        std::fs::remove_file(&path).expect("removed");
    }
    // Exactly at the limit is read (and then judged as a document).
    let head = "{\"openapi\": \"3.1.0\", \"x\": \"";
    let text = format!("{head}{}\"}}", "a".repeat(limit - head.len() - 2));
    assert_eq!(text.len(), limit);
    let path = temp_file("at-the-limit.json", &text);
    let error = Validator::from_path(&path, Options::default()).expect_err("no webhooks");
    assert!(matches!(error, SpecError::NoWebhooks), "{error:?}");
    std::fs::remove_file(&path).expect("removed");
}

/// `tiny()` with `Ping.at` reached through a chain of `length` schemas
/// applied in place, each by `step` (`$ref` or `allOf`) to the next.
fn chained(length: usize, step: &str) -> Value {
    let mut document = tiny();
    let schemas = document["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    let link = |i: usize| json!({"$ref": format!("#/components/schemas/C{i}")});
    for i in 1..length {
        let next = link(i + 1);
        let schema = match step {
            "allOf" => json!({"allOf": [next]}),
            "dependentSchemas" => json!({"dependentSchemas": {"a": next}}),
            "$dynamicRef" => json!({"$dynamicRef": format!("#/components/schemas/C{}", i + 1)}),
            _ => next,
        };
        schemas.insert(format!("C{i}"), schema);
    }
    schemas.insert(format!("C{length}"), json!({"type": "string"}));
    document["components"]["schemas"]["Ping"]["properties"]["at"] = link(1);
    document
}

/// A chain of schemas applied in place is refused past its limit, before a
/// validator recurses down it: 14,000 `$ref`s once overflowed the stack
/// (and took `listen` down with it on the first delivery that failed).
#[test]
fn chains_of_schemas_applied_in_place_are_bounded() {
    use whereby_webhooks_conformance::MAX_IN_PLACE_CHAIN;
    // `at` itself, then the chain: as long as allowed, and one more. Each
    // `allOf` link is two steps: the `allOf`, then the `$ref` in it.
    let max = MAX_IN_PLACE_CHAIN;
    for (step, allowed, refused) in [
        ("$ref", max - 1, max),
        ("$dynamicRef", max - 1, max),
        ("allOf", max / 2, max / 2 + 1),
        ("dependentSchemas", max / 2, max / 2 + 1),
    ] {
        let longest = Validator::from_document(&chained(allowed, step), Options::default())
            .expect("a chain at the limit loads");
        if step != "dependentSchemas" {
            // (`dependentSchemas` applies to objects only.)
            let report = longest.validate_value(&json!({"type": "ping", "at": 1}));
            assert!(!report.is_valid(), "{step}: the chain's end still applies");
        }
        for length in [refused, 14_000] {
            let err = load_error(chained(length, step));
            assert!(
                matches!(&err, SpecError::TooDeep { max, .. } if *max == MAX_IN_PLACE_CHAIN),
                "{step} {length}: {err:?}"
            );
            assert!(err.to_string().contains("shorten the chain"), "{err}");
        }
    }
    // A cycle is not a chain: validators stop where a schema recurs.
    let mut cycle = tiny();
    cycle["components"]["schemas"]["Loop"] = json!({"anyOf": [
        {"$ref": "#/components/schemas/Loop"}, {"type": "string"}]});
    cycle["components"]["schemas"]["Ping"]["properties"]["at"] =
        json!({"$ref": "#/components/schemas/Loop"});
    Validator::from_document(&cycle, Options::default()).expect("a cycle loads");
}

/// `levels` schemas, each applying the one before twice (`anyOf` or
/// `allOf`), the last one used by Ping's `at`: the schemas a validator
/// tries for `at` double at each level.
fn doubled(levels: usize, keyword: &str) -> Value {
    let mut document = tiny();
    let schemas = document["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    schemas.insert("D0".to_owned(), json!({"type": "string"}));
    for level in 1..=levels {
        let target = format!("#/components/schemas/D{}", level - 1);
        let before = json!({"$ref": target});
        let schema = match keyword {
            "dependentSchemas" => json!({ keyword: {"a": before, "b": before} }),
            "$dynamicRef" => json!({"allOf": [{ keyword: target }, { keyword: target }]}),
            _ => json!({ keyword: [before.clone(), before] }),
        };
        schemas.insert(format!("D{level}"), schema);
    }
    document["components"]["schemas"]["Ping"]["properties"]["at"] =
        json!({"$ref": format!("#/components/schemas/D{levels}")});
    document
}

/// Branches that apply the same schema twice, level after level, make a
/// validator try (and, for a failing value, report on) exponentially many
/// schemas: 22 levels took over 7 GB for one value, through `anyOf` or
/// `allOf`, and 21 took 2.65 GB through `dependentSchemas` or
/// `$dynamicRef`. Counted with repeats,
/// a schema may apply at most `MAX_IN_PLACE_SCHEMAS`; the count is made
/// once per schema, so 60 levels are refused at once.
#[test]
fn schemas_applied_in_place_are_counted_with_repeats() {
    use whereby_webhooks_conformance::MAX_IN_PLACE_SCHEMAS;
    assert_eq!(MAX_IN_PLACE_SCHEMAS, 4096);
    for keyword in ["anyOf", "allOf", "dependentSchemas", "$dynamicRef"] {
        // Level n applies 2^(n+2) - 3 schemas: 4,093 at 10, 8,189 at 11.
        let widest = Validator::from_document(&doubled(10, keyword), Options::default())
            .expect("4,093 schemas load");
        if !keyword.starts_with("dep") {
            let report = widest.validate_value(&json!({"type": "ping", "at": 1}));
            assert!(!report.is_valid(), "{keyword}: `at` is still checked");
        }
        for levels in [11, 60] {
            let err = load_error(doubled(levels, keyword));
            assert!(
                matches!(&err, SpecError::TooBranched { max, pointer }
                    if *max == MAX_IN_PLACE_SCHEMAS && pointer.starts_with("/components/schemas/D")),
                "{keyword} {levels}: {err:?}"
            );
            assert!(err.to_string().contains("apply each once"), "{err}");
        }
    }
}

/// The `x-since` of a property with an issue is looked up through every
/// schema that may apply to it, each once per level of the payload: when
/// both `then` and `else` lead to the same schema, the schemas looked at
/// used to double with each level (the validator itself takes one of the
/// two), so an issue 25 levels down took 100 s, and 100 would take ages.
#[test]
fn the_since_of_a_deep_issue_is_found_in_linear_time() {
    let mut document = tiny();
    let node = json!({"$ref": "#/components/schemas/Node"});
    document["components"]["schemas"]["Node"] = json!({
        "type": "object",
        "if": {"required": ["never"]},
        "then": {"properties": {"a": node}},
        "else": {"properties": {"a": node}},
    });
    document["components"]["schemas"]["Ping"]["properties"]["nest"] = node;
    let validator = Validator::from_document(&document, Options::default()).expect("loads");
    let mut nest = json!(5);
    for _ in 0..100 {
        nest = json!({ "a": nest });
    }
    let report = within_two_minutes("a deep issue", move || {
        validator.validate_value(&json!({"type": "ping", "at": "x", "nest": nest}))
    });
    assert!(
        report
            .errors
            .iter()
            .any(|issue| issue.instance_path.matches("/a").count() == 100),
        "{report:?}"
    );
}
