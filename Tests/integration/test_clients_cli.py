"""herald clients import / list / show and herald route, as an operator runs them."""

import json

EMAIL = {"email": 'kind = "email"\nprovider = "outbox"\nfrom = "cs@acme.example"\n'}
TIERS = '[tiers.strategic]\nchannels = ["email", "webhook"]\n[tiers.smb]\nchannels = ["email"]\nquiet_hours = "00:00-00:01"\n'

CSV = """client_id,name,tier,timezone,locale,lifecycle_stage,csm_name,csm_email,csm_phone,contact_id,contact_name,contact_email,contact_phone,contact_locale,opt_outs
xinghe,星河科技,strategic,Asia/Shanghai,zh-CN,onboarding,王芳,wang.fang@acme.example,+8613800138000,li,李雷,li@xinghe.example,,zh-CN,
xinghe,星河科技,strategic,Asia/Shanghai,zh-CN,onboarding,王芳,wang.fang@acme.example,+8613800138000,han,韩梅梅,han@xinghe.example,+8613900139000,zh-CN,marketing
tiny-inc,"Tiny, Inc.",smb,UTC,en,growth,,,,ops,Ops,ops@tiny.example,,,
"""


def test_import_is_validated_whole_then_idempotent(make_daemon, tmp_path):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=EMAIL)
    bad = CSV.replace("han@xinghe.example", "han-at-xinghe").replace('Inc.",smb', 'Inc.",gold')
    (tmp_path / "bad.csv").write_text(bad)
    result = daemon.cli("clients", "import", str(tmp_path / "bad.csv"))
    assert result.returncode == 65, result.stderr
    assert "bad.csv:3: contact_email" in result.stderr        # the second contact row of xinghe
    assert "bad.csv:4: tier" in result.stderr and "unknown tier 'gold'" in result.stderr
    assert json.loads(daemon.cli("clients", "list", "--json").stdout) == []   # nothing written

    (tmp_path / "clients.csv").write_text(CSV)
    first = daemon.cli("clients", "import", str(tmp_path / "clients.csv"), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"clients": 2, "contacts": 3, "created": 2, "updated": 0, "dry_run": False}
    again = json.loads(daemon.cli("clients", "import", str(tmp_path / "clients.csv"), "--json").stdout)
    assert again["created"] == 0 and again["updated"] == 2
    # The audit log has the two new clients, and nothing for the second import, which changed nothing.
    audit = json.loads(daemon.cli("audit", "--action", "client", "--json").stdout)
    assert sorted((e["action"], e["subject"]) for e in audit) == [("client.created", "tiny-inc"), ("client.created", "xinghe")]
    assert all(e["actor"].startswith("cli:") for e in audit)
    assert next(e for e in audit if e["subject"] == "xinghe")["detail"].endswith("2 contacts")
    shown = json.loads(daemon.cli("clients", "show", "xinghe").stdout)
    assert shown["csm"]["name"] == "王芳" and [c["id"] for c in shown["contacts"]] == ["han", "li"]
    assert shown["contacts"][0]["opt_outs"] == ["marketing"]
    table = daemon.cli("clients", "list", "--tier", "smb").stdout
    assert "tiny-inc" in table and "Tiny, Inc." in table and "xinghe" not in table

    (tmp_path / "clients.json").write_text(json.dumps([{"id": "nova", "name": "Nova", "tier": "smb",
                                                        "contacts": [{"email": "a@nova.example"}]},
                                                       {"id": "nova2", "name": "Nova 2", "tier": "nope"}], indent=1))
    result = daemon.cli("clients", "import", str(tmp_path / "clients.json"))
    assert result.returncode == 65 and "clients.json:12: tier: unknown tier" in result.stderr


def test_route_explains_each_delivery(make_daemon, tmp_path):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=EMAIL)
    (tmp_path / "clients.csv").write_text(CSV)
    assert daemon.cli("clients", "import", str(tmp_path / "clients.csv")).returncode == 0
    result = daemon.cli("route", "--client", "xinghe", "--category", "marketing", "--json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    rows = {(d["channel"], d["destination"]): d for d in plan["deliveries"]}
    assert rows[("email", "li@xinghe.example")]["suppressed"] is None
    assert "opted out of marketing" in rows[("email", "han@xinghe.example")]["suppressed"]
    assert rows[("webhook", None)]["rule"].startswith("tier strategic")        # no endpoint registered: skipped
    text = daemon.cli("route", "--client", "xinghe", "--template", "welcome").stdout
    assert "no email template 'welcome'" in text           # this test folder ships no templates
    assert daemon.cli("route", "--client", "ghost").returncode == 1


def test_deleting_a_client_stops_its_waiting_messages_and_keeps_the_history(make_daemon, tmp_path):
    import time
    daemon = make_daemon(herald_toml=TIERS, extra_channels=EMAIL).start()
    (tmp_path / "clients.csv").write_text(CSV)
    assert daemon.cli("clients", "import", str(tmp_path / "clients.csv")).returncode == 0
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    status, _, later = daemon.request("POST", "/v1/messages", {
        "client_id": "xinghe", "subject": "QBR next month", "text": "x", "send_at": send_at})
    assert status == 202 and {d["status"] for d in later["deliveries"]} == {"scheduled"}, later
    status, _, kept = daemon.request("POST", "/v1/messages", {
        "client_id": "tiny-inc", "subject": "Welcome", "text": "x", "send_at": send_at})
    assert status == 202, kept

    # A token without admin may not; an unknown client is a 404.
    reader = json.loads(daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json").stdout)["token"]
    status, _, problem = daemon.request("DELETE", "/v1/clients/xinghe", token=reader)
    assert status == 403, problem
    status, _, problem = daemon.request("DELETE", "/v1/clients/ghost")
    assert status == 404, problem

    status, _, answer = daemon.request("DELETE", "/v1/clients/xinghe")
    assert status == 200, answer
    assert answer["id"] == "xinghe" and answer["deleted"] is True and answer["messages_stopped"] == [later["id"]]
    assert sorted(answer["deliveries_cancelled"]) == sorted(d["id"] for d in later["deliveries"])
    assert daemon.request("GET", "/v1/clients/xinghe")[0] == 404
    status, _, problem = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "x", "text": "x"})
    assert status == 422 and problem["invalid_params"][0]["name"] == "client_id", problem   # not routed from a stale cache
    detail = daemon.message(later["id"])
    assert {d["status"] for d in detail["deliveries"]} == {"cancelled"}
    assert all(e["detail"] == "client xinghe was deleted" for e in detail["events"] if e["type"] == "cancelled")
    assert daemon.message(kept["id"])["deliveries"][0]["status"] == "scheduled"

    result = daemon.cli("clients", "delete", "tiny-inc", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["messages_stopped"] == [kept["id"]]
    again = daemon.cli("clients", "delete", "tiny-inc")
    assert again.returncode == 1 and "no client with id tiny-inc" in again.stderr
    assert json.loads(daemon.cli("clients", "list", "--json").stdout) == []
