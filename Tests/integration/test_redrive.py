"""After an outage: dead deliveries are sent again (a fresh delivery each) once the endpoint is back,
through the API and the CLI, with dry runs, guard rails and an audit trail."""

import json


def enqueue(daemon, url):
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"webhook": url}, "subject": "Kickoff", "text": "hi"})
    assert status == 202, reply
    return reply["id"]


def redrive(daemon, body, token="admin"):
    return daemon.request("POST", "/v1/deliveries/redrive", body, token=token)


def test_an_outages_dead_deliveries_are_redriven_once_the_endpoint_is_back(daemon, receiver):
    # Three messages die in an outage (5 attempts each in the test config), one goes through.
    receiver.script["/crm"] = [(503, {}, b"maintenance")] * 15
    dead = [enqueue(daemon, receiver.url("/crm")) for _ in range(3)]
    fine = enqueue(daemon, receiver.url("/other"))
    old = {m: daemon.wait_for_states(m, {"dead"}, timeout=60)["deliveries"][0]["id"] for m in dead}
    daemon.wait_for_states(fine, {"sent"})
    assert receiver.script["/crm"] == []          # the endpoint is back: from now on it answers 204

    # What an operator looks at first: the channel's backlog shows the three given up, nothing waiting.
    result = daemon.cli("queue")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["CHANNEL", "SCHEDULED", "QUEUED", "RETRYING", "SENDING", "DEAD", "FAILED", "OLDEST", "DUE",
                              "SENDING", "SINCE"]
    webhook = next(r.split() for r in rows if r.startswith("webhook "))
    assert webhook == ["webhook", "0", "0", "0", "0", "3", "0", "-", "-"], result.stdout
    backlog = {c["channel"]: c for c in json.loads(daemon.cli("queue", "--json").stdout)}
    assert backlog["webhook"] == {"channel": "webhook", "scheduled": 0, "queued": 0, "retrying": 0, "sending": 0,
                                  "dead": 3, "failed": 0, "oldest_due_at": None, "oldest_sending_since": None}

    # Operators only, and the filter is checked field by field.
    result = daemon.cli("token", "create", "--name", "crm-sender", "--scope", "send,read,resend", "--json")
    sender = json.loads(result.stdout)["token"]
    status, _, problem = redrive(daemon, {"channel": "webhook"}, token=sender)
    assert status == 403 and "admin" in problem["detail"], problem
    status, _, over_http = daemon.request("GET", "/v1/queue", token=sender)   # a read scope is enough
    assert status == 200 and {c["channel"]: c for c in over_http["channels"]} == backlog, over_http
    for body, field in [({"states": ["sent"]}, "states"), ({"channel": "carrier-pigeon"}, "channel"),
                        ({"since": "yesterday"}, "since"), ({"limit": 0}, "limit"), ({"cursor": "../x"}, "cursor"),
                        ({"colour": "red"}, "colour"), ({"reason": "a\r\nb"}, "reason")]:
        status, headers, problem = redrive(daemon, body)
        assert status == 422 and headers["Content-Type"] == "application/problem+json", (body, problem)
        assert field in [p["name"] for p in problem["invalid_params"]], (body, problem)

    # The CLI's dry run: a table, progress on standard error, nothing changed.
    result = daemon.cli("redrive", "--channel", "webhook", "--since", "1h", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would redrive 3 deliveries, skipped 0" in result.stdout, result.stdout
    assert all(d in result.stdout for d in old.values()) and "HTTP 503: maintenance" in result.stdout
    assert "looked at 3" in result.stderr
    assert daemon.cli("redrive", "--channel", "nope").returncode == 65

    # The API's dry run says exactly what the redrive then does.
    status, _, dry = redrive(daemon, {"channel": "webhook", "since": "1h", "dry_run": True})
    assert status == 200 and dry["dry_run"] is True and dry["count"] == 3 and dry["skipped_count"] == 0, dry
    assert sorted(i["delivery_id"] for i in dry["redriven"]) == sorted(old.values())
    assert all("new_delivery_id" not in i and i["attempts"] == 5 and i["state"] == "dead" for i in dry["redriven"])
    assert all(len(daemon.message(m)["deliveries"]) == 1 for m in dead)

    status, _, done = redrive(daemon, {"channel": "webhook", "since": "1h", "reason": "CRM maintenance over"})
    assert status == 202 and done["dry_run"] is False and done["count"] == 3, done
    assert sorted(i["delivery_id"] for i in done["redriven"]) == sorted(old.values())
    new = {i["message_id"]: i["new_delivery_id"] for i in done["redriven"]}
    for m in dead:
        body = daemon.wait_for_states(m, {"dead", "sent"})
        deliveries = {d["id"]: d for d in body["deliveries"]}
        assert deliveries[old[m]]["status"] == "dead" and deliveries[new[m]]["status"] == "sent"
        assert deliveries[new[m]]["attempt_count"] == 1
        redriven = [e for e in body["events"] if e["type"] == "redriven"]
        assert len(redriven) == 1 and redriven[0]["delivery_id"] == old[m]
        assert redriven[0]["detail"] == f"redriven as {new[m]}: CRM maintenance over"
        assert redriven[0]["actor"].startswith("token:test-admin-")
    # The endpoint got each message once more, under the new delivery's id, with a valid signature
    # (the receiver checks it with the standardwebhooks package).
    assert receiver.wait_for(lambda r: set(new.values()) <= set(r.accepted_ids()), 15)
    assert all(receiver.accepted_ids().count(d) == 1 for d in new.values())
    assert not set(old.values()) & set(receiver.accepted_ids())

    # A second redrive finds nothing new: each is reported as redriven before.
    status, _, again = redrive(daemon, {"channel": "webhook"})
    assert status == 200 and again["count"] == 0 and again["skipped_count"] == 3, again
    assert all(s["reason"].startswith("already redriven as dlv_") for s in again["skipped"])
    result = daemon.cli("redrive", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["skipped_count"] == 3, result.stdout
    # The audit log keeps the one redrive that redrove something (not the dry runs, not the empty ones).
    status, _, audit = daemon.request("GET", "/v1/audit?action=deliveries")
    assert status == 200 and len(audit["items"]) == 1, audit
    assert audit["items"][0]["actor"].startswith("token:test-admin-") and audit["items"][0]["subject"] == "-"
    assert audit["items"][0]["detail"] == "3 redriven, 0 skipped; dead on webhook; why: CRM maintenance over", audit


def test_a_redrive_pages_with_a_cursor(daemon, receiver):
    receiver.script["/down"] = [(503, {}, b"")] * 15
    messages = [enqueue(daemon, receiver.url("/down")) for _ in range(3)]
    for m in messages:
        daemon.wait_for_states(m, {"dead"}, timeout=60)
    status, _, first = redrive(daemon, {"limit": 2, "dry_run": True})
    assert status == 200 and len(first["redriven"]) == 2 and first["next_cursor"], first
    status, _, rest = redrive(daemon, {"cursor": first["next_cursor"], "dry_run": True})
    assert status == 200 and len(rest["redriven"]) == 1 and rest["next_cursor"] is None, rest
    seen = [i["delivery_id"] for i in first["redriven"] + rest["redriven"]]
    assert len(set(seen)) == 3
