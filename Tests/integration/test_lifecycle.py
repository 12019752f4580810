"""Process lifecycle: graceful SIGTERM drain, kill -9 without losing an accepted message, CLI."""

import collections
import signal
import subprocess


def test_sigterm_drains_in_flight_and_releases_the_rest(make_daemon, receiver):
    daemon = make_daemon(webhook_toml="concurrency = 2\n").start()
    receiver.delay["/slow"] = 1.0
    status, _, reply = daemon.request(
        "POST", "/v1/messages/batch", {"messages": [{"to": {"webhook": receiver.url("/slow")}, "text": f"m{i}"} for i in range(10)]})
    assert status == 202
    ids = [r["id"] for r in reply["results"]]
    # Two attempts are in flight once the receiver holds them; then ask for shutdown.
    assert receiver.wait_for(lambda r: len(r.received) >= 1, 10)
    assert daemon.stop(signal.SIGTERM) == 0
    log = daemon.log()
    assert "dispatcher stopped" in log
    # Read the database with the daemon down (the CLI reads it directly).
    import json
    states = collections.Counter()
    for message_id in ids:
        result = daemon.cli("status", message_id, "--json")
        assert result.returncode == 0, result.stderr
        states[json.loads(result.stdout)["deliveries"][0]["status"]] += 1
    # In-flight attempts finished and were recorded; unstarted ones went back to the queue;
    # nothing is left leased ("sending").
    assert states["sending"] == 0 and states["sent"] >= 1 and states["queued"] >= 1, states
    assert states["sent"] + states["queued"] == 10, states
    daemon2 = daemon.start()
    # After the restart the rest is delivered.
    for message_id in ids:
        daemon2.wait_for_states(message_id, {"sent"}, timeout=30)
    assert len(set(receiver.accepted_ids())) == 10


def test_kill_9_loses_no_accepted_message(make_daemon, receiver):
    daemon = make_daemon(herald_toml="", webhook_toml="concurrency = 8\n").start()
    accepted = []
    for batch in range(3):
        messages = [{"to": {"webhook": receiver.url("/crash")}, "text": f"{batch}-{i}"} for i in range(1000)]
        status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
        assert status == 202
        accepted += [r["deliveries"][0]["id"] for r in reply["results"]]
    # Kill while draining: some delivered, most not.
    assert receiver.wait_for(lambda r: len(r.received) >= 300, 30)
    daemon.kill9()
    before = len(set(receiver.accepted_ids()))
    assert before < len(accepted), "drain finished before the kill; the test proves nothing"
    daemon.start()   # same database, leases of the killed process are taken over after they expire
    assert receiver.wait_for(lambda r: set(accepted) <= set(r.accepted_ids()), 90), \
        f"missing {len(set(accepted) - set(receiver.accepted_ids()))}"
    counts = collections.Counter(receiver.accepted_ids())
    duplicates = sum(n - 1 for n in counts.values())
    # Duplicates only for attempts the killed process made and had not yet recorded: at most its
    # claimed-but-unrecorded deliveries (its local queue, 64 per worker) and the 8 in flight; every
    # one carries the same webhook-id, so receivers can drop them.
    assert duplicates <= 8 * 64 + 8, duplicates
    assert set(counts) == set(accepted)
    print(f"kill -9 test: accepted={len(accepted)} delivered_before_kill={before} duplicates={duplicates}")


def test_cli_send_status_and_exit_codes(make_daemon, receiver):
    daemon = make_daemon()
    result = daemon.cli("migrate")
    assert result.returncode == 0, result.stderr
    result = daemon.cli("send", "--to", f"webhook={receiver.url('/cli')}", "--subject", "Kickoff", "--text", "hi",
                        "--data", '{"first_name": "Li"}', "--json")
    assert result.returncode == 0, result.stderr
    import json
    reply = json.loads(result.stdout)
    daemon.start()
    assert receiver.wait_for(lambda r: reply["deliveries"][0]["id"] in r.accepted_ids(), 15)
    daemon.wait_for_states(reply["id"], {"sent"})
    status = daemon.cli("status", reply["id"])
    assert status.returncode == 0 and "sent" in status.stdout and reply["deliveries"][0]["id"] in status.stdout
    status_json = json.loads(daemon.cli("status", reply["id"], "--json").stdout)
    assert status_json["deliveries"][0]["status"] == "sent"

    bad = daemon.cli("send", "--to", "webhook=ftp://x", "--text", "hi")
    assert bad.returncode == 65 and "to.webhook" in bad.stderr
    missing = daemon.cli("status", "msg_01M83X2R1TMR0GTVHXTN2Y01HK")
    assert missing.returncode == 1 and "no message" in missing.stderr
    usage = daemon.cli("status", "nonsense")
    assert usage.returncode == 64

    ok = daemon.cli("check-config", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["channels"][0]["name"] == "webhook"
    (daemon.folder / "herald.toml").write_text('[dispatch]\nlease = "soon"\nbogus = 1\n')
    broken = daemon.cli("check-config")
    assert broken.returncode == 78
    assert "herald.toml:2: [dispatch] lease" in broken.stderr and "herald.toml:3: [dispatch] bogus: unknown key" in broken.stderr


def test_the_daemon_opens_sqlite_without_memory_statistics(make_daemon, receiver):
    """SQLite's memory statistics (a process-wide lock on every allocation) are off in the daemon:
    the store applies the setting before the first connection, and reports what SQLite then does."""
    daemon = make_daemon().start(log_level="debug")
    status = daemon.request("POST", "/v1/messages", {"to": {"webhook": receiver.url("/memstat")}, "text": "hi"})[0]
    assert status == 202
    opened = [line for line in daemon.log().splitlines() if "database opened" in line]
    assert opened, daemon.log()
    assert "memory_statistics=off" in opened[0], opened[0]
    assert "sqlite=3." in opened[0], opened[0]
