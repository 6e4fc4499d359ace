//! Requiredness follows Whereby's current docs: in-room events need
//! `roomName` and `subdomain` (and `meetingId` may be absent);
//! `roomSessionId` is required, and may be `null`, only on `room.client.*`.

use serde_json::{Value, json};

use crate::common::{errors, event_validator};

fn session_event(ty: &str) -> Value {
    // Exactly the properties Whereby's docs list as common to in-room events.
    json!({
        "id": "d7c4df48b85318352b47d2df45872bf9be87595af379e2a8ad8f1ad28b2a482e",
        "apiVersion": "1.0",
        "createdAt": "2026-03-31T09:00:04.700Z",
        "type": ty,
        "data": {
            "meetingId": "134",
            "roomName": "/af0b7b66-c738-4981-887a-ad416754f32d",
            "subdomain": "JoeBloggsInc"
        }
    })
}

#[test]
fn a_session_event_with_exactly_the_documented_properties_validates() {
    for ty in [
        "room.session.started",
        "room.session.ended",
        "assistant.requested",
    ] {
        let validator = event_validator(ty);
        let mut event = session_event(ty);
        assert_eq!(errors(&validator, &event), Vec::<String>::new(), "{ty}");
        // roomSessionId, as the SDK types describe it, is allowed: a string or null.
        for session in [json!("d5e8a52e"), Value::Null] {
            event["data"]["roomSessionId"] = session;
            assert_eq!(errors(&validator, &event), Vec::<String>::new(), "{ty}");
        }
        // meetingId may be absent; roomName and subdomain may not.
        event["data"].as_object_mut().unwrap().remove("meetingId");
        assert!(validator.is_valid(&event), "{ty} without meetingId");
        for required in ["roomName", "subdomain"] {
            let mut event = session_event(ty);
            event["data"].as_object_mut().unwrap().remove(required);
            let found = errors(&validator, &event);
            assert!(
                found.len() == 1 && found[0].contains(required),
                "{ty} without {required}: {found:?}"
            );
        }
    }
}

#[test]
fn client_events_require_a_nullable_room_session_id() {
    for ty in ["room.client.knocked", "room.client.knockCancelled"] {
        let validator = event_validator(ty);
        let mut event = session_event(ty);
        event["data"]["displayName"] = json!("Joe Bloggs");
        event["data"]["participantId"] = json!("a4f1c2d3");
        event["data"]["metadata"] = Value::Null;
        event["data"]["externalId"] = Value::Null;
        let found = errors(&validator, &event);
        assert!(
            found.len() == 1 && found[0].contains("roomSessionId"),
            "{ty}: {found:?}"
        );
        event["data"]["roomSessionId"] = Value::Null;
        assert_eq!(errors(&validator, &event), Vec::<String>::new(), "{ty}");
    }
}
