"""Enqueue through the real HTTP API and deliver to a loopback receiver that verifies every
Standard Webhooks signature with the independent `standardwebhooks` package."""

import json
import time


def enqueue(daemon, url, **extra):
    body = {"to": {"webhook": url}, "subject": "Renewal in 30 days", "text": "续约提醒 {{renewal_date}}",
            "data": {"renewal_date": "2026-12-23"}, **extra}
    status, headers, reply = daemon.request("POST", "/v1/messages", body)
    assert status == 202, reply
    return reply


def test_enqueue_delivers_a_signed_webhook(daemon, receiver):
    reply = enqueue(daemon, receiver.url(), client_id="acme", idempotency_key="acme-renewal-1")
    assert reply["id"].startswith("msg_") and len(reply["deliveries"]) == 1
    delivery_id = reply["deliveries"][0]["id"]
    assert receiver.wait_for(lambda r: delivery_id in r.accepted_ids(), 15)
    assert receiver.rejected == []
    webhook_id, payload, headers, _, _ = receiver.received[0]
    assert webhook_id == delivery_id                      # webhook-id = delivery id (receiver dedup key)
    assert payload["type"] == "message.delivery"
    assert payload["data"]["message_id"] == reply["id"]
    assert payload["data"]["text"] == "续约提醒 2026-12-23"          # inline content rendered with data
    assert payload["data"]["data"] == {"renewal_date": "2026-12-23"}
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60

    body = daemon.wait_for_states(reply["id"], {"sent"})
    d = body["deliveries"][0]
    assert d["attempt_count"] == 1 and d["attempts"][0]["status_code"] == 204
    assert d["attempts"][0]["outcome"] == "sent" and d["attempts"][0]["duration_ms"] >= 0
    assert [e["type"] for e in body["events"]] == ["queued", "sent"]


def test_a_slow_receiver_does_not_hold_up_the_others(make_daemon, receiver):
    # One thread drives all of the channel's connections (libcurl's multi interface): a receiver
    # that does not answer keeps one of them busy while the others go on delivering.
    import threading
    daemon = make_daemon(webhook_toml="concurrency = 4\n").start()
    receiver.hold["/slow"] = threading.Event()
    slow = enqueue(daemon, receiver.url("/slow"))
    assert receiver.wait_for(lambda r: r.holding == 1, 15)
    fast = [enqueue(daemon, receiver.url("/fast"))["deliveries"][0]["id"] for _ in range(12)]
    assert receiver.wait_for(lambda r: set(fast) <= set(r.accepted_ids()), 15), "deliveries waited behind the slow receiver"
    # ... while the slow one is still on its first attempt (its 2 s timeout would free the
    # connection and let a serial sender pass too).
    assert receiver.holding == 1 and slow["deliveries"][0]["id"] not in receiver.accepted_ids()
    held = daemon.message(slow["id"])["deliveries"][0]
    assert held["status"] == "sending" and held["attempt_count"] == 1 and held["attempts"] == [], held
    # What an operator sees: one delivery sending, claimed at least as long ago as it has been held.
    [webhook] = [c for c in json.loads(daemon.cli("queue", "--json").stdout) if c["channel"] == "webhook"]
    assert webhook["sending"] == 1 and webhook["oldest_sending_since"] is not None, webhook
    queued_at = daemon.message(slow["id"])["created_at"]
    assert webhook["oldest_sending_since"] >= queued_at, (webhook, queued_at)   # claimed after it was queued
    row = next(r.split() for r in daemon.cli("queue").stdout.splitlines() if r.startswith("webhook "))
    assert row[4] == "1" and row[-1].endswith("s"), row        # SENDING 1, SENDING SINCE e.g. "3s"
    receiver.hold["/slow"].set()
    daemon.wait_for_states(slow["id"], {"sent"})


def test_batch_commits_valid_items_and_reports_each(daemon, receiver):
    messages = [{"to": {"webhook": receiver.url()}, "text": f"m{i}"} for i in range(40)]
    messages.insert(5, {"to": {"webhook": "notaurl"}, "text": "bad"})
    messages.insert(9, {"to": {"pager": receiver.url()}, "text": "bad"})
    status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
    assert status == 207, reply
    assert reply["accepted"] == 40 and reply["rejected"] == 2
    bad = {r["index"]: r for r in reply["results"] if r["status"] != 202}
    assert set(bad) == {5, 9}
    assert bad[5]["error"]["invalid_params"][0]["name"] == "messages[5].to.webhook"
    assert bad[9]["error"]["invalid_params"][0]["name"] == "messages[9].to.pager"
    ids = {r["deliveries"][0]["id"] for r in reply["results"] if r["status"] == 202}
    assert receiver.wait_for(lambda r: ids <= set(r.accepted_ids()), 20)


