"""A loopback webhook receiver that verifies Standard Webhooks signatures with the independent
`standardwebhooks` package, records what arrived, and can be told to answer with scripted statuses."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret: str, port: int = 0):
        self.secret = secret
        self.verifier = Webhook(secret)
        self.lock = threading.Condition()
        self.received = []          # verified (webhook-id, payload dict, headers dict)
        self.rejected = []          # (reason, headers)
        self.script = {}            # path -> list of (status, headers, body) answered in order, then 204
        self.delay = {}             # path -> seconds to wait before answering
        self.hold = {}              # path -> threading.Event the answer waits for (up to 30 s)
        self.holding = 0            # requests that arrived at a held path and wait
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                wait = receiver.delay.get(self.path)
                if wait:
                    import time
                    time.sleep(wait)
                held = receiver.hold.get(self.path)
                if held:
                    with receiver.lock:
                        receiver.holding += 1
                        receiver.lock.notify_all()
                    held.wait(30)
                try:
                    payload = receiver.verifier.verify(body, headers)
                except WebhookVerificationError as error:
                    with receiver.lock:
                        receiver.rejected.append((str(error), headers))
                        receiver.lock.notify_all()
                    self._answer(400, {}, b"bad signature")
                    return
                with receiver.lock:
                    steps = receiver.script.get(self.path)
                    step = steps.pop(0) if steps else None
                    receiver.received.append((headers["webhook-id"], payload, headers, step[0] if step else 204, self.path))
                    receiver.lock.notify_all()
                if step:
                    self._answer(*step)
                else:
                    self._answer(204, {}, b"")

            def _answer(self, status, headers, body):
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (timeout test); nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        # A sender killed mid-request (the chaos tests) resets the connection: not worth a traceback.
        self.server.handle_error = lambda request, client_address: None
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted_ids(self):
        """Ids of deliveries this receiver answered with 2xx."""
        with self.lock:
            return [r[0] for r in self.received if 200 <= r[3] < 300]

    def wait_for(self, predicate, timeout=30.0):
        """Blocks until predicate(self) is true (re-checked on every arrival) or the timeout passes."""
        with self.lock:
            return self.lock.wait_for(lambda: predicate(self), timeout=timeout)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def new_secret() -> str:
    import os
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()



if __name__ == "__main__":
    # A demo receiver for trying Herald by hand: verifies each signature and prints the payload.
    #   python3 Tests/integration/webhook_receiver.py --port 9000 --secret-file var/secrets/webhook.secret
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Print Herald webhooks after verifying their signatures.")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret-file", default="var/secrets/webhook.secret")
    args = parser.parse_args()
    with open(args.secret_file) as f:
        demo = Receiver(f.read().strip(), port=args.port)
    print(f"listening on {demo.url('/hook')} (signatures verified with standardwebhooks)", flush=True)
    seen = 0
    while True:
        with demo.lock:
            demo.lock.wait_for(lambda: len(demo.received) > seen or demo.rejected, timeout=3600)
            new, rejected = demo.received[seen:], list(demo.rejected)
            demo.rejected.clear()
        seen += len(new)
        for webhook_id, payload, _, _, _ in new:
            print(f"{time.strftime('%H:%M:%S')} verified webhook-id={webhook_id} "
                  f"{json.dumps(payload, ensure_ascii=False)}", flush=True)
        for reason, _ in rejected:
            print("REJECTED:", reason, flush=True)
