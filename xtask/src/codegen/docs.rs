//! `docs/webhooks.md`: the reference, rendered from the generated OpenAPI
//! document so the docs say exactly what the spec says.

use std::fmt::Write as _;

use serde_json::{Map, Value};
use whereby_webhooks_model::conflicts::SOURCE_CONFLICTS;
use whereby_webhooks_model::presence::{EXCEPTIONS, Required};
use whereby_webhooks_model::provenance::{SINCE_KEY, since_text};
use whereby_webhooks_model::{EventType, Family, examples};

use super::preamble;

const SIGNATURES: &str = "\
## Verifying signatures

Whereby documents that every delivery of the events it signs carries a `Whereby-Signature`
header with one timestamp and one signature:

```text
Whereby-Signature: t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3
```

Whereby documents that `v1` is the hex HMAC-SHA256 of `<t>` + `.` + `<request body>`,
keyed with the endpoint's signing secret (viewable when the webhook is created or edited in
the Embedded dashboard), that the comparison should be constant-time, and that `t` should be
compared with the current time against a threshold (its example uses 60 seconds). It
documents no signature for `assistant.requested`, which is sent to the endpoint configured
for an Assistant.

We recommend:

1. **Hash the raw body.** Read the request body as bytes and hash those bytes. Do not
   parse and re-serialise the JSON first (`JSON.stringify(req.body)` in Node, `json.dumps`
   in Python): whitespace, key order and number formatting change, and so does the MAC.
   Whereby's own Node example makes this mistake.
2. **Split the header properly.** Split on `,`, then each item on its first `=`. A missing,
   non-numeric or repeated `t` is a malformed header. Whereby documents one `v1`; this
   project's tools also accept a header with several `v1` entries when any of them matches,
   as a tolerance, never as a claim that Whereby sends them.
3. **Compare in constant time.** Use `hmac.compare_digest`, `crypto.timingSafeEqual`,
   `subtle::ConstantTimeEq` or your HMAC library's verify function, never `==`.
4. **Bound the timestamp in both directions.** Reject a `t` older *or* newer than your
   tolerance to stop replays. Whereby's example refers to `Whereby.MAX_ELAPSED_TIME`,
   which it never defines: define your own constant.
5. **Answer a bad signature with 4XX.** Whereby retries a `5XX`, and a bad signature can
   never succeed.
6. **Rotate without downtime.** Whereby documents nothing about rotating a secret. While
   you replace one, verify against both the old and the new secret.

`whereby-webhooks verify` and `whereby-webhooks listen` implement exactly these rules.
";

const DELIVERY: &str = "\
## Delivery

What Whereby documents:

- Webhooks are managed by an admin in the \"Configure\" section of the Embedded dashboard.
  There is no API to register endpoints.
- `assistant.requested` is sent to the endpoint URL configured for an Assistant with Manual
  Invite enabled (Whereby's Assistants docs).
- Each event is delivered in JSON format as the body of an HTTP request (the spec models it
  as a `POST`).
- Any `5XX` answer triggers a retry, for a total of 2 retries with a short exponential
  backoff. A request not answered within 5 seconds is retried the same way.
- In-room events are sent from the room's creation until an hour after its `endDate`; an
  in-room event can be sent more than once, and in-room events can arrive in
  non-chronological order.
- Every event carries `apiVersion` (`1.0`). Breaking changes come under a new major version;
  data can be added within one.

What Whereby does not document: whether endpoint URLs must be HTTPS, how many webhooks an
organisation can have, and from which IP addresses deliveries come. Its firewall page says
its servers have no static range of IP addresses, about video traffic, and offers
enterprise customers a list of current server IPs on request.

What we recommend:

- Serve your endpoint over HTTPS, and do not rely on an allow-list of source addresses:
  verify the signature instead.
- Answer `2XX` to accept, within 5 seconds: do slow work afterwards. Whereby does not
  document what a `2XX` or a `4XX` does; that a `4XX` is not retried is an inference from
  the documented retry rule. Answer `4XX` only to a delivery that can never succeed.
- Deduplicate on `id` and order on `createdAt`, for every event type.
- Ignore properties you do not know, and accept role names and recording statuses you do
  not know.
";

const HISTORY: &str = "\
## History of each property

Each table's `since` column is the date Whereby first documented the property on that event,
by one rule for every event, property and value of a list: the date of the earliest commit,
in `whereby/docs` or in the Assistant SDK's webhook types in `whereby/sdk`, that documents it
for that event, and never earlier than the event itself. The docs history starts on
2022-04-01, so that date means \"2022-04-01 or earlier\". A delivery captured before a
property's date may lack it: `whereby-webhooks validate --as-of created` judges each delivery
by the contract of its own `createdAt`, and `whereby-webhooks spec --as-of DATE` prints the
contract of a date. The spec carries the same dates as `x-since` (and, for the known values
of an open list, `x-enumSince`), with the commits as `x-sources`, the dating one first.
";

/// A property row of a table.
struct Row {
    name: String,
    ty: String,
    required: String,
    nullable: bool,
    since: String,
    description: String,
}

fn resolve<'a>(components: &'a Map<String, Value>, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .rsplit('/')
            .next()
            .and_then(|name| components.get(name))
            .unwrap_or(schema),
        None => schema,
    }
}

