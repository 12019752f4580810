"""Erasing a person against the real daemon and SMTP server: after POST /v1/erasures nothing in the
database names their addresses but the suppression list; their messages keep states and times;
the client's routing no longer reaches them; the audit log records it without the addresses."""

import json
import sqlite3

from dashboard_world import Session
from test_email import email_channel

TIERS = '[tiers.strategic]\nchannels = ["email"]\n'


def every_text(db_path):
    """Every text value of every table but the suppression list, lower-cased."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    found = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        if table == "suppressions":
            continue
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            found += [(table, value.lower()) for value in row if isinstance(value, str)]
    db.close()
    return found


def test_a_person_is_erased_and_nothing_names_them_but_the_suppression_list(make_daemon, smtp):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=email_channel(smtp.url())).start()
    status, _, _ = daemon.request("PUT", "/v1/clients/xinghe", {"name": "星河科技", "tier": "strategic", "contacts": [
        {"id": "li", "name": "李雷", "email": "Li.Lei@XingHe.example"},
        {"id": "han", "name": "韩梅梅", "email": "han@xinghe.example"}]})
    assert status == 201
    status, _, sent = daemon.request("POST", "/v1/messages", {
        "client_id": "xinghe", "subject": "Welcome aboard, Li Lei", "text": "Li Lei, your kickoff is on Monday.",
        "data": {"first_name": "Li Lei", "email": "li.lei@xinghe.example"}})
    assert status == 202 and len(sent["deliveries"]) == 2, sent
    daemon.wait_for_states(sent["id"], {"sent"})
    assert smtp.wait_for(lambda s: len(s.messages) == 2, 10)
    daemon.request("POST", "/v1/suppressions", {"address": "li.lei@xinghe.example", "reason": "asked not to be written to"})
    reader = json.loads(daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json").stdout)["token"]
    csm = json.loads(daemon.cli("token", "create", "--name", "csm", "--scope", "resend", "--json").stdout)["token"]
    dashboard = Session(daemon.base)
    dashboard.post("/dashboard/sign-in", {"token": csm, "_csrf": dashboard.csrf("/dashboard/sign-in")})
    assert f'id="resend-{sent["id"]}"' in dashboard.get("/dashboard/clients/xinghe")[2]     # unopened: offered

    # Checked first: admin only, each address named when it is not one.
    body = {"addresses": ["LI.LEI@xinghe.example"], "reason": "DSAR-2026-117"}
    assert daemon.request("POST", "/v1/erasures", body, token=reader)[0] == 403
    status, _, problem = daemon.request("POST", "/v1/erasures", {"addresses": ["li", "+86139"]})
    assert status == 422 and [p["name"] for p in problem["invalid_params"]] == ["addresses[0]", "addresses[1]"], problem
    # A dry run counts and changes nothing.
    status, _, preview = daemon.request("POST", "/v1/erasures", {**body, "dry_run": True})
    assert status == 200 and preview == {"dry_run": True, "deliveries": 1, "messages": 1, "contacts": 1, "tasks": 0,
                                         "escalations": 0, "notices": 0, "clients": ["xinghe"],
                                         "still_suppressed": ["li.lei@xinghe.example"]}, preview
    assert any("li.lei@xinghe.example" in v for _, v in every_text(daemon.folder / "var" / "herald.db"))

    status, _, erased = daemon.request("POST", "/v1/erasures", body)
    assert status == 200 and erased == {**preview, "dry_run": False}, erased
    left = [(t, v) for t, v in every_text(daemon.folder / "var" / "herald.db") if "li.lei" in v or "li lei" in v]
    assert left == [], left
    message = daemon.message(sent["id"])
    assert message["subject"] is None and message["data"] == {}
    destinations = sorted(d["destination"] for d in message["deliveries"])
    assert destinations == ["(erased)", "han@xinghe.example"] and {d["status"] for d in message["deliveries"]} == {"sent"}
    # Nothing of it can be sent again: its content is gone, and the dashboard no longer offers it.
    assert f'id="resend-{sent["id"]}"' not in dashboard.get("/dashboard/clients/xinghe")[2]
    status, _, refused = daemon.request("POST", f"/v1/messages/{sent['id']}/resend", {"force": True})
    assert status == 409 and "erased" in refused["detail"], refused
    # The client's routing reaches Han only now.
    status, _, after = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "QBR", "text": "Friday"})
    assert status == 202 and [d["destination"] for d in after["deliveries"]] == ["han@xinghe.example"], after
    # The audit log has it by its ticket, not by the address.
    [entry] = daemon.request("GET", "/v1/audit?action=person")[2]["items"]
    assert entry["detail"] == "1 address: 1 delivery, 1 message, 1 contact, 0 call tasks, 0 escalations, 0 event notices; why: DSAR-2026-117"
    assert entry["actor"].startswith("token:test-admin-")

    # The CLI: the same, in words or as JSON.
    preview = daemon.cli("erase", "han@xinghe.example", "--dry-run")
    assert preview.returncode == 0 and preview.stdout.startswith("would erase: 2 deliveries, 2 messages, 1 contact"), preview.stdout
    done = daemon.cli("erase", "han@xinghe.example", "--reason", "DSAR-2026-118", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["deliveries"] == 2, done.stdout
    assert daemon.cli("erase", "not-an-address").returncode == 65
    assert not [v for _, v in every_text(daemon.folder / "var" / "herald.db") if "han@xinghe" in v]
