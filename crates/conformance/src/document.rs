//! Reading an OpenAPI 3.1 document: where each webhook's request body schema
//! is, which event `type` it pins, its examples, and the closed copies of the
//! schemas that strict mode validates against.
//!
//! Everything here works on JSON Pointers into the document, so that a
//! `$ref` is resolved against the document it was written in, exactly as a
//! JSON Schema validator resolves it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::SpecError;
use crate::text::escape;
pub use crate::yaml::MAX_DOCUMENT_BYTES;

/// How many `$ref`s in a row are followed before giving up on a cycle.
const MAX_REF_HOPS: usize = 64;
/// How deep schema walks go; deeper schemas are left as they are.
const MAX_DEPTH: usize = 256;
/// How deep a body schema may nest, in steps into a keyword, into its
/// value and through a `$ref` (see [`check_references`]): four times what
/// the other walks read, as in-place chains alone may take 256 steps.
pub(crate) const MAX_NESTING: usize = 1024;

/// One webhook of the document.
#[derive(Debug)]
pub(crate) struct Webhook {
    /// Its key in `webhooks`.
    pub key: String,
    /// The `type` its schema pins, or its key when the schema pins none.
    pub event_type: String,
    /// A JSON Pointer to its request body schema.
    pub schema_pointer: String,
    /// Its named request body examples.
    pub examples: Vec<(String, Value)>,
}

pub(crate) fn read(path: &Path) -> Result<Value, SpecError> {
    use std::io::Read as _;
    let failed = |source| SpecError::Read {
        path: path.to_owned(),
        source,
    };
    // Read no further than the limit: a document over it is refused before
    // it is parsed (a YAML document of tens of megabytes takes seconds and
    // several times its size in memory).
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(SpecError::TooLarge {
            path: path.to_owned(),
            max: MAX_DOCUMENT_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        failed(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 from byte {} on",
                error.utf8_error().valid_up_to()
            ),
        ))
    })?;
    // A byte order mark is allowed at the start of YAML, and JSON parsers
    // may skip it (RFC 8259, section 8.1): an editor may have written one.
    let text = without_bom(&text);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let yaml = match extension.as_deref() {
        Some("yaml" | "yml") => Some(true),
        Some("json") => Some(false),
        _ => None,
    };
    if yaml.is_some() || text.trim_start().starts_with('{') {
        return parse_text(text, yaml);
    }
    // Neither the name nor the text says what it is (a `Cargo.toml`, say):
    // a document only if it reads as YAML (a superset of JSON) and is an
    // object.
    match crate::yaml::read(text) {
        Ok(document) if document.is_object() => Ok(document),
        Err(
            refused @ (SpecError::Expanded { .. }
            | SpecError::YamlNotJson { .. }
            | SpecError::DuplicateKey { .. }),
        ) => Err(refused),
        Ok(document) => Err(SpecError::NotADocument {
            path: path.to_owned(),
            reason: format!("it is {}", crate::text::type_name(&document)),
        }),
        Err(_) => Err(SpecError::NotADocument {
            path: path.to_owned(),
            reason: "it is neither JSON nor YAML".to_owned(),
        }),
    }
}

/// Parses a document: as YAML or JSON when `yaml` says which, otherwise as
/// JSON when the text starts with `{` and as YAML when it does not.
pub(crate) fn parse(text: &str, yaml: Option<bool>) -> Result<Value, SpecError> {
    parse_text(without_bom(text), yaml)
}

/// [`parse`] of a text whose byte order mark, if any, is gone.
fn parse_text(text: &str, yaml: Option<bool>) -> Result<Value, SpecError> {
    if yaml.unwrap_or_else(|| !text.trim_start().starts_with('{')) {
        crate::yaml::read(text)
    } else {
        crate::yaml::read_json(text)
    }
}

/// `text` without the byte order mark it may start with.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The webhooks of `document`, in document order.
pub(crate) fn webhooks(document: &Value) -> Result<Vec<Webhook>, SpecError> {
    check_version(document)?;
    let Some(Value::Object(hooks)) = document.get("webhooks") else {
        return Err(SpecError::NoWebhooks);
    };
    if hooks.is_empty() {
        return Err(SpecError::NoWebhooks);
    }
    let mut out: Vec<Webhook> = Vec::with_capacity(hooks.len());
    // Each event type's webhook so far, found without a search: a document
    // may have a great many.
    let mut by_type: HashMap<String, usize> = HashMap::with_capacity(hooks.len());
    for (key, item) in hooks {
        let pointer = format!("/webhooks/{}", escape(key));
        let webhook = read_webhook(document, key, pointer, item)?;
        if let Some(&first) = by_type.get(&webhook.event_type) {
            return Err(SpecError::DuplicateEventType {
                event_type: webhook.event_type,
                first: out[first].key.clone(),
                second: webhook.key,
            });
        }
        by_type.insert(webhook.event_type.clone(), out.len());
        out.push(webhook);
    }
    Ok(out)
}

