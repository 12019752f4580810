"""Routing by client tier through the real daemon: registry API, fan-out, opt-outs recorded as
suppressed, the CSM as Reply-To, dry-run explanations."""


import json

from test_email import email_channel
from webhook_receiver import Receiver

TIERS = '[tiers.strategic]\nchannels = ["email", "webhook"]\n[tiers.smb]\nchannels = ["email"]\n'


def client_body(receiver, tier="strategic"):
    return {"name": "星河科技", "tier": tier, "timezone": "Asia/Shanghai", "locale": "zh-CN", "lifecycle_stage": "onboarding",
            "csm": {"name": "王芳", "email": "wang.fang@acme.example", "phone": "+8613800138000"},
            "contacts": [{"id": "li", "name": "李雷", "email": "li@xinghe.example"},
                         {"id": "han", "name": "韩梅梅", "email": "han@xinghe.example", "opt_outs": ["marketing"]},
                         {"id": "ops", "phone": "+8613900139000"}],
            "endpoints": {"webhook": receiver.url("/crm")}}


def test_client_registry_round_trip_and_filters(make_daemon, receiver, smtp):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=email_channel(smtp.url())).start()
    status, _, created = daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    assert status == 201, created
    assert created["contacts"][1]["opt_outs"] == ["marketing"]
    status, _, again = daemon.request("PUT", "/v1/clients/xinghe", {**client_body(receiver), "lifecycle_stage": "growth"})
    assert status == 200 and again["created_at"] == created["created_at"]
    daemon.request("PUT", "/v1/clients/tiny", {**client_body(receiver, "smb"), "name": "Tiny"})
    status, _, page = daemon.request("GET", "/v1/clients?tier=smb")
    assert [c["id"] for c in page["items"]] == ["tiny"]
    status, _, page = daemon.request("GET", "/v1/clients?stage=growth")
    assert [c["id"] for c in page["items"]] == ["xinghe"]
    status, _, problem = daemon.request("PUT", "/v1/clients/bad", {"name": "Bad", "tier": "platinum"})
    assert status == 422 and problem["invalid_params"][0]["name"] == "tier"
    reader = daemon.cli("token", "create", "--name", "reader", "--scope", "read,send", "--json")
    import json
    token = json.loads(reader.stdout)["token"]
    assert daemon.request("PUT", "/v1/clients/x", client_body(receiver), token=token)[0] == 403   # admin only


def test_message_by_client_fans_out_by_tier(make_daemon, receiver, smtp):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    body = {"client_id": "xinghe", "subject": "上线计划 {{milestone}}", "text": "您好，{{milestone}} 已完成。",
            "data": {"milestone": "数据接入"}, "category": "marketing"}

    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", body)
    assert status == 200 and dry["dry_run"] is True
    plan = {(d["channel"], d["destination"]): (d["status"], d["rule"]) for d in dry["deliveries"]}
    assert plan[("email", "li@xinghe.example")][0] == "queued"
    assert plan[("email", "han@xinghe.example")][0] == "suppressed"          # opted out of marketing
    assert plan[("webhook", receiver.url("/crm"))][0] == "queued"
    assert all(rule.startswith("tier strategic") for _, rule in plan.values())
    assert dry["reply_to"] == "王芳 <wang.fang@acme.example>" and dry["locale"] == "zh-CN"
    assert daemon.request("GET", "/v1/messages")[2]["items"] == []          # a dry run stores nothing

    status, _, reply = daemon.request("POST", "/v1/messages", body)
    assert status == 202, reply
    states = {(d["channel"], d["destination"]): d["status"] for d in reply["deliveries"]}
    assert states == {("email", "li@xinghe.example"): "queued", ("email", "han@xinghe.example"): "suppressed",
                      ("webhook", receiver.url("/crm")): "queued"}
    assert smtp.wait_for(lambda s: len(s.messages) == 1, 15)
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15)
    msg = smtp.messages[0][3]
    assert msg["Reply-To"].addresses[0].addr_spec == "wang.fang@acme.example"     # the client's CSM
    assert str(msg["Subject"]) == "上线计划 数据接入"
    detail = daemon.wait_for_states(reply["id"], {"sent", "suppressed"})
    suppressed = [d for d in detail["deliveries"] if d["status"] == "suppressed"][0]
    assert "opted out of marketing" in suppressed["last_error"]
    assert detail["client_id"] == "xinghe"


