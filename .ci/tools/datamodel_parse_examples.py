"""Parses every example with the pydantic models datamodel-code-generator wrote.

Usage: datamodel_parse_examples.py MODELS_PY EXAMPLES_DIR ROUTE_PY

For each example: it must validate with its event's model (RoomClientJoinedEvent
for room.client.joined, ...) and dump back to the same JSON (createdAt compared
as an instant); the WebhookEvent union must pick that same model; and with an
unknown property added to the envelope and to `data` it must still validate
and keep both (the contract is open: Whereby may add properties within an API
version). Then `route` of ROUTE_PY (examples/generated-models/route.py) runs on
every example and on a type Whereby may add: each example it routes must come
back as its event's model, it must route at least one, and the new type must
come back as None (where the WebhookEvent union raises). Prints one line per
failure and "N passed, M failed"; exits 1 on any failure.
"""
import datetime
import glob
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("whereby_models", sys.argv[1])
models = importlib.util.module_from_spec(spec)
sys.modules["whereby_models"] = models
spec.loader.exec_module(models)


def comparable(event):
    event = dict(event)
    event["createdAt"] = datetime.datetime.fromisoformat(event["createdAt"].replace("Z", "+00:00"))
    return event


def round_trip(model, text):
    parsed = model.model_validate_json(text)
    back = json.loads(parsed.model_dump_json(by_alias=True, exclude_unset=True))
    if comparable(back) != comparable(json.loads(text)):
        raise AssertionError(f"{model.__name__} dumps it back differently: {back}")


failures = []
paths = sorted(glob.glob(sys.argv[2] + "/*.json"))
for path in paths:
    text = open(path, encoding="utf-8").read()
    event = json.loads(text)
    name = "".join(part[:1].upper() + part[1:] for part in event["type"].split(".")) + "Event"
    try:
        model = getattr(models, name)
        round_trip(model, text)
        chosen = type(models.WebhookEvent.model_validate_json(text).root).__name__
        if chosen != name:
            raise AssertionError(f"WebhookEvent chose {chosen}")
        event["aPropertyFromTheFuture"] = {"added": True}
        event["data"]["anotherPropertyFromTheFuture"] = "added"
        try:
            round_trip(model, json.dumps(event))
        except Exception as error:
            raise AssertionError(f"with unknown properties: {error}") from error
    except Exception as error:  # report every example, not just the first
        failures.append(f"{path}: {name}: {error}")

def check_routing():
    spec = importlib.util.spec_from_file_location("route", sys.argv[3])
    route = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(route)
    routed = 0
    for path in paths:
        body = open(path, "rb").read()
        event = json.loads(body)
        name = "".join(part[:1].upper() + part[1:] for part in event["type"].split(".")) + "Event"
        got = route.route(body)
        if got is not None:
            routed += 1
            if type(got).__name__ != name:
                raise AssertionError(f"{path}: routed to {type(got).__name__}")
    if not routed:
        raise AssertionError("route handled no example")
    event["type"] = "room.somethingNew"
    body = json.dumps(event).encode()
    got = route.route(body)
    if got is not None:
        raise AssertionError(f"a new event type: routed to {got!r}")
    try:
        models.WebhookEvent.model_validate_json(body)
    except Exception:
        pass
    else:
        raise AssertionError("the WebhookEvent union took a new event type: routing is moot")
    print(f"route: {routed} examples handled, the rest and a new event type acknowledged")


try:
    check_routing()
    routing = None
except Exception as error:
    routing = error
    print(f"route: {error}")
for failure in failures:
    print(failure)
print(f"{len(paths) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures or not paths or routing else 0)
