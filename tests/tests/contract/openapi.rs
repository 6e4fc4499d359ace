//! The OpenAPI document: exactly the model's webhooks, each fully described,
//! and every example in it valid against the schema it sits beside.

use serde_json::{Value, json};
use whereby_webhooks_model::EventType;

use crate::common::{compile, errors, read_json};

fn document() -> Value {
    read_json("spec/openapi.json")
}

#[test]
fn yaml_and_json_are_the_same_document() {
    let text = std::fs::read_to_string(crate::common::root().join("spec/openapi.yaml")).unwrap();
    let yaml: Value = yaml_serde::from_str(&text).unwrap();
    assert_eq!(yaml, document());
}

#[test]
fn it_is_openapi_3_1_with_exactly_the_model_webhooks_in_order() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let keys: Vec<&str> = doc["webhooks"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(keys, expected);
    assert!(doc.get("servers").is_none(), "webhooks have no servers");
    assert!(
        doc.get("paths").is_none(),
        "there is no registration API to describe"
    );
}

#[test]
fn every_webhook_is_a_described_post() {
    let doc = document();
    let mut ids = Vec::new();
    for ty in EventType::ALL {
        let item = doc["webhooks"][ty.as_str()].as_object().unwrap();
        assert_eq!(item.keys().collect::<Vec<_>>(), ["post"], "{ty}");
        let post = &item["post"];
        ids.push(post["operationId"].as_str().unwrap().to_owned());
        assert!(post["summary"].is_string() && post["description"].is_string());
        // The header is defined once under components/parameters.
        let reference = post["parameters"][0]["$ref"].as_str().unwrap();
        let name = reference.strip_prefix("#/components/parameters/").unwrap();
        let header = &doc["components"]["parameters"][name];
        assert_eq!(header["name"], "Whereby-Signature");
        assert_eq!(header["in"], "header");
        // Whereby documents no signature for the Assistant's endpoint.
        assert_eq!(
            header["required"],
            ty != EventType::AssistantRequested,
            "{ty}"
        );
        let header_description = header["description"].as_str().unwrap();
        if ty == EventType::AssistantRequested {
            assert!(header_description.starts_with("Not documented"), "{ty}");
        } else {
            assert!(header_description.contains("HMAC-SHA256"), "{ty}");
            assert!(
                header_description.contains("one signature")
                    && !header_description.contains("several"),
                "Whereby documents one `v1`: {header_description}"
            );
        }
        let body = &post["requestBody"];
        assert_eq!(body["required"], true);
        let schema_ref = body["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        assert_eq!(
            schema_ref,
            format!("#/components/schemas/{}", ty.schema_name())
        );
        let responses = post["responses"].as_object().unwrap();
        assert_eq!(responses.keys().collect::<Vec<_>>(), ["2XX", "4XX", "5XX"]);
        assert!(
            responses["5XX"]["description"]
                .as_str()
                .unwrap()
                .contains("5 seconds")
        );
        let tag = post["tags"][0].as_str().unwrap();
        assert!(
            doc["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == tag),
            "{tag}"
        );
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "operationIds must be unique");
}

/// A validator for one component, resolving `$ref`s within the document.
fn component_validator(doc: &Value, reference: &str) -> jsonschema::Validator {
    compile(&json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": reference,
        "components": doc["components"],
    }))
}

#[test]
fn every_example_in_the_document_validates_against_its_schema() {
    let doc = document();
    let mut count = 0;
    for ty in EventType::ALL {
        let content =
            &doc["webhooks"][ty.as_str()]["post"]["requestBody"]["content"]["application/json"];
        let validator = component_validator(&doc, content["schema"]["$ref"].as_str().unwrap());
        let examples = content["examples"].as_object().unwrap();
        assert!(!examples.is_empty(), "{ty} has no example");
        for (name, example) in examples {
            let value = &example["value"];
            assert_eq!(value["type"], ty.as_str(), "{ty}/{name}");
            assert_eq!(
                errors(&validator, value),
                Vec::<String>::new(),
                "{ty}/{name}"
            );
            count += 1;
        }
    }
    assert!(count >= EventType::ALL.len());
}

#[test]
fn the_union_discriminates_on_type() {
    let doc = document();
    let union = &doc["components"]["schemas"]["WebhookEvent"];
    assert_eq!(union["discriminator"]["propertyName"], "type");
    let mapping = union["discriminator"]["mapping"].as_object().unwrap();
    assert_eq!(mapping.len(), EventType::ALL.len());
    let validator = component_validator(&doc, "#/components/schemas/WebhookEvent");
    for ty in EventType::ALL {
        let target = mapping[ty.as_str()].as_str().unwrap();
        let name = target.rsplit('/').next().unwrap();
        assert_eq!(
            doc["components"]["schemas"][name]["properties"]["type"]["enum"],
            serde_json::json!([ty.as_str()])
        );
    }
    for example in whereby_webhooks_model::all_examples() {
        let value = serde_json::to_value(&example.event).unwrap();
        assert!(validator.is_valid(&value), "{}", example.file_stem());
    }
}

#[test]
fn standalone_schemas_match_the_components() {
    let doc = document();
    for ty in EventType::ALL {
        let standalone = read_json(&format!("spec/schemas/{}.json", ty.as_str()));
        let component = &doc["components"]["schemas"][ty.schema_name()];
        assert_eq!(
            standalone["properties"]["type"], component["properties"]["type"],
            "{ty}"
        );
        assert_eq!(standalone["required"], component["required"], "{ty}");
    }
}

/// The published text says only what Whereby documents, and labels the rest
/// as this project's recommendation.
#[test]
fn descriptions_separate_whereby_facts_from_recommendations() {
    let doc = document();
    let info = doc["info"]["description"].as_str().unwrap();
    for phrase in [
        "Whereby documents",
        "We recommend",
        "does not document whether endpoint URLs must be HTTPS",
        "no static range of IP addresses and offers enterprise customers",
        "one timestamp and one signature",
        "x-since",
    ] {
        assert!(info.contains(phrase), "info lacks {phrase:?}");
    }
    let text = serde_json::to_string(&doc).unwrap();
    for claim in ["rotat", "several `v1`", "ignore other schemes"] {
        assert!(!text.contains(claim), "the spec claims {claim:?}");
    }
    let responses = &doc["webhooks"]["room.client.joined"]["post"]["responses"];
    for status in ["2XX", "4XX"] {
        let description = responses[status]["description"].as_str().unwrap();
        assert!(
            description.contains("does not document") || description.contains("inference"),
            "{status} states undocumented behaviour as fact: {description}"
        );
        assert!(description.contains("We recommend"), "{status}");
    }
    let retried = responses["5XX"]["description"].as_str().unwrap();
    assert!(retried.starts_with("Whereby documents"), "{retried}");
}
