"""Phone tasks through the real daemon: routing makes a `phone` delivery, the dispatcher opens a task
for the client's CSM (due in business hours, talking points from the phone template) and emails the
CSM through a real SMTP server; the CSM completes it over the API and the CLI; outcomes move the
delivery; overdue tasks reach the manager; everything survives a restart."""

import json
import time
from pathlib import Path


from test_email import email_channel

ROOT = Path(__file__).resolve().parents[2]
ALWAYS_OPEN = 'business_hours = "00:00-24:00"\nbusiness_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'


def phone_channel(extra=""):
    return ('kind = "phone"\nnotify = ["email"]\nmanager = "lead@acme.example"\nmax_attempts = 2\n'
            'follow_up_after = "1h"\ndefault_timezone = "Asia/Shanghai"\n' + extra)


def start(make_daemon, smtp, phone_extra=ALWAYS_OPEN + 'due_within = "0s"\noverdue_after = "0s"\n', tiers=None):
    tiers = tiers or '[tiers.strategic]\nchannels = ["email", "phone"]\n'
    channels = {**email_channel(smtp.url()), "phone": phone_channel(phone_extra)}
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n' + tiers, extra_channels=channels).start()
    status, _, body = daemon.request("PUT", "/v1/clients/xinghe", {
        "name": "星河科技", "tier": "strategic", "timezone": "Asia/Shanghai", "locale": "zh-CN",
        "csm": {"name": "王芳", "email": "wang.fang@acme.example", "phone": "+8613800138000"},
        "contacts": [{"id": "li", "name": "李雷", "email": "li@xinghe.example", "phone": "+8613900139000"}]})
    assert status == 201, body
    return daemon


WELCOME = {"first_name": "李雷", "company": "星河科技", "product_name": "Acme", "csm_name": "王芳",
           "csm_email": "wang.fang@acme.example", "start_url": "https://app.acme.example/start"}


def mails_to(smtp, address):
    return [m for m in smtp.messages if address in m[1]]


