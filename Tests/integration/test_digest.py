"""The CSMs' morning digest through the real daemon and a real SMTP server: `herald digest` previews
and sends it (once a day per CSM), and the daemon sends it itself at `[digest] at`, here on a
restart after that time, to the CSMs who have something to see."""

import json
import time
import urllib.request

from test_email import email_channel
from test_tasks import ROOT, WELCOME, csm_token, mails_to, start, wait_for_tasks

WANG = "wang.fang@acme.example"
ZHAO = "zhao.min@acme.example"


def digest_mails(smtp, address):
    return [m[3] for m in mails_to(smtp, address) if "摘要" in str(m[3]["Subject"]) or "digest" in str(m[3]["Subject"])]


def test_the_digest_lists_calls_and_failures_once_a_day_and_the_daemon_sends_it_itself(make_daemon, smtp):
    daemon = start(make_daemon, smtp)
    # 李雷's mailbox is gone: the welcome email fails; his welcome call is Wang's task, due now.
    smtp.rcpt_script["li@xinghe.example"] = ["550 5.1.1 <li@xinghe.example>: no such user"]
    status, _, welcome = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202, welcome
    [task] = wait_for_tasks(daemon, f"assignee={WANG}", 1)
    daemon.wait_for_states(welcome["id"], {"sent", "failed"})
    # Zhao's client has nothing going on (yet).
    daemon.request("PUT", "/v1/clients/quiet", {"name": "Quiet Co", "tier": "strategic", "locale": "en",
                                               "csm": {"name": "Zhao Min", "email": ZHAO},
                                               "contacts": [{"email": "ops@quiet.example"}]})

    preview = daemon.cli("digest", "--dry-run", "--json")
    assert preview.returncode == 0, preview.stderr
    plan = {d["csm"]: d for d in json.loads(preview.stdout)["digests"]}
    assert plan[WANG]["status"] == "would send" and plan[WANG]["tasks"] == 1 and plan[WANG]["failures"] == 1
    assert plan[ZHAO]["status"] == "nothing to report"
    assert digest_mails(smtp, WANG) == []

    sent = daemon.cli("digest")
    assert sent.returncode == 0, sent.stderr
    wang_line = next(line for line in sent.stdout.splitlines() if line.startswith(WANG))
    assert "sent msg_" in wang_line, sent.stdout
    assert smtp.wait_for(lambda s: digest_mails(s, WANG), 30), daemon.log()[-3000:]
    [mail] = digest_mails(smtp, WANG)
    assert "1 个电话，1 条发送失败" in str(mail["Subject"])            # the clients' language
    html = mail.get_body(("html",)).get_content()
    assert "李雷" in html and task["id"] in html and "已逾期" in html     # the call, overdue
    assert "welcome" in html and "550" in html and welcome["id"] in html  # the failed welcome email

    again = daemon.cli("digest", "--csm", WANG)
    assert again.returncode == 0 and "already sent today" in again.stdout, again.stdout
    # The API does the same (admin only), and names a bad field.
    status, _, answer = daemon.request("POST", "/v1/digests", {"csm": WANG})
    assert status == 200 and [(d["csm"], d["status"]) for d in answer["digests"]] == [(WANG, "already sent")], answer
    assert answer["digests"][0]["message_id"].startswith("msg_") and answer["dry_run"] is False
    status, _, preview_api = daemon.request("POST", "/v1/digests", {"dry_run": True})
    assert status == 200 and {d["csm"]: d["status"] for d in preview_api["digests"]}[ZHAO] == "nothing to report"
    assert daemon.request("POST", "/v1/digests", {}, token=csm_token(daemon))[0] == 403
    status, _, problem = daemon.request("POST", "/v1/digests", {"csm": "not an address", "when": "now"})
    assert status == 422 and sorted(p["name"] for p in problem["invalid_params"]) == ["csm", "when"], problem
    assert daemon.request("POST", "/v1/digests", {"csm": "nobody@acme.example"})[0] == 404
    assert daemon.cli("digest", "--csm", "nobody@acme.example").returncode == 1

    # Zhao's client's email bounces too; then the daemon restarts after the day's digest time and
    # sends Zhao's digest itself (Wang's went already today).
    smtp.rcpt_script["ops@quiet.example"] = ["550 5.1.1 <ops@quiet.example>: no such user"]
    status, _, renewal = daemon.request("POST", "/v1/messages", {
        "client_id": "quiet", "channels": ["email"], "subject": "Renewal", "text": "Your plan renews soon."})
    assert status == 202, renewal
    daemon.wait_for_states(renewal["id"], {"failed"})
    daemon.stop()
    with open(daemon.folder / "herald.toml", "a") as f:
        f.write('[digest]\nat = "00:00"\ndays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\ntimezone = "Asia/Shanghai"\n')
    daemon.start()
    assert smtp.wait_for(lambda s: digest_mails(s, ZHAO), 30), daemon.log()[-3000:]
    [zhao] = digest_mails(smtp, ZHAO)
    assert "0 calls, 1 failed deliveries" in str(zhao["Subject"])             # English: the client's locale
    assert "Renewal" in zhao.get_body(("html",)).get_content()
    assert len(digest_mails(smtp, WANG)) == 1
    assert "CSM digests" in daemon.log()
    with urllib.request.urlopen(daemon.base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    assert 'herald_digests_total{outcome="sent"} 1' in text and 'herald_digests_total{outcome="already_sent"} 1' in text, text[-2000:]


DIGEST = '[digest]\nat = "00:00"\ndays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\ntimezone = "Asia/Shanghai"\n'


def test_two_instances_on_postgresql_send_a_csm_one_digest(make_daemon, postgres_database, smtp):
    # Both instances start after the day's digest time and both look: the CSM gets one email.
    first, second = [make_daemon(database_url=postgres_database, extra_channels=email_channel(smtp.url()),
                                 herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n[tiers.strategic]\nchannels = ["email"]\n')
                     for _ in range(2)]
    first.start()
    first.request("PUT", "/v1/clients/quiet", {"name": "Quiet Co", "tier": "strategic", "locale": "en",
                                              "csm": {"name": "Zhao Min", "email": ZHAO},
                                              "contacts": [{"email": "ops@quiet.example"}]})
    smtp.rcpt_script["ops@quiet.example"] = ["550 5.1.1 <ops@quiet.example>: no such user"]
    status, _, renewal = first.request("POST", "/v1/messages", {"client_id": "quiet", "subject": "Renewal", "text": "Soon."})
    assert status == 202, renewal
    first.wait_for_states(renewal["id"], {"failed"})
    first.stop()
    for d in (first, second):
        with open(d.folder / "herald.toml", "a") as f:
            f.write(DIGEST)
    first.start(), second.start()
    assert smtp.wait_for(lambda s: digest_mails(s, ZHAO), 30), first.log()[-3000:]
    # Both have looked (each logs its round) before the count is read.
    for d in (first, second):
        deadline = time.monotonic() + 30
        while "CSM digests" not in d.log():
            assert time.monotonic() < deadline, d.log()[-3000:]
            time.sleep(0.05)
    status, _, page = second.request("GET", "/v1/messages?template=csm-digest")
    assert status == 200 and len(page["items"]) == 1, page
    assert len(digest_mails(smtp, ZHAO)) == 1
