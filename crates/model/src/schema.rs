//! JSON Schemas derived from the model, for the OpenAPI document and as
//! standalone draft 2020-12 files.
//!
//! Each event's schema is its [`Envelope`] with `type` pinned to one value, so
//! a payload matches exactly one event schema and a validator can pick the
//! schema by `type` before validating.
//!
//! The shapes are chosen so that code generators read them as meant, each
//! checked in CI (`.ci/consumers.sh`): the pinned `type` is a one-value `enum`
//! (which cargo-typify reads as a discriminator, where it panics on `const`
//! beside `enum`) with a `pattern` saying the same (the one check
//! openapi-generator's Go models apply when they try each branch of the
//! union); every object says `additionalProperties: true` (generators that
//! read an absent keyword as `false` reject a property Whereby adds within an
//! API version); and the standalone schemas hold conditionals in
//! `dependentSchemas`, which cargo-typify skips, where it stops at `if`.

use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::data::{
    ClientData, ClientJoinLeaveData, InRoomData, RecordingFinishedData, TranscriptionData,
    TranscriptionFailedData, TranscriptionFinishedData,
};
use crate::envelope::Envelope;
use crate::event_type::EventType;

/// The JSON Schema dialect of every schema this crate emits.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The name of the union of all events, in `components/schemas`.
pub const UNION_NAME: &str = "WebhookEvent";

/// Where a set of schemas keeps its named definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `#/components/schemas/…`, for the OpenAPI document.
    OpenApi,
    /// `#/$defs/…`, for a standalone JSON Schema file.
    Standalone,
}

impl Layout {
    /// The JSON Pointer (without `#`) under which definitions live.
    pub const fn definitions_path(self) -> &'static str {
        match self {
            Layout::OpenApi => "/components/schemas/",
            Layout::Standalone => "/$defs/",
        }
    }

    /// The `$ref` of the definition called `name`.
    pub fn reference(self, name: &str) -> String {
        format!("#{}{name}", self.definitions_path())
    }
}

/// A schema generator configured for this contract: draft 2020-12, describing
/// what Whereby *sends* (so `Option` fields without `skip_serializing_if` are
/// required and nullable).
pub fn generator(layout: Layout) -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = layout.definitions_path().into();
    settings.contract = Contract::Serialize;
    settings.meta_schema = None;
    SchemaGenerator::new(settings)
}

/// The schema of one event: the envelope with `type` pinned and `data`
/// referring to the event's data definition, which `generator` collects.
pub fn event_schema(ty: EventType, generator: &mut SchemaGenerator) -> Schema {
    let mut schema = match ty {
        EventType::RoomClientJoined | EventType::RoomClientLeft => {
            Envelope::<ClientJoinLeaveData>::json_schema(generator)
        }
        EventType::RoomClientKnocked | EventType::RoomClientKnockCancelled => {
            Envelope::<ClientData>::json_schema(generator)
        }
        EventType::RoomSessionStarted
        | EventType::RoomSessionEnded
        | EventType::AssistantRequested => Envelope::<InRoomData>::json_schema(generator),
        EventType::TranscriptionStarted => Envelope::<TranscriptionData>::json_schema(generator),
        EventType::TranscriptionFinished => {
            Envelope::<TranscriptionFinishedData>::json_schema(generator)
        }
        EventType::TranscriptionFailed => {
            Envelope::<TranscriptionFailedData>::json_schema(generator)
        }
        EventType::RecordingFinished => Envelope::<RecordingFinishedData>::json_schema(generator),
    };
    // The envelope's `type` is pinned to the event's, keeping its description
    // and provenance.
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        let mut pinned = Map::new();
        pinned.insert("type".into(), "string".into());
        pinned.insert("enum".into(), json!([ty.as_str()]));
        pinned.insert("pattern".into(), pinned_pattern(ty.as_str()).into());
        if let Some(Value::Object(original)) = properties.get("type") {
            for (key, value) in original {
                if !matches!(key.as_str(), "type" | "enum" | "const" | "pattern") {
                    pinned.insert(key.clone(), value.clone());
                }
            }
        }
        properties.insert("type".into(), Value::Object(pinned));
    }
    let mut out = Map::new();
    out.insert("title".into(), ty.as_str().into());
    out.insert("description".into(), ty.description().into());
    out.insert(crate::provenance::SOURCES_KEY.into(), json!(ty.sources()));
    for (key, value) in schema.as_object().into_iter().flatten() {
        if key != "title" && key != "description" {
            out.insert(key.clone(), value.clone());
        }
    }
    Schema::from(out)
}

