"""spec/profile-vectors.json against the vendors' Python libraries: the
`stripe` package's WebhookSignature.verify_header and the `standardwebhooks`
package's Webhook.verify must accept exactly the vectors marked valid."""

import datetime
import json
import sys
from unittest import mock

import standardwebhooks.webhooks
import stripe

vectors = json.load(open(sys.argv[1], encoding="utf-8"))["profiles"]
failures = []


def header(vector, name):
    for key, value in vector["headers"].items():
        if key.lower() == name.lower():
            return value
    return None


def stripe_accepts(vector):
    with mock.patch("time.time", return_value=float(vector["now"])):
        try:
            stripe.WebhookSignature.verify_header(
                vector["body"].encode("utf-8"),
                header(vector, "Stripe-Signature"),
                vector["secret"],
                tolerance=300,
            )
            return True
        except stripe.SignatureVerificationError:
            return False


def standard_webhooks_accepts(vector):
    now = datetime.datetime.fromtimestamp(vector["now"], tz=datetime.timezone.utc)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    with mock.patch.object(standardwebhooks.webhooks, "datetime", Clock):
        try:
            standardwebhooks.Webhook(vector["secret"]).verify(
                vector["body"].encode("utf-8"), vector["headers"]
            )
            return True
        except standardwebhooks.webhooks.WebhookVerificationError:
            return False


for profile, accepts in [
    ("stripe", stripe_accepts),
    ("standard-webhooks", standard_webhooks_accepts),
]:
    section = vectors[profile]["vectors"]
    for vector in section:
        accepted = accepts(vector)
        if accepted != vector["valid"]:
            failures.append(
                f"{profile} {vector['name']}: valid is {vector['valid']}, the library says {accepted}"
            )
    valid = sum(v["valid"] for v in section)
    print(f"{profile} (PyPI): {len(section)} vectors, {valid} accepted and {len(section) - valid} refused as marked")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