def test_unknown_client_and_nobody_to_reach_are_refused(make_daemon, receiver, smtp):
    daemon = make_daemon(herald_toml=TIERS, extra_channels=email_channel(smtp.url())).start()
    status, _, problem = daemon.request("POST", "/v1/messages", {"client_id": "ghost", "text": "x"})
    assert status == 422 and problem["invalid_params"][0]["name"] == "client_id"
    daemon.request("PUT", "/v1/clients/empty", {"name": "Empty", "tier": "smb", "contacts": [{"phone": "+8613800138000"}]})
    status, _, problem = daemon.request("POST", "/v1/messages", {"client_id": "empty", "text": "x"})
    assert status == 422 and "nobody to reach" in problem["invalid_params"][0]["reason"]


def test_quiet_hours_hold_non_urgent_messages_across_a_restart(make_daemon, receiver, smtp):
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
    window = f"{start:%H:%M}-{end:%H:%M}"
    tiers = f'[tiers.smb]\nchannels = ["email"]\nquiet_hours = "{window}"\n'
    daemon = make_daemon(herald_toml=tiers, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/late", {"name": "Late Co", "tier": "smb", "timezone": "UTC",
                                               "contacts": [{"email": "night@late.example"}]})
    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", {"client_id": "late", "text": "hello"})
    assert "held for quiet hours" in dry["deliveries"][0]["rule"] and dry["deliveries"][0]["status"] == "scheduled"

    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "late", "text": "hello"})
    assert status == 202 and reply["deliveries"][0]["status"] == "scheduled"
    release = end.replace(second=0, microsecond=0)
    detail = daemon.message(reply["id"])
    assert detail["send_at"].startswith(release.strftime("%Y-%m-%dT%H:%M:00"))
    assert detail["deliveries"][0]["next_attempt_at"] == detail["send_at"]

    # The hold is a due time in the database: a restart changes nothing.
    daemon.stop()
    daemon.start()
    after = daemon.message(reply["id"])
    assert after["deliveries"][0]["status"] == "scheduled" and after["deliveries"][0]["next_attempt_at"] == detail["send_at"]

    # Urgent messages are not held.
    status, _, urgent = daemon.request("POST", "/v1/messages", {"client_id": "late", "text": "now", "priority": "urgent"})
    assert urgent["deliveries"][0]["status"] == "queued"
    assert smtp.wait_for(lambda s: len(s.messages) == 1, 15)
    assert smtp.messages[0][1] == ["night@late.example"]


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_their_end(make_daemon, receiver):
    # The first attempt goes out before the client's quiet hours (they start in two minutes); the
    # endpoint answers 503 "retry in 5 minutes", which is inside them: the retry waits for their end.
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=2)
    end = start + datetime.timedelta(hours=1)
    window = f"{start:%H:%M}-{end:%H:%M}"
    daemon = make_daemon(herald_toml=f'[tiers.smb]\nchannels = ["webhook"]\nquiet_hours = "{window}"\n').start()
    body = {**client_body(receiver, tier="smb"), "timezone": "UTC"}
    assert daemon.request("PUT", "/v1/clients/quiet", body)[0] == 201
    receiver.script["/crm"] = [(503, {"Retry-After": "300"}, b"busy")]
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "quiet", "text": "renewal"})
    assert status == 202 and reply["deliveries"][0]["status"] == "queued", reply   # not held: outside the window
    detail = daemon.wait_for_states(reply["id"], {"retrying"})
    due = datetime.datetime.fromisoformat(detail["deliveries"][0]["next_attempt_at"].replace("Z", "+00:00"))
    assert due == end, (due, window)
    # An urgent message's retry is not held.
    receiver.script["/crm"] = [(503, {"Retry-After": "300"}, b"busy")]
    status, _, urgent = daemon.request("POST", "/v1/messages", {"client_id": "quiet", "text": "outage", "priority": "urgent"})
    detail = daemon.wait_for_states(urgent["id"], {"retrying"})
    due = datetime.datetime.fromisoformat(detail["deliveries"][0]["next_attempt_at"].replace("Z", "+00:00"))
    assert now + datetime.timedelta(seconds=290) < due < now + datetime.timedelta(seconds=330), due


