// Whereby's own documented Node.js signature check, run as a receiver, so that
// `whereby-webhooks check-receiver` can say what it gets wrong (README.md).
// It is an example of what NOT to copy: see ../node/receiver.mjs for a correct
// receiver.
//
//     PORT=8000 node receiver.mjs
//     WHEREBY_WEBHOOK_SECRET='<WEBHOOK_SECRET>' whereby-webhooks check-receiver http://127.0.0.1:8000/webhooks
//
// The secret is the snippet's own placeholder, "<WEBHOOK_SECRET>", kept as
// Whereby prints it. The server serves POST /webhooks on 127.0.0.1:PORT
// (PORT=0: a free port), parses the JSON body, and answers 200 when the
// snippet's isWebhookEventValid accepts the delivery, 401 otherwise. Its first
// line on stdout, once it accepts connections, is
// `listening on http://127.0.0.1:<port>/webhooks`; a port in use is one line on
// stderr and exit status 2.
//
// The snippet below is quoted exactly as Whereby prints it, from
// https://github.com/whereby/docs
// whereby-product-features/insights-suite-and-api/webhooks.md@4449da8fef38817ab24c149a2ae498d18fb601e1
// ("An example of a webhook event validation", tab "Node").
// --- Whereby's snippet, verbatim ---
import crypto from "crypto";

const WEBHOOK_SECRET = "<WEBHOOK_SECRET>";
const MAX_ELAPSED_TIME = 1000 * 60; // 1 minutes in milliseconds

function isWebhookEventValid({ body, headers }) {
  const wbSignature = headers["whereby-signature"];
  const matches = wbSignature.matchAll(/t=(.*),v1=(.*)/gm);

  let timestamp, signature;
  for (const match of matches) {
    timestamp = match[1];
    signature = match[2];
  }

  const current = new Date();
  const diffTime = current - parseInt(timestamp * 1000, 10);

  const signedPayload = timestamp + "." + JSON.stringify(body);

  const sha256Hasher = crypto.createHmac("sha256", WEBHOOK_SECRET);
  const hash = sha256Hasher.update(signedPayload);
  const hashStr = hash.digest("hex");

  return (
    crypto.timingSafeEqual(
      Buffer.from(hashStr, "utf-8"),
      Buffer.from(signature, "utf-8")
    ) && diffTime < Whereby.MAX_ELAPSED_TIME
  );
}
// --- end of Whereby's snippet ---

// The one fix needed to run it: the snippet reads Whereby.MAX_ELAPSED_TIME,
// which it never defines (it defines MAX_ELAPSED_TIME).
const Whereby = { MAX_ELAPSED_TIME }; // FIX: not in Whereby's snippet

import { createServer } from "node:http";

const MAX_BODY = 1024 * 1024;

function serve(port) {
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
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400);
      }
      let valid = false;
      try {
        valid = isWebhookEventValid({ body, headers: req.headers });
      } catch {
        // The snippet throws on a missing header, a header without v1, or a
        // signature of another length: refused all the same.
        valid = false;
      }
      answer(valid ? 200 : 401);
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

serve(Number(process.env.PORT ?? 8000));
