//! Which properties an event must carry, and which may be `null`: the policy,
//! in one place.
//!
//! The rule: every property that Whereby's **current** webhooks docs list for
//! an event is required and not nullable. Older revisions of the docs do not
//! count (a delivery captured before a property was documented lacks it; its
//! `x-since` says so), and neither does the Assistant SDK on its own, except
//! where it is the only source. Each exception is in [`EXCEPTIONS`] with its
//! reason; the types in [`crate::data`] implement them, and a test checks the
//! generated schemas against this table, so the two cannot drift.

use crate::event_type::EventType;

/// Whether a property must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Always present.
    Always,
    /// May be absent.
    Never,
    /// Present exactly when the condition holds (an `if`/`then` in the schema).
    When(&'static str),
}

/// An exception to the rule, for one property of some events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception {
    /// The events whose `data` the exception applies to.
    pub events: &'static [EventType],
    /// The property in `data`.
    pub property: &'static str,
    /// Whether it must be present.
    pub required: Required,
    /// Whether it may be `null`.
    pub nullable: bool,
    /// Why, with the sources.
    pub reason: &'static str,
}

const IN_ROOM: &[EventType] = &[
    EventType::RoomClientJoined,
    EventType::RoomClientLeft,
    EventType::RoomClientKnocked,
    EventType::RoomClientKnockCancelled,
    EventType::RoomSessionStarted,
    EventType::RoomSessionEnded,
    EventType::AssistantRequested,
];

const CLIENT: &[EventType] = &[
    EventType::RoomClientJoined,
    EventType::RoomClientLeft,
    EventType::RoomClientKnocked,
    EventType::RoomClientKnockCancelled,
];

/// Every exception to "documented today means required and not nullable".
pub const EXCEPTIONS: &[Exception] = &[
    Exception {
        events: IN_ROOM,
        property: "meetingId",
        required: Required::Never,
        nullable: false,
        reason: "Whereby's docs list it as common to in-room events, but the Assistant SDK \
                 reference marks it optional (`meetingId?`).",
    },
    Exception {
        events: CLIENT,
        property: "roomSessionId",
        required: Required::Always,
        nullable: true,
        reason: "Whereby's docs list it for `room.client.*` events; the Assistant SDK types \
                 declare it `string | null`.",
    },
    Exception {
        events: &[
            EventType::RoomSessionStarted,
            EventType::RoomSessionEnded,
            EventType::AssistantRequested,
        ],
        property: "roomSessionId",
        required: Required::Never,
        nullable: true,
        reason: "Whereby's docs do not list it for these events; only the Assistant SDK types \
                 put it, as `string | null`, on every in-room event.",
    },
    Exception {
        events: CLIENT,
        property: "metadata",
        required: Required::Always,
        nullable: true,
        reason: "Whereby's docs call it a string; the Assistant SDK types declare it \
                 `string | null`, and a real delivery of 2022 in Whereby's docs has \
                 `\"metadata\": null`.",
    },
    Exception {
        events: CLIENT,
        property: "externalId",
        required: Required::Always,
        nullable: true,
        reason: "Whereby's docs call it a string; the Assistant SDK types declare it \
                 `string | null`.",
    },
    Exception {
        events: &[EventType::RoomClientJoined, EventType::RoomClientLeft],
        property: "isDialIn",
        required: Required::Never,
        nullable: false,
        reason: "Whereby's docs list it; the Assistant SDK types do not have it.",
    },
    Exception {
        events: &[EventType::TranscriptionFinished],
        property: "recordingId",
        required: Required::When("`type` is `RECORDING_TRANSCRIPTION`"),
        nullable: false,
        reason: "Whereby's docs: \"Only set if `type` is `RECORDING_TRANSCRIPTION`\".",
    },
];

/// The rule for one property of one event's `data`: whether it is required,
/// and whether it may be `null`.
pub fn rule(ty: EventType, property: &str) -> (Required, bool) {
    EXCEPTIONS
        .iter()
        .find(|e| e.property == property && e.events.contains(&ty))
        .map_or((Required::Always, false), |e| (e.required, e.nullable))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::event_type::Family;
    use crate::schema::components;

    /// The hand-written event lists of the policy agree with the families
    /// `EventType::ALL` gives, so a new event cannot be left out of them.
    #[test]
    fn event_lists_follow_the_families() {
        let of = |keep: fn(Family) -> bool| -> Vec<EventType> {
            EventType::ALL
                .into_iter()
                .filter(|ty| keep(ty.family()))
                .collect()
        };
        let in_room = of(|family| {
            matches!(
                family,
                Family::RoomClient | Family::RoomSession | Family::Assistant
            )
        });
        assert_eq!(IN_ROOM, in_room.as_slice());
        assert_eq!(CLIENT, of(|family| family == Family::RoomClient).as_slice());
    }

    fn data_schema(components: &serde_json::Map<String, Value>, ty: EventType) -> &Value {
        let reference = components[&ty.schema_name()]["properties"]["data"]["$ref"]
            .as_str()
            .expect("data is a $ref");
        &components[reference.rsplit('/').next().expect("a name")]
    }

    /// The generated schemas follow the table, property by property.
    #[test]
    fn the_schemas_follow_the_policy() {
        let components = components();
        for ty in EventType::ALL {
            let schema = data_schema(&components, ty);
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            // Conditionals sit in `allOf` entries of their own.
            let conditional: Vec<&str> = schema["allOf"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|entry| entry["then"]["required"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            for (name, property) in schema["properties"].as_object().expect("properties") {
                let (want, nullable) = rule(ty, name);
                let is_required = required.contains(&name.as_str());
                let is_conditional = conditional.contains(&name.as_str());
                match want {
                    Required::Always => assert!(is_required, "{ty}: {name} must be required"),
                    Required::Never => {
                        assert!(!is_required && !is_conditional, "{ty}: {name} is optional")
                    }
                    Required::When(_) => assert!(
                        !is_required && is_conditional,
                        "{ty}: {name} is conditionally required"
                    ),
                }
                let is_nullable = property["type"]
                    .as_array()
                    .is_some_and(|types| types.iter().any(|t| t == "null"));
                assert_eq!(is_nullable, nullable, "{ty}: {name} nullable");
            }
        }
    }

    /// Every exception names a property its events have.
    #[test]
    fn every_exception_applies() {
        let components = components();
        for exception in EXCEPTIONS {
            assert!(!exception.events.is_empty());
            for ty in exception.events {
                let schema = data_schema(&components, *ty);
                assert!(
                    schema["properties"].get(exception.property).is_some(),
                    "{ty} has no {}",
                    exception.property
                );
            }
        }
    }

    /// A session event with exactly the properties Whereby's docs list for it
    /// is a valid event.
    #[test]
    fn a_session_event_needs_only_the_documented_properties() {
        let components = components();
        let schema = data_schema(&components, EventType::RoomSessionStarted);
        let mut required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        required.sort_unstable();
        assert_eq!(required, ["roomName", "subdomain"]);
    }
}