/// A regular expression matching exactly `value`. A `.` is written `[.]`, not
/// `\\.`: Go's generated models carry the pattern in a struct tag, where a
/// backslash makes the tag unreadable and the check silently absent.
pub fn pinned_pattern(value: &str) -> String {
    let mut pattern = String::from("^");
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            pattern.push(c);
        } else {
            pattern.push('[');
            pattern.push(c);
            pattern.push(']');
        }
    }
    pattern.push('$');
    pattern
}

/// The union of all events: exactly one branch matches, chosen by `type`.
fn union_schema(layout: Layout) -> Value {
    let one_of: Vec<Value> = EventType::ALL
        .iter()
        .map(|ty| json!({ "$ref": layout.reference(&ty.schema_name()) }))
        .collect();
    let mut schema = json!({
        "title": "Whereby webhook event",
        "description": "Any Whereby webhook event. The envelope's `type` decides which event schema applies.",
        "oneOf": one_of,
    });
    if layout == Layout::OpenApi {
        let mapping: Map<String, Value> = EventType::ALL
            .iter()
            .map(|ty| {
                (
                    ty.as_str().to_owned(),
                    layout.reference(&ty.schema_name()).into(),
                )
            })
            .collect();
        schema["discriminator"] = json!({ "propertyName": "type", "mapping": mapping });
    }
    schema
}

/// Every named schema of the contract, for `components/schemas`: the event
/// schemas in [`EventType::ALL`] order, the union, then the data definitions
/// sorted by name.
pub fn components() -> Map<String, Value> {
    let mut generator = generator(Layout::OpenApi);
    let mut out = Map::new();
    for ty in EventType::ALL {
        out.insert(
            ty.schema_name(),
            event_schema(ty, &mut generator).to_value(),
        );
    }
    out.insert(UNION_NAME.into(), union_schema(Layout::OpenApi));
    let mut definitions = generator.take_definitions(true);
    for ty in EventType::ALL {
        if let Some(event) = out.get_mut(&ty.schema_name()) {
            date_per_event(ty, event, &mut definitions, Layout::OpenApi);
        }
    }
    let mut definitions: Vec<(String, Value)> = definitions.into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(definitions);
    for schema in out.values_mut() {
        tidy(schema);
    }
    out
}

/// The name of the data definition `assistant.requested` gets of its own:
/// its properties are those of the session events, documented later.
pub const ASSISTANT_REQUESTED_DATA: &str = "AssistantRequestedData";

/// Dates the properties of event `ty` by the rule of [`crate::provenance`]:
/// a property dated before the event is dated as the event and cited by the
/// event's first source (with the property's own sources that are not older
/// than the event). The envelope is in the event's schema; its data
/// definition is in `definitions`, which only events of one date share
/// (`assistant.requested` gets a copy of the session events' data).
fn date_per_event(
    ty: EventType,
    event: &mut Value,
    definitions: &mut Map<String, Value>,
    layout: Layout,
) {
    if let Some(Value::Object(properties)) = event.get_mut("properties") {
        date_properties(ty, properties);
    }
    let Some(name) = event
        .pointer("/properties/data/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(&format!("#{}", layout.definitions_path())))
        .map(str::to_owned)
    else {
        return;
    };
    let name = if ty == EventType::AssistantRequested {
        let mut copy = definitions.get(&name).cloned().unwrap_or_default();
        if let Value::Object(copy) = &mut copy {
            copy.insert(
                "description".into(),
                "Where a Whereby Assistant is requested. `data` of `assistant.requested`: the \
                 properties of the session events' `data`, dated from when Whereby documented \
                 this event."
                    .into(),
            );
        }
        definitions.insert(ASSISTANT_REQUESTED_DATA.into(), copy);
        if let Some(data) = event.pointer_mut("/properties/data/$ref") {
            *data = layout.reference(ASSISTANT_REQUESTED_DATA).into();
        }
        ASSISTANT_REQUESTED_DATA.to_owned()
    } else {
        name
    };
    if let Some(Value::Object(properties)) = definitions
        .get_mut(&name)
        .and_then(|definition| definition.get_mut("properties"))
    {
        date_properties(ty, properties);
    }
}

/// Raises every `x-since` in `properties` older than event `ty` to the
/// event's date, citing the event's first source first.
fn date_properties(ty: EventType, properties: &mut Map<String, Value>) {
    use crate::provenance::{SINCE_KEY, SOURCES_KEY, citation_date};
    let event_since = ty.since();
    for property in properties.values_mut() {
        let Some(since) = property.get(SINCE_KEY).and_then(Value::as_str) else {
            continue;
        };
        if since >= event_since {
            continue;
        }
        let first = ty.sources()[0];
        let mut sources = vec![Value::from(first)];
        for source in property
            .get(SOURCES_KEY)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if source != first && citation_date(source).is_some_and(|d| d >= event_since) {
                sources.push(source.into());
            }
        }
        property[SINCE_KEY] = event_since.into();
        property[SOURCES_KEY] = Value::Array(sources);
    }
}

