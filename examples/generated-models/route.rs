//! Routing on `type` before the types cargo-typify generates from
//! spec/schemas/event.json (module `generated`). `.ci/consumers.sh` builds it
//! beside those types and runs it on every example and on a type Whereby may
//! add.
//!
//! Whereby's docs list the event types "at the moment" supported; the
//! generated untagged union fails on a type added since. Routing on `type`
//! first acknowledges it instead.

use crate::generated;

// guide:start
/// The events this receiver acts on, as their generated types.
#[derive(Debug)]
pub enum Handled {
    Joined(generated::RoomClientJoinedEvent),
    SessionEnded(generated::RoomSessionEndedEvent),
}

/// The authentic body as its event's type, or `None` for a type this
/// receiver does not handle: answer 2xx to it all the same.
pub fn route(body: &[u8]) -> Result<Option<Handled>, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        r#type: String,
    }
    let envelope: Envelope = serde_json::from_slice(body)?;
    Ok(match envelope.r#type.as_str() {
        "room.client.joined" => Some(Handled::Joined(serde_json::from_slice(body)?)),
        "room.session.ended" => Some(Handled::SessionEnded(serde_json::from_slice(body)?)),
        _ => None,
    })
}
// guide:end
