"""Several real herald processes on one real PostgreSQL database (the server scripts/test starts):
they share the queue without sending anything twice, a robot's rate limit holds across them, a
kill -9 of one loses nothing, new work wakes the others through LISTEN/NOTIFY, an SMS number's
limit holds across them, and they reach the server over verified TLS."""

import os
import shutil
import subprocess
import time

import pytest

from conftest import HERALD
from bot_fakes import BotFakes
from test_metrics import scrape, value

SHARED_KEY = "tk-shared-" + "ab" * 16      # instances behind one load balancer sign links alike


def instances(make_daemon, url, count, **kwargs):
    return [make_daemon(database_url=url, tracking_key=SHARED_KEY, **kwargs).start() for _ in range(count)]


def batch(daemon, messages):
    status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
    assert status == 202, reply
    assert all(r["status"] == 202 for r in reply["results"]), reply
    return [r["id"] for r in reply["results"]]


def test_three_instances_share_the_queue_and_send_each_delivery_once(make_daemon, postgres_database, receiver):
    daemons = instances(make_daemon, postgres_database, 3)
    total = 3_000
    # Enqueued through all three, as a load balancer would spread them.
    for n in range(0, total, 500):
        batch(daemons[(n // 500) % 3], [{"to": {"webhook": receiver.url()}, "text": f"m{n + i}"} for i in range(500)])
    assert receiver.wait_for(lambda r: len(set(r.accepted_ids())) >= total, 120), len(set(receiver.accepted_ids()))
    ids = receiver.accepted_ids()
    assert len(ids) == total, f"{len(ids) - len(set(ids))} deliveries were sent twice"
    # Every instance took a share, and the counters of all three add up to what arrived.
    sent = [value(scrape(d), "herald_deliveries_total", channel="webhook", outcome="sent") for d in daemons]
    assert sum(sent) == total and all(n > 0 for n in sent), sent
    # One instance answers for messages another accepted (once their results are committed: the
    # counters and the receiver see a send before the recorder's transaction does).
    status, _, page = daemons[2].request("GET", "/v1/messages?limit=5")
    assert status == 200 and len(page["items"]) == 5
    for m in page["items"]:
        daemons[2].wait_for_states(m["id"], {"sent"})


def test_a_robots_limit_holds_across_instances(make_daemon, postgres_database):
    limit, window = 20, 6
    fakes = BotFakes(limit=limit, window=window)
    try:
        fakes.add("dt-shared", "dingtalk")
        channel = (f'kind = "dingtalk"\nbase_url = "{fakes.base_url("dingtalk")}"\nrate_limit = {limit}\n'
                   f'rate_window = "{window}s"\nrate_limited_pause = "1500ms"\ntimeout = "2s"\nconcurrency = 4\n')
        daemons = instances(make_daemon, postgres_database, 2, extra_channels={"dingtalk": channel})
        for n, d in enumerate(daemons):
            batch(d, [{"to": {"dingtalk": "dt-shared"}, "text": f"instance {n} message {i}"} for i in range(30)])
        arrivals = [t for t, _ in fakes.wait_for("dt-shared", 60, timeout=60)]
        # The platform fake refuses a 21st send within any 6 s: it never had to.
        assert not fakes.rate_errors().get("dt-shared"), fakes.rate_errors()
        for i in range(len(arrivals) - limit):
            assert arrivals[i + limit] - arrivals[i] >= window - 0.05, f"send {i + limit} came too soon"
        # And the allowance was used: 60 sends fit in three windows (plus the time sending takes).
        assert arrivals[-1] - arrivals[0] < 3 * window + 3
        waited = sum(value(scrape(d), "herald_rate_limit_waits_total", channel="dingtalk") for d in daemons)
        assert waited > 0
    finally:
        fakes.stop()


def test_kill_9_of_one_instance_loses_nothing(make_daemon, postgres_database, receiver):
    # A channel with short attempts and small local queues, so leases are short (10 s).
    slow = ('kind = "webhook"\nsecret = "file:secrets/webhook.secret"\nallow_private_networks = true\n'
            'timeout = "1s"\nconnect_timeout = "1s"\nconcurrency = 2\n')
    daemons = instances(
        make_daemon, postgres_database, 2, extra_channels={"crm": slow},
        dispatch_toml='poll_interval = "200ms"\nlease = "10s"\ndrain_timeout = "10s"\nclaim_batch = 16\n')
    receiver.delay["/slow"] = 0.02
    total = 400
    message_ids = batch(daemons[0], [{"to": {"crm": receiver.url("/slow")}, "text": f"k{i}"} for i in range(total)])
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) >= 60, 60)
    daemons[0].kill9()
    # The survivor finishes everything, the victim's leased work after its leases ran out.
    assert receiver.wait_for(lambda r: len(set(r.accepted_ids())) >= total, 90), len(set(receiver.accepted_ids()))
    reclaimed = 0
    for message_id in message_ids:
        detail = daemons[1].wait_for_states(message_id, {"sent"}, timeout=30)
        reclaimed += any(e["type"] == "reclaimed" for e in detail["events"])
    assert reclaimed > 0, "the victim held leases when it died; the survivor took them over"
    ids = receiver.accepted_ids()
    # At-least-once: only what the victim had sent and not yet recorded may have gone twice: at most
    # its local queue (2 workers × 64) in principle, a few with this slow receiver (16 allowed).
    assert len(ids) - len(set(ids)) <= 16
    status, _, page = daemons[1].request("GET", "/v1/messages?status=sending&limit=10")
    assert status == 200 and page["items"] == []


def test_work_enqueued_elsewhere_wakes_an_idle_instance_at_once(make_daemon, postgres_database, receiver):
    # Polling every 30 s: only the NOTIFY can make it prompt.
    daemon = instances(make_daemon, postgres_database, 1,
                       dispatch_toml='poll_interval = "30s"\nlease = "10s"\ndrain_timeout = "10s"\n')[0]
    # Let its first look at the queue pass (nothing is due) so that it sleeps on its 30 s poll: no
    # signal says "idle"; a send that came earlier would be found by that look and prove nothing.
    time.sleep(0.5)
    started = time.monotonic()
    result = daemon.cli("send", "--to", f"webhook={receiver.url()}", "--text", "from the shell", "--json")
    assert result.returncode == 0, result.stderr
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 10)
    assert time.monotonic() - started < 5, "woken by the notification, not by the 30 s poll"


