// A minimal, correct Whereby webhook receiver, with Node built-ins only.
//
//     PORT=8000 WHEREBY_WEBHOOK_SECRET=... node receiver.mjs
//     whereby-webhooks check-receiver http://127.0.0.1:8000/webhooks
//
// It serves POST /webhooks on 127.0.0.1:PORT (PORT=0: a free port) and:
// - verifies Whereby-Signature over the raw request bytes, in constant time,
//   with the timestamp bounded in both directions;
// - answers 401 to a delivery that fails verification (a 5xx would make
//   Whereby retry it);
// - answers 200 first, then dispatches on `type`, acknowledging types it does
//   not know;
// - deduplicates on `id`: a redelivery gets 200 and is not handled twice.
//
// Its first line on stdout, once it accepts connections, is
// `listening on http://127.0.0.1:<port>/webhooks`: a script waits for that line
// rather than sleeping. A port in use is one line on stderr and exit status 2.

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

// guide:start
// We recommend 300 seconds either way; Whereby's own example uses 60.
const TOLERANCE_SECONDS = 300;

/**
 * Whether `header` (the Whereby-Signature value) signs `rawBody`, a Buffer of
 * the bytes read from the request: never JSON.stringify(req.body).
 * Accepts any matching v1 and bounds the timestamp both ways.
 */
export function verify(secret, header, rawBody, now) {
  if (typeof header !== "string") return false;
  let timestamp;
  const signatures = [];
  for (const item of header.split(",")) {
    const at = item.indexOf("=");
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === "t") {
      // A repeated or non-numeric t: malformed.
      if (timestamp !== undefined || !/^[0-9]+$/.test(value)) return false;
      timestamp = value;
    } else if (key === "v1") {
      signatures.push(value);
    }
  }
  if (timestamp === undefined) return false;
  if (Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(rawBody)
    .digest();
  return signatures.some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
// guide:end

const MAX_BODY = 1024 * 1024;

// Ids already handled. We recommend a database table with a unique key (and
// an expiry) in production: this set is lost on restart.
const seenIds = new Set();

/** Acts on one authentic, first-seen event: dispatch on `type`. */
function handle(event) {
  const data = event.data ?? {};
  switch (event.type) {
    case "room.client.joined":
      console.log("joined: %j as %j", data.displayName, data.roleName);
      break;
    case "room.client.left":
      console.log("left: %j", data.displayName);
      break;
    case "recording.finished":
      console.log("recording ready: %j", data.filename);
      break;
    default:
      // Whereby adds event types: acknowledge the ones you do not handle.
      console.log("ignored: %j", event.type);
  }
}

function serve(secret, port) {
  const server = createServer((req, res) => {
    const answer = (status) => res.writeHead(status, { "Content-Length": "0" }).end();
    if (req.url !== "/webhooks") return answer(404);
    if (req.method !== "POST") return answer(405);
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        answer(413);
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const now = Math.floor(Date.now() / 1000);
      if (!verify(secret, req.headers["whereby-signature"], rawBody, now)) {
        return answer(401); // 4xx: Whereby does not retry it
      }
      let event;
      try {
        event = JSON.parse(rawBody.toString("utf8"));
      } catch {
        return answer(400);
      }
      if (event === null || typeof event !== "object") return answer(400);

      const duplicate = seenIds.has(String(event.id));
      seenIds.add(String(event.id));
      // Answer within Whereby's 5 seconds, then work. A redelivery is
      // acknowledged like the first delivery, and not handled again.
      answer(200);
      if (duplicate) return;
      if (req.headers["whereby-webhooks-test"]) {
        // Sent by `whereby-webhooks check-receiver` (signed with your
        // secret): skip side effects such as emails or billing here.
        console.log("test delivery: %j", event.type);
        return;
      }
      handle(event);
    });
  });
  server.on("error", (error) => {
    if (error.code !== "EADDRINUSE") throw error;
    console.error(`port ${port} is in use: set PORT to another port, or PORT=0 for a free one`);
    process.exit(2);
  });
  server.listen(port, "127.0.0.1", () => {
    // Listening now; with PORT=0 the system chose the port.
    console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.WHEREBY_WEBHOOK_SECRET;
  if (!secret) {
    console.error("set WHEREBY_WEBHOOK_SECRET to the endpoint's signing secret");
    process.exit(2);
  }
  serve(secret, Number(process.env.PORT ?? 8000));
}
