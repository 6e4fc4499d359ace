"""Parses every example of spec/examples/ with the openapi-generator Python client.

Each example must parse with its event's model class (RoomClientJoinedEvent for
room.client.joined, ...) and with the WebhookEvent union, which must pick that
same class; serialised back, it must equal the example (createdAt compared as
an instant, since the client turns it into a datetime, and an absent nullable
property allowed back as null).
"""
import datetime
import glob
import json
import re
import sys

sys.path.insert(0, sys.argv[1])
import whereby_webhooks_client.models as models  # noqa: E402


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def without_added_nulls(back, event):
    """`back` less the null properties the example does not have: the client
    writes an absent nullable property as null."""
    if isinstance(back, dict) and isinstance(event, dict):
        return {
            key: without_added_nulls(value, event.get(key))
            for key, value in back.items()
            if key in event or value is not None
        }
    return back


def same(event, back):
    event, back = dict(event), without_added_nulls(back, event)
    created, created_back = event.pop("createdAt"), back.pop("createdAt")
    return event == back and instant(created) == instant(created_back)


failures = []
paths = sorted(glob.glob(sys.argv[2] + "/*.json"))
for path in paths:
    text = open(path, encoding="utf-8").read()
    event = json.loads(text)
    name = "".join(part[:1].upper() + part[1:] for part in event["type"].split(".")) + "Event"
    try:
        parsed = getattr(models, name).from_json(text)
        if not same(event, json.loads(parsed.to_json())):
            raise AssertionError(f"{name} serialises it back differently: {parsed.to_json()}")
        union = models.WebhookEvent.from_json(text)
        chosen = type(union.actual_instance).__name__
        if chosen != name:
            raise AssertionError(f"WebhookEvent chose {chosen}")
    except Exception as error:  # report every example, not just the first
        failures.append(f"{path}: {name}: {error}")
for failure in failures:
    print(failure)
print(f"{len(paths) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures or not paths else 0)
