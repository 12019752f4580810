"""Storage faults: a corrupted database file stops the daemon at start with a clear message (it is
never served); a database another process holds locked makes /readyz fail with the reason and
enqueue answer 503 problem+json, and service resumes, nothing lost, once the lock is gone."""

import os
import sqlite3
import subprocess

from conftest import HERALD


def corrupt(path, offset, length):
    data = bytearray(path.read_bytes())
    data[offset:offset + length] = os.urandom(length)
    path.write_bytes(bytes(data))


def serve_once(daemon):
    return subprocess.run([HERALD, "serve", "--config", str(daemon.folder / "herald.toml")],
                          capture_output=True, text=True, timeout=30)


def test_a_corrupted_database_is_refused_at_start(make_daemon):
    daemon = make_daemon().start()
    assert daemon.request("POST", "/v1/messages", {"to": {"webhook": "https://crm.example/h"}, "text": "x"})[0] == 202
    assert daemon.stop() == 0
    db = daemon.folder / "var" / "herald.db"
    for name in ("herald.db-wal", "herald.db-shm"):
        (db.parent / name).unlink(missing_ok=True)
    original = db.read_bytes()

    corrupt(db, 4096 * 2, 3000)                      # a damaged page behind a valid header
    result = serve_once(daemon)
    assert result.returncode == 69, result
    assert "integrity check failed" in result.stderr, result.stderr

    db.write_bytes(original)
    corrupt(db, 0, 100)                              # the header itself
    result = serve_once(daemon)
    assert result.returncode == 69 and "not a database" in result.stderr, result.stderr

    db.write_bytes(original)                         # the intact file serves again
    daemon.start()
    assert daemon.request("GET", "/readyz", token=None)[0] == 200


def test_a_locked_database_fails_readiness_and_enqueue_then_recovers(make_daemon):
    daemon = make_daemon()
    toml = daemon.folder / "herald.toml"
    toml.write_text(toml.read_text().replace('[database]\npath = "var/herald.db"\n',
                                             '[database]\npath = "var/herald.db"\nbusy_timeout = "300ms"\n'))
    daemon.start()
    message = {"to": {"webhook": "https://crm.example/h"}, "text": "before", "send_at": "2099-01-01T00:00:00Z"}
    status, _, before = daemon.request("POST", "/v1/messages", message)
    assert status == 202
    holder = sqlite3.connect(daemon.folder / "var" / "herald.db", timeout=5)
    holder.execute("BEGIN EXCLUSIVE")                # another process takes the write lock and keeps it
    try:
        status, headers, problem = daemon.request("GET", "/readyz", token=None)
        assert status == 503 and headers["Content-Type"] == "application/problem+json", problem
        assert "not writable" in problem["detail"] and "locked" in problem["detail"], problem
        status, headers, problem = daemon.request("POST", "/v1/messages", {**message, "text": "during"})
        assert status == 503 and "Retry-After" in headers, problem
        assert daemon.request("GET", "/healthz", token=None)[0] == 200      # alive, just not ready
    finally:
        holder.rollback()
        holder.close()
    assert daemon.request("GET", "/readyz", token=None)[0] == 200
    status, _, after = daemon.request("POST", "/v1/messages", {**message, "text": "after"})
    assert status == 202
    assert daemon.message(before["id"])["id"] == before["id"]          # nothing accepted was lost
    assert daemon.message(after["id"])["deliveries"][0]["status"] == "scheduled"