fn type_of(components: &Map<String, Value>, schema: &Value) -> (String, bool) {
    let schema = resolve(components, schema);
    if let Some(Value::Array(values)) = schema.get("x-extensible-enum") {
        let names: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect();
        return (
            format!("string, open list: {}, or any other", names.join(", ")),
            false,
        );
    }
    // A single allowed value, pinned by `const` or by a one-value `enum`.
    let single = match schema.get("enum").and_then(Value::as_array) {
        Some(values) if values.len() == 1 => values.first(),
        _ => schema.get("const"),
    };
    if let Some(c) = single {
        return (format!("`{c}`"), false);
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let names: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect();
        return (format!("string: {}", names.join(", ")), false);
    }
    if let Some(Value::Array(branches)) = schema.get("oneOf") {
        let consts: Vec<String> = branches
            .iter()
            .filter_map(|b| b.get("const").and_then(Value::as_str))
            .map(|c| format!("`{c}`"))
            .collect();
        if consts.len() == branches.len() {
            return (format!("string: {}", consts.join(", ")), false);
        }
    }
    let mut nullable = false;
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let mut names = Vec::new();
    for t in types {
        match t {
            "null" => nullable = true,
            "integer" if schema.get("minimum").and_then(Value::as_i64) == Some(0) => {
                names.push("integer ≥ 0".to_owned())
            }
            "object" => {
                let value = schema
                    .get("additionalProperties")
                    .map(|v| type_of(components, v).0);
                names.push(match value {
                    Some(v) => format!("object (name → {v})"),
                    None => "object".to_owned(),
                });
            }
            "string" => match schema.get("format").and_then(Value::as_str) {
                Some(f) => names.push(format!("string ({f})")),
                None => names.push("string".to_owned()),
            },
            other => names.push(other.to_owned()),
        }
    }
    (names.join(" or "), nullable)
}

/// Requirements that hold under a condition: `if`/`then` on the schema itself
/// or in one of its `allOf` entries.
fn conditional_requirements(schema: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(conditional_requirements(entry));
    }
    let (Some(condition), Some(then)) = (schema.get("if"), schema.get("then")) else {
        return out;
    };
    let when: Vec<String> = condition
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            v.get("const")
                .map(|c| format!("when `{k}` is `{}`", c.as_str().unwrap_or_default()))
        })
        .collect();
    for name in then
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = name.as_str() {
            out.push((name.to_owned(), when.join(" and ")));
        }
    }
    out
}

fn rows(components: &Map<String, Value>, schema: &Value, prefix: &str, out: &mut Vec<Row>) {
    let schema = resolve(components, schema);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let conditional = conditional_requirements(schema);
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let (ty, nullable) = type_of(components, property);
        let full = format!("{prefix}{name}");
        let required = if required.contains(&name.as_str()) {
            "yes".to_owned()
        } else if let Some((_, when)) = conditional.iter().find(|(n, _)| n == name) {
            when.clone()
        } else {
            "no".to_owned()
        };
        let description = property
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('\n', " ")
            .replace('|', "\\|");
        let is_nested = resolve(components, property).get("properties").is_some();
        let since = property
            .get(SINCE_KEY)
            .and_then(Value::as_str)
            .map_or_else(|| "?".to_owned(), since_text);
        out.push(Row {
            name: full.clone(),
            ty: if is_nested { "object".to_owned() } else { ty },
            required,
            nullable,
            since,
            description,
        });
        if is_nested {
            rows(components, property, &format!("{full}."), out);
        }
    }
}

fn anchor(ty: EventType) -> String {
    ty.as_str().replace('.', "").to_lowercase()
}

