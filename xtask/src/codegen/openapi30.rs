//! The OpenAPI 3.0.3 rendition, for tools that read only 3.0.
//!
//! A pure transform of the generated 3.1 documents: the webhooks go under
//! `x-webhooks` (what Redoc and docusaurus-openapi-docs read in 3.0), the
//! receiver's `POST /webhooks` is the one path, and every 3.1 construct is
//! translated: `type: [x, "null"]` to `nullable` (for a scalar, a `oneOf` of
//! `x` and a nullable `null`, see [`nullable_as_one_of`]), `const` to a one-value
//! `enum`, `examples` to `example`, a `$ref` with siblings to an `allOf` of
//! the reference beside them. What 3.0 cannot express (`if`/`then`,
//! `unevaluatedProperties` and the like) is removed and said in the schema's
//! description, so no one mistakes the 3.0 schema for the whole contract.

use serde_json::{Map, Value, json};

use super::polish::METHODS;

/// The version this rendition declares.
pub const VERSION: &str = "3.0.3";

/// Keywords of JSON Schema 2020-12 that OpenAPI 3.0 schemas do not have and
/// that this transform cannot translate. They are removed with a note.
const UNTRANSLATABLE: &[&str] = &[
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "dependentSchemas",
    "propertyNames",
    "patternProperties",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "unevaluatedItems",
    "$dynamicRef",
    "$dynamicAnchor",
];

/// Keywords that carry no meaning a 3.0 reader needs.
const DROPPED: &[&str] = &["$schema", "$id", "$anchor", "$comment", "$defs"];

