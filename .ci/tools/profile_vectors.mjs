// spec/profile-vectors.json against the vendors' npm libraries:
// @octokit/webhooks-methods' verify and sign (and GitHub's documented
// example), and standardwebhooks' Webhook.verify, accept exactly the
// vectors marked valid.
import { readFileSync } from "node:fs";
import { sign, verify } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";

const { profiles } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failures = [];
const header = (vector, name) =>
  Object.entries(vector.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

// GitHub's documentation: this secret and body give this signature.
const documented = await sign("It's a Secret to Everybody", "Hello, World!");
if (documented !== "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17") {
  failures.push(`github: octokit signs GitHub's documented example as ${documented}`);
}

async function githubAccepts(vector) {
  const signature = header(vector, "X-Hub-Signature-256");
  if (signature === undefined) return false; // verify() throws without one
  return verify(vector.secret, vector.body, signature);
}

function standardWebhooksAccepts(vector) {
  const realNow = Date.now;
  Date.now = () => vector.now * 1000;
  try {
    new Webhook(vector.secret).verify(vector.body, vector.headers);
    return true;
  } catch {
    return false;
  } finally {
    Date.now = realNow;
  }
}

for (const [profile, accepts] of [
  ["github", githubAccepts],
  ["standard-webhooks", standardWebhooksAccepts],
]) {
  const section = profiles[profile].vectors;
  for (const vector of section) {
    const accepted = await accepts(vector);
    if (accepted !== vector.valid) {
      failures.push(`${profile} ${vector.name}: valid is ${vector.valid}, the library says ${accepted}`);
    }
  }
  const valid = section.filter((v) => v.valid).length;
  console.log(`${profile} (npm): ${section.length} vectors, ${valid} accepted and ${section.length - valid} refused as marked`);
}
// octokit signs each valid GitHub vector's body as the vector's header says.
for (const vector of profiles.github.vectors.filter((v) => v.valid)) {
  const ours = header(vector, "X-Hub-Signature-256");
  const theirs = await sign(vector.secret, vector.body);
  if (ours !== theirs) failures.push(`github ${vector.name}: octokit signs ${theirs}`);
}

if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
