"""Backups taken under load restore to an intact database holding every acknowledged message;
restores and second daemons are refused while a daemon serves the file."""

import sqlite3
import threading


def test_backup_under_load_and_restore(make_daemon, tmp_path):
    daemon = make_daemon(webhook_toml="").start()
    acknowledged = []
    stop = threading.Event()

    def load():
        i = 0
        while not stop.is_set():
            status, _, reply = daemon.request("POST", "/v1/messages", {
                "to": {"webhook": "https://crm.example.com/hooks/herald"}, "text": f"m{i}",
                "send_at": "2099-01-01T00:00:00Z"})
            if status == 202:
                acknowledged.append(reply["id"])
            i += 1

    writer = threading.Thread(target=load)
    writer.start()
    try:
        while len(acknowledged) < 200:
            threading.Event().wait(0.02)
        before = list(acknowledged)
        result = daemon.cli("backup", str(tmp_path / "herald-backup.db"), "--json")
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert '"integrity":"ok"' in result.stdout
    backup = sqlite3.connect(tmp_path / "herald-backup.db")
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in backup.execute("SELECT id FROM messages")}
    backup.close()
    assert set(before) <= stored                      # everything acknowledged before the backup began
    assert daemon.cli("backup", str(tmp_path / "herald-backup.db")).returncode == 73   # never overwrites

    # While the daemon serves the file: restore and a second daemon are refused.
    refused = daemon.cli("restore", str(tmp_path / "herald-backup.db"))
    assert refused.returncode == 75 and "stop it first" in refused.stderr
    import subprocess
    from conftest import HERALD
    second = subprocess.run([HERALD, "serve", "--config", str(daemon.folder / "herald.toml")],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 69 and "another herald is serving" in second.stderr

    # Stopped: restore, start again, and the backup's messages are there.
    assert daemon.stop() == 0
    restored = daemon.cli("restore", str(tmp_path / "herald-backup.db"))
    assert restored.returncode == 0, restored.stderr
    daemon.start()
    assert daemon.request("GET", f"/v1/messages/{before[0]}")[0] == 200
    assert daemon.request("GET", f"/v1/messages/{acknowledged[-1]}")[0] in (200, 404)   # later ones may be absent


def test_restore_refuses_a_damaged_file(make_daemon, tmp_path):
    daemon = make_daemon()
    (tmp_path / "junk.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = daemon.cli("restore", str(tmp_path / "junk.db"))
    assert result.returncode != 0 and result.stderr


def test_retention_purges_old_events_and_attempts_but_keeps_messages(make_daemon, receiver):
    daemon = make_daemon(herald_toml='[retention]\nhistory = "2s"\ninterval = "200ms"\nbatch = 2\n').start()
    ids = []
    for i in range(3):
        status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"webhook": receiver.url()}, "text": f"m{i}"})
        ids.append(reply["id"])
    for message_id in ids:
        body = daemon.wait_for_states(message_id, {"sent"})
        assert body["events"] and body["deliveries"][0]["attempts"]
    import time
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        bodies = [daemon.message(m) for m in ids]
        # What is left is the `queued` event, derived from the message and delivery rows (kept).
        if all([e["type"] for e in b["events"]] == ["queued"] and not b["deliveries"][0]["attempts"] for b in bodies):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("history was not purged")
    assert all(b["deliveries"][0]["status"] == "sent" for b in bodies)      # state is kept
    assert "retention purged history" in daemon.log()


def test_backup_and_restore_give_an_older_file_large_pages(make_daemon, tmp_path):
    """A database from before 16 KiB pages keeps 4 KiB pages while served; a backup is written
    with the new page size, so restoring it converts the file."""
    daemon = make_daemon(webhook_toml="").start()
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"webhook": "https://crm.example.com/hooks/herald"}, "text": "kept", "send_at": "2099-01-01T00:00:00Z"})
    assert status == 202
    assert daemon.stop() == 0
    db = daemon.folder / "var" / "herald.db"
    older = sqlite3.connect(db, isolation_level=None)     # rewrite it as an older Herald left it
    older.execute("PRAGMA journal_mode=DELETE")
    older.execute("PRAGMA page_size=4096")
    older.execute("VACUUM")
    older.execute("PRAGMA journal_mode=WAL")
    assert older.execute("PRAGMA page_size").fetchone()[0] == 4096
    older.close()

    daemon.start()                                      # served as it is
    assert daemon.request("GET", f"/v1/messages/{reply['id']}")[0] == 200
    result = daemon.cli("backup", str(tmp_path / "converted.db"))
    assert result.returncode == 0, result.stderr
    assert daemon.stop() == 0
    served = sqlite3.connect(db)
    assert served.execute("PRAGMA page_size").fetchone()[0] == 4096
    served.close()
    assert daemon.cli("restore", str(tmp_path / "converted.db")).returncode == 0
    daemon.start()
    assert daemon.request("GET", f"/v1/messages/{reply['id']}")[0] == 200
    assert daemon.stop() == 0
    restored = sqlite3.connect(db)
    assert restored.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    restored.close()
