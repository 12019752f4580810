"""Scale-out on PostgreSQL (issue 12): N herald processes on one database, each drain measured
against one instance in the same run.

  latency-bound  a sink answering after 20 ms (bench/slow_sink.py): each instance is bound by its
                 delivery concurrency, not the CPU, so N instances should deliver ~N times as much
  cpu-bound      nginx answering 204 at once: what 2 cores give, with every process's CPU seconds
  one instance   SQLite vs PostgreSQL: enqueue (wrk, 64 connections) and drain to nginx

Every run checks that each delivery was attempted exactly once (attempts per delivery in the
database), so a faster figure can never come from duplicate claims."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, Herald, free_port, process_cpu_seconds, sh, wait_port, wrk


class Postgres:
    def __init__(self, folder: Path):
        self.folder = folder
        self.url = sh("bash", str(ROOT / "scripts" / "postgres"), "start", str(folder), str(free_port())).strip()
        self.n = 0

    def database(self):
        self.n += 1
        name = f"bench{self.n}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def psql(self, sql, url=None):
        return sh("psql", url or self.url, "-qAtc", sql).strip()

    def cpu_seconds(self):
        """CPU seconds of every process of the server (postmaster and backends)."""
        total = 0.0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"postgres" in cmd.split(b"\0")[0]:
                    total += process_cpu_seconds(int(pid))
            except OSError:
                continue
        return total

    def stop(self):
        subprocess.run(["bash", str(ROOT / "scripts" / "postgres"), "stop", str(self.folder)], check=False)


class SlowSink:
    def __init__(self, delay_ms=20):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "slow_sink.py"), str(self.port), str(delay_ms)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=10)
        return int(out.strip().splitlines()[-1])


def drain(binary, tmp, label, database_url, instances, sink_url, total, concurrency, pg=None):
    """Preloads `total` deliveries due at one instant, starts `instances` daemons and times the drain."""
    daemons = [Herald(binary, tmp / f"{label}-{i}", concurrency=concurrency, database_url=database_url, start=False)
               for i in range(instances)]
    for d in daemons:
        d.start()
    try:
        # Preloaded as scheduled far ahead, then made due in one statement: the drain starts at one
        # instant whatever the preload took (its rate is reported too).
        started = time.monotonic()
        for offset in range(0, total, 1000):
            n = min(1000, total - offset)
            status, reply = daemons[(offset // 1000) % instances].post("/v1/messages/batch", {"messages": [
                {"to": {"webhook": sink_url}, "text": "Your subscription renews on 2026-12-23.", "data": {"n": offset + i},
                 "send_at": "2099-01-01T00:00:00Z"} for i in range(n)]})
            assert status == 202 and reply["accepted"] == n, reply
        preload_rate = total / (time.monotonic() - started)
        t0 = time.time()
        make_due = "UPDATE deliveries SET state = 'queued', due_at = %d WHERE state = 'scheduled'" % int(t0 * 1000)
        if pg and database_url:
            pg.psql(make_due, database_url)
        else:
            import sqlite3
            with sqlite3.connect(daemons[0].folder / "herald.db", timeout=30) as db:
                db.execute(make_due)
        cpu0 = [d.cpu_seconds() for d in daemons]
        pg0 = pg.cpu_seconds() if pg else 0.0
        while sum(d.sent_total() for d in daemons) < total:
            if time.time() > t0 + 900:
                raise RuntimeError(f"{label}: drain did not finish")
            time.sleep(0.02)
        seconds = time.time() - t0
        cpu = [round(d.cpu_seconds() - c, 1) for d, c in zip(daemons, cpu0)]
        pg_cpu = round(pg.cpu_seconds() - pg0, 1) if pg else None
        per_instance = [int(d.sent_total()) for d in daemons]
    finally:
        for d in daemons:
            d.stop()
    result = {"instances": instances, "deliveries": total, "seconds": round(seconds, 3), "rate": round(total / seconds, 1),
              "batch_enqueue_rate": round(preload_rate, 1),
              "sent_per_instance": per_instance, "herald_cpu_seconds": cpu}
    if pg:
        result["postgres_cpu_seconds"] = pg_cpu
        attempts, distinct = pg.psql("SELECT COUNT(*), COUNT(DISTINCT delivery_id) FROM attempts", database_url).split("|")
        assert int(attempts) == total and int(distinct) == total, f"{label}: {attempts} attempts for {distinct} deliveries"
        result["duplicate_attempts"] = int(attempts) - int(distinct)
    return result


def bench_scaleout(binary, tmp, nginx_url, slow_total=12_000, fast_total=30_000, concurrency=8):
    # Its own folder right under /tmp: the server runs as user postgres, who cannot enter `tmp`.
    pg = Postgres(Path(tempfile.mkdtemp(prefix="herald-bench-pg-")))
    slow = SlowSink(20)
    results = {"latency_bound": [], "cpu_bound": []}
    try:
        for n in (1, 2, 3):
            results["latency_bound"].append(
                drain(binary, tmp, f"slow{n}", pg.database(), n, slow.url(), slow_total, concurrency, pg))
        base = results["latency_bound"][0]["rate"]
        for r in results["latency_bound"]:
            r["speedup"] = round(r["rate"] / base, 2)
        for n in (1, 2, 3):
            results["cpu_bound"].append(drain(binary, tmp, f"fast{n}", pg.database(), n, nginx_url, fast_total, concurrency, pg))
        base = results["cpu_bound"][0]["rate"]
        for r in results["cpu_bound"]:
            r["speedup"] = round(r["rate"] / base, 2)
        # One instance: SQLite vs PostgreSQL, the same drain and the same enqueue load.
        sqlite = drain(binary, tmp, "sqlite-drain", None, 1, nginx_url, fast_total, concurrency)
        results["one_instance"] = {
            "drain_sqlite": sqlite["rate"], "drain_postgres": results["cpu_bound"][0]["rate"],
            "drain_ratio_pg_to_sqlite": round(results["cpu_bound"][0]["rate"] / sqlite["rate"], 3)}
        results["one_instance"].update(enqueue_pair(binary, tmp, pg, nginx_url))
    finally:
        received = slow.stop()
        pg.stop()
    results["slow_sink_requests"] = received
    assert received == 3 * slow_total, f"the slow sink answered {received} requests for {3 * slow_total} deliveries"
    return results


def enqueue_pair(binary, tmp, pg, sink_url, duration=10):
    body = tmp / "scaleout-body.json"
    body.write_text('{"to": {"webhook": "%s"}, "text": "Welcome, {{name}}", "data": {"name": "Li"}, '
                    '"send_at": "2099-01-01T00:00:00Z"}' % sink_url)
    out = {}
    for label, url in (("sqlite", None), ("postgres", pg.database())):
        herald = Herald(binary, tmp / f"enqueue-{label}", database_url=url)
        try:
            wrk(herald.base, "/bench/noop", body, 2)
            noop = wrk(herald.base, "/bench/noop", body, duration)
            enqueue = wrk(herald.base, "/v1/messages", body, duration, token=herald.token)
        finally:
            herald.stop()
        out[f"enqueue_{label}"] = enqueue["rps"]
        out[f"enqueue_{label}_p99_ms"] = enqueue["p99_ms"]
        out[f"noop_{label}"] = noop["rps"]
    out["enqueue_ratio_pg_to_sqlite"] = round(out["enqueue_postgres"] / out["enqueue_sqlite"], 3)
    return out
