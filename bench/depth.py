"""Memory, start-up and claim rate against queue depth.

A database with N queued webhook deliveries is made by enqueueing 1,000 messages through the API
(scheduled far ahead), then copying their rows (messages, deliveries, events) with suffixed ids in
SQLite — the rows are what the API wrote, only multiplied, so 1M queued costs seconds instead of
minutes of preloading. Then:
  * start-up: exec until /healthz answers, with N rows — after a clean stop (the integrity scan
    is skipped: the file is as the clean close left it) and after kill -9 (full scan);
  * RSS: idle (empty database) and with N queued, each also split into PSS, anonymous memory
    and clean file pages (the binary and its libraries; the kernel maps the cached pages around
    each one touched, so these count more than the code that ran);
  * claim rate: every delivery made due at one instant (one UPDATE, its WAL checkpointed before
    that instant comes); deliveries/s over the first 10,000 sent, at
    1M rows vs at 10k rows (the claim query must not slow down with depth). Ten thousand sends
    take about a second, so one measurement swings widely (0.64–1.50 for one binary): with
    runs > 1 the daemon is stopped, what it sent or released is put back in the queue and the
    measurement repeats on the same depth; the median is reported."""

import sqlite3
import time

from harness import Herald

SEED = 1_000
MEASURED = 10_000


def seed(binary, folder, sink_url, total):
    herald = Herald(binary, folder)
    try:
        for offset in range(0, SEED, 500):
            status, reply = herald.post("/v1/messages/batch", {"messages": [
                {"to": {"webhook": sink_url}, "subject": "Renewal in 30 days", "text": "Your subscription renews on 2026-12-23.",
                 "data": {"n": offset + i}, "send_at": "2099-01-01T00:00:00Z"} for i in range(500)]})
            assert status == 202 and reply["accepted"] == 500, reply
    finally:
        herald.stop()
    copies = total // SEED
    with sqlite3.connect(folder / "herald.db") as db:
        db.execute("CREATE TEMP TABLE copies (suffix TEXT NOT NULL)")
        db.executemany("INSERT INTO copies VALUES (?)", [(f"{k:05d}",) for k in range(1, copies)])
        for table, ids in (("messages", {"id"}), ("deliveries", {"id", "message_id"}),
                           ("events", {"id", "message_id", "delivery_id"})):
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            db.execute(f"CREATE TEMP TABLE seed_{table} AS SELECT * FROM {table}")
            values = [f"t.{c} || c.suffix" if c in ids else f"t.{c}" for c in columns]
            db.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                       f"FROM seed_{table} t CROSS JOIN copies c")
        # The per-state counts are kept by the code that inserts (Herald's own enqueue); rows copied
        # in behind its back are counted here, as `herald import` counts what it brings.
        db.execute("UPDATE delivery_counts SET n = (SELECT COUNT(*) FROM deliveries d WHERE d.state = delivery_counts.state)")
        count = db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'scheduled'").fetchone()[0]
        assert db.execute("SELECT n FROM delivery_counts WHERE state = 'scheduled'").fetchone()[0] == count
    assert count == copies * SEED, count
    return count


def make_due(folder, lead=10.0):
    """Every queued delivery due `lead` seconds from now, the WAL that the update wrote folded into
    the file before that (so the drain does not pay for checkpointing a bench artefact: a
    1M-row UPDATE). Returns the due instant (monotonic) once it has come."""
    due_wall = time.time() + lead
    with sqlite3.connect(folder / "herald.db", timeout=60) as db:
        db.execute("UPDATE deliveries SET due_at = ? WHERE state = 'scheduled'", (int(due_wall * 1000),))
    with sqlite3.connect(folder / "herald.db", timeout=60) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remaining = due_wall - time.time()
    if remaining < 0:
        raise RuntimeError("making the queue due took longer than the lead time")
    time.sleep(remaining)
    return time.monotonic()


def requeue(folder):
    """Every delivery back to `scheduled` far ahead — the ones the last measurement sent, those its
    stop released, and the ones still waiting (their due time has passed) — so the next measurement
    starts from the same depth with nothing due before `make_due`. The daemon is stopped."""
    with sqlite3.connect(folder / "herald.db", timeout=60) as db:
        db.execute("UPDATE deliveries SET state = 'scheduled', attempts = 0, lease_until = NULL, lease_owner = NULL, "
                   "due_at = 4070908800000")
    with sqlite3.connect(folder / "herald.db", timeout=60) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def drain_rate(herald, since, count=MEASURED):
    peak = herald.rss_mb()
    while (sent := herald.sent_total()) < count:
        if time.monotonic() - since > 300:
            raise RuntimeError(f"only {sent} sent in 300 s")
        peak = max(peak, herald.rss_mb())
        time.sleep(0.05)
    return round(sent / (time.monotonic() - since), 1), peak


def bench_depth(binary, tmp, sink_url, big=1_000_000, small=10_000, runs=1):
    idle = Herald(binary, tmp / "depth-idle")
    try:
        time.sleep(2)
        idle_rss = idle.rss_mb()
        idle_memory = idle.memory_mb()
        idle.stop()
        empty_start = idle.start()
    finally:
        idle.stop()
    results = {"idle_rss_mb": idle_rss, "idle_memory_mb": idle_memory, "empty_start_s": round(empty_start, 3)}
    for label, total in (("small", small), ("big", big)):
        folder = tmp / f"depth-{label}"
        t0 = time.monotonic()
        rows = seed(binary, folder, sink_url, total)
        herald = Herald(binary, folder)  # creates its token, starts (full scan: the file was edited), waits for health
        try:
            herald.stop()
            start_s = herald.start()
            herald.process.kill()
            herald.process.wait()
            crash_start_s = herald.start()
            time.sleep(2)
            queued_rss = herald.rss_mb()
            queued_memory = herald.memory_mb()
            since = make_due(folder)
            rate, peak = drain_rate(herald, since)
            rates = [rate]
            for _ in range(runs - 1):
                herald.stop()
                requeue(folder)
                herald.start()
                since = make_due(folder)
                rate, again = drain_rate(herald, since)
                rates.append(rate)
                peak = max(peak, again)
        finally:
            herald.stop()
        results[label] = {"queued": rows, "seed_s": round(time.monotonic() - t0, 1), "start_s": round(start_s, 3), "start_after_crash_s": round(crash_start_s, 3),
                          "rss_queued_mb": queued_rss, "memory_queued_mb": queued_memory, "rss_peak_draining_mb": peak, "drain_rate": median(rates),
                          "drain_rates": rates,
                          "db_mb": round((folder / "herald.db").stat().st_size / 2**20, 1)}
    results["claim_rate_ratio"] = round(results["big"]["drain_rate"] / results["small"]["drain_rate"], 3)
    return results
