//! `docs/webhooks.md`: the reference, rendered from the generated OpenAPI
//! document so the docs say exactly what the spec says.

use std::fmt::Write as _;

use serde_json::{Map, Value};
use whereby_webhooks_model::conflicts::SOURCE_CONFLICTS;
use whereby_webhooks_model::{EventType, Family, examples};

use crate::codegen::preamble;

const SIGNATURES: &str = "\
## Verifying signatures

Every delivery carries a `Whereby-Signature` header:

```text
Whereby-Signature: t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3
```

`v1` is the lowercase hex HMAC-SHA256 of the bytes `<t>` + `.` + `<raw request body>`,
keyed with the endpoint's signing secret (shown in the Embedded dashboard when the
webhook is created or edited). To verify a delivery correctly:

1. **Hash the raw body.** Read the request body as bytes and hash those bytes. Do not
   parse and re-serialise the JSON first (`JSON.stringify(req.body)` in Node, `json.dumps`
   in Python): whitespace, key order and number formatting change, and so does the MAC.
   Whereby's own Node example makes this mistake.
2. **Split the header properly.** Split on `,`, then each item on its first `=`. Accept
   the delivery if *any* `v1` entry matches; ignore other schemes (`v0`) and never accept
   on them alone. A missing, non-numeric or repeated `t` is a malformed header.
3. **Compare in constant time.** Use `hmac.compare_digest`, `crypto.timingSafeEqual`,
   `subtle::ConstantTimeEq` or your HMAC library's verify function, never `==`.
4. **Bound the timestamp in both directions.** Reject a `t` older *or* newer than your
   tolerance (Whereby's example uses 60 seconds; 300 seconds is a common default) to
   stop replays. Whereby's example refers to `Whereby.MAX_ELAPSED_TIME`, which it never
   defines: define your own constant.
5. **Answer a bad signature with 4XX.** A `5XX` makes Whereby retry a delivery that can
   never succeed.
6. **Rotate without downtime.** While a secret is being replaced, verify against both the
   old and the new secret and accept a match with either.

`whereby-webhooks verify` and `whereby-webhooks listen` implement exactly these rules.
";

const DELIVERY: &str = "\
## Delivery

- Whereby sends each event as an HTTP `POST` with a JSON body to the endpoint URL an admin
  configured in the Embedded dashboard. There is no API to register endpoints.
- Answer `2XX` to accept. `4XX` rejects the event; it is not retried.
- Any `5XX`, and any delivery not answered within 5 seconds, is retried twice in total with
  a short exponential backoff. Answer fast and do slow work afterwards.
- An event can arrive more than once (deduplicate on `id`) and out of order (order on
  `createdAt`). In-room events are sent from the room's creation until one hour after its
  `endDate`.
- Every event carries `apiVersion` (`1.0`). Properties can be added within a version:
  ignore the ones you do not know.
";

/// A property row of a table.
struct Row {
    name: String,
    ty: String,
    required: String,
    nullable: bool,
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
    if let Some(c) = schema.get("const") {
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
        out.push(Row {
            name: full.clone(),
            ty: if is_nested { "object".to_owned() } else { ty },
            required,
            nullable,
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
            match ty.documented_since() {
                Some(date) => {
                    let _ = writeln!(md, "Documented by Whereby since {date}.\n");
                }
                None => md.push_str("Documented by Whereby since before 2022.\n\n"),
            }
            let mut table = Vec::new();
            rows(components, schema, "", &mut table);
            md.push_str(
                "| property | type | required | nullable | description |\n|---|---|---|---|---|\n",
            );
            for row in table {
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} | {} |",
                    row.name,
                    row.ty,
                    row.required,
                    if row.nullable { "yes" } else { "no" },
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
    Ok(md)
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
        reference(&crate::openapi::document().unwrap()).unwrap()
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