pub(crate) fn check_version(document: &Value) -> Result<(), SpecError> {
    let found = match document.get("openapi") {
        Some(Value::String(version)) => {
            if version == "3.1" || version.starts_with("3.1.") {
                return Ok(());
            }
            format!("{version:?}")
        }
        Some(other) => other.to_string(),
        None if document.is_object() => "missing".to_owned(),
        None => format!(
            "missing: the document is {}",
            crate::text::type_name(document)
        ),
    };
    Err(SpecError::NotOpenApi31 {
        found: crate::text::truncate(&found, 60),
    })
}

fn read_webhook(
    document: &Value,
    key: &str,
    pointer: String,
    item: &Value,
) -> Result<Webhook, SpecError> {
    let (item_pointer, item) = resolve(document, pointer, item, key)?;
    let missing = || SpecError::MissingSchema {
        webhook: key.to_owned(),
    };
    // Webhooks are POSTs; a document may describe another method.
    let (operation_pointer, operation) = ["post", "put", "patch", "delete", "get", "options"]
        .iter()
        .find_map(|method| {
            let operation = item.get(*method)?;
            operation.get("requestBody")?;
            Some((format!("{item_pointer}/{method}"), operation))
        })
        .ok_or_else(missing)?;
    let (body_pointer, body) = resolve(
        document,
        format!("{operation_pointer}/requestBody"),
        &operation["requestBody"],
        key,
    )?;
    let Some(Value::Object(content)) = body.get("content") else {
        return Err(missing());
    };
    let (media_type, media) = content
        .get_key_value("application/json")
        .or_else(|| content.iter().find(|(name, _)| is_json_media_type(name)))
        .ok_or_else(missing)?;
    let media_pointer = format!("{body_pointer}/content/{}", escape(media_type));
    let schema = media.get("schema").ok_or_else(missing)?;
    let schema_pointer = format!("{media_pointer}/schema");
    check_references(document, &schema_pointer, schema, key)?;
    let event_type = pinned_type(document, schema, 0).unwrap_or_else(|| key.to_owned());
    let examples = read_examples(document, &media_pointer, media, key)?;
    Ok(Webhook {
        key: key.to_owned(),
        event_type,
        schema_pointer,
        examples,
    })
}

fn is_json_media_type(name: &str) -> bool {
    let essence = name.split(';').next().unwrap_or("").trim();
    essence.ends_with("/json") || essence.ends_with("+json")
}

fn read_examples(
    document: &Value,
    media_pointer: &str,
    media: &Value,
    webhook: &str,
) -> Result<Vec<(String, Value)>, SpecError> {
    let mut out = Vec::new();
    if let Some(Value::Object(examples)) = media.get("examples") {
        for (name, example) in examples {
            let pointer = format!("{media_pointer}/examples/{}", escape(name));
            let (_, example) = resolve(document, pointer, example, webhook)?;
            if let Some(value) = example.get("value") {
                out.push((name.clone(), value.clone()));
            }
        }
    } else if let Some(value) = media.get("example") {
        out.push(("example".to_owned(), value.clone()));
    }
    Ok(out)
}

/// Follows `$ref`s from `value` (found at `pointer`) to what they point to.
fn resolve<'a>(
    document: &'a Value,
    mut pointer: String,
    mut value: &'a Value,
    webhook: &str,
) -> Result<(String, &'a Value), SpecError> {
    for _ in 0..MAX_REF_HOPS {
        let Some(Value::String(reference)) = value.get("$ref") else {
            return Ok((pointer, value));
        };
        let unresolvable = || SpecError::UnresolvableRef {
            webhook: webhook.to_owned(),
            reference: reference.clone(),
        };
        pointer = local_pointer(reference).ok_or_else(unresolvable)?;
        value = document.pointer(&pointer).ok_or_else(unresolvable)?;
    }
    Err(SpecError::UnresolvableRef {
        webhook: webhook.to_owned(),
        reference: value
            .get("$ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    })
}

/// The JSON Pointer a local reference (`#/components/schemas/X`) names, or
/// `None` for a reference to another document.
pub(crate) fn local_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let decoded = percent_decode(fragment)?;
    (decoded.is_empty() || decoded.starts_with('/')).then_some(decoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a JSON Pointer for use as a URI fragment.
pub(crate) fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Keywords whose values are data, not schemas.
const DATA_KEYWORDS: [&str; 6] = [
    "const", "enum", "examples", "example", "default", "required",
];

/// Keywords whose values map names (chosen by the document: a property
/// may be called `default`) to schemas.
const NAMED_SCHEMAS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// How many distinct schemas one webhook's body may refer to with `$ref`.
/// The schema compiler's time grows faster than a chain of references is
/// long, and a chain reached from several places at once is not deep
/// where it is first met; the published spec refers to a few dozen.
pub(crate) const MAX_REFERENCED: usize = 4096;

/// Checks that every local `$ref` reachable from the schema resolves, that
/// no `$ref` leaves the document, and that the schema nests no more than
/// [`MAX_NESTING`] steps deep (into a keyword, into its value, through a
/// `$ref`), each schema counted once: the schema compiler takes time
/// growing faster than the depth (80,000 levels of `properties`, each
/// through a `$ref`, took 70 s), and a payload is read at most 128 levels
/// deep anyway.
fn check_references(
    document: &Value,
    pointer: &str,
    schema: &Value,
    webhook: &str,
) -> Result<(), SpecError> {
    let mut seen = HashSet::from([pointer.to_owned()]);
    // Each value with its depth and the last `$ref` followed to reach it.
    let mut stack: Vec<(&Value, usize, Option<&str>)> = vec![(schema, 0, None)];
    while let Some((value, depth, via)) = stack.pop() {
        if depth > MAX_NESTING && (value.is_object() || value.is_array()) {
            return Err(SpecError::TooNested {
                webhook: webhook.to_owned(),
                via: via.map(str::to_owned),
                max: MAX_NESTING,
            });
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "$ref" {
                        if let Value::String(reference) = child {
                            let unresolvable = || SpecError::UnresolvableRef {
                                webhook: webhook.to_owned(),
                                reference: reference.clone(),
                            };
                            let target = local_pointer(reference).ok_or_else(unresolvable)?;
                            let resolved = document.pointer(&target).ok_or_else(unresolvable)?;
                            if seen.insert(target) {
                                if seen.len() > MAX_REFERENCED {
                                    return Err(SpecError::TooManyReferenced {
                                        webhook: webhook.to_owned(),
                                        max: MAX_REFERENCED,
                                    });
                                }
                                stack.push((resolved, depth + 1, Some(reference)));
                            }
                        }
                    } else if let (true, Value::Object(named)) =
                        (NAMED_SCHEMAS.contains(&key.as_str()), child)
                    {
                        // Every value a schema, whatever its name.
                        stack.extend(named.values().map(|schema| (schema, depth + 2, via)));
                    } else if !DATA_KEYWORDS.contains(&key.as_str()) {
                        stack.push((child, depth + 1, via));
                    }
                }
            }
            Value::Array(items) => {
                stack.extend(items.iter().map(|item| (item, depth + 1, via)));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The `type` a schema pins with `const` (or a one-value `enum`), looking
/// through `$ref` and `allOf`.
fn pinned_type(document: &Value, schema: &Value, depth: usize) -> Option<String> {
    if depth > MAX_REF_HOPS {
        return None;
    }
    let schema = follow(document, schema)?;
    if let Some(property) = schema.get("properties").and_then(|p| p.get("type")) {
        let property = follow(document, property)?;
        if let Some(Value::String(ty)) = property.get("const") {
            return Some(ty.clone());
        }
        if let Some(Value::Array(values)) = property.get("enum")
            && let [Value::String(ty)] = values.as_slice()
        {
            return Some(ty.clone());
        }
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|branch| pinned_type(document, branch, depth + 1))
}

/// `schema` with its local `$ref`s followed as far as they resolve (a few
/// hops at most): the schema the last one that resolves points to, or
/// `schema` itself. For tools that read a document's schemas (generators,
/// example builders); validation resolves references its own way.
#[must_use]
pub fn resolve_ref<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_HOPS {
        let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(local_pointer)
            .and_then(|pointer| document.pointer(&pointer))
        else {
            break;
        };
        schema = target;
    }
    schema
}

/// `schema` with its `$ref`s followed, when they resolve.
pub(crate) fn follow<'a>(document: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_REF_HOPS {
        match schema.get("$ref") {
            Some(Value::String(reference)) => {
                schema = document.pointer(&local_pointer(reference)?)?;
            }
            _ => return Some(schema),
        }
    }
    None
}

/// Closes the schemas at `roots` for strict mode: adds
/// `unevaluatedProperties: false` to every schema that describes an object's
/// properties, where it stands for a value of the payload.
///
/// `unevaluatedProperties` rather than `additionalProperties`, because it sees
/// the properties that `$ref`, `allOf`, `oneOf` and `if`/`then` evaluate: a
/// property declared in a referenced or combined schema is not unknown. For
/// the same reason it is added where a value is described (the schema under
/// `properties`, `items` or a request body), not inside the schemas that
/// `allOf` and friends combine, which would reject each other's properties;
/// and never inside `if` or `not`, where closing would turn a condition
/// upside down.
///
/// A failing subschema evaluates nothing, so one wrong property inside an
/// `allOf` branch would make every property of that branch "unknown" too.
/// The names that `$ref` and `allOf` always apply are therefore also listed,
/// as `true`, in the closed schema's own `properties`: they count as known
/// whatever happens in the branch that declares them, and only what
/// `anyOf`, `oneOf` and `if`/`then`/`else` declare depends on which of them
/// hold.
pub(crate) fn close(document: &mut Value, roots: &[String]) {
    drop_explicit_openness(document);
    let mut targets = Vec::new();
    let mut seen = HashSet::new();
    for root in roots {
        collect_closures(document, root, true, 0, &mut seen, &mut targets);
    }
    let targets: Vec<(String, Declared)> = targets
        .into_iter()
        .filter_map(|pointer| {
            let schema = document.pointer(&pointer)?.as_object()?;
            let mut declared = Declared::default();
            always_applied(document, schema, 0, &mut declared);
            Some((pointer, declared))
        })
        .collect();
    for (pointer, declared) in targets {
        if declared.open {
            continue;
        }
        let Some(Value::Object(schema)) = document.pointer_mut(&pointer) else {
            continue;
        };
        for (keyword, names) in [
            ("properties", declared.properties),
            ("patternProperties", declared.patterns),
        ] {
            if names.is_empty() {
                continue;
            }
            if let Value::Object(own) = schema
                .entry(keyword)
                .or_insert_with(|| Value::Object(Map::new()))
            {
                for name in names {
                    own.entry(name).or_insert(Value::Bool(true));
                }
            }
        }
        schema
            .entry("unevaluatedProperties")
            .or_insert(Value::Bool(false));
    }
}

/// Removes every `additionalProperties: true`. It says what leaving the
/// keyword out says, and documents write it for code generators that read
/// an absent keyword as `false`; but it also marks every property as
/// evaluated, so `unevaluatedProperties: false` would never see an unknown
/// one. A schema-valued `additionalProperties` (a map's values) stays.
fn drop_explicit_openness(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(true)) {
                map.remove("additionalProperties");
            }
            for (key, child) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "properties" | "patternProperties" | "$defs" | "schemas"
                ) {
                    // Keys there are names, not keywords.
                    for named in child
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|m| m.values_mut())
                    {
                        drop_explicit_openness(named);
                    }
                } else {
                    drop_explicit_openness(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_explicit_openness),
        _ => {}
    }
}

/// What the schemas that `$ref` and `allOf` apply declare.
#[derive(Default)]
struct Declared {
    properties: Vec<String>,
    patterns: Vec<String>,
    /// A schema among them accepts any property (`additionalProperties`),
    /// so there is nothing to close.
    open: bool,
}

fn always_applied(
    document: &Value,
    schema: &Map<String, Value>,
    depth: usize,
    declared: &mut Declared,
) {
    if depth > MAX_REF_HOPS {
        return;
    }
    let visit = |value: &Value, declared: &mut Declared| {
        let Some(branch) = follow(document, value).and_then(Value::as_object) else {
            return;
        };
        declared
            .properties
            .extend(keys(branch, "properties").cloned());
        declared
            .patterns
            .extend(keys(branch, "patternProperties").cloned());
        if branch
            .get("additionalProperties")
            .is_some_and(|a| *a != Value::Bool(false))
        {
            declared.open = true;
        }
        always_applied(document, branch, depth + 1, declared);
    };
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(local_pointer)
        .and_then(|pointer| document.pointer(&pointer))
    {
        visit(target, declared);
    }
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for branch in branches {
            visit(branch, declared);
        }
    }
}

/// Closes the open lists of the document for strict mode: every schema with
/// an `x-extensible-enum` list (and no `enum` of its own) gets that list as
/// its `enum`. Returns those schemas' JSON Pointers with the values listed,
/// so that a failing `enum` there is reported as an unknown value of an
/// open list rather than a wrong value of a closed one.
pub(crate) fn close_open_lists(document: &mut Value) -> HashMap<String, Vec<Value>> {
    let mut found = HashMap::new();
    let mut stack: Vec<(String, &mut Value, usize)> = vec![(String::new(), document, 0)];
    while let Some((pointer, value, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            continue;
        }
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(known)) = map.get("x-extensible-enum")
                    && !map.contains_key("enum")
                {
                    let known = known.clone();
                    map.insert("enum".to_owned(), Value::Array(known.clone()));
                    found.insert(pointer.clone(), known);
                }
                for (key, child) in map.iter_mut() {
                    if DATA_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
                        continue;
                    }
                    stack.push((format!("{pointer}/{}", escape(key)), child, depth + 1));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    stack.push((format!("{pointer}/{index}"), child, depth + 1));
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether the value at `tokens` (a path from a payload's root) is a
/// property the schema at `root` describes, and if so its `x-since`: on the
/// property's schema (beside its `$ref`), or else on the schema it refers
/// to. `None` when the last step is not a described property (an array
/// item, a map value, an unknown name).
pub(crate) fn property_since(
    document: &Value,
    root: &Value,
    tokens: &[String],
) -> Option<Option<String>> {
    let mut current = vec![root];
    let mut since = None;
    let mut property = false;
    for token in tokens {
        let mut next = Vec::new();
        since = None;
        property = false;
        // Each schema once per step: branches that reach the same schema
        // (both `then` and `else`, two `anyOf` branches) would otherwise
        // double the schemas looked at with each level of the payload.
        let mut seen: HashSet<*const Value> = HashSet::new();
        for schema in &current {
            for applied in in_place(document, schema) {
                if !seen.insert(std::ptr::from_ref(applied)) {
                    continue;
                }
                if let Some(described) = applied.get("properties").and_then(|p| p.get(token)) {
                    // The first date found: strict mode lists known
                    // names as `true` beside the schemas that date them.
                    since = since.or_else(|| {
                        x_since(described).or_else(|| follow(document, described).and_then(x_since))
                    });
                    property = true;
                    next.push(described);
                } else if token.parse::<usize>().is_ok()
                    && let Some(items) = applied.get("items")
                {
                    next.push(items);
                } else if let Some(values) = applied
                    .get("additionalProperties")
                    .filter(|a| a.is_object())
                {
                    next.push(values);
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        current = next;
    }
    property.then_some(since)
}

fn x_since(schema: &Value) -> Option<String> {
    schema.get("x-since")?.as_str().map(str::to_owned)
}

/// How many schemas [`in_place`] gathers at most.
const MAX_IN_PLACE: usize = 256;

/// `schema` and every schema it applies to the same value (`$ref`,
/// `allOf`, `anyOf`, `oneOf`, `then`, `else`), each once.
fn in_place<'a>(document: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let mut out: Vec<&'a Value> = Vec::new();
    let mut stack = vec![schema];
    while let Some(schema) = stack.pop() {
        if out.len() >= MAX_IN_PLACE || out.iter().any(|seen| std::ptr::eq(*seen, schema)) {
            continue;
        }
        out.push(schema);
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(local_pointer)
            .and_then(|pointer| document.pointer(&pointer))
        {
            stack.push(target);
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = schema.get(keyword) {
                stack.extend(branches.iter().rev());
            }
        }
        for keyword in ["then", "else"] {
            if let Some(branch) = schema.get(keyword) {
                stack.push(branch);
            }
        }
    }
    out
}

fn collect_closures(
    document: &Value,
    pointer: &str,
    stands_for_value: bool,
    depth: usize,
    seen: &mut HashSet<(String, bool)>,
    targets: &mut Vec<String>,
) {
    if depth > MAX_DEPTH || !seen.insert((pointer.to_owned(), stands_for_value)) {
        return;
    }
    let Some(Value::Object(schema)) = document.pointer(pointer) else {
        return;
    };
    if stands_for_value && declares_properties(document, schema, 0) {
        targets.push(pointer.to_owned());
    }
    let mut visit = |child: String, stands_for_value: bool| {
        collect_closures(document, &child, stands_for_value, depth + 1, seen, targets);
    };
    // Applied in place: part of the same value.
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(keyword) {
            for index in 0..branches.len() {
                visit(format!("{pointer}/{keyword}/{index}"), false);
            }
        }
    }
    for keyword in ["then", "else"] {
        if schema.contains_key(keyword) {
            visit(format!("{pointer}/{keyword}"), false);
        }
    }
    for name in keys(schema, "dependentSchemas") {
        visit(
            format!("{pointer}/dependentSchemas/{}", escape(name)),
            false,
        );
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(local_pointer)
    {
        visit(target, false);
    }
    // Values inside this one.
    for keyword in ["properties", "patternProperties"] {
        for name in keys(schema, keyword) {
            visit(format!("{pointer}/{keyword}/{}", escape(name)), true);
        }
    }
    for keyword in ["additionalProperties", "items", "unevaluatedItems"] {
        if schema.contains_key(keyword) {
            visit(format!("{pointer}/{keyword}"), true);
        }
    }
    if let Some(Value::Array(items)) = schema.get("prefixItems") {
        for index in 0..items.len() {
            visit(format!("{pointer}/prefixItems/{index}"), true);
        }
    }
}

fn keys<'a>(schema: &'a Map<String, Value>, keyword: &str) -> impl Iterator<Item = &'a String> {
    schema
        .get(keyword)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::keys)
}

/// Whether a schema describes object properties, itself or through the
/// schemas it applies in place.
fn declares_properties(document: &Value, schema: &Map<String, Value>, depth: usize) -> bool {
    if depth > MAX_REF_HOPS {
        return false;
    }
    if schema.get("properties").is_some_and(Value::is_object) {
        return true;
    }
    let in_place = |value: &Value| {
        follow(document, value)
            .and_then(Value::as_object)
            .is_some_and(|s| declares_properties(document, s, depth + 1))
    };
    ["allOf", "anyOf", "oneOf"].iter().any(|keyword| {
        schema
            .get(*keyword)
            .and_then(Value::as_array)
            .is_some_and(|branches| branches.iter().any(in_place))
    }) || ["then", "else"]
        .iter()
        .any(|keyword| schema.get(*keyword).is_some_and(in_place))
        || schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(local_pointer)
            .and_then(|target| document.pointer(&target))
            .is_some_and(in_place)
}

/// How many schemas may apply one another in place, one after the other: a
/// validator recurses once for each, and again for each level of the
/// payload (at most 128), on a thread's stack.
pub const MAX_IN_PLACE_CHAIN: usize = 256;

/// The schemas a schema applies in place, to the same value: its own
/// step of a chain (see [`in_place`] for all of them, transitively).
fn applied_in_place<'a>(document: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let Value::Object(map) = schema else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        match key.as_str() {
            // `$dynamicRef` (and draft 2019-09's `$recursiveRef`) written
            // as a pointer is followed as `$ref` is.
            "$ref" | "$dynamicRef" | "$recursiveRef" => {
                if let Some(target) = value
                    .as_str()
                    .and_then(local_pointer)
                    .and_then(|pointer| document.pointer(&pointer))
                {
                    out.push(target);
                }
            }
            "allOf" | "anyOf" | "oneOf" => out.extend(value.as_array().into_iter().flatten()),
            "not" | "if" | "then" | "else" => out.push(value),
            // Each applies to the whole object when its property is there.
            "dependentSchemas" => out.extend(value.as_object().into_iter().flat_map(Map::values)),
            _ => {}
        }
    }
    out
}

/// How many schemas one schema may apply in place, counted with repeats
/// (itself, and each schema it applies in place as often as it is reached):
/// how many a validator may try for one value, each reporting its own
/// issues when the value fails them. Branches that apply the same schema
/// twice double this at each step, so it grows exponentially with a chain
/// of them: 22 such steps took over 7 GB to report on one failing value.
pub const MAX_IN_PLACE_SCHEMAS: u64 = 4096;

/// Refuses a document whose schemas apply one another in place in a chain
/// longer than [`MAX_IN_PLACE_CHAIN`] (a cycle is not a chain: validators
/// stop where a schema recurs for the same value), or where one schema
/// applies more than [`MAX_IN_PLACE_SCHEMAS`] in place. Each value of the
/// document is looked at once.
pub(crate) fn check_in_place_chains(document: &Value) -> Result<(), SpecError> {
    // The longest chain from each schema seen, by address.
    let mut longest: HashMap<*const Value, usize> = HashMap::new();
    // How many schemas each applies in place, with repeats, by address.
    let mut applied: HashMap<*const Value, u64> = HashMap::new();
    let mut open: HashSet<*const Value> = HashSet::new();
    // Every value of the document may be a schema. Each is kept with its
    // place (its parent's place and its key or index), not its pointer: a
    // pointer for each of a million values under a long key would take
    // gigabytes. The pointer is written out only for the one reported.
    let mut places: Vec<(usize, Step<'_>)> = vec![(0, Step::Root)];
    let mut values = vec![(0, document)];
    while let Some((place, root)) = values.pop() {
        match root {
            Value::Object(map) => {
                for (key, child) in map {
                    places.push((place, Step::Key(key)));
                    values.push((places.len() - 1, child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    places.push((place, Step::Index(index)));
                    values.push((places.len() - 1, child));
                }
            }
            _ => continue,
        }
        // Depth first, without recursion: a schema is finished once all it
        // applies in place is.
        let mut stack = vec![(root, false)];
        while let Some((schema, children_done)) = stack.pop() {
            let address: *const Value = schema;
            if children_done {
                let children = applied_in_place(document, schema);
                let chain = 1 + children
                    .iter()
                    .map(|child| {
                        longest
                            .get(&std::ptr::from_ref(*child))
                            .copied()
                            .unwrap_or(0)
                    })
                    .max()
                    .unwrap_or(0);
                // A schema on the way to itself (a cycle) counts nothing.
                let count = children.iter().fold(1u64, |sum, child| {
                    sum.saturating_add(
                        applied
                            .get(&std::ptr::from_ref(*child))
                            .copied()
                            .unwrap_or(0),
                    )
                });
                open.remove(&address);
                longest.insert(address, chain);
                applied.insert(address, count);
                if chain > MAX_IN_PLACE_CHAIN {
                    return Err(SpecError::TooDeep {
                        pointer: pointer_of(&places, place),
                        max: MAX_IN_PLACE_CHAIN,
                    });
                }
                if count > MAX_IN_PLACE_SCHEMAS {
                    return Err(SpecError::TooBranched {
                        pointer: pointer_of(&places, place),
                        max: MAX_IN_PLACE_SCHEMAS,
                    });
                }
                continue;
            }
            if longest.contains_key(&address) || !open.insert(address) {
                continue;
            }
            stack.push((schema, true));
            for child in applied_in_place(document, schema) {
                stack.push((child, false));
            }
        }
    }
    Ok(())
}

/// One step from a value to a value inside it.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// The JSON Pointer of the value at `place` among `places` (each a parent
/// place and the step from it).
fn pointer_of(places: &[(usize, Step<'_>)], mut place: usize) -> String {
    let mut steps = Vec::new();
    loop {
        let (parent, step) = places[place];
        match step {
            Step::Root => break,
            Step::Key(key) => steps.push(escape(key)),
            Step::Index(index) => steps.push(index.to_string()),
        }
        place = parent;
    }
    steps.iter().rev().fold(String::new(), |mut pointer, step| {
        pointer.push('/');
        pointer.push_str(step);
        pointer
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document that starts with a byte order mark reads as without it:
    /// YAML whose first key followed the mark was read as two documents,
    /// and JSON was "not valid JSON at line 1 column 1".
    #[test]
    fn a_byte_order_mark_is_skipped() {
        let dir = std::env::temp_dir().join(format!("ww-bom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory");
        let cases = [
            ("spec.yaml", "openapi: 3.1.0\ninfo: {title: x}\n"),
            (
                "spec.json",
                r#"{"openapi": "3.1.0", "info": {"title": "x"}}"#,
            ),
            ("spec", "openapi: 3.1.0\ninfo: {title: x}\n"),
            (
                "spec.txt",
                r#"{"openapi": "3.1.0", "info": {"title": "x"}}"#,
            ),
        ];
        for (name, text) in cases {
            let path = dir.join(name);
            std::fs::write(&path, format!("\u{feff}{text}")).expect("write");
            let document = read(&path).unwrap_or_else(|err| panic!("{name}: {err}"));
            assert_eq!(document["openapi"], "3.1.0", "{name}");
            let parsed = parse(&format!("\u{feff}{text}"), None).expect("parses");
            assert_eq!(parsed, document, "{name}");
            // One mark is skipped, not two (YAML itself allows one).
            if name == "spec.json" {
                std::fs::write(&path, format!("\u{feff}\u{feff}{text}")).expect("write");
                assert!(read(&path).is_err(), "{name}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The document walk that checks references goes 1,024 steps deep,
    /// counted the same through objects, arrays and followed references: a
    /// broken `$ref` at the last level is found, and a schema one level
    /// deeper is refused as nested too deep, naming the last reference on
    /// the way. A schema that refers to itself is walked once, not deeper.
    #[test]
    #[ignore = "slow"]
    fn the_reference_walk_refuses_what_is_past_its_depth_limit() {
        let broken = || json!({ "$ref": "#/components/schemas/Gone" });
        let leaf = || json!({ "type": "string" });
        let in_objects = |levels: usize, mut schema: Value| {
            for _ in 0..levels {
                schema = json!({ "properties": { "a": schema } });
            }
            schema
        };
        let in_arrays = |levels: usize, mut schema: Value| {
            for _ in 0..levels {
                schema = json!({ "allOf": [schema] });
            }
            schema
        };
        let walk = |schema: Value, schemas: Value| {
            let document = json!({ "components": { "schemas": schemas }, "body": schema });
            match check_references(&document, "/body", &document["body"], "hook") {
                Ok(()) => "ok".to_owned(),
                Err(SpecError::UnresolvableRef { reference, .. }) => {
                    assert_eq!(reference, "#/components/schemas/Gone");
                    "broken".to_owned()
                }
                Err(SpecError::TooNested { webhook, via, max }) => {
                    assert_eq!((webhook.as_str(), max), ("hook", MAX_NESTING));
                    format!("too deep via {via:?}")
                }
                Err(other) => panic!("{other:?}"),
            }
        };
        // Each level is two steps: into the keyword, then into its value.
        assert_eq!(walk(in_objects(512, broken()), json!({})), "broken");
        assert_eq!(walk(in_objects(512, leaf()), json!({})), "ok");
        assert_eq!(
            walk(in_objects(513, leaf()), json!({})),
            "too deep via None"
        );
        assert_eq!(walk(in_arrays(512, broken()), json!({})), "broken");
        assert_eq!(walk(in_arrays(512, leaf()), json!({})), "ok");
        assert_eq!(walk(in_arrays(513, leaf()), json!({})), "too deep via None");
        // Following a reference is one step.
        let via = json!({ "$ref": "#/components/schemas/Via" });
        assert_eq!(
            walk(in_objects(511, via.clone()), json!({ "Via": broken() })),
            "broken"
        );
        assert_eq!(
            walk(
                in_objects(512, via),
                json!({ "Via": in_objects(1, leaf()) })
            ),
            "too deep via Some(\"#/components/schemas/Via\")"
        );
        // A property may be called as a keyword whose value is data: its
        // schema is still walked (it hid a chain of any depth).
        let mut named = leaf();
        for _ in 0..513 {
            named = json!({ "properties": { "default": named } });
        }
        assert_eq!(walk(named, json!({})), "too deep via None");
        let hidden = json!({ "properties": { "enum": broken() } });
        assert_eq!(walk(hidden, json!({})), "broken");
        // Each schema is walked once, where it is first met: a chain met
        // shallow at every 300th link is not deep anywhere, but refers to
        // more distinct schemas than any webhook needs.
        let links = MAX_REFERENCED + 1;
        let mut schemas = serde_json::Map::new();
        for i in 0..links {
            let next = json!({ "$ref": format!("#/components/schemas/L{}", i + 1) });
            schemas.insert(format!("L{i}"), json!({ "properties": { "x": next } }));
        }
        schemas.insert(format!("L{links}"), leaf());
        let heads: serde_json::Map<String, Value> = (0..links)
            .step_by(300)
            .map(|i| {
                (
                    format!("h{i}"),
                    json!({ "$ref": format!("#/components/schemas/L{i}") }),
                )
            })
            .collect();
        let document = json!({
            "components": { "schemas": schemas },
            "body": { "properties": heads },
        });
        let err =
            check_references(&document, "/body", &document["body"], "hook").expect_err("too many");
        assert!(
            matches!(
                err,
                SpecError::TooManyReferenced {
                    max: MAX_REFERENCED,
                    ..
                }
            ),
            "{err:?}"
        );
        // A tree: each node's children are nodes again.
        let node = json!({ "properties": { "children": {
            "items": { "$ref": "#/components/schemas/Node" },
        }}});
        assert_eq!(
            walk(
                json!({ "$ref": "#/components/schemas/Node" }),
                json!({ "Node": node })
            ),
            "ok"
        );
    }

    /// A pointer is written out from the places leading to it.
    #[test]
    fn places_make_pointers() {
        let places = [
            (0, Step::Root),
            (0, Step::Key("components")),
            (1, Step::Key("a/b~c")),
            (2, Step::Index(3)),
        ];
        assert_eq!(pointer_of(&places, 0), "");
        assert_eq!(pointer_of(&places, 3), "/components/a~1b~0c/3");
    }

    #[test]
    fn pointers_round_trip_through_fragments() {
        let pointer = format!("/webhooks/{}/post", escape("a b/c~d%"));
        assert_eq!(pointer, "/webhooks/a b~1c~0d%/post");
        let encoded = fragment(&pointer);
        assert_eq!(encoded, "/webhooks/a%20b~1c~0d%25/post");
        assert_eq!(local_pointer(&format!("#{encoded}")), Some(pointer));
    }

    #[test]
    fn other_documents_are_not_local() {
        assert_eq!(local_pointer("other.json#/a"), None);
        assert_eq!(local_pointer("#anchor"), None);
        assert_eq!(local_pointer("#%zz"), None);
        assert_eq!(local_pointer("#"), Some(String::new()));
    }
}