/// Makes generated schemas read as published prose: doc comments' hard line
/// wraps become spaces (blank lines stay paragraph breaks), and the numeric
/// formats schemars adds go: `uint32` is no registered format (`minimum: 0`
/// already says it) and `double` means nothing to a plain JSON Schema
/// validator, which the standalone schemas are for.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = unwrap_lines(text);
            }
            closed_enum(map);
            if let Some(Value::Object(descriptions)) = map.get_mut("x-enumDescriptions") {
                for text in descriptions.values_mut() {
                    if let Value::String(text) = text {
                        *text = unwrap_lines(text);
                    }
                }
            }
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint") || f == "double")
            {
                map.remove("format");
            }
            conditionals_in_all_of(map);
            open_object(map);
            // A one-branch `oneOf` says the same as its branch.
            if let Some(Value::Array(branches)) = map.get("oneOf")
                && branches.len() == 1
                && let Some(Value::Array(mut branches)) = map.remove("oneOf")
                && let Some(Value::Object(branch)) = branches.pop()
            {
                for (key, value) in branch {
                    map.entry(key).or_insert(value);
                }
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Rewrites an enum that schemars derived as `oneOf` (or `anyOf`) of
/// documented string `const`s into `type: string` + `enum`, with each value's
/// description under `x-enumDescriptions` (the map Redocly's reference docs,
/// Scalar and GitBook render as a table). Code generators make one enum type of
/// `enum`, where a `oneOf` of `const`s becomes a union of unrelated strings.
/// Anything else, an open list with `x-extensible-enum` included, is left as is.
fn closed_enum(map: &mut Map<String, Value>) {
    let Some(keyword) = ["oneOf", "anyOf"]
        .into_iter()
        .find(|k| map.get(*k).is_some_and(is_documented_constants))
    else {
        return;
    };
    let mut values = Vec::new();
    let mut descriptions = Map::new();
    for branch in map
        .get(keyword)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = branch["const"].clone();
        if let (Some(name), Some(text)) = (value.as_str(), branch.get("description")) {
            descriptions.insert(name.to_owned(), text.clone());
        }
        values.push(value);
    }
    let mut out = Map::new();
    for (key, value) in std::mem::take(map) {
        if key == keyword {
            out.insert("type".into(), "string".into());
            out.insert("enum".into(), Value::Array(values.clone()));
            if !descriptions.is_empty() {
                out.insert(
                    "x-enumDescriptions".into(),
                    Value::Object(std::mem::take(&mut descriptions)),
                );
            }
        } else if key != "type" {
            out.insert(key, value);
        }
    }
    *map = out;
}

/// Whether `branches` is a non-empty list of string `const`s, each with at
/// most a `type: string` and a description beside it.
fn is_documented_constants(branches: &Value) -> bool {
    branches.as_array().is_some_and(|branches| {
        !branches.is_empty()
            && branches.iter().all(|branch| {
                branch.as_object().is_some_and(|b| {
                    b.get("const").is_some_and(Value::is_string)
                        && b.get("type").is_none_or(|t| t == "string")
                        && b.keys()
                            .all(|k| matches!(k.as_str(), "const" | "type" | "description"))
                })
            })
    })
}

