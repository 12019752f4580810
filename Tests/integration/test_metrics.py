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
