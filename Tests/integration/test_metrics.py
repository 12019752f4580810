"""GET /metrics through the real daemon, read with the independent `prometheus_client` text parser:
the counters and histograms move with real deliveries (one of which the receiver fails once), and
the queue-depth gauges agree with the API."""

import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from test_delivery import enqueue


def scrape(daemon):
    with urllib.request.urlopen(daemon.base + "/metrics", timeout=10) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
        text = r.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_deliveries_attempts_and_queue_depth(daemon, receiver):
    before = scrape(daemon)
    assert value(before, "herald_messages_enqueued_total") == 0
    receiver.script["/hook"] = [(500, {}, b"busy")]                       # the first attempt fails once
    started = time.monotonic()
    ids = [enqueue(daemon, receiver.url())["id"] for _ in range(3)]
    for message_id in ids:
        daemon.wait_for_states(message_id, {"sent"})
    elapsed = time.monotonic() - started

    samples = scrape(daemon)
    assert value(samples, "herald_messages_enqueued_total") == 3
    assert value(samples, "herald_deliveries_total", channel="webhook", outcome="sent") == 3
    assert value(samples, "herald_deliveries_total", channel="webhook", outcome="retrying") == 1
    # Attempt latency is a histogram: four attempts, and every one within the largest bucket.
    assert value(samples, "herald_attempt_duration_seconds_count", channel="webhook") == 4
    assert value(samples, "herald_attempt_duration_seconds_bucket", channel="webhook", le="+Inf") == 4
    # In seconds, at sub-millisecond resolution: loopback attempts take well under a millisecond
    # each, and the four of them cannot have taken longer than the test waited for them.
    assert 0 < value(samples, "herald_attempt_duration_seconds_sum", channel="webhook") < elapsed
    assert value(samples, "herald_queue_depth", state="sent") == 3
    assert value(samples, "herald_queue_depth", state="queued") == 0
    # /metrics is public (like /healthz) and carries no addresses or content.
    with urllib.request.urlopen(daemon.base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    assert receiver.url() not in text and "Renewal" not in text


def test_claims_take_work_in_large_batches(daemon, receiver):
    """2,000 deliveries due at once drain through claims of at least a quarter of the channel's
    local capacity (8 connections × 64 = 512, so 128), not one small claim per recorded batch: a
    claim is a write transaction with its own commit, and the counters show their average size."""
    total = 2_000
    due = time.time() + 2
    send_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(due)) + f".{int((due % 1) * 1000):03d}Z"
    for offset in range(0, total, 1_000):
        status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": [
            {"to": {"webhook": receiver.url()}, "subject": "Renewal", "text": "n={{n}}", "data": {"n": offset + i},
             "send_at": send_at} for i in range(1_000)]})
        assert status == 202 and reply["accepted"] == 1_000, reply
    assert time.time() < due, "the enqueue took longer than the scheduled start; the drain would not start at once"
    deadline = time.monotonic() + 120
    while value(samples := scrape(daemon), "herald_deliveries_total", channel="webhook", outcome="sent") < total:
        assert time.monotonic() < deadline, "the drain did not finish"
        time.sleep(0.1)
    # A retry (the loopback receiver may drop a connection under this load) is claimed again.
    retries = value(samples, "herald_deliveries_total", channel="webhook", outcome="retrying")
    assert value(samples, "herald_claimed_deliveries_total", channel="webhook") == total + retries
    claims = value(samples, "herald_claims_total", channel="webhook")
    # Every claim but the last takes at least 128 (or all that is due): at most ⌈2000/128⌉ + 1,
    # and a retry, due later than the rest, may take a claim of its own.
    assert 1 <= claims <= 17 + retries, (claims, retries)
    assert len(receiver.accepted_ids()) == total


def test_token_gauges_warn_before_a_token_expires(daemon):
    """An operator alerts on herald_api_tokens_expiring{within="7d"} > 0; names stay out of /metrics."""
    daemon.admin_token()                                                  # the fixture's admin token: no expiry
    for name, expires in (("soon", "3d"), ("later", "20d"), ("far", "400d")):
        assert daemon.cli("token", "create", "--name", name, "--scope", "read", "--expires", expires).returncode == 0
    assert daemon.cli("token", "create", "--name", "gone", "--scope", "read").returncode == 0
    assert daemon.cli("token", "revoke", "gone").returncode == 0
    samples = scrape(daemon)
    assert value(samples, "herald_api_tokens_expiring", within="7d") == 1
    assert value(samples, "herald_api_tokens_expiring", within="30d") == 2
    assert value(samples, "herald_api_tokens", status="active") == 4
    assert value(samples, "herald_api_tokens", status="revoked") == 1
    # Rotating the expiring token gives the new secret the same 3-day lifetime (still a warning);
    # with no grace the retired secret is expired at once.
    assert daemon.cli("token", "rotate", "soon", "--grace", "0s").returncode == 0
    samples = scrape(daemon)
    assert value(samples, "herald_api_tokens", status="expired") == 1
    assert value(samples, "herald_api_tokens_expiring", within="7d") == 1
    with urllib.request.urlopen(daemon.base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    assert "soon" not in text and "later" not in text
