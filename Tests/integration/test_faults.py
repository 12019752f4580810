"""Endpoints that misbehave below HTTP: connection resets, replies that are not HTTP, a TLS
handshake answered with junk. Each message ends delivered or dead with the reason; the backoff
between attempts is visible in their timestamps."""

from datetime import datetime

from fault_server import FaultServer


def started(attempt):
    return datetime.fromisoformat(attempt["started_at"].replace("Z", "+00:00")).timestamp()


def test_resets_and_garbage_are_retried_until_delivered(daemon):
    server = FaultServer(["reset", "garbage", "reset"])
    try:
        status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"webhook": server.url()}, "text": "hi"})
        assert status == 202
        body = daemon.wait_for_states(reply["id"], {"sent"}, timeout=30)
        attempts = body["deliveries"][0]["attempts"]
        assert [a["outcome"] for a in attempts] == ["retry", "retry", "retry", "sent"], attempts
        assert all(a["error"] for a in attempts[:3]) and attempts[3]["status_code"] == 204
        assert "receiving data" in attempts[0]["error"] and "receiving data" in attempts[2]["error"]   # the resets
        assert "not a valid response" in attempts[1]["error"], attempts[1]                           # the junk
        gaps = [started(b) - started(a) for a, b in zip(attempts, attempts[1:])]
        assert all(g >= 0.09 for g in gaps), gaps                 # backoff (base 200 ms, equal jitter ≥ 100 ms)
        assert server.seen[:4] == ["reset", "garbage", "reset", "ok"]
    finally:
        server.stop()


def test_a_broken_tls_handshake_ends_dead_with_the_reason(daemon):
    server = FaultServer(["tls-garbage"] * 20)
    try:
        status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"webhook": server.url("https")}, "text": "hi"})
        assert status == 202
        body = daemon.wait_for_states(reply["id"], {"dead", "failed"}, timeout=60)
        delivery = body["deliveries"][0]
        assert delivery["status"] == "dead" and delivery["attempt_count"] == 5, delivery   # [retry] max_attempts = 5
        assert any(word in delivery["last_error"].lower() for word in ("ssl", "tls", "handshake")), delivery["last_error"]
        assert daemon.request("GET", "/readyz", token=None)[0] == 200
    finally:
        server.stop()
