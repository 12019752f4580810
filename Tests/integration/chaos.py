"""kill -9 chaos, shared by `scripts/chaos` (20 kills) and the test suite (a CI-sized run).

Producers enqueue single messages as fast as they can, each with its own idempotency key, and
retry the same key until they get an answer — what a careful producer does across a crash — so
every logical message ends with exactly one accepted id. Meanwhile the daemon is killed with
SIGKILL at random moments and restarted on the same database. At the end every accepted message
must be in a terminal state, every accepted delivery must have reached the receiver, nothing the
receiver got may be foreign, and duplicates (same webhook-id twice) are bounded by what was
claimed and not yet recorded at each kill."""

import collections
import http.client
import sqlite3
import threading
import time
import urllib.error


class Producers:
    def __init__(self, daemon, url, clients):
        self.daemon = daemon
        self.url = url
        self.accepted = {}          # idempotency key -> (message id, delivery id)
        self.retries = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]
        for t in self.threads:
            t.start()

    def _run(self, n):
        i = 0
        while not self.stopping.is_set():
            key = f"chaos-{n}-{i}"
            i += 1
            body = {"to": {"webhook": self.url}, "text": f"chaos {key}", "idempotency_key": key}
            while True:       # the same key until the daemon answers, even while stopping
                try:
                    status, _, reply = self.daemon.request("POST", "/v1/messages", body)
                except (OSError, http.client.HTTPException, urllib.error.URLError):
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.02)
                    continue
                if status == 503:
                    time.sleep(0.05)
                    continue
                assert status == 202, (status, reply)
                with self.lock:
                    self.accepted[key] = (reply["id"], reply["deliveries"][0]["id"])
                break

    def finish(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=120)
        return dict(self.accepted)


# The daemon a chaos run needs: retries enough that injected faults never exhaust them.
RETRY_TOML = 'base = "100ms"\nmax_backoff = "500ms"\nmax_attempts = 60\n'


def run(daemon, receiver, kills, rng, clients=3, window=(0.3, 1.2), settle=180.0, faults=0.0):
    """Runs the scenario on a started daemon; returns the figures, raises AssertionError on a loss.
    With `faults`, that share of the receiver's answers are 500s or 429s with `Retry-After: 0`."""
    started = time.monotonic()
    with receiver.lock:
        receiver.script["/chaos"] = [
            rng.choice([(500, {}, b"injected fault"), (429, {"Retry-After": "0"}, b"")]) if rng.random() < faults
            else (204, {}, b"") for _ in range(200_000)]
    producers = Producers(daemon, receiver.url("/chaos"), clients)
    for _ in range(kills):
        time.sleep(rng.uniform(*window))          # a random moment under load: time is the point here
        daemon.kill9()
        daemon.start()
    accepted = producers.finish()
    expected = {delivery for _, delivery in accepted.values()}
    assert expected, "no message was accepted: the scenario proves nothing"
    got_all = receiver.wait_for(lambda r: expected <= set(r.accepted_ids()), settle)
    received = collections.Counter(receiver.accepted_ids())
    missing = expected - set(received)
    assert got_all and not missing, f"{len(missing)} accepted deliveries never arrived, e.g. {sorted(missing)[:3]}"
    foreign = set(received) - expected
    assert not foreign, f"the receiver got deliveries nobody was told were accepted: {sorted(foreign)[:3]}"
    # Every delivery ends terminal in the database (read with sqlite3, not through the daemon).
    db = sqlite3.connect(f"file:{daemon.folder / 'var' / 'herald.db'}?mode=ro", uri=True)
    states = dict(db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
    messages = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    db.close()
    assert messages == len(accepted), f"{messages} messages stored, {len(accepted)} accepted (idempotency broken?)"
    deadline = time.monotonic() + 30
    while set(states) - {"sent"} and time.monotonic() < deadline:   # the last records may still be landing
        time.sleep(0.1)
        db = sqlite3.connect(f"file:{daemon.folder / 'var' / 'herald.db'}?mode=ro", uri=True)
        states = dict(db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
        db.close()
    assert set(states) == {"sent"}, states
    duplicates = sum(n - 1 for n in received.values())
    # Per kill: at most the deliveries claimed and not yet recorded (local queue 8 × 64 + 8 in flight).
    assert duplicates <= kills * (8 * 64 + 8), duplicates
    with receiver.lock:
        injected = sum(1 for r in receiver.received if r[3] >= 400)
    return {"kills": kills, "faults_injected": injected, "accepted": len(accepted), "delivered": len(expected), "lost": len(missing),
            "duplicates": duplicates, "producer_retries": producers.retries,
            "seconds": round(time.monotonic() - started, 1)}