/// Builds the 3.0.3 document from the webhooks document and the receiver
/// document (both OpenAPI 3.1, as generated).
pub fn document(webhooks: &Value, receiver: &Value) -> Result<Value, String> {
    let mut out = Map::new();
    out.insert("openapi".into(), VERSION.into());
    let mut info = webhooks
        .get("info")
        .and_then(Value::as_object)
        .cloned()
        .ok_or("the webhooks document has no `info`")?;
    // 3.0 has no `summary` in info.
    info.remove("summary");
    // 3.0 has no SPDX `identifier` in license; point at the licence files.
    if let Some(Value::Object(license)) = info.get_mut("license")
        && license.remove("identifier").is_some()
        && !license.contains_key("url")
    {
        license.insert("url".into(), env!("CARGO_PKG_REPOSITORY").into());
    }
    out.insert("info".into(), Value::Object(info));
    for key in ["servers", "security"] {
        if let Some(value) = receiver.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    let tags: Vec<Value> = [webhooks, receiver]
        .iter()
        .flat_map(|d| {
            d.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .cloned()
        .collect();
    if !tags.is_empty() {
        out.insert("tags".into(), Value::Array(tags));
    }
    let mut paths = receiver
        .get("paths")
        .cloned()
        .ok_or("the receiver document has no `paths`")?;
    path_items(&mut paths);
    out.insert("paths".into(), paths);
    let mut x_webhooks = webhooks
        .get("webhooks")
        .cloned()
        .ok_or("the webhooks document has no `webhooks`")?;
    path_items(&mut x_webhooks);
    out.insert("x-webhooks".into(), x_webhooks);

    let mut components = Map::new();
    let mut schemas = webhooks["components"]["schemas"]
        .as_object()
        .cloned()
        .ok_or("the webhooks document has no `components/schemas`")?;
    for schema in schemas.values_mut() {
        *schema = schema30(schema.take());
    }
    components.insert("schemas".into(), Value::Object(schemas));
    let mut parameters = Map::new();
    for document in [webhooks, receiver] {
        for (name, parameter) in document["components"]["parameters"]
            .as_object()
            .into_iter()
            .flatten()
        {
            match parameters.get(name) {
                Some(existing) if existing != parameter => {
                    return Err(format!(
                        "the two documents define parameter `{name}` differently"
                    ));
                }
                _ => {
                    parameters.insert(name.clone(), parameter.clone());
                }
            }
        }
    }
    for parameter in parameters.values_mut() {
        parameter_object(parameter);
    }
    if !parameters.is_empty() {
        components.insert("parameters".into(), Value::Object(parameters));
    }
    out.insert("components".into(), Value::Object(components));
    for key in ["externalDocs", "x-generated-by"] {
        if let Some(value) = webhooks.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

fn parameter_object(parameter: &mut Value) {
    if let Some(schema) = parameter.get_mut("schema") {
        *schema = schema30(schema.take());
    }
    media_types(parameter.get_mut("content"));
}

fn media_types(content: Option<&mut Value>) {
    for media in content
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|c| c.values_mut())
    {
        if let Some(schema) = media.get_mut("schema") {
            *schema = schema30(schema.take());
        }
    }
}

/// Translates the schemas inside every operation of a map of path items.
fn path_items(items: &mut Value) {
    for item in items
        .as_object_mut()
        .into_iter()
        .flat_map(|i| i.values_mut())
    {
        for parameter in item
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            parameter_object(parameter);
        }
        for method in METHODS {
            let Some(operation) = item.get_mut(*method) else {
                continue;
            };
            for parameter in operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                parameter_object(parameter);
            }
            if let Some(body) = operation.get_mut("requestBody") {
                media_types(body.get_mut("content"));
            }
            for response in operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flat_map(|r| r.values_mut())
            {
                media_types(response.get_mut("content"));
                for header in response
                    .get_mut("headers")
                    .and_then(Value::as_object_mut)
                    .into_iter()
                    .flat_map(|h| h.values_mut())
                {
                    parameter_object(header);
                }
            }
        }
    }
}

/// Renders a simple condition (`if` pins properties with `const` or `enum`,
/// `then` requires properties) as a sentence; `None` for anything else.
fn describe_condition(conditional: &Map<String, Value>) -> Option<String> {
    let condition = conditional.get("if")?.as_object()?;
    let then = conditional.get("then")?.as_object()?;
    if conditional.contains_key("else")
        || condition
            .keys()
            .any(|k| !matches!(k.as_str(), "properties" | "required"))
        || then.keys().any(|k| k != "required")
    {
        return None;
    }
    let mut when = Vec::new();
    for (name, schema) in condition.get("properties")?.as_object()? {
        let value = match (schema.get("const"), schema.get("enum")) {
            (Some(value), None) => format!(
                "`{}`",
                value.as_str().map_or(value.to_string(), str::to_owned)
            ),
            (None, Some(Value::Array(values))) => values
                .iter()
                .map(|v| format!("`{}`", v.as_str().map_or(v.to_string(), str::to_owned)))
                .collect::<Vec<_>>()
                .join(" or "),
            _ => return None,
        };
        when.push(format!("`{name}` is {value}"));
    }
    let required: Vec<String> = then
        .get("required")?
        .as_array()?
        .iter()
        .map(|name| format!("`{}`", name.as_str().unwrap_or_default()))
        .collect();
    if when.is_empty() || required.is_empty() {
        return None;
    }
    let verb = if required.len() == 1 { "is" } else { "are" };
    Some(format!(
        "when {}, {} {verb} required",
        when.join(" and "),
        required.join(" and ")
    ))
}

fn append_note(map: &mut Map<String, Value>, note: &str) {
    let text = match map.get("description").and_then(Value::as_str) {
        Some(description) if !description.is_empty() => format!("{description}\n\n{note}"),
        _ => note.to_owned(),
    };
    map.insert("description".into(), text.into());
}

/// Keywords that constrain the value itself, beside `type`: they go into
/// the typed branch when a nullable scalar becomes a `oneOf`.
const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "pattern",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Writes a nullable scalar (`type: string` + `nullable`) as a `oneOf` of the
/// typed value and null (the same `type`, `nullable`, `enum: [null]`: 3.0's
/// way to allow only null, since `nullable` needs a `type`). The meaning is the
/// same, but 3.0 code generators that honour `nullable` only under an option
/// (datamodel-code-generator without `--strict-nullable`) otherwise make a
/// required nullable property a plain, non-null one, and reject the `null`
/// Whereby sends.
fn nullable_as_one_of(map: &mut Map<String, Value>) {
    let scalar = map
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| matches!(t, "string" | "integer" | "number" | "boolean"));
    let only_null = map
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().all(Value::is_null));
    if !scalar
        || only_null
        || ["oneOf", "anyOf", "allOf", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return;
    }
    let null_branch = json!({ "type": map["type"].clone(), "nullable": true, "enum": [null] });
    let mut typed = Map::new();
    for keyword in VALUE_KEYWORDS {
        if let Some(value) = map.remove(*keyword) {
            typed.insert((*keyword).into(), value);
        }
    }
    if let Some(Value::Array(values)) = typed.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    map.remove("nullable");
    map.insert("oneOf".into(), json!([Value::Object(typed), null_branch]));
}

