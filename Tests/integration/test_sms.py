"""SMS through the real daemon against loopback Twilio and Aliyun fakes; delivery receipts
signed with the official `twilio` package's RequestValidator."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from conftest import ROOT
from sms_fakes import ALIYUN_KEY_ID, ALIYUN_SECRET, TWILIO_SID, TWILIO_TOKEN, SMSFakes
from test_metrics import scrape, value


@pytest.fixture
def fakes():
    f = SMSFakes()
    yield f
    f.stop()


def channels(fakes, tmp_path):
    secrets = tmp_path / "sms-secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "twilio").write_text(TWILIO_TOKEN + "\n")
    (secrets / "aliyun").write_text(ALIYUN_SECRET + "\n")
    (secrets / "aliyun-receipts").write_text("rcpt-0123456789abcdef\n")
    return {
        "sms": (f'kind = "sms"\nprovider = "twilio"\nbase_url = "{fakes.base}"\naccount_sid = "{TWILIO_SID}"\n'
                f'auth_token = "file:{secrets / "twilio"}"\nfrom = "+14155550100"\ntimeout = "2s"\n'),
        "sms-cn": (f'kind = "sms"\nprovider = "aliyun"\nbase_url = "{fakes.base}"\naccess_key_id = "{ALIYUN_KEY_ID}"\n'
                   f'access_key_secret = "file:{secrets / "aliyun"}"\nsign_name = "Acme"\n'
                   f'receipt_token = "file:{secrets / "aliyun-receipts"}"\ntimeout = "2s"\n'
                   '[template_codes]\nrenewal = "SMS_123456789"\n'),
    }


def post_receipt(url, params, signature=None):
    """POSTs a status callback to `url` (the StatusCallback Herald gave Twilio), signed as Twilio signs."""
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST",
                                     headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_twilio_send_segments_and_signed_receipts(make_daemon, fakes, tmp_path):
    daemon = make_daemon(extra_channels=channels(fakes, tmp_path)).start()
    long_chinese = "【Acme】" + "您的续约将于12月23日到期，请及时处理。" * 4
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"sms": ["+8613800138000", "+14155550123"]},
                                                                "text": long_chinese})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"sent"})
    assert len(fakes.twilio_messages) == 2
    sent = {m["To"]: m for m in fakes.twilio_messages}
    assert sent["+8613800138000"]["Body"] == long_chinese and sent["+8613800138000"]["From"] == "+14155550100"
    by_to = {d["destination"]: d for d in body["deliveries"]}
    delivery = by_to["+8613800138000"]
    callback = sent["+8613800138000"]["StatusCallback"]
    assert callback == daemon.base + "/callbacks/twilio?delivery=" + delivery["id"]
    assert delivery["segments"] == 2                      # 82 UCS-2 characters: two 67-unit parts
    assert delivery["provider_id"] == sent["+8613800138000"]["sid"]

    # A receipt signed like Twilio signs it moves the delivery; a tampered one is refused.
    sid = delivery["provider_id"]
    assert post_receipt(callback, {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": TWILIO_SID}) == 204
    other_callback = sent["+14155550123"]["StatusCallback"]
    forged = RequestValidator(TWILIO_TOKEN).compute_signature(callback, {"MessageSid": sid, "MessageStatus": "delivered"})
    other = by_to["+14155550123"]["provider_id"]
    assert post_receipt(other_callback, {"MessageSid": other, "MessageStatus": "failed", "ErrorCode": "30003"}, forged) == 403
    assert post_receipt(other_callback, {"MessageSid": other, "MessageStatus": "failed"}, signature="") == 403
    # The delivery named in the URL is signed too: pointing a valid receipt at another delivery is refused.
    moved = RequestValidator(TWILIO_TOKEN).compute_signature(callback, {"MessageSid": other, "MessageStatus": "failed"})
    assert post_receipt(other_callback, {"MessageSid": other, "MessageStatus": "failed"}, moved) == 403
    # An out-of-order "failed" after "delivered" keeps the furthest state; the other one fails.
    assert post_receipt(callback, {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30005"}) == 204
    assert post_receipt(other_callback, {"MessageSid": other, "MessageStatus": "undelivered", "ErrorCode": "30003"}) == 204
    assert post_receipt(callback, {"MessageSid": "SMunknown", "MessageStatus": "delivered"}) == 204
    detail = daemon.message(reply["id"])
    states = {d["destination"]: d for d in detail["deliveries"]}
    assert states["+8613800138000"]["status"] == "delivered"
    events = [e for e in detail["events"] if e["delivery_id"] == delivery["id"]]
    assert any("30005" in (e["detail"] or "") and "state kept" in e["detail"] for e in events)
    assert states["+14155550123"]["status"] == "failed" and "30003" in states["+14155550123"]["last_error"]
    assert "twilio receipt for an unknown message ignored" in daemon.log()
    # The state survives a restart (it is in the database).
    daemon.stop()
    daemon.start()
    assert daemon.message(reply["id"])["deliveries"][0]["status"] in ("delivered", "failed")


def test_a_receipt_saying_the_number_cannot_take_texts_suppresses_it(make_daemon, fakes, tmp_path):
    # Twilio's receipt says 30005 (the number is no longer in service): the text bounced and the
    # number is suppressed on the channel, so the next text is not even tried. A 30003 (switched
    # off) fails that text only.
    daemon = make_daemon(extra_channels=channels(fakes, tmp_path)).start()
    dead, off = "+14155550130", "+14155550131"
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"sms": [dead, off]}, "text": "Your review is on Friday."})
    assert status == 202, reply
    daemon.wait_for_states(reply["id"], {"sent"})
    sent = {m["To"]: m for m in fakes.twilio_messages}
    for number, code in ((dead, "30005"), (off, "30003")):
        params = {"MessageSid": sent[number]["sid"], "MessageStatus": "undelivered", "ErrorCode": code, "AccountSid": TWILIO_SID}
        assert post_receipt(sent[number]["StatusCallback"], params) == 204
    detail = daemon.message(reply["id"])
    by_to = {d["destination"]: d for d in detail["deliveries"]}
    assert by_to[dead]["status"] == "failed" and "30005: unknown destination handset" in by_to[dead]["last_error"]
    assert by_to[off]["status"] == "failed" and by_to[off]["last_error"] == "twilio: undelivered (error 30003)"
    assert [e["type"] for e in detail["events"] if e["delivery_id"] == by_to[dead]["id"]][-1] == "bounced"
    status, _, page = daemon.request("GET", "/v1/suppressions?source=bounce")
    assert status == 200 and [(e["address"], e["category"]) for e in page["items"]] == [(dead, "channel:sms")], page

    status, _, again = daemon.request("POST", "/v1/messages", {"to": {"sms": [dead, off]}, "text": "Moved to Monday."})
    assert {d["destination"]: d["status"] for d in again["deliveries"]} == {dead: "suppressed", off: "queued"}, again
    daemon.wait_for_states(again["id"], {"suppressed", "sent"})
    assert [m["To"] for m in fakes.twilio_messages].count(dead) == 1


def test_twilio_error_codes_are_classified(make_daemon, fakes, tmp_path):
    fakes.twilio_script = [(503, {"code": 20500, "message": "Internal Server Error"}),
                           (400, {"code": 21211, "message": "The 'To' number is not a valid phone number."})]
    daemon = make_daemon(extra_channels=channels(fakes, tmp_path)).start()
    status, _, first = daemon.request("POST", "/v1/messages", {"to": {"sms": "+14155550124"}, "text": "hi"})
    body = daemon.wait_for_states(first["id"], {"sent", "failed"})
    attempts = body["deliveries"][0]["attempts"]
    # 503 retried, then 21211 permanent.
    assert [a["outcome"] for a in attempts] == ["retry", "failed"]
    assert "21211" in attempts[-1]["error"]


def test_answers_that_are_not_json_never_send_a_text_twice(make_daemon, fakes, tmp_path):
    # A 2xx from Twilio means it took the text, whatever the body says: sent (no id), never retried.
    # Aliyun answers 200 for its own errors too, so a 200 without a Code is not proof of a send: it
    # fails for good rather than risk a second text; a proxy's 502 or 429 page is retried.
    fakes.twilio_script = [(200, b"<html>accepted by a proxy</html>")]
    fakes.aliyun_script = [(502, b"<html><h1>502 Bad Gateway</h1></html>"), (429, b"<html>Too Many Requests</html>"),
                           (200, b"not json {")]
    templates = tmp_path / "tpl" / "renewal"
    templates.mkdir(parents=True)
    (templates / "sms.zh-CN.mustache").write_text("【Acme】{{company}}的合同将于{{renewal_date}}到期。")
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{tmp_path / "tpl"}"\n',
                         extra_channels=channels(fakes, tmp_path)).start()
    twilio = daemon.request("POST", "/v1/messages", {"to": {"sms": "+14155550125"}, "text": "hi"})[2]
    aliyun = daemon.request("POST", "/v1/messages", {
        "to": {"sms-cn": "+8613800138001"}, "template": "renewal", "locale": "zh-CN",
        "data": {"company": "星河科技", "renewal_date": "2026-12-23"}})[2]
    sent = daemon.wait_for_states(twilio["id"], {"sent", "failed", "dead"})["deliveries"][0]
    assert sent["status"] == "sent" and sent["provider_id"] is None and sent["attempt_count"] == 1, sent
    failed = daemon.wait_for_states(aliyun["id"], {"sent", "failed", "dead"}, timeout=30)["deliveries"][0]
    assert [a["outcome"] for a in failed["attempts"]] == ["retry", "retry", "failed"], failed
    assert failed["status"] == "failed" and "aliyun HTTP 200" in failed["last_error"] and "not json" in failed["last_error"]
    assert fakes.twilio_script == [] and fakes.aliyun_script == [] and fakes.aliyun_messages == []
    assert daemon.request("GET", "/healthz")[0] == 200


def test_aliyun_send_is_signed_with_template_and_receipts(make_daemon, fakes, tmp_path):
    templates = tmp_path / "tpl" / "renewal"
    templates.mkdir(parents=True)
    (templates / "sms.zh-CN.mustache").write_text("【Acme】{{company}}的合同将于{{renewal_date}}到期。")
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{tmp_path / "tpl"}"\n',
                         extra_channels=channels(fakes, tmp_path)).start()
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"sms-cn": "+8613800138000"}, "template": "renewal", "locale": "zh-CN",
        "data": {"company": "星河科技", "renewal_date": "2026-12-23", "days_left": 30}})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"sent"})
    assert not fakes.rejected, fakes.rejected
    (sent,) = fakes.aliyun_messages                        # the fake verified the signature itself
    assert sent["PhoneNumbers"] == "13800138000" and sent["SignName"] == "Acme" and sent["TemplateCode"] == "SMS_123456789"
    assert json.loads(sent["TemplateParam"]) == {"company": "星河科技", "renewal_date": "2026-12-23", "days_left": "30"}
    delivery = body["deliveries"][0]
    assert delivery["provider_id"] == sent["BizId"] and delivery["segments"] == 1
    assert sent["OutId"] == delivery["id"]

    report = [{"phone_number": "13800138000", "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功",
               "biz_id": sent["BizId"], "out_id": delivery["id"], "sms_size": "1"}]
    url = daemon.base + "/callbacks/aliyun/"
    def push(token):
        req = urllib.request.Request(url + token, data=json.dumps(report).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, None
    assert push("wrong-token")[0] == 403
    assert push("rcpt-0123456789abcdef") == (200, {"code": 0, "msg": "成功"})
    assert daemon.message(reply["id"])["deliveries"][0]["status"] == "delivered"

    # Inline text has no approved template: refused at send with the reason.
    status, _, inline = daemon.request("POST", "/v1/messages", {"to": {"sms-cn": "+8613800138000"}, "text": "hi"})
    body = daemon.wait_for_states(inline["id"], {"failed"})
    assert "template_codes" in body["deliveries"][0]["last_error"]


def test_sms_numbers_are_validated(make_daemon, fakes, tmp_path):
    daemon = make_daemon(extra_channels=channels(fakes, tmp_path)).start()
    for bad in ["13800138000", "+0123456789", "+86 138 0013 8000", "+1234"]:
        status, _, problem = daemon.request("POST", "/v1/messages", {"to": {"sms": bad}, "text": "hi"})
        assert status == 422 and problem["invalid_params"][0]["name"] == "to.sms", (bad, problem)
        assert "E.164" in problem["invalid_params"][0]["reason"]


def limited_channel(fakes, tmp_path, limit, window, extra=""):
    return {"sms": channels(fakes, tmp_path)["sms"] + f'concurrency = 4\nrate_limit = {limit}\nrate_window = "{window}s"\n' + extra}


def assert_window_holds(times, limit, window):
    times = sorted(times)
    for i in range(len(times) - limit):
        assert times[i + limit] - times[i] >= window - 0.05, f"text {i + limit} came {times[i + limit] - times[i]:.2f} s after text {i}"


def test_texts_to_one_number_wait_for_its_rate_limit(make_daemon, tmp_path):
    # The provider refuses a third text to a number within 3 s, as carriers' flow control does:
    # Herald keeps under it, so it never has to, and other numbers are not held back.
    limit, window = 2, 3
    fakes = SMSFakes(number_limit=(limit, window))
    try:
        daemon = make_daemon(extra_channels=limited_channel(fakes, tmp_path, limit, window)).start()
        busy, quiet = "+14155550130", "+14155550131"
        ids = [daemon.request("POST", "/v1/messages", {"to": {"sms": busy}, "text": f"reminder {i}"})[2]["id"]
               for i in range(6)]
        ids += [daemon.request("POST", "/v1/messages", {"to": {"sms": quiet}, "text": f"other {i}"})[2]["id"]
                for i in range(2)]
        arrivals = fakes.wait_for_texts(8, timeout=30)
        assert fakes.limit_refusals == [], fakes.limit_refusals
        assert len(arrivals.get(busy, [])) == 6 and len(arrivals.get(quiet, [])) == 2, arrivals
        assert_window_holds(arrivals[busy], limit, window)
        # The allowance was used: six texts fit in three windows (the last pair ~2 windows after the
        # first); a wasted window would put it 3 windows or more after the first.
        assert arrivals[busy][-1] - arrivals[busy][0] < 3 * window - 0.5
        # The quiet number's texts were enqueued after all six busy ones, yet do not wait for the busy
        # number's window: they arrive before its third text, which had to wait one.
        assert max(arrivals[quiet]) < sorted(arrivals[busy])[limit], "a busy number held back another one"
        for message_id in ids:
            detail = daemon.wait_for_states(message_id, {"sent"})
            assert detail["deliveries"][0]["attempt_count"] == 1   # waiting is not an attempt
        waited = [daemon.message(i) for i in ids[:6]]
        reasons = [e["detail"] or "" for m in waited for e in m["events"] if e["type"] == "postponed"]
        assert reasons and all("rate limit of number +141****0130: 2 per 3s" in r for r in reasons), reasons
        assert busy not in daemon.log()                              # the number is masked in what is logged
        assert value(scrape(daemon), "herald_rate_limit_waits_total", channel="sms") >= 4

        # After a restart the sends of the last window still count.
        daemon.stop()
        daemon.start()
        last = max(arrivals[busy])
        after = daemon.request("POST", "/v1/messages", {"to": {"sms": busy}, "text": "after restart"})[2]["id"]
        daemon.wait_for_states(after, {"sent"})
        times = fakes.wait_for_texts(9, timeout=10)[busy]
        assert fakes.limit_refusals == []
        assert_window_holds(times, limit, window)
        assert max(times) - last >= window - 0.05 or time.monotonic() - last > window
    finally:
        fakes.stop()


def test_a_sender_wide_limit_paces_every_text_of_the_channel(make_daemon, tmp_path):
    fakes = SMSFakes()
    try:
        channel = limited_channel(fakes, tmp_path, 3, 2, 'rate_by = "sender"\n')
        daemon = make_daemon(extra_channels=channel).start()
        numbers = [f"+1415555014{i}" for i in range(9)]
        status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"sms": numbers}, "text": "maintenance tonight"})
        assert status == 202, reply
        arrivals = fakes.wait_for_texts(9, timeout=30)
        assert_window_holds([t for ts in arrivals.values() for t in ts], 3, 2)
        detail = daemon.wait_for_states(reply["id"], {"sent"})
        assert all(d["attempt_count"] == 1 for d in detail["deliveries"])
        assert any("rate limit of sender +14155550100: 3 per 2s" in (e["detail"] or "") for e in detail["events"])
    finally:
        fakes.stop()


def test_rate_limit_settings_are_checked(make_daemon, tmp_path):
    fakes = SMSFakes()
    try:
        base = channels(fakes, tmp_path)["sms"]
        for extra, expected in (('rate_limit = 0\n', "rate_limit"),
                                ('rate_limit = 5\nrate_by = "country"\n', 'rate_by: must be one of "recipient", "sender"'),
                                ('rate_window = "1h"\n', "rate_window: has no effect without rate_limit")):
            daemon = make_daemon(extra_channels={"sms": base + extra})
            result = daemon.cli("check-config")
            assert result.returncode == 78 and expected in result.stdout + result.stderr, (extra, result.stdout, result.stderr)
    finally:
        fakes.stop()


def test_a_stop_reply_suppresses_the_number_for_texts_only(make_daemon, fakes, tmp_path):
    # The client replied STOP to our texts: Twilio refuses the next with 21610. Herald suppresses
    # the number on that SMS channel, so later texts are not even tried, while the call still goes.
    from test_voice import voice_channel
    fakes.twilio_script = [(400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})]
    daemon = make_daemon(extra_channels={**channels(fakes, tmp_path), **voice_channel(fakes, tmp_path)}).start()
    number = "+14155550125"
    status, _, first = daemon.request("POST", "/v1/messages", {"to": {"sms": number}, "text": "Your review is on Friday."})
    assert status == 202, first
    failed = daemon.wait_for_states(first["id"], {"failed"})
    assert "21610" in failed["deliveries"][0]["last_error"]
    status, _, page = daemon.request("GET", "/v1/suppressions?source=opt_out")
    assert status == 200 and len(page["items"]) == 1, page
    entry = page["items"][0]
    assert entry["address"] == number and entry["category"] == "channel:sms"
    assert entry["delivery_id"] == failed["deliveries"][0]["id"] and "21610" in entry["reason"]

    status, _, second = daemon.request("POST", "/v1/messages", {"to": {"sms": number, "robocall": number},
                                                                 "text": "Your review is on Friday."})
    assert {d["channel"]: d["status"] for d in second["deliveries"]} == {"sms": "suppressed", "robocall": "queued"}
    daemon.wait_for_states(second["id"], {"suppressed", "sent", "delivered"})
    assert fakes.twilio_messages == [] and [c["To"] for c in fakes.twilio_calls] == [number]

    # The client texted START again: the operator removes the entry and texts go.
    status, _, removed = daemon.request(
        "DELETE", "/v1/suppressions/" + urllib.parse.quote(number, safe="") + "?category=channel:sms")
    assert status == 409 and "opted out of texts" in removed["detail"], removed   # the client's own no: only with force
    status, _, removed = daemon.request(
        "DELETE", "/v1/suppressions/" + urllib.parse.quote(number, safe="") + "?category=channel:sms&force=true")
    assert status == 200 and [e["source"] for e in removed["removed"]] == ["opt_out"], removed
    status, _, third = daemon.request("POST", "/v1/messages", {"to": {"sms": number}, "text": "Welcome back."})
    daemon.wait_for_states(third["id"], {"sent", "delivered"})
    assert [m["To"] for m in fakes.twilio_messages] == [number]


def test_a_number_that_refused_promotional_texts_gets_no_more_marketing(make_daemon, fakes, tmp_path):
    # Aliyun refuses a promotional text with isv.CUSTOMER_REFUSED (该手机用户已退订推广短信).
    # Herald suppresses the number for marketing: the next promotion is not even tried, the
    # CSM's transactional text still goes.
    fakes.aliyun_script = [(200, {"Code": "isv.CUSTOMER_REFUSED", "Message": "用户已退订推广短信", "RequestId": "r"})]
    templates = tmp_path / "tpl" / "renewal"
    templates.mkdir(parents=True)
    (templates / "sms.zh-CN.mustache").write_text("【Acme】{{company}}的合同将于{{renewal_date}}到期。")
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{tmp_path / "tpl"}"\n',
                         extra_channels=channels(fakes, tmp_path)).start()
    number = "+8613800138002"
    body = {"to": {"sms-cn": number}, "template": "renewal", "locale": "zh-CN",
            "data": {"company": "星河科技", "renewal_date": "2026-12-23"}}
    status, _, promotion = daemon.request("POST", "/v1/messages", {**body, "category": "marketing"})
    assert status == 202, promotion
    failed = daemon.wait_for_states(promotion["id"], {"failed"})["deliveries"][0]
    assert "isv.CUSTOMER_REFUSED" in failed["last_error"] and [a["outcome"] for a in failed["attempts"]] == ["failed"]
    status, _, page = daemon.request("GET", "/v1/suppressions?source=opt_out")
    assert status == 200 and [(e["address"], e["category"]) for e in page["items"]] == [(number, "marketing")], page
    assert page["items"][0]["delivery_id"] == failed["id"]

    status, _, again = daemon.request("POST", "/v1/messages", {**body, "category": "marketing"})
    assert status == 202 and [d["status"] for d in again["deliveries"]] == ["suppressed"], again
    status, _, notice = daemon.request("POST", "/v1/messages", body)
    assert status == 202 and [d["status"] for d in notice["deliveries"]] == ["queued"], notice
    daemon.wait_for_states(notice["id"], {"sent"})
    assert [m["PhoneNumbers"] for m in fakes.aliyun_messages] == ["13800138002"] and fakes.aliyun_script == []


def test_stop_and_start_texts_opt_a_client_out_of_texts_and_back_in(make_daemon, fakes, tmp_path):
    # The client replies STOP to our number: Twilio posts it to the inbound webhook (signed like
    # receipts); later START. Texts stop and resume without an operator, the first one never tried.
    daemon = make_daemon(extra_channels=channels(fakes, tmp_path)).start()
    number = "+14155550126"
    inbound = daemon.base + "/callbacks/twilio/inbound?channel=sms"

    def text(body, **extra):
        return post_receipt(inbound, {"MessageSid": "SM" + "1" * 32, "AccountSid": TWILIO_SID, "From": number,
                                      "To": "+14155550100", "Body": body, **extra})

    # Forged, for another channel, or without a sender: refused, nothing changes.
    assert post_receipt(inbound, {"From": number, "Body": "STOP"}, signature="bm90IGEgc2lnbmF0dXJl") == 403
    assert post_receipt(daemon.base + "/callbacks/twilio/inbound?channel=sms-cn", {"From": number, "Body": "STOP"}) == 403
    assert post_receipt(inbound, {"Body": "STOP"}) == 422
    assert text("Thanks, see you Monday!") == 200
    assert daemon.request("GET", "/v1/suppressions")[2]["items"] == []

    assert text("  stop\n") == 200
    [entry] = daemon.request("GET", "/v1/suppressions?source=opt_out")[2]["items"]
    assert (entry["address"], entry["category"], entry["reason"]) == (number, "channel:sms", "replied STOP to +14155550100")
    status, _, stopped = daemon.request("POST", "/v1/messages", {"to": {"sms": number}, "text": "Your review is on Friday."})
    assert status == 202 and stopped["deliveries"][0]["status"] == "suppressed", stopped

    # Twilio's Advanced Opt-Out names the keyword itself (here a localized one).
    assert text("OUI", OptOutType="START") == 200
    assert daemon.request("GET", "/v1/suppressions")[2]["items"] == []
    status, _, resumed = daemon.request("POST", "/v1/messages", {"to": {"sms": number}, "text": "Welcome back."})
    daemon.wait_for_states(resumed["id"], {"sent", "delivered"})
    assert [m["To"] for m in fakes.twilio_messages] == [number]
