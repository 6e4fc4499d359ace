#!/usr/bin/env python3
"""A minimal, correct Whereby webhook receiver, with the Python standard library only.

    PORT=8000 WHEREBY_WEBHOOK_SECRET=... python3 receiver.py
    whereby-webhooks check-receiver http://127.0.0.1:8000/webhooks

It serves POST /webhooks on 127.0.0.1:PORT (PORT=0: a free port) and:
- verifies Whereby-Signature over the raw request bytes, in constant time,
  with the timestamp bounded in both directions;
- answers 401 to a delivery that fails verification (a 5xx would make
  Whereby retry it);
- answers 200 first, then dispatches on `type`, acknowledging types it does
  not know;
- deduplicates on `id`: a redelivery gets 200 and is not handled twice.

Its first line on stdout, once it accepts connections, is
`listening on http://127.0.0.1:<port>/webhooks`: a script waits for that line
rather than sleeping. A port in use is one line on stderr and exit status 2.
"""

import errno
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# guide:start
# We recommend 300 seconds either way; Whereby's own example uses 60.
TOLERANCE_SECONDS = 300


def verify(secret: bytes, header: str | None, raw_body: bytes, now: int) -> bool:
    """Whether `header` (the Whereby-Signature value) signs `raw_body`.

    `raw_body` must be the bytes read from the request, never re-serialised
    JSON. Accepts any matching v1 and bounds the timestamp both ways.
    """
    if header is None:
        return False
    timestamp, signatures = None, []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            if timestamp is not None or not (value.isascii() and value.isdigit()):
                return False  # a repeated or non-numeric t: malformed
            timestamp = value
        elif key == "v1":
            signatures.append(value.encode("utf-8"))
    if timestamp is None or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    signed = timestamp.encode("ascii") + b"." + raw_body
    expected = hmac.new(secret, signed, hashlib.sha256).hexdigest().encode("ascii")
    return any(hmac.compare_digest(expected, given) for given in signatures)
# guide:end


MAX_BODY = 1024 * 1024

# Ids already handled. We recommend a database table with a unique key (and
# an expiry) in production: this set is lost on restart.
seen_ids: set[str] = set()
seen_lock = threading.Lock()


def handle(event: dict) -> None:
    """Acts on one authentic, first-seen event: dispatch on `type`."""
    kind = event.get("type")
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    if kind == "room.client.joined":
        print(f"joined: {data.get('displayName')!r} as {data.get('roleName')!r}")
    elif kind == "room.client.left":
        print(f"left: {data.get('displayName')!r}")
    elif kind == "recording.finished":
        print(f"recording ready: {data.get('filename')!r}")
    else:
        # Whereby adds event types: acknowledge the ones you do not handle.
        print(f"ignored: {kind!r}")


class Server(ThreadingHTTPServer):
    # Never share the port (SO_REUSEPORT): a second receiver started on it
    # must fail, not silently take some of the deliveries.
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

        if not verify(SECRET, self.headers.get("Whereby-Signature"), raw_body, int(time.time())):
            return self.answer(401)  # 4xx: Whereby does not retry it
        try:
            event = json.loads(raw_body)
        except ValueError:
            return self.answer(400)
        if not isinstance(event, dict):
            return self.answer(400)

        event_id = str(event.get("id"))
        with seen_lock:
            duplicate = event_id in seen_ids
            seen_ids.add(event_id)
        # Answer within Whereby's 5 seconds, then work. A redelivery is
        # acknowledged like the first delivery, and not handled again.
        self.answer(200)
        if duplicate:
            return
        if self.headers.get("Whereby-Webhooks-Test"):
            # Sent by `whereby-webhooks check-receiver` (signed with your
            # secret): skip side effects such as emails or billing here.
            print(f"test delivery: {event.get('type')!r}")
            return
        handle(event)

    def do_GET(self) -> None:
        self.answer(405)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:
        pass  # the handlers print what matters


if __name__ == "__main__":
    secret = os.environ.get("WHEREBY_WEBHOOK_SECRET")
    if not secret:
        sys.exit("set WHEREBY_WEBHOOK_SECRET to the endpoint's signing secret")
    SECRET = secret.encode("utf-8")
    port = int(os.environ.get("PORT", "8000"))
    try:
        server = Server(("127.0.0.1", port), Handler)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(
            f"port {port} is in use: set PORT to another port, or PORT=0 for a free one",
            file=sys.stderr,
        )
        sys.exit(2)
    # Listening now; with PORT=0 the system chose the port.
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/webhooks", flush=True)
    server.serve_forever()
