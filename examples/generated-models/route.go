// Routing on `type` before the models openapi-generator's `go` generator
// writes (package whereby). `.ci/consumers.sh` builds it beside those models
// and runs it on every example and on a type Whereby may add.
//
// Whereby's docs list the event types "at the moment" supported; the
// generated WebhookEvent union fails on a type added since. Routing on `type`
// first acknowledges it instead.
package main

import (
	"encoding/json"

	"whereby"
)

// guide:start
// route parses an authentic body into its event's struct, or returns nil for
// a type this receiver does not handle: answer 2xx to it all the same.
func route(body []byte) (interface{}, error) {
	var envelope struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, err
	}
	switch envelope.Type {
	case "room.client.joined":
		event := new(whereby.RoomClientJoinedEvent)
		return event, json.Unmarshal(body, event)
	case "room.session.ended":
		event := new(whereby.RoomSessionEndedEvent)
		return event, json.Unmarshal(body, event)
	default:
		return nil, nil
	}
}

// guide:end
