// A GitHub webhook receiver built on `verify` of @octokit/webhooks-methods
// (npm), graded by `whereby-webhooks check-receiver --profile github`.
//
//     npm ci
//     PORT=8000 WEBHOOK_SECRET=... node receiver.mjs
//     whereby-webhooks check-receiver --profile github --secret-file secret.txt http://127.0.0.1:8000/webhooks
//
// It serves POST /webhooks on 127.0.0.1:PORT (PORT=0: a free port), verifies
// X-Hub-Signature-256 over the raw body with octokit's `verify` (constant
// time), answers 401 when it does not hold, and 200 otherwise, once per
// X-GitHub-Delivery handled. GitHub signs no timestamp: a replayed delivery
// verifies, and deduplicating on X-GitHub-Delivery is the receiver's only
// defence.
//
// Its first line on stdout, once it accepts connections, is
// `listening on http://127.0.0.1:<port>/webhooks`. A port in use is one line
// on stderr and exit status 2.
import { createServer } from "node:http";
import { verify } from "@octokit/webhooks-methods";

const MAX_BODY = 1024 * 1024;
const seen = new Set();

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error("set WEBHOOK_SECRET to the webhook's secret");
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8000);

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
  req.on("end", async () => {
    const signature = req.headers["x-hub-signature-256"];
    // octokit's verify takes the body as a string and throws without a signature.
    const body = Buffer.concat(chunks).toString("utf8");
    let valid = false;
    try {
      valid = typeof signature === "string" && (await verify(secret, body, signature));
    } catch {
      valid = false;
    }
    if (!valid) return answer(401);
    const delivery = String(req.headers["x-github-delivery"]);
    const duplicate = seen.has(delivery);
    seen.add(delivery);
    answer(200);
    if (!duplicate) console.log("delivery %j: %j", delivery, req.headers["x-github-event"]);
  });
});
server.on("error", (error) => {
  if (error.code !== "EADDRINUSE") throw error;
  console.error(`port ${port} is in use: set PORT to another port, or PORT=0 for a free one`);
  process.exit(2);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`);
});
