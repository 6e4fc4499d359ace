#!/usr/bin/env python3
"""A Standard Webhooks receiver built on the official `standardwebhooks`
library (PyPI), graded by `whereby-webhooks check-receiver --profile
standard-webhooks`.

    pip install -r requirements.txt
    PORT=8000 WEBHOOK_SECRET=whsec_... python3 receiver.py
    WHEREBY_WEBHOOK_SECRET=whsec_... whereby-webhooks check-receiver --profile standard-webhooks http://127.0.0.1:8000/webhooks

It serves POST /webhooks on 127.0.0.1:PORT (PORT=0: a free port), verifies
each delivery with `standardwebhooks.Webhook(secret).verify(raw_body,
headers)` (the raw bytes; the library bounds the timestamp both ways and
compares in constant time), answers 401 when it refuses, and 200 otherwise,
once per `webhook-id` handled (a redelivery gets 200 again, not acted on).

Its first line on stdout, once it accepts connections, is
`listening on http://127.0.0.1:<port>/webhooks`. A port in use is one line
on stderr and exit status 2.
"""

import errno
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

MAX_BODY = 1024 * 1024
seen_ids: set[str] = set()
seen_lock = threading.Lock()


class Server(ThreadingHTTPServer):
    allow_reuse_port = False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        if self.path != "/webhooks":
            return self.answer(404)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self.answer(411)
        if not 0 <= length <= MAX_BODY:
            return self.answer(413)
        raw_body = self.rfile.read(length)
        try:
            WEBHOOK.verify(raw_body, dict(self.headers.items()))
        except (WebhookVerificationError, ValueError):
            return self.answer(401)
        message_id = self.headers.get("webhook-id", "")
        with seen_lock:
            duplicate = message_id in seen_ids
            seen_ids.add(message_id)
        self.answer(200)
        if not duplicate:
            print(f"delivery {message_id!r}")

    def do_GET(self) -> None:
        self.answer(405)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


if __name__ == "__main__":
    secret = os.environ.get("WEBHOOK_SECRET")
    if not secret:
        sys.exit("set WEBHOOK_SECRET to the endpoint's whsec_ secret")
    WEBHOOK = Webhook(secret)
    port = int(os.environ.get("PORT", "8000"))
    try:
        server = Server(("127.0.0.1", port), Handler)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(f"port {port} is in use: set PORT to another port, or PORT=0 for a free one", file=sys.stderr)
        sys.exit(2)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/webhooks", flush=True)
    server.serve_forever()