/// Renders the reference from the OpenAPI document.
pub fn reference(document: &Value) -> Result<String, String> {
    let components = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("the document has no components/schemas")?;
    let mut md = preamble("<!-- ", " -->");
    md.push_str("\n# Whereby webhooks reference\n\n");
    md.push_str(
        "Every event Whereby delivers to a webhook endpoint, with its properties, an example and \
         the rules for verifying its signature. The machine-readable contract is \
         [`spec/openapi.yaml`](../spec/openapi.yaml) (OpenAPI 3.1 `webhooks`), with standalone \
         JSON Schemas in [`spec/schemas/`](../spec/schemas/).\n\n",
    );
    md.push_str("| event | family | when |\n|---|---|---|\n");
    for ty in EventType::ALL {
        let _ = writeln!(
            md,
            "| [`{ty}`](#{}) | {} | {} |",
            anchor(ty),
            ty.family().tag(),
            ty.summary()
        );
    }
    md.push('\n');
    md.push_str(DELIVERY);
    md.push('\n');
    md.push_str(SIGNATURES);
    md.push('\n');
    md.push_str(HISTORY);
    md.push_str(&presence_section());
    md.push_str(&open_lists_section(components));
    for family in Family::ALL {
        let _ = write!(
            md,
            "\n## {}\n\n{}\n",
            capitalise(family.tag()),
            family.description()
        );
        for ty in EventType::ALL.into_iter().filter(|t| t.family() == family) {
            let schema = components
                .get(&ty.schema_name())
                .ok_or_else(|| format!("no schema for {ty}"))?;
            let _ = write!(md, "\n### `{ty}`\n\n{}\n\n", ty.description());
            let _ = writeln!(
                md,
                "Documented by Whereby since {} ({}).\n",
                since_text(ty.since()),
                ty.sources().join("; ")
            );
            let mut table = Vec::new();
            rows(components, schema, "", &mut table);
            md.push_str(
                "| property | type | required | nullable | since | description |\n\
                 |---|---|---|---|---|---|\n",
            );
            for row in table {
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    row.name,
                    row.ty,
                    row.required,
                    if row.nullable { "yes" } else { "no" },
                    row.since,
                    row.description
                );
            }
            for example in examples(ty) {
                let json =
                    serde_json::to_string_pretty(&example.event).map_err(|e| e.to_string())?;
                let _ = write!(
                    md,
                    "\nExample `{}`: {}.\n\n```json\n{json}\n```\n",
                    example.name, example.summary
                );
            }
        }
    }
    md.push_str("\n## Where Whereby's sources disagree\n\n");
    md.push_str(
        "This contract is built from Whereby's webhooks docs page and the Assistant SDK types. \
         Where they disagree, this is what the contract does:\n\n",
    );
    for conflict in SOURCE_CONFLICTS {
        let _ = writeln!(
            md,
            "- **{}** ({}): {} *Resolution:* {}",
            conflict.id,
            conflict.sources.join("; "),
            conflict.detail,
            conflict.resolution
        );
    }
    super::guide::add_to(md)
}

/// The requiredness policy and its exceptions, from the model.
fn presence_section() -> String {
    let mut md = String::from(
        "\n## Which properties are required\n\n\
         Every property Whereby's current webhooks docs list for an event is required and not \
         nullable, except:\n\n",
    );
    for exception in EXCEPTIONS {
        let events: Vec<String> = exception.events.iter().map(|t| format!("`{t}`")).collect();
        let required = match exception.required {
            Required::Always => "required".to_owned(),
            Required::Never => "optional".to_owned(),
            Required::When(condition) => format!("required when {condition}"),
        };
        let nullable = if exception.nullable {
            ", may be `null`"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "- `{}` on {}: {required}{nullable}. {}",
            exception.property,
            events.join(", "),
            exception.reason
        );
    }
    md
}

/// The known values of every open list (`x-extensible-enum`), with their
/// descriptions.
fn open_lists_section(components: &Map<String, Value>) -> String {
    let mut md = String::from(
        "\n## Open lists\n\n\
         Whereby adds values to these lists over time, so any string is valid; the values \
         known today are:\n",
    );
    for (name, schema) in components {
        let Some(Value::Array(values)) = schema.get("x-extensible-enum") else {
            continue;
        };
        let _ = write!(md, "\n`{name}`");
        if let Some(description) = schema.get("description").and_then(Value::as_str) {
            let _ = write!(md, ": {description}");
        }
        md.push_str("\n\n");
        for value in values.iter().filter_map(Value::as_str) {
            let description = schema
                .pointer(&format!("/x-enumDescriptions/{value}"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let _ = writeln!(md, "- `{value}`: {description}");
        }
    }
    md
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_text() -> String {
        reference(&crate::codegen::openapi::document().unwrap()).unwrap()
    }

    #[test]
    fn every_property_row_names_a_type() {
        let text = reference_text();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| `")).collect();
        assert!(rows.len() > 50, "only {} rows", rows.len());
        for row in rows {
            let cells: Vec<&str> = row.split(" | ").collect();
            assert!(
                cells.len() >= 2 && !cells[1].trim().is_empty(),
                "untyped row: {row}"
            );
        }
    }

    #[test]
    fn every_event_has_a_section_with_an_example() {
        let text = reference_text();
        for ty in EventType::ALL {
            let heading = format!("### `{ty}`");
            let start = text
                .find(&heading)
                .unwrap_or_else(|| panic!("no section for {ty}"));
            let section = &text[start..];
            let end = section[heading.len()..]
                .find("\n### ")
                .map_or(section.len(), |i| i + heading.len());
            assert!(
                section[..end].contains(&format!("\"type\": \"{ty}\"")),
                "no example in {ty}"
            );
        }
    }

    #[test]
    fn every_source_conflict_is_listed() {
        let text = reference_text();
        for conflict in SOURCE_CONFLICTS {
            assert!(text.contains(conflict.id), "{}", conflict.id);
        }
    }
}
