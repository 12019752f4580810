"""The CI-sized chaos run (scripts/chaos does 20 kills): kill -9 at random moments under load,
restart each time; nothing accepted is lost, nothing foreign arrives, duplicates stay bounded."""

import random

import chaos


def test_kill_9_under_load_loses_nothing(make_daemon, receiver):
    daemon = make_daemon(webhook_toml="concurrency = 8\n").start()
    receiver.delay["/chaos"] = 0.005                   # attempts are in flight when the kill comes
    result = chaos.run(daemon, receiver, kills=5, rng=random.Random(20261123))
    print("chaos:", result)
    assert result["lost"] == 0 and result["accepted"] > 100, result