/// Moves `if`/`then`/`else` into an `allOf` entry of their own. The meaning is
/// the same, but code generators and renderers that do not understand a
/// conditional then ignore one `allOf` entry instead of typing the whole
/// object as `any`.
fn conditionals_in_all_of(map: &mut Map<String, Value>) {
    // A schema holding nothing but the conditional is such an entry already.
    if !map.contains_key("if")
        || map
            .keys()
            .all(|k| matches!(k.as_str(), "if" | "then" | "else"))
    {
        return;
    }
    let mut conditional = Map::new();
    for keyword in ["if", "then", "else"] {
        if let Some(value) = map.remove(keyword) {
            conditional.insert(keyword.into(), value);
        }
    }
    match map
        .entry("allOf")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(entries) => entries.push(Value::Object(conditional)),
        other => *other = json!([other.clone(), conditional]),
    }
}

/// Says `additionalProperties: true` on an object schema with properties
/// that says nothing about others. JSON Schema's default is the same, but
/// several code generators (openapi-generator's Go and Python models, for
/// two) read an absent keyword as `false` and reject, or drop, a property
/// Whereby adds within an API version.
fn open_object(map: &mut Map<String, Value>) {
    if map.get("type").is_some_and(|t| t == "object")
        && map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !map.contains_key("unevaluatedProperties")
    {
        map.insert("additionalProperties".into(), true.into());
    }
}

/// Moves each `allOf` entry that is a conditional on one property's presence
/// (`if` requires that property) into `dependentSchemas` under that
/// property: it applies only when the property is there, which the `if`
/// requires anyway, so the meaning is the same. JSON Schema code generators
/// that stop at `if` (cargo-typify panics) skip `dependentSchemas`. Only the
/// standalone schemas get this: OpenAPI tools read the `allOf` form.
fn conditionals_in_dependent_schemas(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(entries)) = map.get_mut("allOf") {
                let mut moved = Vec::new();
                entries.retain(|entry| match presence_condition(entry) {
                    Some(property) => {
                        moved.push((property, entry.clone()));
                        false
                    }
                    None => true,
                });
                if entries.is_empty() {
                    map.remove("allOf");
                }
                for (property, entry) in moved {
                    let dependent = map
                        .entry("dependentSchemas")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(dependent) = dependent {
                        match dependent.get_mut(&property) {
                            Some(existing) => {
                                *existing = json!({ "allOf": [existing.take(), entry] });
                            }
                            None => {
                                dependent.insert(property, entry);
                            }
                        }
                    }
                }
            }
            map.values_mut().for_each(conditionals_in_dependent_schemas);
        }
        Value::Array(items) => items.iter_mut().for_each(conditionals_in_dependent_schemas),
        _ => {}
    }
}

/// The property a conditional entry (`if`/`then`/`else` only) requires in
/// its `if`, when it requires exactly one and has no `else` (an `else` would
/// apply when the property is absent too).
fn presence_condition(entry: &Value) -> Option<String> {
    let map = entry.as_object()?;
    if !map.contains_key("then") || !map.keys().all(|k| matches!(k.as_str(), "if" | "then")) {
        return None;
    }
    match map.get("if")?.get("required")?.as_array()?.as_slice() {
        [Value::String(property)] => Some(property.clone()),
        _ => None,
    }
}

fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .split('\n')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A standalone draft 2020-12 schema for one event, with its definitions
/// under `$defs`.
pub fn standalone_event_schema(ty: EventType) -> Value {
    let mut generator = generator(Layout::Standalone);
    let mut schema = event_schema(ty, &mut generator).to_value();
    let mut definitions = generator.take_definitions(true);
    date_per_event(ty, &mut schema, &mut definitions, Layout::Standalone);
    standalone(schema, definitions)
}

/// A standalone draft 2020-12 schema for the union of all events.
pub fn standalone_union_schema() -> Value {
    let mut generator = generator(Layout::Standalone);
    let mut events = Map::new();
    for ty in EventType::ALL {
        events.insert(
            ty.schema_name(),
            event_schema(ty, &mut generator).to_value(),
        );
    }
    let mut definitions = generator.take_definitions(true);
    for ty in EventType::ALL {
        if let Some(event) = events.get_mut(&ty.schema_name()) {
            date_per_event(ty, event, &mut definitions, Layout::Standalone);
        }
    }
    let mut schema = standalone(union_schema(Layout::Standalone), definitions);
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        let rest = std::mem::take(defs);
        defs.extend(events);
        defs.extend(rest);
    }
    // The event schemas joined the definitions after `standalone` tidied them.
    tidy(&mut schema);
    conditionals_in_dependent_schemas(&mut schema);
    schema
}

