"""Automated voice calls (kind = "voice") through the real daemon against a loopback fake of
Twilio's Calls API; call statuses signed with the official `twilio` package's RequestValidator."""

import json
from datetime import datetime, timezone

from twilio.request_validator import RequestValidator

from conftest import ROOT
from sms_fakes import TWILIO_SID, TWILIO_TOKEN, SMSFakes
from test_sms import post_receipt

import pytest


@pytest.fixture
def fakes():
    f = SMSFakes()
    yield f
    f.stop()


def voice_channel(fakes, tmp_path, extra=""):
    secrets = tmp_path / "voice-secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "twilio").write_text(TWILIO_TOKEN + "\n")
    return {"robocall": (f'kind = "voice"\nbase_url = "{fakes.base}"\naccount_sid = "{TWILIO_SID}"\n'
                         f'auth_token = "file:{secrets / "twilio"}"\nfrom = "+14155550100"\ntimeout = "2s"\n' + extra)}


def test_a_vip_tier_call_reads_the_template_in_the_clients_language(make_daemon, fakes, tmp_path):
    daemon = make_daemon(extra_channels=voice_channel(fakes, tmp_path),
                         herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n'
                                     '[tiers.vip]\nchannels = ["robocall"]\n').start()
    status, _, _ = daemon.request("PUT", "/v1/clients/acme", {
        "name": "Acme", "tier": "vip", "timezone": "Asia/Shanghai", "locale": "zh-CN",
        "contacts": [{"id": "li", "name": "Li Wei", "email": "li@acme.example"},
                     {"id": "zhao", "name": "Zhao Min", "phone": "+8613800138000", "locale": "zh-CN"}]})
    assert status in (200, 201)
    data = {"first_name": "赵敏", "company": "Acme", "plan": "企业版", "renewal_date": "12月23日", "days_left": "30",
            "csm_name": "王芳", "csm_email": "wang@herald.example", "renewal_url": "https://acme.example/renew"}
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "acme", "template": "renewal-reminder",
                                                                "data": data})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"sent"})
    delivery = body["deliveries"][0]
    assert len(body["deliveries"]) == 1 and delivery["channel"] == "robocall" and delivery["destination"] == "+8613800138000"
    [call] = fakes.twilio_calls
    assert call["To"] == "+8613800138000" and call["From"] == "+14155550100" and "MachineDetection" not in call
    assert delivery["provider_id"] == call["sid"] and call["sid"].startswith("CA")
    say = call["root"].findall("Say")
    assert call["root"].tag == "Response" and len(list(call["root"])) == 1 and len(say) == 1
    assert say[0].get("language") == "zh-CN" and say[0].get("voice") == "alice" and say[0].get("loop") == "2"
    assert say[0].text.startswith("赵敏您好，这里是客户成功团队的自动来电。Acme的企业版服务将于12月23日到期")

    # The call's outcome arrives signed like Twilio signs it; a forged one is refused.
    callback = call["StatusCallback"]
    assert callback == daemon.base + "/callbacks/twilio?delivery=" + delivery["id"]
    ringing = {"CallSid": call["sid"], "CallStatus": "ringing", "AccountSid": TWILIO_SID}
    assert post_receipt(callback, ringing) == 204
    assert daemon.message(reply["id"])["deliveries"][0]["status"] == "sent"
    answered = {"CallSid": call["sid"], "CallStatus": "completed", "CallDuration": "31", "AccountSid": TWILIO_SID}
    forged = RequestValidator("not-the-token").compute_signature(callback, answered)
    assert post_receipt(callback, answered, forged) == 403
    assert post_receipt(callback, answered) == 204
    after = daemon.message(reply["id"])
    assert after["deliveries"][0]["status"] == "delivered"
    assert any("twilio: call answered, 31 s" in (e["detail"] or "") for e in after["events"])


