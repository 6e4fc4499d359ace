//! The receiver document: the webhooks seen from the receiving side, as one
//! ordinary path, `POST /webhooks`, that takes the union of every event.
//!
//! Tools that only know paths (mock servers, fuzzers, server-stub generators,
//! Postman) cannot use `webhooks`; this document gives them an operation. It is
//! a pure transform of the generated OpenAPI 3.1 document, so it follows every
//! change of the model: the same schemas, the same header, every example.

use serde_json::{Map, Value, json};
use whereby_webhooks_model::schema::UNION_NAME;

use super::polish::{METHODS, share_parameter};

/// The tag of the receiver's operation.
const TAG: &str = "receiver";

/// The path of the receiver's endpoint in the document.
pub const PATH: &str = "/webhooks";

const DESCRIPTION: &str = "\
Your webhook endpoint, seen as an API: Whereby calls it with `POST` and one event \
per request. This document describes the same events as the webhooks document \
(`spec/openapi.yaml`), gathered into one operation whose body is any event, told \
apart by its `type`, so that tools which only read paths can mock, test or stub a \
receiver.

Whereby configures one endpoint URL per webhook in the Embedded dashboard and has \
no fixed path: `/webhooks` and the server below stand for yours.

**Event types not listed here.** Whereby's docs list the event types supported \
\"at the moment\", so expect others. This body schema lists only the known ones, \
and models generated from it fail on any other `type`. We recommend routing on \
`type` before handing the body to a generated model, and answering `2XX` to an \
authentic event of a type you do not handle: the guide in `docs/webhooks.md` \
(\"Route on `type` before generated models\") shows how in Python, TypeScript, Go \
and Rust.";

const SERVER_DESCRIPTION: &str = "Your receiver. Whereby does not document whether endpoints must \
     be HTTPS; we recommend it.";
const SERVER_VARIABLE_DESCRIPTION: &str =
    "The base URL of your receiver, without the endpoint's path.";

const ACCEPTED: &str = "\
Accepted. Whereby documents retries only for `5XX` answers and deliveries not \
answered within 5 seconds, so any `2XX` ends the delivery (inferred: Whereby does \
not document the `2XX` case). We recommend answering `200` or `204` quickly, before \
any slow processing, and ignoring events already seen (same `id`).";
const REFUSED: &str = "\
Refused for good. We recommend `4XX` for a delivery you will never accept: a \
missing or bad signature, a timestamp outside your tolerance, a body that is not \
an event. Whereby documents no retry for it (inferred: only `5XX` answers and \
time-outs are documented as retried).";
const RETRY: &str = "\
Failed for now. Whereby retries any `5XX` answer, and any delivery not answered \
within 5 seconds, 2 times in total with a short exponential backoff (documented). \
We recommend `5XX` only for failures a later delivery can get past, never for a bad \
signature.";

/// The parameter a `$ref` points to, or the parameter itself.
fn resolve<'a>(parameters: &'a Map<String, Value>, parameter: &'a Value) -> &'a Value {
    parameter
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/parameters/"))
        .and_then(|name| parameters.get(name))
        .unwrap_or(parameter)
}

