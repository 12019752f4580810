"""The audit log against the real daemon: what operators change through the API and the CLI is
recorded with who did it, read back over GET /v1/audit (admin) and `herald audit`, filtered and
paged; secrets never reach it."""

import json
import os
import urllib.parse

CLI_ACTOR = "cli:" + os.environ.get("USER", "unknown")


def audit(daemon, query=""):
    status, _, page = daemon.request("GET", "/v1/audit" + query)
    assert status == 200, page
    return page


def test_operator_changes_are_recorded_with_their_actor_and_read_back_filtered_and_paged(make_daemon):
    daemon = make_daemon(herald_toml='[tiers.standard]\nchannels = ["webhook"]\n[tiers.strategic]\nchannels = ["webhook"]\n').start()
    admin = f"token:test-admin-{daemon.folder.name}"

    # Tokens: the admin token the test made with the CLI; one made, rotated and revoked over the API.
    status, _, crm = daemon.request("POST", "/v1/tokens", {"name": "crm", "scopes": ["send", "read"], "rate_limit": 50})
    assert status == 201, crm
    status, _, rotated = daemon.request("POST", "/v1/tokens/crm/rotate", {"grace": "1h"})
    assert status == 200, rotated
    assert daemon.request("DELETE", "/v1/tokens/crm")[0] == 204
    assert daemon.request("DELETE", "/v1/tokens/crm")[0] == 404          # nothing revoked: nothing recorded
    reader = daemon.request("POST", "/v1/tokens", {"name": "reader", "scopes": ["read"]})[2]["token"]

    # A suppression added over the API, removed with the CLI with the reason why.
    status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "Ops@Client.example", "reason": "legal hold"})
    assert status == 201
    removed = daemon.cli("suppressions", "remove", "ops@client.example", "--reason", "hold lifted by legal (ticket 4411)")
    assert removed.returncode == 0, removed.stderr
    # A removal's reason is one line: a forged second line is refused before anything changes.
    daemon.request("POST", "/v1/suppressions", {"address": "x@client.example", "reason": "test"})
    status, _, problem = daemon.request("DELETE", "/v1/suppressions/x%40client.example?reason=" + urllib.parse.quote("ok\nforged"))
    assert status == 422 and problem["invalid_params"][0]["name"] == "reason", problem
    assert daemon.request("GET", "/v1/suppressions?address=x@client.example")[2]["items"], "refused, yet removed"

    # A subscription whose URL carries a credential in its query: the log keeps the URL without it.
    status, _, sub = daemon.request("POST", "/v1/subscriptions", {
        "name": "crm-events", "url": "https://crm.example/herald?token=s3cret-value", "types": ["delivery.sent"]})
    assert status == 201, sub
    assert daemon.cli("subscriptions", "remove", "crm-events").returncode == 0

    # A client created, moved to another tier, saved again unchanged (a CRM's nightly sync: nothing
    # recorded), then deleted over the API.
    status, _, _ = daemon.request("PUT", "/v1/clients/beta", {"name": "Beta", "tier": "standard"})
    assert status == 201
    for _ in range(2):
        assert daemon.request("PUT", "/v1/clients/beta", {"name": "Beta", "tier": "strategic"})[0] == 200
    assert daemon.request("DELETE", "/v1/clients/beta")[0] == 200

    page = audit(daemon)
    got = [(e["action"], e["subject"], e["actor"]) for e in page["items"]]
    assert got == [
        ("client.deleted", "beta", admin),
        ("client.updated", "beta", admin),
        ("client.created", "beta", admin),
        ("subscription.deleted", sub["id"], CLI_ACTOR),
        ("subscription.created", sub["id"], admin),
        ("suppression.added", "x@client.example", admin),
        ("suppression.removed", "ops@client.example", CLI_ACTOR),
        ("suppression.added", "ops@client.example", admin),
        ("token.created", "reader", admin),
        ("token.revoked", "crm", admin),
        ("token.rotated", "crm", admin),
        ("token.created", "crm", admin),
        ("token.created", f"test-admin-{daemon.folder.name}", CLI_ACTOR),
    ], got
    details = {(e["action"], e["subject"]): e["detail"] for e in page["items"]}
    assert details[("token.created", "crm")] == "scopes read,send; rate limit 50/s"
    assert details[("token.rotated", "crm")].startswith("the old secret, now crm-retired-")
    assert details[("suppression.removed", "ops@client.example")] == "all (manual: legal hold); why: hold lifted by legal (ticket 4411)"
    assert details[("subscription.created", sub["id"])] == "crm-events: https://crm.example/herald?…; topics delivery.sent"
    assert details[("client.deleted", "beta")] == "0 messages stopped: 0 deliveries, 0 escalations, 0 call tasks cancelled"
    assert details[("client.created", "beta")] == "tier standard; 0 contacts"
    assert details[("client.updated", "beta")] == "tier standard → strategic"
    everything = json.dumps(page)
    assert "s3cret" not in everything and rotated["token"] not in everything and crm["token"] not in everything
    assert all(e["id"].startswith("aud_") and e["at"].endswith("Z") for e in page["items"])
    assert page["next_cursor"] is None

    # Filters: a kind of action, one action, an actor, a subject, a time; pages continue by cursor.
    assert [e["action"] for e in audit(daemon, "?action=token")["items"]] == [
        "token.created", "token.revoked", "token.rotated", "token.created", "token.created"]
    assert [e["subject"] for e in audit(daemon, "?action=token.revoked")["items"]] == ["crm"]
    assert {e["actor"] for e in audit(daemon, "?actor=" + urllib.parse.quote(CLI_ACTOR))["items"]} == {CLI_ACTOR}
    assert len(audit(daemon, "?subject=crm")["items"]) == 3
    assert audit(daemon, "?since=2099-01-01T00:00:00Z")["items"] == []
    assert len(audit(daemon, "?since=1h")["items"]) == 13
    first = audit(daemon, "?limit=4")
    assert [e["id"] for e in first["items"]] == [e["id"] for e in page["items"][:4]] and first["next_cursor"]
    rest = audit(daemon, "?limit=500&cursor=" + first["next_cursor"])
    assert [e["id"] for e in rest["items"]] == [e["id"] for e in page["items"][4:]]
    for query, field in (("action=tok", "action"), ("cursor=msg_1", "cursor"), ("limit=0", "limit"),
                         ("since=yesterday", "since"), ("colour=red", "colour")):
        status, _, problem = daemon.request("GET", "/v1/audit?" + query)
        assert status == 422 and [p["name"] for p in problem["invalid_params"]] == [field], (query, problem)
    # Admin only: a read token is refused.
    assert daemon.request("GET", "/v1/audit", token=reader)[0] == 403

    # The CLI: a table newest first, the API's items as JSON, the same filters and errors.
    listed = daemon.cli("audit", "--action", "suppression")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["TIME", "ACTOR", "ACTION", "SUBJECT", "DETAIL"]
    assert [line.split()[2] for line in lines[1:]] == ["suppression.added", "suppression.removed", "suppression.added"]
    as_json = json.loads(daemon.cli("audit", "--json", "--limit", "2").stdout)
    assert as_json == page["items"][:2]
    assert daemon.cli("audit", "--subject", "nobody").stdout.strip() == "nothing recorded"
    refused = daemon.cli("audit", "--action", "nothing")
    assert refused.returncode == 65 and "action" in refused.stderr, (refused.returncode, refused.stderr)
