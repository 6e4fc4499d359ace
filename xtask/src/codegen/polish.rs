//! Document-wide finishing of the generated OpenAPI 3.1 document, applied to
//! its JSON so it holds whatever the model and the operations say:
//!
//! - every header parameter that webhooks repeat is defined once under
//!   `components/parameters` and referenced (two webhooks whose parameter
//!   differs, in `required` for example, get two components);
//! - `security: []` at the root says, honestly, that no security scheme
//!   applies: deliveries are authenticated by the signature header, which is
//!   not a credential a client presents.

use serde_json::{Map, Value, json};

/// The operations of a path item, by method.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `Whereby-Signature` → `WherebySignature`.
fn component_name(parameter_name: &str) -> String {
    parameter_name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Puts `parameter` into `components` (reusing an identical one) and returns
/// its `$ref`.
pub fn share_parameter(
    components: &mut Map<String, Value>,
    parameter: Value,
    operation_id: &str,
) -> Value {
    if let Some((name, _)) = components.iter().find(|(_, p)| **p == parameter) {
        return json!({ "$ref": format!("#/components/parameters/{name}") });
    }
    let base = component_name(parameter["name"].as_str().unwrap_or("Parameter"));
    let optional = if parameter["required"] == true {
        ""
    } else {
        "Optional"
    };
    let candidates = [
        base.clone(),
        format!("{base}{optional}"),
        format!("{base}{}", component_name(operation_id)),
    ];
    let name = candidates
        .into_iter()
        .find(|name| !components.contains_key(name))
        .unwrap_or_else(|| {
            (2..)
                .map(|n| format!("{base}{n}"))
                .find(|name| !components.contains_key(name))
                .unwrap_or_default()
        });
    components.insert(name.clone(), parameter);
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// Applies every finishing step to the generated document.
pub fn polish(document: &mut Value) -> Result<(), String> {
    let Value::Object(root) = document else {
        return Err("the OpenAPI document is not an object".into());
    };
    let mut parameters = root
        .get("components")
        .and_then(|c| c.get("parameters"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for group in ["webhooks", "paths"] {
        let Some(Value::Object(items)) = root.get_mut(group) else {
            continue;
        };
        for item in items.values_mut() {
            for method in METHODS {
                let Some(operation) = item.get_mut(*method) else {
                    continue;
                };
                let operation_id = operation["operationId"].as_str().unwrap_or("").to_owned();
                let Some(Value::Array(list)) = operation.get_mut("parameters") else {
                    continue;
                };
                for parameter in list.iter_mut() {
                    if parameter.get("in").and_then(Value::as_str) == Some("header") {
                        *parameter =
                            share_parameter(&mut parameters, parameter.take(), &operation_id);
                    }
                }
            }
        }
    }
    if !parameters.is_empty() {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(components) = components else {
            return Err("`components` is not an object".into());
        };
        components.insert("parameters".into(), Value::Object(parameters));
    }
    insert_before(root, "security", json!([]), &["webhooks", "paths"]);
    Ok(())
}

/// Inserts `key` before the first of `anchors` present (at the end if none is).
pub fn insert_before(map: &mut Map<String, Value>, key: &str, value: Value, anchors: &[&str]) {
    map.remove(key);
    let mut out = Map::new();
    let mut value = Some(value);
    for (k, v) in std::mem::take(map) {
        if anchors.contains(&k.as_str())
            && let Some(value) = value.take()
        {
            out.insert(key.to_owned(), value);
        }
        out.insert(k, v);
    }
    if let Some(value) = value {
        out.insert(key.to_owned(), value);
    }
    *map = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(required: &[bool]) -> Value {
        let webhooks: Map<String, Value> = required
            .iter()
            .enumerate()
            .map(|(i, required)| {
                (
                    format!("event.{i}"),
                    json!({ "post": {
                        "operationId": format!("event{i}"),
                        "parameters": [
                            { "name": "Whereby-Signature", "in": "header", "required": required, "schema": { "type": "string" } },
                            { "name": "page", "in": "query", "schema": { "type": "string" } }
                        ],
                        "responses": {}
                    }}),
                )
            })
            .collect();
        json!({ "openapi": "3.1.0", "info": {}, "webhooks": webhooks, "components": { "schemas": {} } })
    }

    #[test]
    fn a_repeated_header_is_defined_once_and_referenced() {
        let mut document = doc(&[true, true, true]);
        polish(&mut document).unwrap();
        let parameters = document["components"]["parameters"].as_object().unwrap();
        assert_eq!(parameters.len(), 1, "{parameters:?}");
        assert_eq!(parameters["WherebySignature"]["required"], true);
        for i in 0..3 {
            let list = &document["webhooks"][format!("event.{i}")]["post"]["parameters"];
            assert_eq!(
                list[0],
                json!({ "$ref": "#/components/parameters/WherebySignature" })
            );
            assert_eq!(list[1]["in"], "query", "other parameters stay inline");
        }
        assert_eq!(document["security"], json!([]));
        let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["openapi", "info", "security", "webhooks", "components"]
        );
    }

    #[test]
    fn a_webhook_whose_header_differs_gets_its_own_component() {
        let mut document = doc(&[true, false, true]);
        polish(&mut document).unwrap();
        let parameters = document["components"]["parameters"].as_object().unwrap();
        assert_eq!(
            parameters.keys().collect::<Vec<_>>(),
            ["WherebySignature", "WherebySignatureOptional"]
        );
        assert_eq!(parameters["WherebySignatureOptional"]["required"], false);
        assert_eq!(
            document["webhooks"]["event.1"]["post"]["parameters"][0]["$ref"],
            "#/components/parameters/WherebySignatureOptional"
        );
        assert_eq!(
            document["webhooks"]["event.2"]["post"]["parameters"][0]["$ref"],
            "#/components/parameters/WherebySignature"
        );
    }
}
