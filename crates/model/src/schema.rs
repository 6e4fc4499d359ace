//! JSON Schemas derived from the model, for the OpenAPI document and as
//! standalone draft 2020-12 files.
//!
//! Each event's schema is its [`Envelope`] with `type` pinned by `const`, so a
//! payload matches exactly one event schema and a validator can pick the
//! schema by `type` before validating.

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
    // The envelope's `type` becomes a `const`, keeping its description and
    // provenance.
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        let mut pinned = Map::new();
        pinned.insert("type".into(), "string".into());
        pinned.insert("const".into(), ty.as_str().into());
        if let Some(Value::Object(original)) = properties.get("type") {
            for (key, value) in original {
                if key != "type" && key != "enum" {
                    pinned.insert(key.clone(), value.clone());
                }
            }
        }
        properties.insert("type".into(), Value::Object(pinned));
    }
    let mut out = Map::new();
    out.insert("title".into(), ty.as_str().into());
    out.insert("description".into(), ty.description().into());
    for (key, value) in schema.as_object().into_iter().flatten() {
        if key != "title" && key != "description" {
            out.insert(key.clone(), value.clone());
        }
    }
    Schema::from(out)
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
    let mut definitions: Vec<(String, Value)> =
        generator.take_definitions(true).into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(definitions);
    for schema in out.values_mut() {
        tidy(schema);
    }
    out
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
            if map
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("uint") || f == "double")
            {
                map.remove("format");
            }
            // A one-branch `oneOf` (an enum with a single documented value) says
            // the same as its branch.
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
    let schema = event_schema(ty, &mut generator).to_value();
    standalone(schema, generator)
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
    let mut schema = standalone(union_schema(Layout::Standalone), generator);
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        let rest = std::mem::take(defs);
        defs.extend(events);
        defs.extend(rest);
    }
    schema
}

/// A standalone draft 2020-12 schema for any type of this crate.
pub fn standalone_schema_for<T: JsonSchema>() -> Value {
    let mut generator = generator(Layout::Standalone);
    let schema = T::json_schema(&mut generator).to_value();
    standalone(schema, generator)
}

fn standalone(root: Value, mut generator: SchemaGenerator) -> Value {
    let mut out = Map::new();
    out.insert("$schema".into(), DIALECT.into());
    if let Value::Object(root) = root {
        out.extend(root);
    }
    let mut definitions: Vec<(String, Value)> =
        generator.take_definitions(true).into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    if !definitions.is_empty() {
        out.insert(
            "$defs".into(),
            Value::Object(definitions.into_iter().collect()),
        );
    }
    let mut out = Value::Object(out);
    tidy(&mut out);
    out
}
