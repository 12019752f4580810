"""Event subscriptions through the real daemon: receivers built on the independent `standardwebhooks`
package verify every signature; a delivery's events arrive in order with contiguous sequence numbers
(also across the receiver's failures, which are retried with the same webhook-id); a receiver that
never answers 2xx ends in dead letters apart from message deliveries, and a redrive sends them again."""

import json
import re
import time
from pathlib import Path

from standardwebhooks.webhooks import Webhook

from test_email import email_channel
from test_tasks import ALWAYS_OPEN, WELCOME, phone_channel, wait_for_tasks
from test_tracking import fetch
from webhook_receiver import Receiver, new_secret

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ('[events]\nmax_attempts = 3\nretry_base = "100ms"\nmax_backoff = "300ms"\npoll_interval = "50ms"\n'
          'allow_private_networks = true\n')


def links(smtp, address, kind):
    [mail] = [m for m in smtp.messages if address in m[1]][:1]
    html = mail[3].get_body(("html",)).get_content()
    return re.findall(rf'(?:src|href)="(http://127\.0\.0\.1:\d+/t/{kind}/[^"]+)"', html)


def accepted(receiver):
    """(webhook-id, payload) of every request answered 2xx, in arrival order."""
    with receiver.lock:
        return [(r[0], r[1]) for r in receiver.received if 200 <= r[3] < 300]