def test_batch_answers_replays_and_conflicts_in_request_order(daemon, receiver):
    url = receiver.url()
    first = {"to": {"webhook": url}, "text": "kickoff", "idempotency_key": "batch-kickoff-1"}
    messages = [
        first,
        {"to": {"webhook": url}, "text": "bad", "priority": "whenever"},
        {**first, "text": "a different body"},                      # same key, other request: 409
        dict(first),                                                  # same key, same request: replayed
        {"to": {"webhook": url + "#frag"}, "text": "quote \" and \u2028 and é中"},
    ]
    status, headers, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
    assert status == 207 and headers["Content-Type"] == "application/json", reply
    assert reply["accepted"] == 3 and reply["rejected"] == 2, reply
    assert [r["index"] for r in reply["results"]] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in reply["results"]] == [202, 422, 409, 202, 202]
    kept, bad, conflict, replay, last = reply["results"]
    assert kept["idempotency_key"] == "batch-kickoff-1" and kept["id"].startswith("msg_")
    assert bad["error"]["invalid_params"][0]["name"] == "messages[1].priority"
    assert kept["id"] in conflict["error"]["detail"]
    assert replay["id"] == kept["id"] and replay["deliveries"] == kept["deliveries"]
    assert last["idempotency_key"] is None and last["deliveries"][0]["channel"] == "webhook"
    assert last["deliveries"][0]["destination"] == url + "#frag"
    status, _, stored = daemon.request("GET", f"/v1/messages/{last['id']}")
    assert status == 200 and stored["deliveries"][0]["id"] == last["deliveries"][0]["id"]


def test_idempotency_key_replays_first_result_and_refuses_a_different_body(daemon, receiver):
    body = {"to": {"webhook": receiver.url()}, "text": "welcome"}
    s1, _, r1 = daemon.request("POST", "/v1/messages", body, headers={"Idempotency-Key": "acme-welcome-1"})
    s2, h2, r2 = daemon.request("POST", "/v1/messages", body, headers={"Idempotency-Key": "acme-welcome-1"})
    assert s1 == 202 and s2 == 202
    assert r2["id"] == r1["id"] and r2["deliveries"][0]["id"] == r1["deliveries"][0]["id"]
    assert h2.get("Idempotent-Replayed") == "true"
    s3, h3, r3 = daemon.request("POST", "/v1/messages", {**body, "text": "other"}, headers={"Idempotency-Key": "acme-welcome-1"})
    assert s3 == 409 and h3["Content-Type"] == "application/problem+json"
    assert r1["id"] in r3["detail"]
    # the body field works the same way
    s4, _, r4 = daemon.request("POST", "/v1/messages", {**body, "idempotency_key": "acme-welcome-1"})
    assert s4 == 202 and r4["id"] == r1["id"]
    status, _, page = daemon.request("GET", "/v1/messages")
    assert status == 200 and [m["id"] for m in page["items"]] == [r1["id"]]   # one message, one delivery
    assert receiver.wait_for(lambda r: r.accepted_ids() == [r1["deliveries"][0]["id"]], 10)


def test_list_filters_and_cursor_pagination(daemon, receiver):
    ids = [enqueue(daemon, receiver.url(), client_id="acme")["id"] for _ in range(5)]
    enqueue(daemon, receiver.url(), client_id="globex")
    seen, cursor = [], None
    while True:
        path = "/v1/messages?client_id=acme&limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = daemon.request("GET", path)
        assert status == 200, page
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    status, _, problem = daemon.request("GET", "/v1/messages?statuss=sent")
    assert status == 422 and problem["invalid_params"][0]["name"] == "statuss"


def test_cancel_stops_a_scheduled_message(daemon, receiver):
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    reply = enqueue(daemon, receiver.url(), send_at=send_at)
    assert reply["deliveries"][0]["status"] == "scheduled"
    status, _, body = daemon.request("POST", f"/v1/messages/{reply['id']}/cancel")
    assert status == 200 and body["cancelled"] == [reply["deliveries"][0]["id"]]
    assert body["message"]["deliveries"][0]["status"] == "cancelled"
    status, _, problem = daemon.request("POST", f"/v1/messages/{reply['id']}/cancel")
    assert status == 409 and "nothing left to cancel" in problem["detail"]


def test_herald_cancel_stops_a_message_while_the_daemon_runs(daemon, receiver):
    # Both messages are due at the same second; the one not cancelled is the clock: when it
    # arrives, the cancelled one would have arrived too.
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    stopped = enqueue(daemon, receiver.url(), send_at=send_at)
    result = daemon.cli("cancel", stopped["id"])
    clock = enqueue(daemon, receiver.url(), send_at=send_at)
    assert result.returncode == 0, result.stderr
    assert f"cancelled 1 delivery of {stopped['id']}" in result.stdout
    assert stopped["deliveries"][0]["id"] in result.stdout and "cancelled" in result.stdout
    again = daemon.cli("cancel", stopped["id"], "--json")
    assert again.returncode == 1 and "nothing left to cancel" in again.stderr and again.stdout == ""
    assert daemon.cli("cancel", "msg_01JD0000000000000000000000").returncode == 1
    assert daemon.cli("cancel", "not-an-id").returncode == 64

    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15)
    assert [p["data"]["message_id"] for _, p, _, _, _ in receiver.received] == [clock["id"]]
    detail = daemon.message(stopped["id"])
    assert detail["deliveries"][0]["status"] == "cancelled"
    assert [(e["type"], e["actor"].split(":")[0]) for e in detail["events"] if e["type"] == "cancelled"] == [("cancelled", "cli")]