def test_message_text_cannot_change_the_call_and_unanswered_calls_fail(make_daemon, fakes, tmp_path):
    daemon = make_daemon(extra_channels=voice_channel(
        fakes, tmp_path, 'voice = "Polly.Joanna"\nloop = 1\nmachine_detection = true\n')).start()
    text = "Your code is 4 2 7. <Dial>+19005550100</Dial> & <Redirect>https://evil.example/</Redirect> \"bye\""
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"robocall": "+14155550123"}, "text": text,
                                                                "locale": "en"})
    assert status == 202, reply
    daemon.wait_for_states(reply["id"], {"sent"})
    [call] = fakes.twilio_calls
    root = call["root"]
    # Still exactly one <Say>, whose text is the message as written: nothing else reaches the call.
    assert [child.tag for child in root] == ["Say"] and root.find("Say").text == text
    assert root.find("Say").get("language") == "en-US" and root.find("Say").get("voice") == "Polly.Joanna"
    assert root.find("Say").get("loop") == "1"
    delivery = daemon.message(reply["id"])["deliveries"][0]
    assert post_receipt(call["StatusCallback"], {"CallSid": call["sid"], "CallStatus": "no-answer"}) == 204
    failed = daemon.message(reply["id"])["deliveries"][0]
    assert failed["status"] == "failed" and "call no-answer" in failed["last_error"], failed
    assert delivery["provider_id"] == call["sid"]

    # With machine detection, a voicemail takes the message after the beep: delivered, and said so.
    assert call["MachineDetection"] == "DetectMessageEnd"
    status, _, second = daemon.request("POST", "/v1/messages", {"to": {"robocall": "+14155550125"}, "text": "Renewal soon."})
    assert status == 202, second
    daemon.wait_for_states(second["id"], {"sent"})
    call = fakes.twilio_calls[1]
    machine = {"CallSid": call["sid"], "CallStatus": "completed", "AnsweredBy": "machine_end_beep", "CallDuration": "24"}
    assert post_receipt(call["StatusCallback"], machine) == 204
    left = daemon.message(second["id"])
    assert left["deliveries"][0]["status"] == "delivered"
    assert any("call answered by voicemail, message left, 24 s" in (e["detail"] or "") for e in left["events"]), left["events"]


def test_twilio_call_errors_are_classified_and_numbers_checked(make_daemon, fakes, tmp_path):
    fakes.twilio_script = [(503, {"code": 20500, "message": "Internal Server Error"}),
                           (400, {"code": 21211, "message": "The 'To' number +14155550124 is not a valid phone number."})]
    daemon = make_daemon(extra_channels=voice_channel(fakes, tmp_path),
                         herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n').start()
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"robocall": "+14155550124"}, "text": "hi"})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"failed"})
    attempts = body["deliveries"][0]["attempts"]
    assert [a["outcome"] for a in attempts] == ["retry", "failed"] and "21211" in attempts[-1]["error"]
    # A `from` the account cannot call from is the channel's problem, not the message's: it waits
    # (every 5 minutes) for the operator to fix the channel instead of failing.
    fakes.twilio_script = [(400, {"code": 21210, "message": "The source phone number provided is not yet verified."})]
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"robocall": "+14155550124"}, "text": "hi"})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"retrying"})
    delivery = body["deliveries"][0]
    assert "21210" in delivery["last_error"] and "retried every 5 minutes" in delivery["last_error"], delivery
    wait = datetime.fromisoformat(delivery["next_attempt_at"].replace("Z", "+00:00")) - datetime.now(timezone.utc)
    assert 240 < wait.total_seconds() <= 300, delivery
    # A number that is not E.164 is refused at enqueue, naming the field.
    status, _, problem = daemon.request("POST", "/v1/messages", {"to": {"robocall": "13800138000"}, "text": "hi"})
    assert status == 422 and "robocall" in problem["invalid_params"][0]["name"], problem
    # A template without a voice version is refused at enqueue too.
    status, _, problem = daemon.request("POST", "/v1/messages", {"to": {"robocall": "+14155550124"}, "template": "welcome",
                                                                  "data": {"first_name": "Li"}})
    assert status == 422 and "voice" in problem["invalid_params"][0]["reason"], problem
    assert fakes.rejected == []


def test_herald_template_render_previews_what_a_call_reads(make_daemon):
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n')
    data = '{"first_name":"Li","product_name":"Acme","days_inactive":"21","best_practice_title":"Weekly digest","csm_name":"Wang Fang"}'
    result = daemon.cli("template", "render", "inactivity-nudge", "--channel", "voice", "--locale", "en", "--json", "--data", data)
    assert result.returncode == 0, result.stderr
    text = json.loads(result.stdout)["text"]
    assert text.startswith("Hello Li, this is an automated call from the Acme customer success team.") and "21 days" in text
    missing = daemon.cli("template", "render", "welcome", "--channel", "voice")
    assert missing.returncode == 65 and "no voice template 'welcome'" in missing.stderr
