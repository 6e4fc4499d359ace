"""GitHub's example payloads (@octokit/webhooks-examples) validated against
GitHub's own webhooks document (@octokit/openapi-webhooks) by
`validate --profile github`, in one run, timed and with its peak memory.

Each example is written as a line of the `listen --record` format with its
event in the `x-github-event` header, as a recorded GitHub delivery carries
it, so that one run reads them all. Prints the counts, the time and the peak
resident memory; fails when the counts differ from the expected ones given
(the packages are pinned, so the counts are too).

Usage: github_examples.py CLI EXAMPLES_INDEX DOCUMENT WORK_DIR EXPECTED_VALID EXPECTED_TOTAL
"""

import json
import re
import resource
import subprocess
import sys
import time

cli, index, document, work, expected_valid, expected_total = sys.argv[1:7]
events = json.load(open(index, encoding="utf-8"))
records = f"{work}/github-examples.ndjson"
total = 0
with open(records, "w", encoding="utf-8") as out:
    for event in events:
        for example in event["examples"]:
            record = {
                "received_at": "2026-01-01T00:00:00.000Z",
                "method": "POST",
                "path": "/",
                "status": 200,
                "verdict": "authentic",
                "headers": {"content-type": "application/json", "x-github-event": event["name"]},
                "raw_body": json.dumps(example, ensure_ascii=False),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            total += 1

start = time.monotonic()
run = subprocess.run(
    [cli, "validate", "--profile", "github", "--spec", document, "--format", "json", records],
    capture_output=True,
    text=True,
)
elapsed = time.monotonic() - start
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if run.returncode not in (0, 1):
    sys.exit(f"validate failed ({run.returncode}): {run.stderr}")
results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
valid = sum(1 for r in results if r.get("valid"))
unknown = sum(
    1 for r in results if any(e.get("kind") == "unknown_event_type" for e in r.get("errors", []))
)
format_only = sum(
    1
    for r in results
    if not r.get("valid")
    and r.get("errors")
    and all(re.search(r'is not a valid "', e.get("message", "")) for e in r["errors"])
)
print(
    f"GitHub's schema accepts {valid} of {len(results)} example payloads "
    f"({len(results) - valid} refused: {unknown} name a webhook the document lacks, "
    f"{format_only} only for a string format); "
    f"{elapsed:.1f} s, peak memory {peak_mib:.0f} MiB, {len(events)} events, document {document}"
)
if len(results) != total:
    sys.exit(f"validate reported {len(results)} results for {total} examples")
if (valid, total) != (int(expected_valid), int(expected_total)):
    sys.exit(
        f"expected {expected_valid} of {expected_total} accepted, as the pinned packages gave: "
        "a change in the CLI's judgement? update .ci/profiles.sh and docs/providers.md if it is right"
    )