/// A standalone draft 2020-12 schema for any type of this crate.
pub fn standalone_schema_for<T: JsonSchema>() -> Value {
    let mut generator = generator(Layout::Standalone);
    let schema = T::json_schema(&mut generator).to_value();
    standalone(schema, generator.take_definitions(true))
}

fn standalone(root: Value, definitions: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("$schema".into(), DIALECT.into());
    if let Value::Object(root) = root {
        out.extend(root);
    }
    let mut definitions: Vec<(String, Value)> = definitions.into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    if !definitions.is_empty() {
        out.insert(
            "$defs".into(),
            Value::Object(definitions.into_iter().collect()),
        );
    }
    let mut out = Value::Object(out);
    tidy(&mut out);
    conditionals_in_dependent_schemas(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object in `value`, with its JSON Pointer.
    fn objects<'a>(
        value: &'a Value,
        pointer: String,
        out: &mut Vec<(String, &'a Map<String, Value>)>,
    ) {
        match value {
            Value::Object(map) => {
                out.push((pointer.clone(), map));
                for (key, child) in map {
                    objects(child, format!("{pointer}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    objects(child, format!("{pointer}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    fn published() -> Vec<(String, Value)> {
        let mut out = vec![("components".to_owned(), Value::Object(components()))];
        for ty in EventType::ALL {
            out.push((ty.as_str().to_owned(), standalone_event_schema(ty)));
        }
        out.push(("union".to_owned(), standalone_union_schema()));
        out
    }

    #[test]
    fn no_enum_is_a_one_of_constants() {
        let mut enums = 0;
        for (name, schema) in published() {
            let mut all = Vec::new();
            objects(&schema, String::new(), &mut all);
            for (pointer, map) in all {
                for keyword in ["oneOf", "anyOf"] {
                    let constants = map
                        .get(keyword)
                        .and_then(Value::as_array)
                        .is_some_and(|b| b.iter().any(|b| b.get("const").is_some()));
                    assert!(!constants, "{name}{pointer}: {keyword} of const");
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    enums += 1;
                    assert_eq!(map.get("type"), Some(&json!("string")), "{name}{pointer}");
                    if let Some(Value::Object(descriptions)) = map.get("x-enumDescriptions") {
                        let described: Vec<&String> = descriptions.keys().collect();
                        let listed: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                        assert_eq!(described, listed, "{name}{pointer}");
                    }
                }
            }
        }
        assert!(enums > 0, "no enum found: the check checked nothing");
    }

    #[test]
    fn every_conditional_is_an_all_of_entry_of_its_own() {
        let mut conditionals = 0;
        for (name, schema) in published() {
            let mut all = Vec::new();
            objects(&schema, String::new(), &mut all);
            for (pointer, map) in all {
                if pointer.ends_with("/properties") {
                    continue; // keys are property names there
                }
                if map.contains_key("if") {
                    conditionals += 1;
                    let place = if name == "components" {
                        "/allOf/"
                    } else {
                        "/dependentSchemas/"
                    };
                    assert!(
                        pointer.contains(place)
                            && map
                                .keys()
                                .all(|k| matches!(k.as_str(), "if" | "then" | "else")),
                        "{name}{pointer}: `if` outside an entry of its own under {place}"
                    );
                }
            }
        }
        assert!(
            conditionals > 0,
            "no conditional found: the check checked nothing"
        );
    }

    #[test]
    fn every_event_pins_its_type_with_a_one_value_enum_and_a_pattern() {
        for (name, schema) in published() {
            let mut events = 0;
            let mut all = Vec::new();
            objects(&schema, String::new(), &mut all);
            for (pointer, map) in all {
                let Some(ty) = EventType::ALL
                    .iter()
                    .find(|ty| map.get("title").and_then(Value::as_str) == Some(ty.as_str()))
                else {
                    continue;
                };
                events += 1;
                let pinned = &map["properties"]["type"];
                assert_eq!(pinned["enum"], json!([ty.as_str()]), "{name}{pointer}");
                assert!(
                    pinned.get("const").is_none(),
                    "{name}{pointer}: const beside enum"
                );
                let pattern = pinned["pattern"].as_str().unwrap();
                assert!(!pattern.contains('\\'), "{name}{pointer}: {pattern}");
                assert_eq!(pattern, pinned_pattern(ty.as_str()));
            }
            assert!(events > 0, "{name}: no event schema found");
        }
    }

    #[test]
    fn a_pinned_pattern_matches_its_value_and_no_other() {
        assert_eq!(
            pinned_pattern("room.client.knockCancelled"),
            "^room[.]client[.]knockCancelled$"
        );
        assert_eq!(pinned_pattern("a-b_c"), "^a[-]b_c$");
    }

    #[test]
    fn every_object_with_properties_is_explicitly_open() {
        let mut open = 0;
        for (name, schema) in published() {
            let mut all = Vec::new();
            objects(&schema, String::new(), &mut all);
            for (pointer, map) in all {
                if pointer.ends_with("/properties") || map.get("type") != Some(&json!("object")) {
                    continue;
                }
                if map.contains_key("properties") {
                    open += 1;
                    assert!(
                        map.contains_key("additionalProperties"),
                        "{name}{pointer}: says nothing of other properties"
                    );
                }
            }
        }
        assert!(open > 0, "no object found: the check checked nothing");
    }

    #[test]
    fn a_presence_conditional_moves_into_dependent_schemas() {
        let conditional = json!({
            "if": { "properties": { "kind": { "const": "X" } }, "required": ["kind"] },
            "then": { "required": ["extra"] }
        });
        let mut schema = json!({
            "type": "object",
            "allOf": [{ "required": ["a"] }, conditional.clone()]
        });
        conditionals_in_dependent_schemas(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "allOf": [{ "required": ["a"] }],
                "dependentSchemas": { "kind": conditional }
            })
        );
        // With an `else`, or a condition on more than one property, the
        // meaning would change: left where it is.
        let kept = json!({ "allOf": [{
            "if": { "required": ["a", "b"] }, "then": { "required": ["c"] }
        }, {
            "if": { "required": ["a"] }, "then": { "required": ["c"] }, "else": { "required": ["d"] }
        }] });
        let mut tidied = kept.clone();
        conditionals_in_dependent_schemas(&mut tidied);
        assert_eq!(tidied, kept);
    }

    #[test]
    fn documented_constants_become_an_enum_with_descriptions() {
        let mut schema = json!({
            "description": "A list.",
            "oneOf": [
                { "type": "string", "const": "a", "description": "The a." },
                { "type": "string", "const": "b", "description": "The b." }
            ]
        });
        tidy(&mut schema);
        assert_eq!(
            schema,
            json!({
                "description": "A list.",
                "type": "string",
                "enum": ["a", "b"],
                "x-enumDescriptions": { "a": "The a.", "b": "The b." }
            })
        );
        let mut one =
            json!({ "oneOf": [{ "type": "string", "const": "only", "description": "One." }] });
        tidy(&mut one);
        assert_eq!(
            one,
            json!({ "type": "string", "enum": ["only"], "x-enumDescriptions": { "only": "One." } })
        );
    }

    #[test]
    fn open_lists_and_unions_of_schemas_are_left_alone() {
        let open = json!({
            "type": "string",
            "x-extensible-enum": ["a", "b"],
            "x-enumDescriptions": { "a": "The a.", "b": "The b." }
        });
        let mut tidied = open.clone();
        tidy(&mut tidied);
        assert_eq!(tidied, open);
        let union = json!({ "oneOf": [{ "$ref": "#/a" }, { "$ref": "#/b" }] });
        let mut tidied = union.clone();
        tidy(&mut tidied);
        assert_eq!(tidied, union);
        let mixed = json!({ "oneOf": [{ "const": "a" }, { "type": "integer" }] });
        let mut tidied = mixed.clone();
        tidy(&mut tidied);
        assert_eq!(tidied, mixed);
    }

    #[test]
    fn a_conditional_moves_into_all_of_beside_existing_entries() {
        let mut schema = json!({
            "type": "object",
            "allOf": [{ "required": ["a"] }],
            "if": { "required": ["b"] },
            "then": { "required": ["c"] },
            "else": { "required": ["d"] }
        });
        tidy(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "allOf": [
                    { "required": ["a"] },
                    { "if": { "required": ["b"] }, "then": { "required": ["c"] }, "else": { "required": ["d"] } }
                ]
            })
        );
    }
}
