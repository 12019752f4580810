"""Email through a real SMTP server (aiosmtpd on 127.0.0.1); every received message is parsed by
Python's own `email` package, independently of Herald's MIME builder."""

import pytest

from smtp_server import SMTPServer

SUBJECT = "欢迎加入 Acme，李雷！您的客户成功经理王芳将在两个工作日内联系您"


def email_channel(smtp_url, extra=""):
    return {"email": 'kind = "email"\nprovider = "smtp"\n'
                     f'smtp_url = "{smtp_url}"\nstarttls = "off"\n'
                     'from = "Acme 客户成功 <cs@acme.example>"\nreply_to = "Wang Fang <wang.fang@acme.example>"\n'
                     'bounce_address = "bounces@acme.example"\nmessage_id_domain = "mail.acme.example"\n'
                     'timeout = "5s"\nconcurrency = 2\n' + extra}


def enqueue(daemon, to, **extra):
    body = {"to": {"email": to}, "subject": SUBJECT, "text": "您好 {{first_name}}，\n欢迎！",
            "html": "<p>您好 <b>{{first_name}}</b></p>", "data": {"first_name": "李雷"}, **extra}
    status, _, reply = daemon.request("POST", "/v1/messages", body)
    assert status == 202, reply
    return reply


def test_email_is_well_formed_mime(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    reply = enqueue(daemon, "li.lei@client.example")
    delivery_id = reply["deliveries"][0]["id"]
    assert smtp.wait_for(lambda s: len(s.messages) == 1, 15)
    mail_from, rcpts, raw, msg = smtp.messages[0]
    assert mail_from == "bounces@acme.example" and rcpts == ["li.lei@client.example"]
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert str(msg["Subject"]) == SUBJECT                     # RFC 2047 decoded by Python
    assert msg["From"].addresses[0].display_name == "Acme 客户成功"
    assert msg["From"].addresses[0].addr_spec == "cs@acme.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "wang.fang@acme.example"
    assert msg["Message-ID"] == f"<{delivery_id}@mail.acme.example>"
    assert msg["Date"] is not None and msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p for p in msg.iter_parts()]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content().replace("\r\n", "\n") == "您好 李雷，\n欢迎！"
    assert "<b>李雷</b>" in parts[1].get_content()
    body = daemon.wait_for_states(reply["id"], {"sent"})
    attempt = body["deliveries"][0]["attempts"][0]
    assert attempt["status_code"] == 250 and attempt["provider_id"] == "Ok: queued as Q00001"


def test_transient_replies_are_retried(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    smtp.rcpt_script["grey@client.example"] = ["451 4.7.1 Greylisted, try again later", "421 4.3.2 Busy"]
    reply = enqueue(daemon, "grey@client.example")
    body = daemon.wait_for_states(reply["id"], {"sent"}, timeout=20)
    attempts = body["deliveries"][0]["attempts"]
    assert [a["status_code"] for a in attempts] == [451, 421, 250]
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "sent"]
    assert "Greylisted" in attempts[0]["error"]
    assert len(smtp.messages) == 1