ESCALATING = ('[tiers.strategic]\nchannels = ["email"]\n'
              'escalate = { after = "2s", unless = "opened", to = "webhook" }\n')


def test_unopened_email_escalates_even_across_a_restart(make_daemon, receiver, smtp):
    daemon = make_daemon(herald_toml=ESCALATING, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", {"client_id": "xinghe", "subject": "EBR", "html": "<p>Hi</p>"})
    assert dry["escalation"]["channel"] == "webhook" and dry["escalation"]["unless"] == "opened"
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "EBR", "html": "<p>Hi</p>"})
    assert status == 202
    assert smtp.wait_for(lambda s: len(s.messages) == 2, 10)     # both contacts
    daemon.stop()            # the timer lives in the database
    daemon.start()
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15), "no escalation arrived"
    webhook_id, payload, _, _, path = receiver.received[0]
    assert path == "/crm" and payload["type"] == "message.escalation"
    assert payload["data"]["message_id"] == reply["id"]
    detail = daemon.message(reply["id"])
    escalated = [e for e in detail["events"] if e["type"] == "escalated"]
    assert len(escalated) == 1 and "not opened within" in escalated[0]["detail"]


def test_the_escalation_timer_starts_when_a_scheduled_message_goes_out(make_daemon, receiver, smtp):
    # "Unless opened within 2 s" of a message scheduled an hour ahead: due 2 s after its send_at.
    # Counted from acceptance it fired while the message was still scheduled and escalated it.
    import datetime
    daemon = make_daemon(herald_toml=ESCALATING, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    send_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(hours=1)
    body = {"client_id": "xinghe", "subject": "EBR", "html": "<p>Hi</p>", "send_at": send_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", body)
    assert status == 200, dry
    due = datetime.datetime.fromisoformat(dry["escalation"]["at"].replace("Z", "+00:00"))
    assert due == send_at + datetime.timedelta(seconds=2), dry["escalation"]
    status, _, reply = daemon.request("POST", "/v1/messages", body)
    assert status == 202, reply
    # The control: a message sent now, whose timer is due in 2 s, escalates; the scheduled one not.
    _, _, now_message = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "QBR", "html": "<p>Hi</p>"})
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) >= 1, 15), "the control message never escalated"
    assert [p["data"]["message_id"] for _, p, _, _, _ in receiver.received] == [now_message["id"]]
    assert not any(e["type"].startswith("escalat") for e in daemon.message(reply["id"])["events"])


def test_a_cancelled_message_does_not_escalate(make_daemon, receiver, smtp):
    # The email went out, so no delivery is left to cancel, but the "call unless opened" timer is:
    # cancelling stops it. A second message enqueued after it, not cancelled, is the clock: when its
    # escalation arrives, the cancelled one's (due earlier) would have too.
    daemon = make_daemon(herald_toml=ESCALATING, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    _, _, stopped = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "EBR", "html": "<p>Hi</p>"})
    assert smtp.wait_for(lambda s: len(s.messages) == 2, 10)
    status, _, answer = daemon.request("POST", f"/v1/messages/{stopped['id']}/cancel")
    assert status == 200, answer
    assert answer["cancelled"] == [] and answer["escalations_cancelled"] == 1
    cancelled = [e for e in answer["message"]["events"] if e["type"] == "escalation_cancelled"]
    assert len(cancelled) == 1 and cancelled[0]["actor"].startswith("token:"), answer["message"]["events"]
    status, _, again = daemon.request("POST", f"/v1/messages/{stopped['id']}/cancel")
    assert status == 409 and "nothing left to cancel" in again["detail"]

    _, _, clock = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "QBR", "html": "<p>Hi</p>"})
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) >= 1, 15), "the control message never escalated"
    assert [p["data"]["message_id"] for _, p, _, _, _ in receiver.received] == [clock["id"]]
    assert not any(e["type"] == "escalated" for e in daemon.message(stopped["id"])["events"])