def test_sqlite_settings_are_refused_with_a_postgres_url(tmp_path, postgres_database):
    from conftest import HERALD
    import subprocess
    config = tmp_path / "herald.toml"
    config.write_text(f'[database]\npath = "var/herald.db"\nurl = "{postgres_database}"\n')
    result = subprocess.run([HERALD, "check-config", "--config", str(config)], capture_output=True, text=True)
    assert result.returncode == 78 and "either path (SQLite) or url (PostgreSQL)" in result.stderr
    config.write_text('database = "mysql://x@127.0.0.1/herald"\n')
    result = subprocess.run([HERALD, "check-config", "--config", str(config)], capture_output=True, text=True)
    assert result.returncode == 78 and "postgres://" in result.stderr


def test_export_from_sqlite_and_import_into_postgres_keeps_everything(make_daemon, postgres_database, receiver, tmp_path):
    import json
    from test_routing import client_body
    tiers = '[tiers.strategic]\nchannels = ["webhook"]\n[events]\nallow_private_networks = true\n'
    old = make_daemon(herald_toml=tiers).start()
    assert old.request("PUT", "/v1/clients/xinghe", client_body(receiver))[0] in (200, 201)
    status, _, sub = old.request("POST", "/v1/subscriptions", {
        "name": "crm", "url": receiver.url("/events"), "types": ["delivery.sent"]})
    assert status == 201, sub
    ids = [i for start in (0, 600) for i in batch(old, [
        {"to": {"webhook": receiver.url()}, "text": f"move {n}", "client_id": "xinghe", "idempotency_key": f"move-{n}"}
        for n in range(start, start + 600)])]
    assert receiver.wait_for(lambda r: len(set(r.accepted_ids())) >= 1_200, 60)
    for message_id in ids[::100]:
        old.wait_for_states(message_id, {"sent"})
    pending = batch(old, [{"to": {"webhook": receiver.url()}, "text": "later", "send_at": "2099-01-01T00:00:00Z"}])[0]
    export = tmp_path / "herald.jsonl"
    refused = old.cli("export", str(export))
    assert refused.returncode == 75 and "stop it first" in refused.stderr and not export.exists()
    assert old.stop() == 0
    before = {m: old.cli("status", m, "--json").stdout for m in (ids[0], ids[-1], pending)}

    result = old.cli("export", str(export), "--json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)["counts"]
    assert counts["messages"] == 1_201 and counts["clients"] == 1 and counts["subscriptions"] == 1
    # A `sent` row per delivery; each delivery's `queued` event is derived from its rows, not stored.
    assert counts["api_tokens"] == 1 and counts["events"] >= 1_200

    new = make_daemon(database_url=postgres_database, herald_toml=tiers)
    imported = new.cli("import", str(export), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["counts"] == counts
    again = new.cli("import", str(export))
    assert again.returncode == 73 and "not empty" in again.stderr          # never merged into data
    # Same rows, read back through the other backend (the CLI prints the same detail).
    for message_id, text in before.items():
        assert new.cli("status", message_id, "--json").stdout == text
    # The old token works against the new database, the idempotency keys still hold, and the
    # scheduled message is still scheduled.
    new._token = old.admin_token()
    new.start()
    status, headers, reply = new.request("POST", "/v1/messages", {
        "to": {"webhook": receiver.url()}, "text": "move 5", "client_id": "xinghe", "idempotency_key": "move-5"})
    assert status == 202 and headers.get("Idempotent-Replayed") == "true" and reply["id"] == ids[5], reply
    assert new.message(pending)["deliveries"][0]["status"] == "scheduled"


def test_import_refuses_a_cut_off_or_foreign_file(make_daemon, postgres_database, tmp_path):
    new = make_daemon(database_url=postgres_database)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\n')
    result = new.cli("import", str(bad))
    assert result.returncode == 65 and "not a herald export" in result.stderr
    bad.write_text('{"format":"herald-export","version":1}\n{"table":"messages","row":{"id":5}}\n')
    result = new.cli("import", str(bad))
    assert result.returncode == 65 and "bad.jsonl:2: messages.id: expected text" in result.stderr
    bad.write_text('{"format":"herald-export","version":1}\n'
                   '{"table":"clients","row":{"id":"c1","name":"C","tier":"smb","created_at":1,"updated_at":1}}\n')
    result = new.cli("import", str(bad))
    assert result.returncode == 65 and "cut off" in result.stderr
    assert new.cli("import", str(tmp_path / "missing.jsonl")).returncode == 66


def tls_url(database, ca, host="localhost"):
    return database.replace("127.0.0.1", host) + f"?sslmode=verify-full&sslrootcert={ca}"


def herald_connections(database):
    """(connections, all encrypted) of herald's sessions on `database`, as the server sees them."""
    base = os.environ["HERALD_TEST_POSTGRES_URL"]
    name = database.rsplit("/", 1)[1]
    result = subprocess.run(
        ["psql", base, "-Atc", "SELECT count(*), coalesce(bool_and(s.ssl), false) FROM pg_stat_ssl s "
                               f"JOIN pg_stat_activity a USING (pid) WHERE a.datname = '{name}' AND a.application_name = 'herald'"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    count, encrypted = result.stdout.strip().split("|")
    return int(count), encrypted == "t"


def test_instances_reach_postgres_over_verified_tls(make_daemon, postgres_database, receiver, tmp_path):
    tls = os.environ.get("HERALD_TEST_POSTGRES_TLS")
    assert tls, "HERALD_TEST_POSTGRES_TLS is not set: run the suite with scripts/test (it starts PostgreSQL with --tls)"
    # A relative sslrootcert resolves against the config file's folder, like every path in it.
    daemon = make_daemon(database_url=tls_url(postgres_database, "pg-ca.crt"))
    shutil.copy(f"{tls}/ca.crt", daemon.folder / "pg-ca.crt")
    daemon.start()
    batch(daemon, [{"to": {"webhook": receiver.url()}, "text": f"over tls {i}"} for i in range(20)])
    assert receiver.wait_for(lambda r: len(set(r.accepted_ids())) >= 20, 30)
    count, encrypted = herald_connections(postgres_database)
    assert count >= 1 and encrypted, (count, encrypted)
    daemon.stop()

    # A server whose certificate the configured authority did not sign is refused at start-up,
    # at once and saying why, instead of after the connection pool's quiet retries.
    config = tmp_path / "wrong-ca.toml"
    config.write_text(f'[database]\nurl = "{tls_url(postgres_database, tls + "/other-ca.crt")}"\n')
    started = time.monotonic()
    result = subprocess.run([HERALD, "serve", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 69, (result.returncode, result.stderr)
    assert "cannot connect to PostgreSQL" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr, result.stderr
    assert time.monotonic() - started < 15
    # And sslmode=disable really talks in the clear (the server offers TLS).
    plain = make_daemon(database_url=postgres_database + "?sslmode=disable").start()
    plain.request("GET", "/v1/messages?limit=1")
    count, encrypted = herald_connections(postgres_database)
    assert count >= 1 and not encrypted


def test_texts_to_one_number_keep_their_limit_across_instances(make_daemon, postgres_database, tmp_path):
    from sms_fakes import SMSFakes
    from test_sms import assert_window_holds, limited_channel
    limit, window = 3, 4
    fakes = SMSFakes(number_limit=(limit, window))
    try:
        channel = limited_channel(fakes, tmp_path, limit, window)
        daemons = instances(make_daemon, postgres_database, 2, extra_channels=channel)
        number = "+8613800138000"
        for n, d in enumerate(daemons):
            batch(d, [{"to": {"sms": number}, "text": f"instance {n} text {i}"} for i in range(5)])
        arrivals = fakes.wait_for_texts(10, timeout=40)
        # The provider refuses a fourth text within 4 s: two instances together never caused one.
        assert fakes.limit_refusals == [], fakes.limit_refusals
        assert len(arrivals[number]) == 10
        assert_window_holds(arrivals[number], limit, window)
        waited = sum(value(scrape(d), "herald_rate_limit_waits_total", channel="sms") for d in daemons)
        assert waited > 0
    finally:
        fakes.stop()
