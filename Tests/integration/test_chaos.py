"""The CI-sized chaos run (scripts/chaos does 20 kills): kill -9 at random moments under load while
the receiver fails a fifth of its answers (500, 429), restart each time; nothing accepted is lost,
nothing foreign arrives, duplicates stay bounded."""

import random

import chaos


def test_kill_9_under_load_loses_nothing(make_daemon, receiver):
    daemon = make_daemon(webhook_toml="concurrency = 8\n", retry_toml=chaos.RETRY_TOML).start()
    receiver.delay["/chaos"] = 0.005                   # attempts are in flight when the kill comes
    result = chaos.run(daemon, receiver, kills=5, rng=random.Random(20261123), faults=0.2)
    print("chaos:", result)
    assert result["lost"] == 0 and result["accepted"] > 100 and result["faults_injected"] > 50, result
