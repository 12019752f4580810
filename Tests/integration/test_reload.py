"""Reload (SIGHUP, `herald reload`, POST /v1/admin/reload) through the real daemon: a broken template
is refused with its file named while delivery goes on; a good one is picked up without dropping
in-flight work (every message delivered exactly once); systemd hears RELOADING=1 then READY=1."""

import shutil
import signal
import time
from pathlib import Path

from test_delivery import enqueue
from test_systemd import NotifySocket

ROOT = Path(__file__).resolve().parents[2]
PROBE = {"to": {"webhook": None}, "template": "reload-probe", "data": {"name": "Li"}}


def statuses(notify):
    with notify.cond:
        return [line for _, lines in notify.messages for line in lines if line.startswith("STATUS=")]


def wait_until(predicate, timeout=20.0, what=""):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_broken_template_refused_good_one_picked_up_without_dropping_work(make_daemon, receiver, tmp_path):
    daemon = make_daemon(herald_toml='[templates]\ndir = "templates"\n')
    templates = daemon.folder / "templates"
    shutil.copytree(ROOT / "templates", templates)
    notify = NotifySocket(tmp_path / "notify.sock")
    try:
        daemon.start(env={"NOTIFY_SOCKET": notify.path})
        assert notify.wait_for("READY=1")
        receiver.delay["/hook"] = 0.2                          # attempts are in flight while reloading
        probe = {**PROBE, "to": {"webhook": receiver.url()}}
        # A webhook gets a template's rendering when the template exists, else its name and data only.
        status, _, before = daemon.request("POST", "/v1/messages", probe)
        assert status == 202, before

        ids = [before["id"]] + [enqueue(daemon, receiver.url())["id"] for _ in range(6)]
        # A broken template: the reload is refused, naming the file; the old templates keep serving.
        welcome = templates / "welcome" / "email.en.mustache"
        good = welcome.read_text()
        welcome.write_text("---\nsubject: Hi\n---\n{{#steps}}never closed\n")
        daemon.process.send_signal(signal.SIGHUP)
        wait_until(lambda: any("reload refused" in s for s in statuses(notify)), what=statuses(notify))
        assert "welcome/email.en" in daemon.log() and "reload refused" in daemon.log()
        # file:line:column where the parser noticed, counted in the file (the body starts on line 4,
        # after the front matter; an unclosed section is noticed at the end, line 5), in words.
        assert "welcome/email.en.mustache:5:1: the body" in daemon.log() and "is never closed" in daemon.log()
        with notify.cond:
            lines = [line for _, m in notify.messages for line in m]
        assert "RELOADING=1" in lines and any(line.startswith("MONOTONIC_USEC=") for line in lines)
        ids += [enqueue(daemon, receiver.url())["id"] for _ in range(3)]       # still taking and delivering
        assert daemon.request("GET", "/readyz", token=None)[0] == 200

        # Fixed, plus a new template: `herald reload` checks it and signals the daemon.
        welcome.write_text(good)
        (templates / "reload-probe").mkdir()
        (templates / "reload-probe" / "webhook.en.mustache").write_text("Hello {{name}}, the new template is live.\n")
        ids += [enqueue(daemon, receiver.url())["id"] for _ in range(3)]
        result = daemon.cli("reload")
        assert result.returncode == 0, result.stderr
        wait_until(lambda: any(s == "STATUS=configuration reloaded" for s in statuses(notify)), what=statuses(notify))
        status, _, reply = daemon.request("POST", "/v1/messages", probe)
        assert status == 202, reply
        ids.append(reply["id"])

        # Nothing in flight was dropped: every message sent, each delivery received exactly once.
        for message_id in ids:
            daemon.wait_for_states(message_id, {"sent"})
        delivery_ids = [daemon.message(m)["deliveries"][0]["id"] for m in ids]
        assert receiver.wait_for(lambda r: set(delivery_ids) <= set(r.accepted_ids()), 20)
        assert sorted(receiver.accepted_ids()) == sorted(delivery_ids)
        def text(delivery_id):
            return next(p for i, p, *_ in receiver.received if i == delivery_id)["data"].get("text") or ""
        assert text(delivery_ids[-1]).startswith("Hello Li, the new template is live.")
        assert "the new template is live" not in text(delivery_ids[0])               # before the reload

        # The admin API: a configuration error is refused with file and line; the daemon goes on.
        toml = daemon.folder / "herald.toml"
        toml.write_text(toml.read_text() + "[tiers.vip]\nchannels = [\"nowhere\"]\n")
        status, _, problem = daemon.request("POST", "/v1/admin/reload")
        assert status == 422 and "herald.toml" in problem["invalid_params"][0]["reason"], problem
        assert "nowhere" in problem["invalid_params"][0]["reason"]
        broken = daemon.cli("reload")
        assert broken.returncode == 78 and "nowhere" in broken.stderr
        toml.write_text(toml.read_text().replace('channels = ["nowhere"]', 'channels = ["webhook"]'))
        status, _, report = daemon.request("POST", "/v1/admin/reload")
        assert status == 200 and "vip" in report["tiers"] and report["restart_needed"] == [], report
        status, _, client = daemon.request("PUT", "/v1/clients/acme", {"name": "Acme", "tier": "vip",
                                                                         "endpoints": {"webhook": receiver.url()}})
        assert status == 201, client                                  # the new tier is known
        # The audit log has the reloads that applied, by whom: the signal (herald reload) and the API.
        entries = daemon.request("GET", "/v1/audit?action=config")[2]["items"]
        assert [e["actor"].split(":")[0] for e in entries] == ["token", "signal"], entries
        assert entries[0]["detail"].startswith("channels ") and "vip" in entries[0]["detail"].split("; tiers ")[1], entries
        assert "template" in entries[1]["detail"] and entries[1]["actor"] == "signal:SIGHUP", entries
        assert daemon.stop(signal.SIGTERM) == 0
    finally:
        notify.close()
