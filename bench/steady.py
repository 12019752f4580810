"""Steady load: messages enqueued at a fixed rate (open loop) while the dispatcher delivers them to
nginx. Reports enqueue latency (from each request's scheduled time, so a stall is not hidden by
the generator waiting: no coordinated omission) and enqueue→sent latency (the message's commit
time to the end of its successful attempt, both as Herald recorded them)."""

import http.client
import json
import sqlite3
import threading
import time

from harness import Herald


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_load(herald, body, rate, seconds, threads=8, path="/v1/messages"):
    """Sends `rate` requests per second for `seconds`, spread over `threads` keep-alive connections.
    Returns per-request latency in ms (response time minus scheduled time) and the failures."""
    total = rate * seconds
    latencies, failures = [], []
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + herald.token}

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", herald.port, timeout=30)
        mine = []
        for i in range(index, total, threads):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("POST", path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 202
            except OSError as error:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", herald.port, timeout=30)
                response = error
            if ok:
                mine.append((time.monotonic() - due) * 1000)
            else:
                with lock:
                    failures.append(str(getattr(response, "status", response)))
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    achieved = total / (time.monotonic() - start)
    return latencies, failures, achieved


def bench_steady(binary, tmp, sink_url, rate=1000, seconds=60, concurrency=8):
    herald = Herald(binary, tmp / "steady", concurrency=concurrency)
    try:
        body = {"to": {"webhook": sink_url}, "subject": "Your weekly usage summary",
                "text": "Hi Li, your team sent 1,204 reports this week.", "data": {"client": "acme"}}
        latencies, failures, achieved = run_load(herald, body, rate, seconds)
        deadline = time.monotonic() + 120
        while herald.sent_total() < len(latencies):
            if time.monotonic() > deadline:
                raise RuntimeError("steady load: deliveries did not finish")
            time.sleep(0.1)
    finally:
        herald.stop()
    with sqlite3.connect(tmp / "steady" / "herald.db") as db:
        rows = db.execute("""
            SELECT a.started_at + a.duration_ms - m.created_at
            FROM attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN messages m ON m.id = d.message_id
            WHERE d.state = 'sent'""").fetchall()
    to_sent = [r[0] for r in rows]
    return {"rate": rate, "seconds": seconds, "achieved_rate": round(achieved, 1), "requests": len(latencies),
            "failures": len(failures), "enqueue_p50_ms": round(percentile(latencies, 50), 2),
            "enqueue_p99_ms": round(percentile(latencies, 99), 2), "sent": len(to_sent),
            "to_sent_p50_ms": percentile(to_sent, 50), "to_sent_p99_ms": percentile(to_sent, 99)}
