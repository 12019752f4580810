"""The CSM's resend workflow through the real daemon and a real SMTP server: some emails are opened
through the tracking pixel, the rest are bulk-resent; exactly the unopened ones go out again, the
dry run matches, guard rails refuse with problem+json, and the audit trail names the actor."""

import json
import re
import time
import urllib.request
from pathlib import Path


from test_email import email_channel

ROOT = Path(__file__).resolve().parents[2]
WELCOME = {"first_name": "Li", "company": "Xinghe", "product_name": "Acme", "csm_name": "Wang Fang",
           "csm_email": "wang@acme.example", "start_url": "https://app.acme.example/start"}
CONFIG = (f'[templates]\ndir = "{ROOT / "templates"}"\n'
          '[resend]\nmax_per_message = 2\nmin_interval = "3s"\n'
          '[tiers.strategic]\nchannels = ["email"]\n[tiers.smb]\nchannels = ["email"]\n')


def pixel(smtp, address, nth=0):
    mails = [m for m in smtp.messages if address in m[1]]
    html = mails[nth][3].get_body(("html",)).get_content()
    return re.findall(r'src="(http://127\.0\.0\.1:\d+/t/o/[^"]+)"', html)[0]


def test_bulk_resend_of_unopened_emails_with_guard_rails_and_audit(make_daemon, smtp):
    daemon = make_daemon(herald_toml=CONFIG, extra_channels=email_channel(smtp.url())).start()
    token = json.loads(daemon.cli("token", "create", "--name", "csm-wang", "--scope", "read,resend", "--json").stdout)["token"]
    ids = {}
    for n, tier in ((1, "strategic"), (2, "strategic"), (3, "strategic"), (4, "strategic"), (5, "smb")):
        client = f"c{n}"
        status, _, body = daemon.request("PUT", f"/v1/clients/{client}", {
            "name": f"Client {n}", "tier": tier, "locale": "en",
            "contacts": [{"id": "p", "name": f"P{n}", "email": f"p{n}@client.example"}]})
        assert status == 201, body
        status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": client, "template": "welcome", "data": WELCOME})
        assert status == 202, reply
        ids[client] = reply["id"]
    assert smtp.wait_for(lambda s: len(s.messages) == 5, 20)
    sent_at = time.monotonic()

    # c1 and c2 open their email (the pixel, as a mail client would load it).
    for client in ("c1", "c2"):
        with urllib.request.urlopen(pixel(smtp, f"p{client[1]}@client.example"), timeout=10) as r:
            assert r.status == 200
        daemon.wait_for_states(ids[client], {"opened"})

    status, _, page = daemon.request("GET", "/v1/messages?tier=strategic&opened=false", token=token)
    assert status == 200 and {m["id"] for m in page["items"]} == {ids["c3"], ids["c4"]}
    assert {m["id"] for m in daemon.request("GET", "/v1/messages?opened=true")[2]["items"]} == {ids["c1"], ids["c2"]}
    status, _, problem = daemon.request("GET", "/v1/messages?opened=maybe")
    assert status == 422 and problem["invalid_params"][0]["name"] == "opened"

    # The guard rail counts from the original send: wait out min_interval (3 s) — the behaviour under test is time.
    time.sleep(max(0.0, 3.2 - (time.monotonic() - sent_at)))
    bulk = {"template": "welcome", "tier": "strategic", "unopened_for": "1s", "reason": "welcome not opened"}
    status, _, dry = daemon.request("POST", "/v1/resend", {**bulk, "dry_run": True}, token=token)
    assert status == 200 and dry["dry_run"] is True, dry
    planned = {(r["message_id"], d["resend_of"], d["channel"], d["destination"]) for r in dry["resends"] for d in r["deliveries"]}
    assert {p[0] for p in planned} == {ids["c3"], ids["c4"]}                       # opened and smb ones left out
    assert len(smtp.messages) == 5                                               # a dry run sends nothing

    status, _, done = daemon.request("POST", "/v1/resend", bulk, token=token)
    assert status == 202 and done["count"] == 2, done
    made = {(r["message_id"], d["resend_of"], d["channel"], d["destination"]) for r in done["resends"] for d in r["deliveries"]}
    assert made == planned                                                       # exactly what the dry run said
    assert smtp.wait_for(lambda s: len(s.messages) == 7, 20)
    resent_to = sorted(r for m in smtp.messages[5:] for r in m[1])
    assert resent_to == ["p3@client.example", "p4@client.example"]
    # Each resend has its own tracking token.
    assert pixel(smtp, "p3@client.example", 1) != pixel(smtp, "p3@client.example", 0)

    # Audit: a linked delivery with a `resent` event naming the token and the reason.
    detail = daemon.message(ids["c3"])
    original, again = detail["deliveries"]
    assert again["resend_of"] == original["id"] and again["purpose"] == "resend" and detail["resend_count"] == 1
    [event] = [e for e in detail["events"] if e["type"] == "resent"]
    assert event["actor"] == "token:csm-wang" and "welcome not opened" in event["detail"] and event["delivery_id"] == again["id"]

    # Guard rails: too early for a second resend; an opened message needs force.
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['c3']}/resend", {"reason": "again"}, token=token)
    assert status == 409 and "minimum interval" in problem["detail"], problem
    assert problem["type"].endswith("conflict")
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['c1']}/resend", {}, token=token)
    assert status == 409 and "opened" in problem["detail"]
    status, _, forced = daemon.request("POST", f"/v1/messages/{ids['c1']}/resend", {"force": True, "reason": "important"}, token=token)
    assert status == 202 and forced["deliveries"][0]["resend_of"] == daemon.message(ids["c1"])["deliveries"][0]["id"]
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['c1']}/resend", {"channel": "sms"}, token=token)
    assert status == 422 and problem["invalid_params"][0]["name"] == "channel"
    status, _, problem = daemon.request("POST", "/v1/resend", {"tier": "strategic"}, token=token)
    assert status == 422 and problem["invalid_params"][0]["name"] == "unopened_for"
    # Bodies: every bad field named at once; not JSON → 400/415 naming Content-Type; too large → 413.
    status, _, problem = daemon.request("POST", "/v1/resend", {"unopened_for": "soon", "force": "yes", "extra": 1}, token=token)
    assert status == 422 and {p["name"] for p in problem["invalid_params"]} == {"unopened_for", "force", "extra"}, problem
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['c4']}/resend", raw=b"channel=email",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"}, token=token)
    assert status in (400, 415, 422) and problem["invalid_params"][0]["name"] == "Content-Type", problem
    status, _, problem = daemon.request("POST", "/v1/resend", {"reason": "x" * (70 << 10)}, token=token)
    assert status == 413 and "limit" in problem["detail"], problem
    reader = json.loads(daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json").stdout)["token"]
    assert daemon.request("POST", "/v1/resend", bulk, token=reader)[0] == 403

    # The CLI: the bulk dry run now skips the resent ones with the guard rail's reason.
    listing = daemon.cli("messages", "--tier", "strategic", "--unopened")
    assert listing.returncode == 0 and ids["c3"] in listing.stdout and ids["c1"] not in listing.stdout
    result = daemon.cli("resend", "--template", "welcome", "--tier", "strategic", "--unopened-for", "1s", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["count"] == 0 and {s["message_id"] for s in report["skipped"]} == {ids["c3"], ids["c4"]}
    assert all("minimum interval" in s["reason"] for s in report["skipped"])
    single = daemon.cli("resend", ids["c4"])
    assert single.returncode == 1 and "minimum interval" in single.stderr


def test_a_tier_can_have_resend_rules_of_its_own(make_daemon, smtp):
    config = (f'[templates]\ndir = "{ROOT / "templates"}"\n'
              '[resend]\nmax_per_message = 2\nmin_interval = "1h"\n'
              '[tiers.strategic]\nchannels = ["email"]\nresend = { max_per_message = 3, min_interval = "0s" }\n'
              '[tiers.smb]\nchannels = ["email"]\n')
    daemon = make_daemon(herald_toml=config, extra_channels=email_channel(smtp.url())).start()
    ids = {}
    for client, tier in (("big", "strategic"), ("small", "smb")):
        status, _, body = daemon.request("PUT", f"/v1/clients/{client}", {
            "name": client, "tier": tier, "locale": "en", "contacts": [{"id": "p", "email": f"{client}@client.example"}]})
        assert status == 201, body
        status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": client, "template": "welcome", "data": WELCOME})
        assert status == 202, reply
        ids[client] = reply["id"]
        daemon.wait_for_states(reply["id"], {"sent"})

    # [resend]'s hour between sends holds for smb; strategic's own rule lets a CSM resend at once, three times.
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['small']}/resend", {"reason": "again"})
    assert status == 409 and "minimum interval between sends is 1h" in problem["detail"], problem
    for n in range(3):
        status, _, reply = daemon.request("POST", f"/v1/messages/{ids['big']}/resend", {"reason": f"try {n}"})
        assert status == 202, reply
    status, _, problem = daemon.request("POST", f"/v1/messages/{ids['big']}/resend", {"reason": "once more"})
    assert status == 409 and "the most allowed is 3" in problem["detail"] and "tier strategic" in problem["detail"], problem
    assert daemon.message(ids["big"])["resend_count"] == 3
    assert smtp.wait_for(lambda s: len(s.messages) == 5, 20)      # two originals, three resends
    # A tier's rule is checked with the rest of the file: a bad one is refused at start.
    (daemon.folder / "herald.toml").write_text(config.replace('min_interval = "0s"', 'min_interval = "soon"'))
    result = daemon.cli("check-config")
    assert result.returncode == 78 and "[tiers.strategic.resend] min_interval" in result.stderr, result.stderr


def test_a_resend_keeps_the_messages_expiry_and_an_expired_message_needs_force(make_daemon, smtp):
    # resend.min_interval 0: the behaviour under test is the message's expires_at, not the guard rail.
    config = CONFIG.replace('min_interval = "3s"', 'min_interval = "0s"').replace("max_per_message = 2", "max_per_message = 5")
    daemon = make_daemon(herald_toml=config, extra_channels=email_channel(smtp.url())).start()
    expiry = time.time() + 4
    expires_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry))
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"email": "p1@client.example"}, "subject": "Webinar in an hour", "text": "Join us", "expires_at": expires_at})
    assert status == 202, reply
    assert smtp.wait_for(lambda s: len(s.messages) == 1, 20)
    daemon.wait_for_states(reply["id"], {"sent"})

    # Before the expiry, the resend is a delivery of the message like the others: it expires with it.
    status, _, resent = daemon.request("POST", f"/v1/messages/{reply['id']}/resend", {"reason": "not opened"})
    assert status == 202, resent
    stored = daemon.message(reply["id"])["expires_at"]
    assert stored.startswith(expires_at[:-1]) and [d["expires_at"] for d in resent["deliveries"]] == [stored]

    time.sleep(max(0.0, expiry - time.time() + 0.2))      # the behaviour under test is the clock passing expires_at
    status, _, problem = daemon.request("POST", f"/v1/messages/{reply['id']}/resend", {"reason": "not opened"})
    assert status == 409 and "expired at" in problem["detail"] and "force" in problem["detail"], problem
    status, _, bulk = daemon.request("POST", "/v1/resend", {"unopened_for": "0s", "dry_run": True})
    assert status == 200 and bulk["resends"] == [] and "expired at" in bulk["skipped"][0]["reason"], bulk
    status, _, forced = daemon.request("POST", f"/v1/messages/{reply['id']}/resend", {"reason": "asked again", "force": True})
    assert status == 202 and [d["expires_at"] for d in forced["deliveries"]] == [None], forced
    assert smtp.wait_for(lambda s: len(s.messages) >= 2, 20)
