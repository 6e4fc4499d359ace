//! The OpenAPI 3.1 webhooks document, built with utoipa.
//!
//! utoipa describes the document's structure (info, tags, webhooks, their
//! header, body and responses); the schemas come from the model through
//! schemars and are inserted into `components/schemas` as JSON, so they are
//! described exactly once.

use serde_json::{Map, Value, json};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::external_docs::ExternalDocsBuilder;
use utoipa::openapi::info::{InfoBuilder, LicenseBuilder};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{OpenApiBuilder, Ref, RefOr, Required};
use whereby_webhooks_model::schema::components;
use whereby_webhooks_model::{API_VERSION, EventType, Family, examples};

/// The name of the signature header.
pub const SIGNATURE_HEADER: &str = "Whereby-Signature";

const DOCS_URL: &str =
    "https://docs.whereby.com/whereby-product-features/insights-suite-and-api/webhooks";

const INFO_DESCRIPTION: &str = "\
Whereby delivers room, session, transcription, recording and assistant events as \
HTTP `POST` requests with a JSON body to the endpoint URL an admin configured in \
the Embedded dashboard (the \"Configure\" section). There is no API to register \
endpoints, so this document describes only the requests your receiver gets.

**Delivery.** Answer `2XX` to accept an event. Any `5XX` answer, and any delivery \
not answered within 5 seconds, is retried twice in total with a short exponential \
backoff. An event can arrive more than once and events can arrive out of order: \
deduplicate on `id` and order on `createdAt`. In-room events are sent from the \
room's creation until one hour after its `endDate`.

**Signatures.** Every request carries `Whereby-Signature: t=<unix seconds>,v1=<hex>`, \
where `v1` is the lowercase hex HMAC-SHA256, keyed with the endpoint's signing \
secret, of the bytes `<t>.<raw request body>`. Verify it before trusting the body.

**Versions.** Every event carries `apiVersion` (`1.0`). Breaking changes come under \
a new major version; properties can be added within a version, so receivers must \
ignore properties they do not know. The schemas here are open for that reason.

**Sources and conflicts.** Generated from a typed model built on Whereby's webhooks \
docs page and the Assistant SDK types. Where those sources disagree, the choice made \
is recorded in `spec/review.yml` and in the reference docs.";

const SIGNATURE_DESCRIPTION: &str = "\
`t=<unix seconds>,v1=<lowercase hex HMAC-SHA256>`. The HMAC is keyed with the \
endpoint's signing secret (shown in the dashboard when the webhook is created or \
edited) and computed over the bytes `<t>` + `.` + `<raw request body>`, exactly as \
received: never over re-serialised JSON. Compare in constant time, accept any `v1` \
entry that matches (several may be present while a secret rotates), ignore other \
schemes, and reject a `t` outside your tolerance in either direction (Whereby's \
example uses 60 seconds; 300 seconds is a common default). Answer a bad signature \
with `4XX`, never `5XX`, which would make Whereby retry.";

const ACCEPTED: &str = "The event was accepted. Any 2XX status acknowledges the delivery; the response body is ignored.";
const REJECTED: &str = "The event was rejected (for example a bad signature or an event the receiver cannot use). It is not retried.";
const RETRIED: &str = "The receiver failed. Whereby retries the delivery twice in total with a short exponential backoff; a delivery not answered within 5 seconds is treated the same way.";

fn webhook(ty: EventType) -> Result<PathItem, String> {
    let mut content =
        ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name(ty.schema_name()))));
    let examples = examples(ty)
        .into_iter()
        .map(|example| {
            let value = serde_json::to_value(&example.event).map_err(|e| e.to_string())?;
            Ok((
                example.name.to_owned(),
                ExampleBuilder::new()
                    .summary(example.summary)
                    .value(Some(value))
                    .build(),
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    content = content.examples_from_iter(examples);

    let signature = ParameterBuilder::new()
        .name(SIGNATURE_HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(SIGNATURE_DESCRIPTION))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^t=[0-9]+(,[a-z0-9]+=[^,]*)+$")),
        ))
        .example(Some(json!(
            "t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3"
        )));

    let operation = OperationBuilder::new()
        .operation_id(Some(ty.operation_id()))
        .summary(Some(ty.summary()))
        .description(Some(ty.description()))
        .tag(ty.family().tag())
        .parameter(signature)
        .request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(format!("The `{ty}` event.")))
                .required(Some(Required::True))
                .content("application/json", content.build())
                .build(),
        ))
        .responses(
            ResponsesBuilder::new()
                .response("2XX", ResponseBuilder::new().description(ACCEPTED))
                .response("4XX", ResponseBuilder::new().description(REJECTED))
                .response("5XX", ResponseBuilder::new().description(RETRIED))
                .build(),
        );
    Ok(PathItem::new(HttpMethod::Post, operation))
}

/// The whole document as JSON, components included.
pub fn document() -> Result<Value, String> {
    let mut webhooks = PathsBuilder::new();
    for ty in EventType::ALL {
        webhooks = webhooks.path(ty.as_str(), webhook(ty)?);
    }
    let tags = Family::ALL.map(|family| {
        TagBuilder::new()
            .name(family.tag())
            .description(Some(family.description()))
            .build()
    });
    let openapi = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Whereby webhooks")
                .version(API_VERSION)
                .description(Some(INFO_DESCRIPTION))
                .license(Some(
                    LicenseBuilder::new()
                        .name("MIT OR Apache-2.0")
                        .identifier(Some("MIT OR Apache-2.0"))
                        .build(),
                ))
                .build(),
        )
        .webhooks(Some(webhooks.build()))
        .tags(Some(tags))
        .external_docs(Some(
            ExternalDocsBuilder::new()
                .url(DOCS_URL)
                .description(Some("Whereby: Tracking room events with Webhooks"))
                .build(),
        ))
        .build();
    let mut value = serde_json::to_value(&openapi).map_err(|e| e.to_string())?;
    let Value::Object(map) = &mut value else {
        return Err("the OpenAPI document did not serialise to an object".into());
    };
    // An OpenAPI 3.1 document needs no `paths` when it has `webhooks`.
    if map
        .get("paths")
        .is_some_and(|p| p.as_object().is_some_and(Map::is_empty))
    {
        map.remove("paths");
    }
    map.insert("components".into(), json!({ "schemas": components() }));
    map.insert("x-generated-by".into(), crate::codegen::json_note().into());
    Ok(value)
}