def test_subscribers_get_signed_ordered_events_with_retries_and_dead_letters(make_daemon, smtp):
    crm = Receiver(new_secret())
    crm.script["/crm"] = [(500, {}, b"busy"), (503, {"Retry-After": "0"}, b"")]   # the first two posts fail
    broken = Receiver(new_secret())
    broken.script["/down"] = [(500, {}, b"down")] * 1000
    opens = Receiver(new_secret())   # verifier replaced with the secret Herald generates
    try:
        tiers = ('[tiers.strategic]\nchannels = ["email", "phone"]\n[tiers.smb]\nchannels = ["email"]\n'
                 '[resend]\nmin_interval = "0s"\n')
        daemon = make_daemon(
            herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n' + tiers + EVENTS
            + f'[subscriptions.crm]\nurl = "{crm.url("/crm")}"\nsecret = "file:secrets/crm.secret"\n',
            extra_channels={**email_channel(smtp.url()), "phone": phone_channel(ALWAYS_OPEN)})
        (daemon.folder / "secrets" / "crm.secret").write_text(crm.secret + "\n")
        daemon.start()

        # Registered over the API: one with a secret Herald makes (returned once), one with our own.
        status, _, sub = daemon.request("POST", "/v1/subscriptions", {
            "name": "engagement", "url": opens.url("/opens"), "types": ["delivery.opened", "delivery.clicked"]})
        assert status == 201 and sub["secret"].startswith("whsec_") and sub["source"] == "api", sub
        opens.verifier = Webhook(sub["secret"])
        status, _, down = daemon.request("POST", "/v1/subscriptions", {
            "name": "warehouse", "url": broken.url("/down"), "types": ["delivery.sent"], "secret": broken.secret})
        assert status == 201, down
        status, _, problem = daemon.request("POST", "/v1/subscriptions", {"name": "x", "url": "ftp://x", "types": ["nope"]})
        assert status == 422 and {p["name"] for p in problem["invalid_params"]} == {"url", "types"}, problem
        assert daemon.request("POST", "/v1/subscriptions", {"name": "engagement", "url": opens.url()})[0] == 409

        for client, tier, email in (("xinghe", "strategic", "li@xinghe.example"), ("c2", "smb", "p2@c2.example")):
            status, _, body = daemon.request("PUT", f"/v1/clients/{client}", {
                "name": client, "tier": tier, "locale": "en", "timezone": "Asia/Shanghai",
                "csm": {"name": "Wang Fang", "email": "wang.fang@acme.example", "phone": "+8613800138000"},
                "contacts": [{"id": "p", "name": "Li", "email": email, "phone": "+8613900139000"}]})
            assert status == 201, body
        first = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})[2]
        second = daemon.request("POST", "/v1/messages", {"client_id": "c2", "template": "welcome", "data": WELCOME})[2]
        assert smtp.wait_for(lambda s: sum(1 for m in s.messages if "wang.fang@acme.example" not in m[1]) >= 2, 20)

        # Engagement on the first email, a completed call, and a resend of the second.
        assert fetch(links(smtp, "li@xinghe.example", "o")[0])[0] == 200
        assert fetch(links(smtp, "li@xinghe.example", "c")[0])[0] == 302
        [task] = wait_for_tasks(daemon, "client_id=xinghe", 1)
        assert daemon.request("POST", f"/v1/tasks/{task['id']}/complete", {"outcome": "reached"})[0] == 200
        status, _, resent = daemon.request("POST", f"/v1/messages/{second['id']}/resend", {"reason": "not opened"})
        assert status == 202, resent

        email1 = next(d["id"] for d in daemon.message(first["id"])["deliveries"] if d["channel"] == "email")
        resend_id = resent["deliveries"][0]["id"]
        wanted = {(email1, "delivery.sent"), (email1, "delivery.opened"), (email1, "delivery.clicked"),
                  (task["delivery_id"], "task.completed"), (resend_id, "delivery.resent"), (resend_id, "delivery.sent")}

        def seen(r):
            return {(p["data"]["delivery_id"], p["type"]) for _, p in accepted(r)}
        assert crm.wait_for(lambda r: wanted <= seen(r), 30), (seen(crm), daemon.log()[-3000:])

        # Every request verified (none rejected); the two failed posts came again with the same webhook-id.
        assert crm.rejected == [] and opens.rejected == [] and broken.rejected == []
        with crm.lock:
            failed_ids = [r[0] for r in crm.received if r[3] >= 500]
        assert len(failed_ids) == 2
        assert crm.wait_for(lambda r: set(failed_ids) <= {i for i, _ in accepted(r)}, 20)
        # Per delivery: accepted in order, sequence 1, 2, 3… without gaps or repeats.
        by_delivery = {}
        for _, payload in accepted(crm):
            by_delivery.setdefault(payload["data"]["delivery_id"], []).append(payload["data"]["sequence"])
        for delivery, sequences in by_delivery.items():
            assert sequences == list(range(1, len(sequences) + 1)), (delivery, sequences)
        opened = next(p for _, p in accepted(crm) if p["type"] == "delivery.opened")
        assert opened["data"]["message_id"] == first["id"] and opened["data"]["template"] == "welcome"
        assert opened["data"]["automated"] is False and opened["data"]["client_id"] == "xinghe"
        resend_event = next(p for _, p in accepted(crm) if p["type"] == "delivery.resent")
        assert resend_event["data"]["resend_of"] and resend_event["data"]["actor"].startswith("token:test-admin")

        # The filtered subscriber saw only opens and clicks.
        assert opens.wait_for(lambda r: len(accepted(r)) >= 2, 20)
        assert {p["type"] for _, p in accepted(opens)} == {"delivery.opened", "delivery.clicked"}

        # The broken receiver: three attempts per notice, then dead letters, apart from the messages.
        def dead_letters():
            status, _, page = daemon.request("GET", f"/v1/subscriptions/{down['id']}/dead-letters")
            assert status == 200, page
            return page["items"]
        def counts():
            status, _, body = daemon.request("GET", f"/v1/subscriptions/{down['id']}")
            assert status == 200, body
            return body["notices"]
        deadline = time.monotonic() + 30
        while counts()["pending"] > 0 or counts()["dead"] < 4:       # four emails sent, so four notices
            assert time.monotonic() < deadline, (counts(), daemon.log()[-3000:])
            time.sleep(0.1)
        dead = dead_letters()
        assert len(dead) == counts()["dead"] and {d["type"] for d in dead} == {"delivery.sent"}
        assert all(d["attempts"] == 3 and "HTTP 500" in d["last_error"] for d in dead), dead
        with broken.lock:
            tries = [r[0] for r in broken.received]
        assert sorted(tries) == sorted(d["id"] for d in dead for _ in range(3))   # three posts each, same webhook-id
        assert daemon.message(second["id"])["deliveries"][0]["status"] in ("sent", "opened")
        with broken.lock:
            broken.script["/down"] = []                                    # the receiver is back
        status, _, redriven = daemon.request("POST", f"/v1/subscriptions/{down['id']}/redrive")
        assert status == 200 and redriven["redriven"] == len(dead)
        [entry] = daemon.request("GET", "/v1/audit?action=subscription.redriven")[2]["items"]
        assert entry["subject"] == down["id"] and entry["actor"].startswith("token:test-admin-"), entry
        assert entry["detail"].endswith(f": {len(dead)} dead letter{'s' if len(dead) != 1 else ''} queued again"), entry
        assert broken.wait_for(lambda r: sorted(i for i, _ in accepted(r)) == sorted(d["id"] for d in dead), 20)
        assert dead_letters() == []

        # The CLI: the same subscriptions as a table; bad input exits 65 naming the field.
        listing = daemon.cli("subscriptions")
        assert listing.returncode == 0 and "crm" in listing.stdout and "config" in listing.stdout and "warehouse" in listing.stdout
        assert daemon.cli("subscriptions", "dead-letters", "warehouse").stdout.strip() == "no dead letters"
        bad = daemon.cli("subscriptions", "add", "cli-sub", "--url", "ftp://x.example")
        assert bad.returncode == 65 and "url" in bad.stderr

        # Listing shows where each came from and the notice counts, never a secret.
        status, _, listing = daemon.request("GET", "/v1/subscriptions")
        assert status == 200
        by_name = {s["name"]: s for s in listing["items"]}
        assert by_name["crm"]["source"] == "config" and by_name["warehouse"]["notices"]["dead"] == 0
        assert all("secret" not in s for s in listing["items"])
        assert by_name["crm"]["notices"]["delivered"] == len(accepted(crm))
        reader = json.loads(daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json").stdout)["token"]
        assert daemon.request("GET", "/v1/subscriptions", token=reader)[0] == 403
        assert daemon.request("DELETE", "/v1/subscriptions/config:crm")[0] == 409
        assert daemon.request("DELETE", f"/v1/subscriptions/{sub['id']}")[0] == 204
        assert daemon.request("GET", f"/v1/subscriptions/{sub['id']}")[0] == 404
    finally:
        for r in (crm, broken, opens):
            r.stop()


def stored_secret(daemon, name):
    import sqlite3
    with sqlite3.connect(daemon.folder / "var" / "herald.db") as db:
        return db.execute("SELECT secret FROM subscriptions WHERE name = ?", (name,)).fetchone()[0]


def pending_and_dead(daemon, name):
    items = daemon.request("GET", "/v1/subscriptions")[2]["items"]
    [sub] = [s for s in items if s["name"] == name]
    return sub["notices"]["pending"], sub["notices"]["dead"]


def test_api_subscription_secrets_are_sealed_at_rest(make_daemon, receiver):
    hook = Receiver(new_secret())
    try:
        daemon = make_daemon(herald_toml=EVENTS).start()
        status, _, sub = daemon.request("POST", "/v1/subscriptions", {"name": "crm", "url": hook.url("/ev"), "types": ["delivery.sent"]})
        assert status == 201, sub
        hook.verifier = Webhook(sub["secret"])
        # What the database holds does not give the secret away, in any encoding of it.
        stored = stored_secret(daemon, "crm")
        assert stored.startswith("sealed:v1:") and sub["secret"] not in stored and sub["secret"][6:] not in stored
        result = daemon.cli("subscriptions", "add", "warehouse", "--url", hook.url("/wh"), "--types", "delivery.failed")
        assert result.returncode == 0, result.stderr
        assert stored_secret(daemon, "warehouse").startswith("sealed:v1:")

        def send_and_expect(events):
            status, _, m = daemon.request("POST", "/v1/messages", {"to": {"webhook": receiver.url()}, "text": "hi"})
            assert status == 202, m
            daemon.wait_for_states(m["id"], {"sent"})
            assert hook.wait_for(lambda r: len([x for x in r.received if 200 <= x[3] < 300]) >= events, 15), hook.received

        send_and_expect(1)      # signed with the real secret: the receiver verifies it

        # A secret stored before sealing existed is sealed at the next start and still signs.
        daemon.stop()
        import sqlite3
        with sqlite3.connect(daemon.folder / "var" / "herald.db") as db:
            db.execute("UPDATE subscriptions SET secret = ? WHERE name = 'crm'", (sub["secret"],))
        daemon.start()
        assert stored_secret(daemon, "crm").startswith("sealed:v1:")
        assert "sealed the signing secrets of API subscriptions stored before" in daemon.log()
        send_and_expect(2)

        # Under another tracking key the subscription cannot sign: its events wait, none is lost.
        key_file = daemon.folder / "secrets" / "tracking.key"
        key = key_file.read_text()
        daemon.stop()
        key_file.write_text("tk-" + "another-tracking-key-0123456789" + "\n")
        daemon.start()
        status, _, m = daemon.request("POST", "/v1/messages", {"to": {"webhook": receiver.url()}, "text": "hi"})
        daemon.wait_for_states(m["id"], {"sent"})
        deadline = time.monotonic() + 15
        while pending_and_dead(daemon, "crm")[0] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pending_and_dead(daemon, "crm") == (1, 0)
        assert "subscription cannot sign its events" in daemon.log() and "another [tracking] key" in daemon.log()
        assert sub["secret"] not in daemon.log()
        # The key back: what waited goes out.
        daemon.stop()
        key_file.write_text(key)
        daemon.start()
        assert hook.wait_for(lambda r: len([x for x in r.received if 200 <= x[3] < 300]) >= 3, 15), hook.received
    finally:
        hook.stop()


def test_a_cancel_reaches_subscribers_of_delivery_cancelled(make_daemon, receiver):
    hook = Receiver(new_secret())
    try:
        daemon = make_daemon(herald_toml=EVENTS).start()
        status, _, sub = daemon.request("POST", "/v1/subscriptions", {
            "name": "crm", "url": hook.url("/ev"), "types": ["delivery.cancelled", "task.cancelled"]})
        assert status == 201, sub
        hook.verifier = Webhook(sub["secret"])
        send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        status, _, m = daemon.request("POST", "/v1/messages", {"to": {"webhook": receiver.url()}, "text": "hi", "send_at": send_at})
        assert status == 202, m
        status, _, answer = daemon.request("POST", f"/v1/messages/{m['id']}/cancel")
        assert status == 200, answer
        assert hook.wait_for(lambda r: len([x for x in r.received if 200 <= x[3] < 300]) >= 1, 15), hook.received
        [(_, payload)] = accepted(hook)
        assert payload["type"] == "delivery.cancelled" and payload["data"]["message_id"] == m["id"], payload
        assert payload["data"]["delivery_id"] == m["deliveries"][0]["id"] and payload["data"]["actor"].startswith("token:")
    finally:
        hook.stop()


def test_a_suppressed_delivery_reaches_subscribers_of_delivery_suppressed(make_daemon, receiver):
    # A CRM learns that its message to an address on the suppression list did not go, and why.
    hook = Receiver(new_secret())
    try:
        # (The email channel never connects: its only delivery is suppressed.)
        daemon = make_daemon(herald_toml=EVENTS, extra_channels=email_channel("smtp://127.0.0.1:9")).start()
        status, _, sub = daemon.request("POST", "/v1/subscriptions", {
            "name": "crm", "url": hook.url("/ev"), "types": ["delivery.suppressed"]})
        assert status == 201, sub
        hook.verifier = Webhook(sub["secret"])
        status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "gone@client.example", "reason": "left"})
        assert status == 201
        status, _, m = daemon.request("POST", "/v1/messages", {
            "to": {"webhook": receiver.url(), "email": "gone@client.example"}, "text": "hi"})
        assert status == 202, m
        suppressed = [d for d in m["deliveries"] if d["status"] == "suppressed"]
        assert [d["channel"] for d in suppressed] == ["email"], m
        assert hook.wait_for(lambda r: len([x for x in r.received if 200 <= x[3] < 300]) >= 1, 15), hook.received
        [(_, payload)] = accepted(hook)
        assert payload["type"] == "delivery.suppressed" and payload["data"]["delivery_id"] == suppressed[0]["id"], payload
        assert payload["data"]["detail"] == "manual: left" and payload["data"]["channel"] == "email"
    finally:
        hook.stop()