def test_opened_email_does_not_escalate(make_daemon, receiver, smtp):
    import re
    import urllib.request
    # The open must land before the timer: 6 s leaves room for a loaded CI machine. The open may
    # come before the send is recorded (the SMTP server has the mail, the writer has not committed):
    # it still counts (it once did not, and the timer escalated).
    daemon = make_daemon(herald_toml=ESCALATING.replace('after = "2s"', 'after = "6s"'),
                         extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "EBR", "html": "<p>Hi</p>"})
    assert smtp.wait_for(lambda s: len(s.messages) == 2, 10)     # both contacts; one opening is enough
    html = smtp.messages[0][3].get_body(("html",)).get_content()
    pixel = re.search(r'src="([^"]+/t/o/[^"]+)"', html).group(1)
    urllib.request.urlopen(pixel).read()                    # opened in time
    deadline_events = None
    import time
    end = time.monotonic() + 15
    while time.monotonic() < end:
        events = [e["type"] for e in daemon.message(reply["id"])["events"]]
        if "escalation_skipped" in events or "escalated" in events:
            deadline_events = events
            break
        time.sleep(0.1)
    assert deadline_events is not None, "the timer was never settled"
    assert "escalation_skipped" in deadline_events and "escalated" not in deadline_events, deadline_events
    assert receiver.received == []


def test_a_tier_can_turn_tracking_off(make_daemon, receiver, smtp):
    tiers = '[tiers.private]\nchannels = ["email"]\ntracking = false\n[tiers.smb]\nchannels = ["email"]\n'
    daemon = make_daemon(herald_toml=tiers, extra_channels=email_channel(smtp.url())).start()
    for cid, tier in [("quiet", "private"), ("loud", "smb")]:
        daemon.request("PUT", f"/v1/clients/{cid}", {"name": cid, "tier": tier, "contacts": [{"email": f"{cid}@x.example"}]})
        status, _, _ = daemon.request("POST", "/v1/messages", {
            "client_id": cid, "subject": "Hi", "html": '<p><a href="https://docs.acme.example/start">Start</a></p>'})
        assert status == 202
    assert smtp.wait_for(lambda s: len(s.messages) == 2, 15)
    bodies = {m[1][0]: m[3].get_body(("html",)).get_content() for m in smtp.messages}
    assert 'href="https://docs.acme.example/start"' in bodies["quiet@x.example"] and "/t/o/" not in bodies["quiet@x.example"]
    assert "/t/c/" in bodies["loud@x.example"] and "/t/o/" in bodies["loud@x.example"]


def falling_back_client(make_daemon, receiver, smtp):
    """An smb client (email, falling back to its CRM webhook) with two contacts; gone@'s mailbox refuses mail."""
    tiers = '[tiers.smb]\nchannels = ["email"]\nfallback = ["webhook"]\n'
    daemon = make_daemon(herald_toml=tiers, extra_channels=email_channel(smtp.url())).start()
    body = client_body(receiver, "smb")
    body["contacts"] = [{"id": "li", "email": "li@xinghe.example"}, {"id": "gone", "email": "gone@xinghe.example"}]
    daemon.request("PUT", "/v1/clients/xinghe", body)
    smtp.rcpt_script["gone@xinghe.example"] = ["550 5.1.1 <gone@xinghe.example>: no such user"]
    return daemon


def test_permanent_failure_falls_back_to_the_next_channel(make_daemon, receiver, smtp):
    daemon = falling_back_client(make_daemon, receiver, smtp)
    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", {"client_id": "xinghe", "text": "Renewal"})
    assert all(d["fallback"] == [f"webhook: {receiver.url('/crm')}"] for d in dry["deliveries"])
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "text": "Renewal"})
    assert status == 202
    # Only the bounced contact's delivery falls back; the delivered one does not.
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15)
    detail = daemon.wait_for_states(reply["id"], {"sent", "failed"})
    by = {(d["channel"], d["destination"]): d["status"] for d in detail["deliveries"]}
    assert by == {("email", "li@xinghe.example"): "sent", ("email", "gone@xinghe.example"): "failed",
                  ("webhook", receiver.url("/crm")): "sent"}
    fallback = [e for e in detail["events"] if e["type"] == "fallback"]
    assert len(fallback) == 1 and "email failed permanently" in fallback[0]["detail"] and "550 5.1.1" in fallback[0]["detail"]


