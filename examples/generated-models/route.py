"""Routing on `type` before the pydantic models that datamodel-code-generator
writes from spec/openapi-3.0.yaml (`whereby_models.py`, the command of
docs/publishing.md). `.ci/consumers.sh` runs it against those models.

Whereby's docs list the event types "at the moment" supported: a receiver
that hands every body to the generated `WebhookEvent` union fails on a type
added since. Routing on `type` first acknowledges it instead.
"""
import json

import whereby_models as models

# guide:start
# The events this receiver acts on, each with its generated model.
HANDLED = {
    "room.client.joined": models.RoomClientJoinedEvent,
    "room.session.ended": models.RoomSessionEndedEvent,
}


def route(body: bytes):
    """The authentic body as its event's model, or None for a type this
    receiver does not handle: answer 2xx to it all the same."""
    event = json.loads(body)
    model = HANDLED.get(event.get("type"))
    if model is None:
        return None
    return model.model_validate(event)
# guide:end
