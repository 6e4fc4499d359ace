// Routing on `type` with the types openapi-typescript writes from
// spec/openapi.yaml (`openapi.ts`). `.ci/consumers.sh` compiles it under
// `tsc --strict` and runs it on every example and on a type Whereby may add.
//
// Whereby's docs list the event types "at the moment" supported: code that
// treats every body as the generated union mishandles a type added since.
// Routing on `type` first acknowledges it instead.
import type { components } from "./openapi";

// guide:start
type Schemas = components["schemas"];
/** The events this receiver acts on. */
export type Handled = Schemas["RoomClientJoinedEvent"] | Schemas["RoomSessionEndedEvent"];

/** The authentic body as a typed event, or null for a type this receiver
 * does not handle: answer 2xx to it all the same. Types are not checks:
 * validate the body too if you do not trust its shape. */
export function route(body: string): Handled | null {
  const event = JSON.parse(body) as { type?: unknown };
  switch (event.type) {
    case "room.client.joined":
    case "room.session.ended":
      return event as Handled;
    default:
      return null;
  }
}
// guide:end