def test_an_address_that_bounced_before_goes_straight_to_the_fallback(make_daemon, receiver, smtp):
    # gone@'s mailbox refused last month's email (550 5.1.1, so it is on the list as a bounce): the
    # next message falls back to the CRM webhook at once, not after another refused send; an
    # operator's hold on li@ stops li's email without a fallback.
    daemon = falling_back_client(make_daemon, receiver, smtp)
    status, _, first = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "text": "Kickoff"})
    assert status == 202
    daemon.wait_for_states(first["id"], {"sent", "failed"})
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15)
    status, _, page = daemon.request("GET", "/v1/suppressions?address=gone@xinghe.example")
    assert [e["source"] for e in page["items"]] == ["bounce"]
    status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "li@xinghe.example", "reason": "legal hold"})
    assert status == 201

    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", {"client_id": "xinghe", "text": "Milestone"})
    plan = {d["destination"]: (d["status"], d["fallback_starts"]) for d in dry["deliveries"]}
    assert plan == {"li@xinghe.example": ("suppressed", False), "gone@xinghe.example": ("suppressed", True)}
    route = daemon.cli("route", "--client", "xinghe")
    assert route.returncode == 0, route.stderr
    line = next(l for l in route.stdout.splitlines() if "gone@xinghe.example" in l)
    assert "suppressed: bounce:" in line and "falls back to webhook" in line
    assert "falls back" not in next(l for l in route.stdout.splitlines() if "li@xinghe.example" in l)
    routed = json.loads(daemon.cli("route", "--client", "xinghe", "--json").stdout)
    assert {d["destination"]: d["fallback_starts"] for d in routed["deliveries"]} == {
        "li@xinghe.example": False, "gone@xinghe.example": True}

    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "text": "Milestone"})
    assert status == 202
    made = sorted((d["channel"], d["status"]) for d in reply["deliveries"])
    assert made == [("email", "suppressed"), ("email", "suppressed"), ("webhook", "queued")], made
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 2, 15)
    detail = daemon.wait_for_states(reply["id"], {"sent", "suppressed"})
    fallback = [e for e in detail["events"] if e["type"] == "fallback"]
    assert len(fallback) == 1 and fallback[0]["detail"].startswith("email is suppressed (bounce: ")
    assert len(smtp.messages) == 1                      # only li's first email ever went out


def test_dry_runs_and_herald_route_say_what_the_suppression_list_stops(make_daemon, receiver, smtp):
    # li's mailbox bounced last week: a preview must not say "queued" for what the enqueue suppresses.
    daemon = make_daemon(herald_toml=TIERS, extra_channels=email_channel(smtp.url())).start()
    daemon.request("PUT", "/v1/clients/xinghe", client_body(receiver))
    status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "li@xinghe.example", "reason": "mailbox gone"})
    assert status == 201
    body = {"client_id": "xinghe", "subject": "Kickoff", "text": "Monday."}
    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", body)
    plan = {(d["channel"], d["destination"]): (d["status"], d["reason"]) for d in dry["deliveries"]}
    assert plan[("email", "li@xinghe.example")] == ("suppressed", "manual: mailbox gone")
    assert plan[("email", "han@xinghe.example")] == ("queued", None)
    status, _, reply = daemon.request("POST", "/v1/messages", body)
    states = {(d["channel"], d["destination"]): d["status"] for d in reply["deliveries"]}
    assert {k: v[0] for k, v in plan.items()} == states                      # the preview was right

    status, _, dry = daemon.request("POST", "/v1/messages?dry_run=true", {"to": {"email": "LI@xinghe.example"}, "text": "x"})
    assert [(d["status"], d["reason"]) for d in dry["deliveries"]] == [("suppressed", "manual: mailbox gone")]

    routed = daemon.cli("route", "--client", "xinghe", "--json")
    assert routed.returncode == 0, routed.stderr
    suppressed = {d["destination"]: d["suppressed"] for d in json.loads(routed.stdout)["deliveries"]}
    assert suppressed["li@xinghe.example"] == "manual: mailbox gone" and suppressed["han@xinghe.example"] is None
    assert "suppressed: manual: mailbox gone" in daemon.cli("route", "--client", "xinghe").stdout
