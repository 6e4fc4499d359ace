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
use whereby_webhooks_model::provenance::{
    DOCS_A316F59, DOCS_ASSISTANTS, DOCS_FIREWALL, DOCS_VERSIONING, SINCE_KEY, SOURCES_KEY,
};
use whereby_webhooks_model::schema::components;
use whereby_webhooks_model::{API_VERSION, EventType, Family, examples};

/// The name of the signature header.
pub const SIGNATURE_HEADER: &str = "Whereby-Signature";

const DOCS_URL: &str =
    "https://docs.whereby.com/whereby-product-features/insights-suite-and-api/webhooks";

const INFO_DESCRIPTION: &str = "\
Whereby's webhooks, as Whereby documents them on its page \"Tracking room events with \
Webhooks\" and in the Assistant SDK's webhook types, restated as OpenAPI 3.1. Sentences \
that begin \"Whereby documents\" report those sources; advice of this project begins \
\"We recommend\".

**Endpoints.** Whereby documents that webhooks are managed by an admin in the \
\"Configure\" section of the Embedded dashboard; there is no API to register them, so \
this document describes only the requests a receiver gets. Whereby does not document \
whether endpoint URLs must be HTTPS, how many webhooks an organisation can have, or \
from which addresses deliveries come (its firewall page, about video traffic, says its \
servers have no static range of IP addresses and offers enterprise customers a list of \
current server IPs); we recommend HTTPS, and verifying signatures rather than source \
addresses. Whereby's Assistants docs add that \
`assistant.requested` is sent to the endpoint URL configured for an Assistant with \
Manual Invite enabled.

**Delivery.** Whereby documents that each event is delivered in JSON format as the \
body of an HTTP request (modelled here as a `POST`); that any `5XX` answer triggers a \
retry, for a total of 2 retries with a short exponential backoff; and that a request \
not answered within 5 seconds is retried the same way. For in-room events it documents \
that an event can be sent more than once, that events can arrive in non-chronological \
order, and that they are sent from the room's creation until an hour after its \
`endDate`. Whereby does not document what `2XX` or `4XX` answers do: we recommend \
answering `2XX` to accept, answering `4XX` only to a delivery that can never succeed, \
deduplicating on `id` and ordering on `createdAt`.

**Signatures.** Whereby documents a `Whereby-Signature` header with one timestamp and \
one signature, `t=<unix seconds>,v1=<hex>`, where `v1` is the HMAC-SHA256, keyed with \
the endpoint's signing secret, of `<t>.<request body>`. It documents no signature for \
`assistant.requested`. We recommend verifying it over the raw request bytes before \
trusting the body.

**Versions.** Every event carries `apiVersion` (`1.0`). Whereby's REST API versioning \
rules put breaking changes under a new major version and allow additions within one, \
so the schemas here are open: unknown properties are allowed, and `roleName` and the \
recording `status` are open lists (`x-extensible-enum`) that accept values not listed.

**History and sources.** Every envelope and data property, and every webhook, carries \
`x-since`, the date Whereby first documented it on that event: the earliest commit of \
`whereby/docs` or of the Assistant SDK types in `whereby/sdk` that has it, never before \
the event (`2022-04-01`, the start of the docs history, means that date or earlier); \
and `x-sources`, those commits, the dating one first. The known values of an open list \
are dated in `x-enumSince`. A delivery captured before a property's `x-since` may lack \
it: `whereby-webhooks spec --as-of DATE` prints the contract of a date, and \
`whereby-webhooks validate --as-of created` judges each delivery by the contract of its \
own `createdAt`. Where the sources disagree, the choice made is recorded in \
`spec/review.yml` and in the reference docs.";

const SIGNATURE_DESCRIPTION: &str = "\
Whereby documents this header as `t=<unix seconds>,v1=<signature>`: one timestamp `t` \
and one signature `v1`, the hex HMAC-SHA256 of `<t>` + `.` + `<request body>`, keyed \
with the endpoint's signing secret (which only the account can view, when creating or \
editing the webhook in the Embedded dashboard). It documents comparing the signature in \
constant time and comparing `t` with the current time against a threshold of your \
choice (its example uses 60 seconds). We recommend hashing the raw request bytes, never \
re-serialised JSON; rejecting a `t` outside the threshold in either direction; and \
answering a bad signature with `4XX`, since Whereby retries a `5XX`.";

const ASSISTANT_SIGNATURE_DESCRIPTION: &str = "\
Not documented for this event. Whereby's Assistants docs say `assistant.requested` is \
sent to the endpoint URL configured for the Assistant (Manual Invite), and document no \
signing secret for that endpoint; the Assistant SDK's trigger does not read this header. Whether \
a delivery carries it, and in what form, is not documented. If it does carry it, we \
recommend verifying it as for the other events.";

const SIGNATURE_PATTERN: &str = "^t=[0-9]+,v1=[0-9a-f]+$";

const ACCEPTED: &str = "Whereby does not document which statuses acknowledge a delivery; it \
documents retries only for `5XX` answers and time-outs. We recommend answering `2XX`, \
within 5 seconds, to accept the event.";
const REJECTED: &str = "Whereby documents retries only for `5XX` answers and time-outs, so a \
`4XX` is presumably not retried; that is an inference, not documented. We recommend it \
only for a delivery that can never succeed, such as one with a bad signature.";
const RETRIED: &str = "Whereby documents that any `5XX` answer triggers a retry, for a total \
of 2 retries with a short exponential backoff, and that a request not answered within 5 \
seconds is retried the same way.";

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

    let (required, description) = if ty.signature_documented() {
        (Required::True, SIGNATURE_DESCRIPTION)
    } else {
        (Required::False, ASSISTANT_SIGNATURE_DESCRIPTION)
    };
    let signature = ParameterBuilder::new()
        .name(SIGNATURE_HEADER)
        .parameter_in(ParameterIn::Header)
        .required(required)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(SIGNATURE_PATTERN)),
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
    // Provenance of each event, on its `post` operation.
    for ty in EventType::ALL {
        let post = map
            .get_mut("webhooks")
            .and_then(|w| w.get_mut(ty.as_str()))
            .and_then(|item| item.get_mut("post"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("the webhook {ty} has no post operation"))?;
        post.insert(SINCE_KEY.into(), ty.since().into());
        post.insert(SOURCES_KEY.into(), json!(ty.sources()));
        // The signature header's description reports the webhooks page
        // (and, for `assistant.requested`, the Assistants page).
        let header_sources = if ty.signature_documented() {
            json!([DOCS_A316F59])
        } else {
            json!([DOCS_A316F59, DOCS_ASSISTANTS])
        };
        for parameter in post
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            parameter.insert(SOURCES_KEY.into(), header_sources.clone());
        }
    }
    // What the info's description reports, by source.
    if let Some(Value::Object(info)) = map.get_mut("info") {
        info.insert(
            SOURCES_KEY.into(),
            json!([
                DOCS_A316F59,
                DOCS_ASSISTANTS,
                DOCS_FIREWALL,
                DOCS_VERSIONING
            ]),
        );
    }
    map.insert("components".into(), json!({ "schemas": components() }));
    map.insert("x-generated-by".into(), super::json_note().into());
    Ok(value)
}
