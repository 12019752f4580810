"""Retries, backoff, Retry-After, permanent failures, dead letters, expiry and SSRF blocking."""

import socket
import time
from datetime import datetime


def iso(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def enqueue(daemon, url, **extra):
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"webhook": url}, "text": "hi", **extra})
    assert status == 202, reply
    return reply


def test_retryable_statuses_are_retried_and_retry_after_is_honoured(daemon, receiver):
    receiver.script["/flaky"] = [(503, {"Retry-After": "2"}, b"busy"), (500, {}, b"oops")]
    reply = enqueue(daemon, receiver.url("/flaky"))
    body = daemon.wait_for_states(reply["id"], {"sent"}, timeout=20)
    attempts = body["deliveries"][0]["attempts"]
    assert [a["status_code"] for a in attempts] == [503, 500, 204]
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "sent"]
    # Retry-After: 2 pushed the second attempt at least two seconds after the first.
    gap = iso(attempts[1]["started_at"]) - iso(attempts[0]["started_at"])
    assert gap >= 1.9, gap
    assert "HTTP 503: busy" == attempts[0]["error"]
    events = [e["type"] for e in body["events"]]
    assert events == ["queued", "retrying", "retrying", "sent"]
    # the same webhook-id on every attempt, so the receiver can drop duplicates
    assert {r[0] for r in receiver.received} == {body["deliveries"][0]["id"]}


def test_an_endpoints_escape_sequences_never_reach_the_operators_terminal(daemon, receiver):
    # An error page that would retitle the terminal, clear it and forge a line of output.
    hostile = b"denied\x1b]0;owned\x07\x1b[2J\r\nherald: all sent\xc2\x9b31m"
    receiver.script["/hostile"] = [(400, {}, hostile)]
    reply = enqueue(daemon, receiver.url("/hostile"))
    body = daemon.wait_for_states(reply["id"], {"failed"})
    error = body["deliveries"][0]["last_error"]
    assert "denied" in error and "owned" in error                       # what it said stays readable
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in error), repr(error)
    shown = daemon.cli("status", reply["id"])
    assert shown.returncode == 0 and "denied" in shown.stdout
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in shown.stdout), repr(shown.stdout)


def test_client_errors_fail_permanently_after_one_attempt(daemon, receiver):
    receiver.script["/bad"] = [(400, {}, b'{"error":"unknown customer"}')]
    reply = enqueue(daemon, receiver.url("/bad"))
    body = daemon.wait_for_states(reply["id"], {"failed"})
    d = body["deliveries"][0]
    assert d["attempt_count"] == 1
    assert d["last_error"].startswith("HTTP 400") and "unknown customer" in d["last_error"]


def test_retries_end_dead_with_the_last_error(make_daemon, receiver):
    daemon = make_daemon(herald_toml="").start()
    receiver.script["/down"] = [(502, {}, b"bad gateway")] * 10
    reply = enqueue(daemon, receiver.url("/down"))
    body = daemon.wait_for_states(reply["id"], {"dead"}, timeout=30)
    d = body["deliveries"][0]
    assert d["attempt_count"] == 5        # max_attempts in the test config
    assert "HTTP 502" in d["last_error"] and "gave up after 5 attempts" in d["last_error"]
    assert body["events"][-1]["type"] == "dead"


def test_timeouts_and_refused_connections_are_retried(daemon, receiver):
    receiver.delay["/slow"] = 3.0  # longer than the 2 s channel timeout
    slow = enqueue(daemon, receiver.url("/slow"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    refused = enqueue(daemon, f"http://127.0.0.1:{closed_port}/nobody")
    body = daemon.wait_for_states(refused["id"], {"retrying", "dead"}, timeout=15)
    assert "connect" in body["deliveries"][0]["last_error"].lower()
    body = daemon.wait_for_states(slow["id"], {"retrying", "dead"}, timeout=15)
    assert "timeout" in body["deliveries"][0]["last_error"].lower() or "timed out" in body["deliveries"][0]["last_error"].lower()


def test_expired_messages_stop_retrying(daemon, receiver):
    receiver.script["/later"] = [(503, {"Retry-After": "30"}, b"")]
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    reply = enqueue(daemon, receiver.url("/later"), expires_at=expires)
    body = daemon.wait_for_states(reply["id"], {"expired"}, timeout=15)
    assert [e["type"] for e in body["events"]] == ["queued", "retrying", "expired"]


def test_private_addresses_are_refused_unless_allowed(make_daemon, receiver):
    daemon = make_daemon(webhook_toml="").start()
    # A second channel without allow_private_networks: loopback receivers are refused (SSRF guard).
    strict = make_daemon(webhook_toml="")
    (strict.folder / "channels" / "webhook.toml").write_text(
        'kind = "webhook"\nsecret = "file:secrets/webhook.secret"\ntimeout = "2s"\n')
    strict.start()
    reply = enqueue(strict, receiver.url("/private"))
    body = strict.wait_for_states(reply["id"], {"failed"})
    assert "non-public address (127.0.0.1)" in body["deliveries"][0]["last_error"]
    assert receiver.received == []
    ok = enqueue(daemon, receiver.url("/allowed"))
    daemon.wait_for_states(ok["id"], {"sent"})