def test_hard_bounce_fails_and_suppresses_the_address(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    smtp.rcpt_script["gone@client.example"] = ["550 5.1.1 <gone@client.example>: Recipient address rejected"]
    first = enqueue(daemon, "gone@client.example")
    body = daemon.wait_for_states(first["id"], {"failed"})
    d = body["deliveries"][0]
    assert d["attempt_count"] == 1 and "550 5.1.1" in d["last_error"]
    assert body["events"][-1]["type"] == "bounced"
    # The next message to that address is suppressed at enqueue and never reaches the server.
    second = enqueue(daemon, "gone@client.example")
    assert second["deliveries"][0]["status"] == "suppressed"
    detail = daemon.message(second["id"])
    assert "bounce" in detail["deliveries"][0]["last_error"]
    assert [e["type"] for e in detail["events"]] == ["suppressed"]
    assert smtp.messages == [] and len(smtp.refused) == 1


def test_connections_are_reused(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    messages = [{"to": {"email": f"user{i}@client.example"}, "subject": "Batch", "text": f"m{i}"} for i in range(30)]
    status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
    assert status == 202
    assert smtp.wait_for(lambda s: len(s.messages) == 30, 30)
    assert smtp.connections <= 2, smtp.connections     # concurrency = 2: one connection per worker


def test_starttls_required_but_not_offered_is_retried_with_a_clear_reason(make_daemon, smtp):
    channel = email_channel(smtp.url())
    channel["email"] = channel["email"].replace('starttls = "off"', 'starttls = "required"')
    daemon = make_daemon(extra_channels=channel).start()
    reply = enqueue(daemon, "li.lei@client.example")
    body = daemon.wait_for_states(reply["id"], {"retrying", "dead"}, timeout=15)
    assert "STARTTLS" in body["deliveries"][0]["last_error"]
    assert smtp.messages == []


def test_outbox_provider_writes_the_exact_email(make_daemon):
    daemon = make_daemon(extra_channels={"email": 'kind = "email"\nprovider = "outbox"\n'
                                                  'from = "Acme CS <cs@acme.example>"\noutbox_dir = "outbox"\n'})
    daemon.start()
    reply = enqueue(daemon, "li.lei@client.example")
    daemon.wait_for_states(reply["id"], {"sent"})
    import email as email_pkg
    import email.policy
    path = daemon.folder / "outbox" / f"{reply['deliveries'][0]['id']}.eml"
    msg = email_pkg.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(msg["Subject"]) == SUBJECT and msg["To"] == "li.lei@client.example"


def test_invalid_email_addresses_are_refused(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    for bad in ["not-an-address", "Li <li@client.example>", "li@client.example\r\nBcc: x@y.example", "李@client.example"]:
        status, _, problem = daemon.request("POST", "/v1/messages", {"to": {"email": bad}, "text": "x"})
        assert status == 422 and problem["invalid_params"][0]["name"] == "to.email", (bad, problem)


def test_shipped_template_renders_in_the_contacts_locale(make_daemon, smtp):
    import shutil
    from conftest import ROOT
    daemon = make_daemon(extra_channels=email_channel(smtp.url()))
    shutil.copytree(ROOT / "templates", daemon.folder / "templates")
    daemon.start()
    data = {"first_name": "李雷", "company": "星河科技", "product_name": "Acme", "csm_name": "王芳",
            "csm_email": "wang.fang@acme.example", "start_url": "https://app.acme.example/start?src=welcome&x=1"}
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"email": "li.lei@client.example"}, "template": "welcome", "locale": "zh-CN", "data": data,
        "client_id": "xinghe"})
    assert status == 202, reply
    assert smtp.wait_for(lambda s: len(s.messages) == 1, 15)
    msg = smtp.messages[0][3]
    assert str(msg["Subject"]) == "欢迎加入Acme，李雷！您的专属客户成功经理是王芳"
    text, html = [p.get_content() for p in msg.iter_parts()]
    assert "王芳会在两个工作日内联系您" in text and "(https://app.acme.example/start?src=welcome&x=1)" in text
    assert 'lang="zh-CN"' in html and "星河科技" in html
    # Missing data is refused at enqueue, naming what is missing.
    status, _, problem = daemon.request("POST", "/v1/messages", {
        "to": {"email": "li.lei@client.example"}, "template": "welcome", "data": {"first_name": "Li"}})
    assert status == 422 and problem["invalid_params"][0]["name"] == "data"
    assert "'product_name'" in problem["invalid_params"][0]["reason"]
    status, _, problem = daemon.request("POST", "/v1/messages", {
        "to": {"email": "li.lei@client.example"}, "template": "no-such-template", "data": {}})
    assert status == 422 and "ebr-invite, feature-adoption" in problem["invalid_params"][0]["reason"]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_tls_and_auth(make_daemon, tmp_path, mode):
    from smtp_server import self_signed
    import os
    cert, context = self_signed(tmp_path)
    server = SMTPServer(tls=(mode, context), credentials=("herald", "s3cret-pass"))
    try:
        channel = email_channel(server.url(), extra=f'username = "herald"\npassword = "env:TEST_SMTP_PASSWORD"\nca_file = "{cert}"\n')
        channel["email"] = channel["email"].replace('starttls = "off"', 'starttls = "required"')
        os.environ["TEST_SMTP_PASSWORD"] = "s3cret-pass"
        daemon = make_daemon(extra_channels=channel).start()
        reply = enqueue(daemon, "li.lei@client.example")
        assert server.wait_for(lambda s: len(s.messages) == 1, 15), daemon.log()[-2000:]
        daemon.wait_for_states(reply["id"], {"sent"})
        assert "s3cret-pass" not in daemon.log()             # secrets never logged
        # A wrong password is refused by the server and kept for retry with a clear reason.
        os.environ["TEST_SMTP_PASSWORD"] = "wrong"
        daemon2 = make_daemon(extra_channels=channel).start()
        reply2 = enqueue(daemon2, "li.lei@client.example")
        body = daemon2.wait_for_states(reply2["id"], {"retrying"}, timeout=15)
        assert "authentication" in body["deliveries"][0]["last_error"].lower()
    finally:
        os.environ.pop("TEST_SMTP_PASSWORD", None)
        server.stop()