def test_herald_cancel_json_is_the_api_answer(daemon, receiver):
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    reply = enqueue(daemon, receiver.url(), send_at=send_at)
    result = daemon.cli("cancel", reply["id"], "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["cancelled"] == [reply["deliveries"][0]["id"]] and answer["escalations_cancelled"] == 0
    assert answer["message"] == daemon.message(reply["id"])


def test_send_at_holds_the_message_until_its_time(daemon, receiver):
    start = time.time()
    send_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + 2)) + "Z"
    target = int(start + 2)  # whole seconds: the timestamp has no fraction
    reply = enqueue(daemon, receiver.url(), send_at=send_at)
    assert reply["deliveries"][0]["status"] == "scheduled"
    assert receiver.wait_for(lambda r: len(r.accepted_ids()) == 1, 15)
    assert time.time() >= target
    body = daemon.wait_for_states(reply["id"], {"sent"})
    assert [e["type"] for e in body["events"]] == ["scheduled", "sent"]


def test_a_local_queue_longer_than_a_lease_sends_each_delivery_once(make_daemon, receiver):
    # One worker, a receiver that takes 250 ms: the 40 deliveries claimed at once wait up to 10 s in
    # the local queue, longer than their 6 s lease (3 × the 2 s attempt timeout). The dispatcher
    # renews the leases of waiting deliveries, so none runs out and is claimed (and sent) again.
    daemon = make_daemon(webhook_toml="concurrency = 1\n",
                         dispatch_toml='poll_interval = "200ms"\nlease = "3s"\ndrain_timeout = "10s"\n').start()
    receiver.delay["/slow"] = 0.25
    status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": [
        {"to": {"webhook": receiver.url("/slow")}, "text": f"n{i}"} for i in range(40)]})
    assert status == 202, reply
    assert receiver.wait_for(lambda r: len(set(r.accepted_ids())) >= 40, 40)
    ids = receiver.accepted_ids()
    assert len(ids) == len(set(ids)) == 40, f"{len(ids) - len(set(ids))} sent twice"
    for item in reply["results"]:
        detail = daemon.wait_for_states(item["id"], {"sent"})
        assert [e["type"] for e in detail["events"]] == ["queued", "sent"], detail["events"]
        assert detail["deliveries"][0]["attempt_count"] == 1


def test_log_deliveries_problems_leaves_out_sent_lines_until_a_reload_brings_them_back(make_daemon, receiver):
    # Under journald a line per delivery at 10k/s outruns the per-service rate limit; with
    # `[log] deliveries = "problems"` only retries and failures are logged (sent ones go to debug).
    daemon = make_daemon(herald_toml='[log]\ndeliveries = "problems"\n').start()
    receiver.script["/flaky"] = [(503, {}, b"busy")]
    fine = enqueue(daemon, receiver.url())
    flaky = enqueue(daemon, receiver.url("/flaky"))
    daemon.wait_for_states(fine["id"], {"sent"})
    body = daemon.wait_for_states(flaky["id"], {"sent"})
    assert body["deliveries"][0]["attempt_count"] == 2
    lines = daemon.log().splitlines()
    fine_id, flaky_id = fine["deliveries"][0]["id"], flaky["deliveries"][0]["id"]
    assert not [line for line in lines if "delivery sent" in line], lines
    assert not [line for line in lines if f"delivery={fine_id}" in line]
    retried = [line for line in lines if f"delivery={flaky_id}" in line]
    assert len(retried) == 1 and "delivery will be retried" in retried[0] and "code=503" in retried[0], retried

    # The setting is reloadable: back to "all" (the API's reload answers once the new dispatcher
    # runs), the next sent delivery has its line.
    config = daemon.folder / "herald.toml"
    config.write_text(config.read_text().replace('deliveries = "problems"', 'deliveries = "all"'))
    status, _, report = daemon.request("POST", "/v1/admin/reload")
    assert status == 200 and report["restart_needed"] == [], report
    after = enqueue(daemon, receiver.url())
    daemon.wait_for_states(after["id"], {"sent"})
    after_id = after["deliveries"][0]["id"]
    sent = [line for line in daemon.log().splitlines() if f"delivery={after_id}" in line]
    assert len(sent) == 1 and "delivery sent" in sent[0] and "status=sent" in sent[0], sent