def wait_for_tasks(daemon, query, count, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        status, _, page = daemon.request("GET", "/v1/tasks?" + query)
        assert status == 200, page
        if len(page["items"]) >= count:
            return page["items"]
        assert time.monotonic() < deadline, f"no {count} tasks for {query}: {page}\n{daemon.log()[-3000:]}"
        time.sleep(0.05)


def csm_token(daemon, scopes="read,resend"):
    result = daemon.cli("token", "create", "--name", f"csm-{scopes.replace(',', '-')}", "--scope", scopes, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["token"]


def test_task_lifecycle_notice_overdue_follow_up_restart_and_completion(make_daemon, smtp):
    daemon = start(make_daemon, smtp)
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202, reply
    phone = [d for d in reply["deliveries"] if d["channel"] == "phone"]
    assert [d["destination"] for d in phone] == ["+8613900139000"]

    [task] = wait_for_tasks(daemon, "assignee=wang.fang@acme.example", 1)
    assert task["status"] == "open" and task["attempt"] == 1 and task["delivery_id"] == phone[0]["id"]
    assert task["reason"] == "欢迎电话：星河科技 开始使用 Acme"                       # phone.zh-CN subject
    assert "https://app.acme.example/start" in task["talking_points"]
    assert task["contact"] == {"name": "李雷", "phone": "+8613900139000"}
    assert task["client"] == {"id": "xinghe", "name": "星河科技"}
    assert task["assignee"] == {"id": "wang.fang@acme.example", "name": "王芳"}
    assert task["dashboard_url"] == f"{daemon.base}/dashboard/tasks/{task['id']}"   # under public_url
    detail = daemon.wait_for_states(reply["id"], {"sent"})
    assert [d["provider_id"] for d in detail["deliveries"] if d["channel"] == "phone"] == [task["id"]]

    # The CSM hears about it by email, and (due now, overdue_after 0) the manager about it being overdue.
    assert smtp.wait_for(lambda s: mails_to(s, "wang.fang@acme.example") and mails_to(s, "lead@acme.example"), 30), daemon.log()[-3000:]
    notice = mails_to(smtp, "wang.fang@acme.example")[0][3]
    assert "李雷" in str(notice["Subject"]) and "星河科技" in str(notice["Subject"])
    body = notice.get_body(("html",)).get_content()
    assert task["id"] in body and "+8613900139000" in body and "app.acme.example/start" in body
    assert "/t/" not in body                                              # no tracking on internal notices
    assert f'href="{daemon.base}/dashboard/tasks/{task["id"]}"' in body  # where the outcome is recorded
    overdue = mails_to(smtp, "lead@acme.example")[0][3]
    assert task["id"] in str(overdue["Subject"])
    escalated = daemon.request("GET", f"/v1/tasks/{task['id']}")[2]
    assert escalated["escalated_at"] is not None and escalated["overdue"] is True
    assert [t["id"] for t in wait_for_tasks(daemon, "overdue=true", 1)] == [task["id"]]

    # Scopes: completing is CSM work (resend scope); read-only tokens are refused.
    reader = csm_token(daemon, "read")
    status, _, problem = daemon.request("POST", f"/v1/tasks/{task['id']}/complete", {"outcome": "reached"}, token=reader)
    assert status == 403 and "resend" in problem["detail"]
    token = csm_token(daemon)
    status, _, problem = daemon.request("POST", f"/v1/tasks/{task['id']}/complete", {"outcome": "busy"}, token=token)
    assert status == 422 and problem["invalid_params"][0]["name"] == "outcome"

    # No answer: a follow-up call, the delivery stays sent, the CSM is told again.
    status, _, done = daemon.request("POST", f"/v1/tasks/{task['id']}/complete",
                                     {"outcome": "no_answer", "note": "rang twice"}, token=token)
    assert status == 200, done
    assert done["task"]["outcome"] == "no_answer" and done["task"]["completed_by"] == "token:csm-read-resend"
    follow = done["follow_up"]
    assert follow["attempt"] == 2 and follow["status"] == "open"
    assert smtp.wait_for(lambda s: len(mails_to(s, "wang.fang@acme.example")) == 2, 15)
    assert "再次致电" in str(mails_to(smtp, "wang.fang@acme.example")[1][3]["Subject"])

    # A restart keeps every task.
    assert daemon.stop() == 0
    daemon.start()
    tasks = wait_for_tasks(daemon, "status=all&client_id=xinghe", 2)
    assert [(t["attempt"], t["status"]) for t in tasks] == [(1, "done"), (2, "open")]

    # The CLI lists and completes like the API.
    listing = daemon.cli("tasks", "--assignee", "wang.fang@acme.example")
    assert listing.returncode == 0 and follow["id"] in listing.stdout and "李雷" in listing.stdout
    result = daemon.cli("tasks", "complete", follow["id"], "--outcome", "reached", "--note", "kickoff booked", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["task"]["outcome"] == "reached"
    again = daemon.cli("tasks", "complete", follow["id"], "--outcome", "reached")
    assert again.returncode == 1 and "already done" in again.stderr

    detail = daemon.message(reply["id"])
    call = [d for d in detail["deliveries"] if d["channel"] == "phone"][0]
    assert call["status"] == "delivered"
    types = [e["type"] for e in detail["events"] if e["delivery_id"] == call["id"]]
    assert types.count("task_created") == 2 and types.count("task_completed") == 2 and "delivered" in types
    assert types.count("task_overdue") >= 1
    status, _, problem = daemon.request("POST", f"/v1/tasks/{follow['id']}/complete", {"outcome": "reached"}, token=token)
    assert status == 409 and problem["type"].endswith("conflict")
    assert len(mails_to(smtp, "lead@acme.example")) == len({t["id"] for t in tasks if t["escalated_at"]})


def test_unanswered_calls_fail_and_wrong_numbers_are_suppressed(make_daemon, smtp):
    daemon = start(make_daemon, smtp, phone_extra=ALWAYS_OPEN)
    token = csm_token(daemon)

    def call(template_data=WELCOME):
        status, _, reply = daemon.request("POST", "/v1/messages",
                                          {"client_id": "xinghe", "template": "welcome", "data": template_data,
                                           "channels": ["phone"]})
        assert status == 202, reply
        return reply

    first = call()
    [task] = wait_for_tasks(daemon, "status=open", 1)
    follow = daemon.request("POST", f"/v1/tasks/{task['id']}/complete", {"outcome": "no_answer"}, token=token)[2]["follow_up"]
    status, _, last = daemon.request("POST", f"/v1/tasks/{follow['id']}/complete", {"outcome": "no_answer"}, token=token)
    assert status == 200 and last["follow_up"] is None                        # max_attempts = 2
    failed = daemon.message(first["id"])["deliveries"][0]
    assert failed["status"] == "failed" and failed["last_error"] == "no answer after 2 calls"

    second = call({**WELCOME, "first_name": "Lei"})
    [task] = wait_for_tasks(daemon, "status=open", 1)
    assert task["message_id"] == second["id"]
    status, _, done = daemon.request("POST", f"/v1/tasks/{task['id']}/complete",
                                     {"outcome": "wrong_number", "note": "a bakery"}, token=token)
    assert status == 200
    assert daemon.message(second["id"])["deliveries"][0]["status"] == "failed"

    # The number is flagged: the next call to this contact is recorded as suppressed, not made.
    third = call({**WELCOME, "first_name": "L."})
    assert third["deliveries"][0]["status"] == "suppressed"
    detail = daemon.message(third["id"])
    assert "wrong number" in detail["deliveries"][0]["last_error"]


def test_unopened_message_escalates_to_a_csm_call(make_daemon, smtp):
    tiers = ('[tiers.strategic]\nchannels = ["email"]\n'
             'escalate = { after = "1s", unless = "opened", to = "phone" }\n')
    daemon = start(make_daemon, smtp, phone_extra='due_within = "4h"\n', tiers=tiers)
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202 and [d["channel"] for d in reply["deliveries"]] == ["email"]
    [task] = wait_for_tasks(daemon, "assignee=wang.fang@acme.example", 1)
    assert task["message_id"] == reply["id"] and task["contact"]["phone"] == "+8613900139000"
    # Due four business hours (Shanghai, Mon–Fri 09–18) after it was opened: always inside working hours.
    due = time.strptime(task["due_at"][:19], "%Y-%m-%dT%H:%M:%S")
    local_hour = (due.tm_hour + 8) % 24
    assert 9 <= local_hour <= 18
    detail = daemon.message(reply["id"])
    assert any(e["type"] == "escalated" for e in detail["events"])


def test_client_timeline_shows_messages_events_and_tasks(make_daemon, smtp):
    daemon = start(make_daemon, smtp, phone_extra=ALWAYS_OPEN)
    first = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})[2]
    [task] = wait_for_tasks(daemon, "client_id=xinghe", 1)
    second = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "subject": "Note", "text": "Hi",
                                                     "channels": ["email"]})[2]
    daemon.wait_for_states(second["id"], {"sent"})
    status, _, timeline = daemon.request("GET", "/v1/clients/xinghe/timeline?limit=1", token=csm_token(daemon, "read"))
    assert status == 200, timeline
    assert timeline["client"] == {"id": "xinghe", "name": "星河科技", "tier": "strategic", "csm": "王芳"}
    [newest] = timeline["items"]
    assert newest["id"] == second["id"] and newest["tasks"] == [] and newest["opened"] is False
    assert timeline["next_cursor"] == second["id"]
    page = daemon.request("GET", f"/v1/clients/xinghe/timeline?cursor={timeline['next_cursor']}")[2]
    [older] = page["items"]
    assert older["id"] == first["id"] and [t["id"] for t in older["tasks"]] == [task["id"]]
    assert {"queued", "task_created"} <= {e["type"] for e in older["events"]}
    assert {d["channel"] for d in older["deliveries"]} == {"email", "phone"}
    assert daemon.request("GET", "/v1/clients/nobody/timeline")[0] == 404
    assert daemon.request("GET", "/v1/clients/xinghe/timeline?limit=0")[0] == 422


def test_cancelling_the_message_cancels_its_open_call_task(make_daemon, smtp):
    # The client renewed; the CRM cancels the renewal outreach: the CSM's call task closes with it,
    # stays visible as cancelled, cannot be completed, and is never reported overdue.
    daemon = start(make_daemon, smtp, phone_extra=ALWAYS_OPEN + 'due_within = "1h"\n')
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202, reply
    [task] = wait_for_tasks(daemon, "assignee=wang.fang@acme.example", 1)

    status, _, answer = daemon.request("POST", f"/v1/messages/{reply['id']}/cancel")
    assert status == 200, answer
    assert answer["tasks_cancelled"] == [task["id"]]
    events = [(e["type"], e["delivery_id"]) for e in answer["message"]["events"]]
    assert ("task_cancelled", task["delivery_id"]) in events

    status, _, page = daemon.request("GET", "/v1/tasks?assignee=wang.fang@acme.example")
    assert status == 200 and page["items"] == []
    status, _, page = daemon.request("GET", "/v1/tasks?status=cancelled")
    assert [t["id"] for t in page["items"]] == [task["id"]] and page["items"][0]["overdue"] is False
    status, _, problem = daemon.request("POST", f"/v1/tasks/{task['id']}/complete", {"outcome": "reached"},
                                        token=csm_token(daemon))
    assert status == 409 and "cancelled" in problem["detail"], problem
    status, _, problem = daemon.request("GET", "/v1/tasks?status=closed")
    assert status == 422 and problem["invalid_params"][0]["name"] == "status"

    listed = daemon.cli("tasks", "list", "--status", "cancelled")
    assert listed.returncode == 0 and task["id"] in listed.stdout and "cancelled" in listed.stdout, listed.stderr
    shown = daemon.cli("tasks", "show", task["id"])
    assert "cancelled by token:" in shown.stdout, shown.stdout
    assert f"page      {daemon.base}/dashboard/tasks/{task['id']}" in shown.stdout, shown.stdout
    as_json = json.loads(daemon.cli("tasks", "show", task["id"], "--json").stdout)
    assert as_json["dashboard_url"] == f"{daemon.base}/dashboard/tasks/{task['id']}"


def test_the_call_task_of_an_expired_message_is_closed(make_daemon, smtp):
    # "Your renewal offer ends today": once the message expires, the CSM is no longer asked to call about it.
    daemon = start(make_daemon, smtp, phone_extra=ALWAYS_OPEN + 'due_within = "1h"\n')
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME,
                                                                 "expires_at": expires})
    assert status == 202, reply
    [task] = wait_for_tasks(daemon, "assignee=wang.fang@acme.example", 1)
    # The dispatcher closes it at its next sweep after the expiry (every 10 s).
    deadline = time.monotonic() + 30
    while True:
        status, _, shown = daemon.request("GET", f"/v1/tasks/{task['id']}")
        if shown["status"] == "cancelled":
            break
        assert time.monotonic() < deadline, shown
        time.sleep(0.2)
    assert "expired before the call" in shown["note"] and shown["completed_by"] == "dispatcher"
    events = [(e["type"], e["detail"]) for e in daemon.message(reply["id"])["events"]]
    assert ("task_cancelled", f"task {task['id']}: the message expired before the call") in events
    assert daemon.request("GET", "/v1/tasks?assignee=wang.fang@acme.example")[2]["items"] == []