/// Translates one JSON Schema 2020-12 schema (as OpenAPI 3.1 uses it) into
/// an OpenAPI 3.0 Schema Object.
pub fn schema30(schema: Value) -> Value {
    let mut map = match schema {
        Value::Object(map) => map,
        Value::Bool(true) => return json!({}),
        Value::Bool(false) => return json!({ "not": {} }),
        other => return other,
    };
    let mut notes: Vec<String> = Vec::new();

    // Subschemas first.
    for keyword in ["properties"] {
        if let Some(Value::Object(properties)) = map.get_mut(keyword) {
            for value in properties.values_mut() {
                *value = schema30(value.take());
            }
        }
    }
    for keyword in ["items", "additionalProperties", "not"] {
        if let Some(value) = map.get_mut(keyword)
            && value.is_object()
        {
            *value = schema30(value.take());
        }
    }

    // Conditionals: at the top or in `allOf` entries.
    let mut conditionals = Vec::new();
    if map.contains_key("if") {
        let mut conditional = Map::new();
        for keyword in ["if", "then", "else"] {
            if let Some(value) = map.remove(keyword) {
                conditional.insert(keyword.into(), value);
            }
        }
        conditionals.push(conditional);
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        let Some(Value::Array(entries)) = map.remove(keyword) else {
            continue;
        };
        let mut kept = Vec::new();
        for entry in entries {
            if keyword == "allOf"
                && let Value::Object(mut entry) = entry.clone()
                && entry.contains_key("if")
            {
                let mut conditional = Map::new();
                for k in ["if", "then", "else"] {
                    if let Some(value) = entry.remove(k) {
                        conditional.insert(k.into(), value);
                    }
                }
                conditionals.push(conditional);
                if !entry.is_empty() {
                    kept.push(schema30(Value::Object(entry)));
                }
                continue;
            }
            kept.push(schema30(entry));
        }
        if !kept.is_empty() {
            map.insert(keyword.into(), Value::Array(kept));
        }
    }
    for conditional in conditionals {
        notes.push(match describe_condition(&conditional) {
            Some(sentence) => format!(
                "OpenAPI 3.0 cannot express this condition, so this schema does not check it: {sentence}."
            ),
            None => "This schema has a condition (`if`/`then`) that OpenAPI 3.0 cannot express; it is left out here. See the OpenAPI 3.1 document for the full schema.".to_owned(),
        });
    }

    // `unevaluatedProperties`: `additionalProperties` says the same when no
    // subschema declares properties.
    if let Some(unevaluated) = map.remove("unevaluatedProperties") {
        let composed = ["allOf", "anyOf", "oneOf", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k));
        if !composed && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), schema30(unevaluated));
        } else {
            notes.push("OpenAPI 3.0 cannot express `unevaluatedProperties`, so this schema does not check it. See the OpenAPI 3.1 document for the full schema.".to_owned());
        }
    }
    for keyword in UNTRANSLATABLE {
        if map.remove(*keyword).is_some() {
            notes.push(format!(
                "OpenAPI 3.0 has no `{keyword}`, so this schema does not check it. See the OpenAPI 3.1 document for the full schema."
            ));
        }
    }
    for keyword in DROPPED {
        map.remove(*keyword);
    }

    // Types: `[x, "null"]` → `x` + `nullable`.
    let mut nullable = false;
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        nullable = others.len() < types.len();
        match others.as_slice() {
            [] => {
                map.remove("type");
                map.insert("enum".into(), json!([null]));
            }
            [one] => {
                map.insert("type".into(), one.clone());
            }
            several => {
                map.remove("type");
                let branches: Vec<Value> = several.iter().map(|t| json!({ "type": t })).collect();
                map.insert("anyOf".into(), Value::Array(branches));
            }
        }
    } else if map.get("type") == Some(&Value::String("null".into())) {
        map.remove("type");
        map.insert("enum".into(), json!([null]));
        nullable = true;
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value]));
    }
    if map
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.contains(&Value::Null))
    {
        nullable = true;
    }
    if nullable {
        map.insert("nullable".into(), true.into());
        nullable_as_one_of(&mut map);
    }
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(limit) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            if map.contains_key(inclusive) {
                map.remove(exclusive);
                notes.push(format!("OpenAPI 3.0 cannot combine `{inclusive}` with a numeric `{exclusive}`, so this schema does not check `{exclusive}`: {limit}."));
            } else {
                map.insert(inclusive.into(), limit);
                map.insert(exclusive.into(), true.into());
            }
        }
    }
    if let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".into(), first);
    }

    // A `$ref` ignores its siblings in 3.0: reference it from `allOf` instead.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or_default();
        let mut all_of = vec![json!({ "$ref": reference })];
        if let Some(Value::Array(more)) = map.remove("allOf") {
            all_of.extend(more);
        }
        let mut wrapped = Map::new();
        wrapped.insert("allOf".into(), Value::Array(all_of));
        wrapped.extend(map);
        map = wrapped;
    }
    for note in notes {
        append_note(&mut map, &note);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every place in `schema` where a 3.1-only construct remains.
    fn leftovers(schema: &Value, path: &str, out: &mut Vec<String>) {
        let Some(map) = schema.as_object() else {
            out.push(format!("{path} is not an object"));
            return;
        };
        let keywords = [
            "const",
            "examples",
            "if",
            "then",
            "else",
            "unevaluatedProperties",
            "$defs",
            "$schema",
        ];
        for keyword in keywords.iter().chain(UNTRANSLATABLE) {
            if map.contains_key(*keyword) {
                out.push(format!("{path}/{keyword}"));
            }
        }
        if map.get("type").is_some_and(|t| !t.is_string()) {
            out.push(format!("{path}/type"));
        }
        if map.contains_key("$ref") && map.len() > 1 {
            out.push(format!("{path}/$ref has siblings"));
        }
        for (name, property) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            leftovers(property, &format!("{path}/properties/{name}"), out);
        }
        for keyword in ["items", "additionalProperties", "not"] {
            if let Some(sub) = map.get(keyword).filter(|s| s.is_object()) {
                leftovers(sub, &format!("{path}/{keyword}"), out);
            }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for (i, sub) in map
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                leftovers(sub, &format!("{path}/{keyword}/{i}"), out);
            }
        }
    }

    /// Every schema of an OpenAPI document, with its location.
    fn schemas(document: &Value) -> Vec<(String, &Value)> {
        let mut out = Vec::new();
        for (name, schema) in document["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            out.push((format!("/components/schemas/{name}"), schema));
        }
        for (name, parameter) in document["components"]["parameters"]
            .as_object()
            .into_iter()
            .flatten()
        {
            out.push((
                format!("/components/parameters/{name}/schema"),
                &parameter["schema"],
            ));
        }
        for group in ["paths", "x-webhooks"] {
            for (name, item) in document[group].as_object().into_iter().flatten() {
                let media = &item["post"]["requestBody"]["content"]["application/json"];
                out.push((
                    format!("/{group}/{name}/post/requestBody"),
                    &media["schema"],
                ));
            }
        }
        out
    }

    fn generated() -> (Value, Value, Value) {
        let mut webhooks = crate::codegen::openapi::document().unwrap();
        crate::codegen::polish::polish(&mut webhooks).unwrap();
        let receiver = crate::codegen::receiver::document(&webhooks).unwrap();
        let old = document(&webhooks, &receiver).unwrap();
        (webhooks, receiver, old)
    }

    #[test]
    fn no_3_1_construct_is_left() {
        let (_, _, old) = generated();
        assert_eq!(old["openapi"], VERSION);
        let mut found = Vec::new();
        let all = schemas(&old);
        assert!(all.len() > 20, "only {} schemas found", all.len());
        for (path, schema) in all {
            leftovers(schema, &path, &mut found);
        }
        assert!(found.is_empty(), "{found:#?}");
        assert!(old.get("webhooks").is_none());
        assert!(old["info"]["license"].get("identifier").is_none());
    }

    #[test]
    fn webhooks_and_the_receiver_path_keep_their_examples() {
        let (webhooks, receiver, old) = generated();
        let events = webhooks["webhooks"].as_object().unwrap();
        let x_webhooks = old["x-webhooks"].as_object().unwrap();
        assert_eq!(
            events.keys().collect::<Vec<_>>(),
            x_webhooks.keys().collect::<Vec<_>>()
        );
        for (name, item) in events {
            let examples = &item["post"]["requestBody"]["content"]["application/json"]["examples"];
            assert_eq!(
                &x_webhooks[name]["post"]["requestBody"]["content"]["application/json"]["examples"],
                examples
            );
        }
        assert_eq!(
            old["paths"][crate::codegen::receiver::PATH]["post"]["requestBody"]["content"]["application/json"]
                ["examples"],
            receiver["paths"][crate::codegen::receiver::PATH]["post"]["requestBody"]["content"]["application/json"]
                ["examples"]
        );
    }

    #[test]
    fn type_arrays_const_and_ref_siblings_are_translated() {
        assert_eq!(
            schema30(json!({ "type": ["string", "null"], "description": "d", "format": "uuid" })),
            json!({
                "description": "d",
                "oneOf": [
                    { "type": "string", "format": "uuid" },
                    { "type": "string", "nullable": true, "enum": [null] }
                ]
            })
        );
        assert_eq!(
            schema30(json!({ "type": ["string", "null"], "enum": ["a", null] })),
            json!({ "oneOf": [
                { "type": "string", "enum": ["a"] },
                { "type": "string", "nullable": true, "enum": [null] }
            ] })
        );
        assert_eq!(
            schema30(json!({ "type": "null" })),
            json!({ "enum": [null], "nullable": true })
        );
        assert_eq!(
            schema30(json!({ "type": ["object", "null"] })),
            json!({ "type": "object", "nullable": true })
        );
        let open = json!({ "type": "object", "properties": {}, "additionalProperties": true });
        assert_eq!(
            schema30(open.clone()),
            open,
            "an open object stays explicitly open"
        );
        assert_eq!(
            schema30(json!({ "type": "string", "const": "a" })),
            json!({ "type": "string", "enum": ["a"] })
        );
        assert_eq!(
            schema30(
                json!({ "$ref": "#/components/schemas/A", "description": "d", "x-since": "2022-04-01" })
            ),
            json!({ "allOf": [{ "$ref": "#/components/schemas/A" }], "description": "d", "x-since": "2022-04-01" })
        );
        assert_eq!(
            schema30(json!({ "$ref": "#/components/schemas/A" })),
            json!({ "$ref": "#/components/schemas/A" })
        );
        assert_eq!(
            schema30(json!({ "type": "string", "examples": ["a", "b"] })),
            json!({ "type": "string", "example": "a" })
        );
        assert_eq!(
            schema30(json!({ "type": "integer", "exclusiveMinimum": 0 })),
            json!({ "type": "integer", "minimum": 0, "exclusiveMinimum": true })
        );
        assert_eq!(
            schema30(
                json!({ "type": "object", "additionalProperties": { "type": ["integer", "null"] } })
            ),
            json!({ "type": "object", "additionalProperties": {
                "oneOf": [{ "type": "integer" }, { "type": "integer", "nullable": true, "enum": [null] }]
            } })
        );
        let open = json!({ "type": "string", "x-extensible-enum": ["a"], "x-enumDescriptions": { "a": "A" } });
        assert_eq!(schema30(open.clone()), open);
    }

    #[test]
    fn a_conditional_is_removed_and_said_in_the_description() {
        let schema = schema30(json!({
            "type": "object",
            "description": "Data.",
            "properties": { "kind": { "type": "string" }, "extra": { "type": "string" } },
            "allOf": [{
                "if": { "properties": { "kind": { "const": "X" } }, "required": ["kind"] },
                "then": { "required": ["extra"] }
            }]
        }));
        assert!(schema.get("allOf").is_none(), "{schema}");
        assert_eq!(
            schema["description"],
            "Data.\n\nOpenAPI 3.0 cannot express this condition, so this schema does not check it: when `kind` is `X`, `extra` is required."
        );
        let unknown = schema30(json!({ "if": { "minimum": 1 }, "then": { "maximum": 2 } }));
        assert!(
            unknown["description"]
                .as_str()
                .unwrap()
                .contains("OpenAPI 3.1 document")
        );
        assert!(unknown.get("if").is_none());
        let untranslatable =
            schema30(json!({ "type": "object", "propertyNames": { "pattern": "^a" } }));
        assert!(untranslatable.get("propertyNames").is_none());
        assert!(
            untranslatable["description"]
                .as_str()
                .unwrap()
                .contains("`propertyNames`")
        );
    }
}
