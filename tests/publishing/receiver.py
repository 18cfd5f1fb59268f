"""A webhook receiver for tests, on real HTTP: verifies each request's signature the
way a back end must, records what it accepted, and fails on demand (a scripted
status list, or at random) so retries, order and replays can be observed."""

import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from publishing import webhooks

PORTS = range(18850, 18900)


class WebhookReceiver:
    def __init__(self, secret, fail_rate=0.0, seed=None):
        self.secret = secret
        self.fail_rate = fail_rate
        self.rng = random.Random(seed)
        self.script = []  # statuses answered to the next requests, in order
        self.accepted = []  # (delivery id, headers, document) of verified 2xx answers
        self.requests = []  # every request: (delivery id, status answered)
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}/hook"

    def start(self):
        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no free port for the webhook receiver")
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, delivery_id, headers, body):
        with self.lock:
            if not webhooks.verify(self.secret, headers.get(webhooks.TIMESTAMP_HEADER),
                                   body, headers.get(webhooks.SIGNATURE_HEADER)):
                status = 401
            elif self.script:
                status = self.script.pop(0)
            elif self.fail_rate and self.rng.random() < self.fail_rate:
                status = 503
            else:
                status = 200
            self.requests.append((delivery_id, status))
            if 200 <= status < 300:
                self.accepted.append((delivery_id, dict(headers), json.loads(body)))
            return status

    def documents(self):
        with self.lock:
            return [doc for _, _, doc in self.accepted]

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                delivery_id = self.headers.get(webhooks.DELIVERY_HEADER)
                status = receiver.answer(delivery_id, self.headers, body)
                payload = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler
