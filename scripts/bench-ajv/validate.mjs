// Validates an NDJSON file of Whereby webhook events with ajv against the
// per-type draft 2020-12 schemas in spec/schemas/, picking the schema by the
// event's `type` as `whereby-webhooks validate` does, and prints
// "N valid, M invalid". Exits 1 when something is invalid.
//
//     node scripts/bench-ajv/validate.mjs corpus.ndjson

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const schemas = join(here, "..", "..", "spec", "schemas");

// allErrors is off (ajv's default): stop at the first error, ajv's fastest mode.
const ajv = new Ajv2020({ strict: false });
addFormats(ajv); // asserts `date-time`, as whereby-webhooks does
ajv.addFormat("double", { type: "number", validate: () => true }); // OpenAPI's, an annotation

const validators = new Map();
for (const file of readdirSync(schemas).sort()) {
  if (!file.endsWith(".json")) continue;
  const schema = JSON.parse(readFileSync(join(schemas, file), "utf8"));
  const type = schema?.properties?.type?.const;
  if (typeof type === "string") validators.set(type, ajv.compile(schema));
}
if (validators.size === 0) {
  console.error(`error: no event schemas in ${schemas}; run cargo xtask generate`);
  process.exit(2);
}

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs EVENTS.ndjson");
  process.exit(2);
}
const text = readFileSync(path, "utf8");
let valid = 0;
let invalid = 0;
for (let start = 0; start < text.length; ) {
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  const line = text.slice(start, end);
  start = end + 1;
  if (line.trim() === "") continue;
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    invalid++;
    continue;
  }
  const validate =
    event !== null && typeof event === "object" && !Array.isArray(event)
      ? validators.get(event.type)
      : undefined;
  if (validate !== undefined && validate(event)) valid++;
  else invalid++;
}
console.log(`${valid} valid, ${invalid} invalid`);
process.exitCode = invalid > 0 ? 1 : 0;
