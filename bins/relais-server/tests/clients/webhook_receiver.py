"""A webhook receiver that verifies every delivery with the reference
Standard Webhooks library (standardwebhooks, from PyPI), for
bins/relais-server/tests/webhooks.rs.

    python webhook_receiver.py PORT SECRETS_FILE [--fail-first N]

SECRETS_FILE holds one `whsec_…` secret per line and is read again on every
delivery (the test adds a rotated secret to it). Each delivery is answered
200 when a secret verifies it (after answering 500 to the first N
deliveries, to make Relais retry), 401 when none does. `GET /received`
answers every delivery seen so far as JSON: its webhook-id, the event type,
the body, the answer given, and which secrets (by line) verified it.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PORT = int(sys.argv[1])
SECRETS_FILE = sys.argv[2]
FAIL_FIRST = int(sys.argv[sys.argv.index("--fail-first") + 1]) if "--fail-first" in sys.argv else 0

lock = threading.Lock()
received = []


def secrets():
    with open(SECRETS_FILE, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.answer(200, received)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
        headers = {k: v for k, v in self.headers.items()}
        verified_by = []
        for index, secret in enumerate(secrets()):
            try:
                Webhook(secret).verify(body, headers)
                verified_by.append(index)
            except WebhookVerificationError:
                pass
        with lock:
            failing = len(received) < FAIL_FIRST
            status = 401 if not verified_by else (500 if failing else 200)
            try:
                kind = json.loads(body).get("type")
            except ValueError:
                kind = None
            received.append(
                {
                    "id": self.headers.get("webhook-id"),
                    "type": kind,
                    "body": body,
                    "signatures": len(self.headers.get("webhook-signature", "").split(" ")),
                    "verified_by": verified_by,
                    "status": status,
                }
            )
        self.answer(status, {"received": status == 200, "note": "test receiver"})


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(f"listening on {PORT}", flush=True)
server.serve_forever()
