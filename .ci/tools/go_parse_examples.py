"""Writes a Go program that parses every example with the openapi-generator Go models.

Usage: go_parse_examples.py PACKAGE_IMPORT EXAMPLES_DIR OUT.go

The program (run from a GOPATH holding the generated package) checks, for each
example of EXAMPLES_DIR:
- it unmarshals into its event's struct (RoomClientJoinedEvent for
  room.client.joined, ...) and marshals back to the same JSON (createdAt
  compared as an instant, an absent nullable property allowed back as null);
- the WebhookEvent union unmarshals it into that same struct;
- with an unknown property added to the envelope and to `data`, both still
  unmarshal, and the unknown properties survive a round trip (the contract is
  open: Whereby may add properties within an API version).
Then it runs `route` of examples/generated-models/route.go (copied beside
it) on every example and on an event of a type Whereby may add: each example
it routes must come back as its event's struct, it must route at least one,
and the new type must come back as nil with no error (where the
WebhookEvent union fails).
It prints one line per failure and "N passed, M failed", and exits 1 on any
failure. The list of events comes from the examples, so a new event type is
checked without editing this file.
"""
import glob
import json
import os
import sys

package, examples_dir, out = sys.argv[1:4]
alias = os.path.basename(package)
cases = []
for path in sorted(glob.glob(os.path.join(examples_dir, "*.json"))):
    event = json.load(open(path, encoding="utf-8"))
    name = "".join(p[:1].upper() + p[1:] for p in event["type"].split(".")) + "Event"
    cases.append(
        f'\t{{{json.dumps(path)}, {json.dumps(name)}, func() interface{{}} {{ return new({alias}.{name}) }}}},'
    )

program = """package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"PACKAGE"
)

type example struct {
	path string
	name string
	make func() interface{}
}

var examples = []example{
CASES
}

// withoutAddedNulls drops the null properties of back that want lacks.
func withoutAddedNulls(back, want interface{}) interface{} {
	b, ok := back.(map[string]interface{})
	w, ok2 := want.(map[string]interface{})
	if !ok || !ok2 {
		return back
	}
	out := map[string]interface{}{}
	for key, value := range b {
		expected, present := w[key]
		if !present && value == nil {
			continue
		}
		out[key] = withoutAddedNulls(value, expected)
	}
	return out
}

func roundTrip(text []byte, target interface{}) error {
	if err := json.Unmarshal(text, target); err != nil {
		return fmt.Errorf("unmarshal: %v", err)
	}
	back, err := json.Marshal(target)
	if err != nil {
		return fmt.Errorf("marshal: %v", err)
	}
	var want, got interface{}
	if err := json.Unmarshal(text, &want); err != nil {
		return err
	}
	if err := json.Unmarshal(back, &got); err != nil {
		return err
	}
	got = withoutAddedNulls(got, want)
	// The generated struct holds createdAt as a time.Time, which Go writes
	// without trailing zeros: compare it as an instant.
	for _, m := range []interface{}{want, got} {
		if event, ok := m.(map[string]interface{}); ok {
			if text, ok := event["createdAt"].(string); ok {
				if instant, err := time.Parse(time.RFC3339Nano, text); err == nil {
					event["createdAt"] = instant.UnixNano()
				}
			}
		}
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("serialises back differently: %s", back)
	}
	return nil
}

func check(e example) error {
	text, err := os.ReadFile(e.path)
	if err != nil {
		return err
	}
	if err := roundTrip(text, e.make()); err != nil {
		return fmt.Errorf("%s: %v", e.name, err)
	}
	var union ALIAS.WebhookEvent
	if err := json.Unmarshal(text, &union); err != nil {
		return fmt.Errorf("WebhookEvent: %v", err)
	}
	chosen := reflect.TypeOf(union.GetActualInstance())
	if chosen == nil || !strings.HasSuffix(chosen.String(), "."+e.name) {
		return fmt.Errorf("WebhookEvent chose %v", chosen)
	}
	var open map[string]interface{}
	if err := json.Unmarshal(text, &open); err != nil {
		return err
	}
	open["aPropertyFromTheFuture"] = map[string]interface{}{"added": true}
	if data, ok := open["data"].(map[string]interface{}); ok {
		data["anotherPropertyFromTheFuture"] = "added"
	}
	extended, _ := json.Marshal(open)
	if err := roundTrip(extended, e.make()); err != nil {
		return fmt.Errorf("%s, with unknown properties: %v", e.name, err)
	}
	if err := json.Unmarshal(extended, &union); err != nil {
		return fmt.Errorf("WebhookEvent, with unknown properties: %v", err)
	}
	return nil
}

// checkRouting runs route on every example and on a type Whereby may add.
func checkRouting() error {
	routed := 0
	var last []byte
	for _, e := range examples {
		text, err := os.ReadFile(e.path)
		if err != nil {
			return err
		}
		last = text
		got, err := route(text)
		if err != nil {
			return fmt.Errorf("%s: route: %v", e.path, err)
		}
		if got == nil {
			continue
		}
		routed++
		if name := reflect.TypeOf(got).String(); !strings.HasSuffix(name, "."+e.name) {
			return fmt.Errorf("%s: routed to %s", e.path, name)
		}
	}
	if routed == 0 {
		return fmt.Errorf("route handled no example")
	}
	var future map[string]interface{}
	if err := json.Unmarshal(last, &future); err != nil {
		return err
	}
	future["type"] = "room.somethingNew"
	body, _ := json.Marshal(future)
	got, err := route(body)
	if got != nil || err != nil {
		return fmt.Errorf("a new event type: routed to %T, error %v; want nil, nil", got, err)
	}
	var union ALIAS.WebhookEvent
	if json.Unmarshal(body, &union) == nil {
		return fmt.Errorf("the WebhookEvent union took a new event type: routing is moot")
	}
	fmt.Printf("route: %d examples handled, the rest and a new event type acknowledged\\n", routed)
	return nil
}

func main() {
	failed := 0
	for _, e := range examples {
		if err := check(e); err != nil {
			failed++
			fmt.Printf("%s: %v\\n", e.path, err)
		}
	}
	routing := checkRouting()
	if routing != nil {
		fmt.Printf("route: %v\\n", routing)
	}
	fmt.Printf("%d passed, %d failed\\n", len(examples)-failed, failed)
	if failed > 0 || len(examples) == 0 || routing != nil {
		os.Exit(1)
	}
}
"""
program = (
    program.replace("PACKAGE", package)
    .replace("ALIAS", alias)
    .replace("CASES", "\n".join(cases))
)
open(out, "w", encoding="utf-8").write(program)