/// Builds the receiver document from the (polished) webhooks document.
pub fn document(webhooks_document: &Value) -> Result<Value, String> {
    let webhooks = webhooks_document
        .get("webhooks")
        .and_then(Value::as_object)
        .ok_or("the document has no `webhooks`")?;
    let components = webhooks_document
        .get("components")
        .and_then(Value::as_object)
        .ok_or("the document has no `components`")?;
    let schemas = components
        .get("schemas")
        .and_then(Value::as_object)
        .ok_or("the document has no `components/schemas`")?;
    if !schemas.contains_key(UNION_NAME) {
        return Err(format!("the document has no `{UNION_NAME}` schema"));
    }
    let mut parameters = components
        .get("parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // Every operation of every webhook, in document order.
    let operations: Vec<(&String, &Value)> = webhooks
        .iter()
        .flat_map(|(name, item)| {
            METHODS
                .iter()
                .filter_map(move |method| item.get(*method).map(|op| (name, op)))
        })
        .collect();
    if operations.is_empty() {
        return Err("the document has no webhook operations".into());
    }

    // Header parameters: each header any webhook has, required only when every
    // webhook requires it.
    let mut headers: Vec<Value> = Vec::new();
    for (_, operation) in &operations {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let parameter = resolve(&parameters, parameter);
            if parameter["in"] != "header" {
                continue;
            }
            let name = &parameter["name"];
            if headers.iter().any(|h| h["name"] == *name) {
                continue;
            }
            let everywhere = operations.iter().all(|(_, op)| {
                op["parameters"].as_array().into_iter().flatten().any(|p| {
                    let p = resolve(&parameters, p);
                    p["in"] == "header" && p["name"] == *name && p["required"] == true
                })
            });
            let mut header = parameter.clone();
            if let Value::Object(map) = &mut header {
                map.insert("required".into(), everywhere.into());
            }
            headers.push(header);
        }
    }
    let headers: Vec<Value> = headers
        .into_iter()
        .map(|header| share_parameter(&mut parameters, header, "receiveWebhook"))
        .collect();

    // Every example of every webhook, named `<event type>.<example name>`.
    let mut examples = Map::new();
    for (name, operation) in &operations {
        let content = &operation["requestBody"]["content"]["application/json"];
        for (example_name, example) in content["examples"].as_object().into_iter().flatten() {
            examples.insert(format!("{name}.{example_name}"), example.clone());
        }
    }
    let mut media = Map::new();
    media.insert(
        "schema".into(),
        json!({ "$ref": format!("#/components/schemas/{UNION_NAME}") }),
    );
    if !examples.is_empty() {
        media.insert("examples".into(), Value::Object(examples));
    }

    let info = &webhooks_document["info"];
    let mut new_info = Map::new();
    new_info.insert("title".into(), "Whereby webhooks receiver".into());
    new_info.insert("description".into(), DESCRIPTION.into());
    // The description reports the webhooks page's list of event types
    // supported "at the moment".
    new_info.insert(
        "x-sources".into(),
        json!([whereby_webhooks_model::provenance::DOCS_A316F59]),
    );
    for key in ["license", "version"] {
        if let Some(value) = info.get(key) {
            new_info.insert(key.into(), value.clone());
        }
    }

    let operation = json!({
        "summary": "Receive a Whereby webhook event",
        "description": "One delivery: any of the webhook events, chosen by `type`. Verify the signature over the raw body before trusting it.",
        "operationId": "receiveWebhook",
        "tags": [TAG],
        "parameters": headers,
        "requestBody": {
            "description": "The event. Its `type` decides which event schema applies.",
            "required": true,
            "content": { "application/json": Value::Object(media) },
        },
        "responses": {
            "2XX": { "description": ACCEPTED },
            "4XX": { "description": REFUSED },
            "5XX": { "description": RETRY },
        },
        // The responses report the webhooks page's retry rule.
        "x-sources": [whereby_webhooks_model::provenance::DOCS_A316F59],
    });

    let mut out = Map::new();
    out.insert("openapi".into(), webhooks_document["openapi"].clone());
    out.insert("info".into(), Value::Object(new_info));
    out.insert(
        "servers".into(),
        json!([{
            "url": "{receiverUrl}",
            "description": SERVER_DESCRIPTION,
            "variables": { "receiverUrl": {
                "default": "https://receiver.example.com",
                "description": SERVER_VARIABLE_DESCRIPTION,
            }},
        }]),
    );
    out.insert("security".into(), json!([]));
    out.insert(
        "tags".into(),
        json!([{ "name": TAG, "description": "Your endpoint, which receives every webhook event." }]),
    );
    out.insert("paths".into(), json!({ PATH: { "post": operation } }));
    let mut new_components = Map::new();
    new_components.insert("schemas".into(), Value::Object(schemas.clone()));
    // Only the parameters this document uses.
    let used: Map<String, Value> = parameters
        .into_iter()
        .filter(|(name, _)| {
            let reference = format!("#/components/parameters/{name}");
            headers.iter().any(|h| h["$ref"] == reference.as_str())
        })
        .collect();
    if !used.is_empty() {
        new_components.insert("parameters".into(), Value::Object(used));
    }
    out.insert("components".into(), Value::Object(new_components));
    if let Some(docs) = webhooks_document.get("externalDocs") {
        out.insert("externalDocs".into(), docs.clone());
    }
    if let Some(note) = webhooks_document.get("x-generated-by") {
        out.insert("x-generated-by".into(), note.clone());
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whereby_webhooks_model::{EventType, all_examples};

    fn generated() -> (Value, Value) {
        let mut webhooks = crate::codegen::openapi::document().unwrap();
        crate::codegen::polish::polish(&mut webhooks).unwrap();
        let receiver = document(&webhooks).unwrap();
        (webhooks, receiver)
    }

    #[test]
    fn one_post_operation_takes_the_discriminated_union() {
        let (_, receiver) = generated();
        assert!(receiver.get("webhooks").is_none());
        let paths = receiver["paths"].as_object().unwrap();
        assert_eq!(paths.keys().collect::<Vec<_>>(), [PATH]);
        let media = &receiver["paths"][PATH]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(
            media["schema"]["$ref"],
            format!("#/components/schemas/{UNION_NAME}")
        );
        let union = &receiver["components"]["schemas"][UNION_NAME];
        assert_eq!(union["discriminator"]["propertyName"], "type");
        assert_eq!(
            union["oneOf"].as_array().unwrap().len(),
            EventType::ALL.len()
        );
        assert_eq!(receiver["security"], json!([]));
        let server = &receiver["servers"][0];
        let variable = server["url"].as_str().unwrap().trim_matches(['{', '}']);
        assert!(server["variables"][variable]["default"].is_string());
    }

    #[test]
    fn every_example_is_offered_under_its_file_name() {
        let (_, receiver) = generated();
        let examples = receiver["paths"][PATH]["post"]["requestBody"]["content"]
            ["application/json"]["examples"]
            .as_object()
            .unwrap();
        let all = all_examples();
        assert_eq!(examples.len(), all.len());
        for example in all {
            let value = serde_json::to_value(&example.event).unwrap();
            assert_eq!(examples[&example.file_stem()]["value"], value);
        }
    }

    #[test]
    fn the_signature_header_is_shared_and_required_only_where_every_webhook_requires_it() {
        let (webhooks, receiver) = generated();
        let parameter = &receiver["paths"][PATH]["post"]["parameters"][0];
        let name = parameter["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/parameters/"))
            .expect("the header is a reference");
        let header = &receiver["components"]["parameters"][name];
        assert_eq!(header["name"], crate::codegen::openapi::SIGNATURE_HEADER);
        let all_required = webhooks["webhooks"]
            .as_object()
            .unwrap()
            .values()
            .all(|item| {
                let reference = item["post"]["parameters"][0]["$ref"].as_str().unwrap();
                let name = reference.rsplit('/').next().unwrap();
                webhooks["components"]["parameters"][name]["required"] == true
            });
        assert_eq!(header["required"] == true, all_required);
    }

    #[test]
    fn a_header_optional_on_one_webhook_is_optional_for_the_receiver() {
        let (mut webhooks, _) = generated();
        let first = webhooks["webhooks"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        let mut optional = webhooks["components"]["parameters"]["WherebySignature"].clone();
        optional["required"] = false.into();
        webhooks["components"]["parameters"]["WherebySignatureOptional"] = optional;
        webhooks["webhooks"][&first]["post"]["parameters"][0] =
            json!({ "$ref": "#/components/parameters/WherebySignatureOptional" });
        let receiver = document(&webhooks).unwrap();
        let reference = receiver["paths"][PATH]["post"]["parameters"][0]["$ref"]
            .as_str()
            .unwrap();
        assert_eq!(
            reference,
            "#/components/parameters/WherebySignatureOptional"
        );
        assert_eq!(
            receiver["components"]["parameters"]["WherebySignatureOptional"]["required"],
            false
        );
    }

    #[test]
    fn a_document_without_the_union_is_an_error() {
        let (mut webhooks, _) = generated();
        webhooks["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove(UNION_NAME);
        assert!(document(&webhooks).unwrap_err().contains(UNION_NAME));
    }
}
