"""Bounces that arrive after the relay said 250: a delivery status notification (RFC 3464), built
here with Python's own `email` package from the message the real SMTP server received, reaches
Herald through `herald bounce` (as a mail server's pipe would run it) or `POST /v1/bounces`."""

import email
import email.policy
import json
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from test_email import email_channel


def dsn(returned_headers: str, recipient: str, status="5.1.1", action="failed",
        diagnostic="smtp; 550 5.1.1 <{r}>: Recipient address rejected: User unknown"):
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@relay.acme.example (Mail Delivery System)"
    report["To"] = "bounces@acme.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("I'm sorry to have to inform you that your message could not be delivered.\n"))
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns; relay.acme.example"
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = diagnostic.format(r=recipient)
    status_part = MIMEBase("message", "delivery-status")
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    headers_part = MIMEBase("text", "rfc822-headers")
    headers_part.set_payload(returned_headers)
    report.attach(headers_part)
    return report.as_bytes(policy=email.policy.SMTP)


def send(daemon, smtp, to, n):
    status, _, reply = daemon.request("POST", "/v1/messages", {"to": {"email": to}, "subject": "Kickoff", "text": "Monday."})
    assert status == 202, reply
    assert smtp.wait_for(lambda s: len(s.messages) >= n, 15)
    daemon.wait_for_states(reply["id"], {"sent"})
    raw = smtp.messages[n - 1][2]
    headers = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()
    return reply, headers


def test_a_late_bounce_through_the_pipe_fails_the_delivery_and_suppresses_the_address(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    reply, headers = send(daemon, smtp, "gone@client.example", 1)
    delivery = reply["deliveries"][0]["id"]
    assert f"Message-ID: <{delivery}@mail.acme.example>" in headers
    report = dsn(headers, "gone@client.example")

    result = daemon.cli("bounce", "--json", input_text=report.decode())
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["delivery_id"] == delivery and answer["reporting_mta"] == "dns; relay.acme.example"
    assert [(r["address"], r["status"], r["result"]) for r in answer["recipients"]] == [
        ("gone@client.example", "5.1.1", "bounced")]

    body = daemon.message(reply["id"])
    assert body["deliveries"][0]["status"] == "failed" and "5.1.1" in body["deliveries"][0]["last_error"]
    bounced = [e for e in body["events"] if e["type"] == "bounced"]
    assert len(bounced) == 1 and "User unknown" in bounced[0]["detail"]
    status, _, page = daemon.request("GET", "/v1/suppressions?address=gone@client.example")
    assert [(e["source"], e["delivery_id"]) for e in page["items"]] == [("bounce", delivery)]
    status, _, later = daemon.request("POST", "/v1/messages", {"to": {"email": "gone@client.example"}, "text": "x"})
    assert later["deliveries"][0]["status"] == "suppressed"

    # The mail server delivers the same report twice: nothing more happens.
    again = daemon.cli("bounce", input_text=report.decode())
    assert again.returncode == 0 and "unchanged: the delivery is failed" in again.stdout
    assert len([e for e in daemon.message(reply["id"])["events"] if e["type"] == "bounced"]) == 1
    assert len(smtp.messages) == 1


def test_the_api_takes_reports_and_leaves_delays_and_other_mail_alone(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    reply, headers = send(daemon, smtp, "slow@client.example", 1)
    delayed = dsn(headers, "slow@client.example", status="4.4.1", action="delayed",
                  diagnostic="smtp; 451 4.4.1 connection timed out")

    reader = daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json")
    raw_headers = {"Content-Type": "message/rfc822"}
    assert daemon.request("POST", "/v1/bounces", raw=delayed, headers=raw_headers,
                          token=json.loads(reader.stdout)["token"])[0] == 403
    status, _, answer = daemon.request("POST", "/v1/bounces", raw=delayed, headers=raw_headers)
    assert status == 200, answer
    assert answer["recipients"][0]["result"].startswith("ignored: delayed 4.4.1")
    assert daemon.message(reply["id"])["deliveries"][0]["status"] == "sent"

    # A report about a recipient the delivery did not go to changes nothing either.
    status, _, answer = daemon.request("POST", "/v1/bounces", raw=dsn(headers, "someone.else@client.example"),
                                       headers=raw_headers)
    assert status == 200 and answer["recipients"][0]["result"].startswith("ignored: delivery"), answer
    assert daemon.message(reply["id"])["deliveries"][0]["status"] == "sent"

    # An out-of-office reply at the bounce address is not a report: 422 from the API, exit 0 from the pipe.
    auto_reply = b"From: slow@client.example\r\nSubject: Out of office\r\nContent-Type: text/plain\r\n\r\nBack Monday.\r\n"
    status, _, problem = daemon.request("POST", "/v1/bounces", raw=auto_reply, headers=raw_headers)
    assert status == 422 and problem["invalid_params"][0]["name"] == "(body)"
    result = daemon.cli("bounce", input_text=auto_reply.decode())
    assert result.returncode == 0 and "not a delivery status report" in result.stdout
    status, _, page = daemon.request("GET", "/v1/suppressions")
    assert page["items"] == []


def test_a_late_spam_rejection_fails_the_delivery_but_keeps_the_address(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    reply, headers = send(daemon, smtp, "li@client.example", 1)
    report = dsn(headers, "li@client.example", status="5.7.1", diagnostic="smtp; 550 5.7.1 Message rejected as spam")
    result = daemon.cli("bounce", input_text=report.decode())
    assert result.returncode == 0 and "failed (the address is not suppressed)" in result.stdout, result
    body = daemon.message(reply["id"])
    assert body["deliveries"][0]["status"] == "failed" and "5.7.1" in body["deliveries"][0]["last_error"]
    assert "bounced" not in [e["type"] for e in body["events"]]
    assert daemon.request("GET", "/v1/suppressions")[2]["items"] == []


def test_a_mailbox_of_collected_reports_is_applied_in_one_run(make_daemon, smtp, tmp_path):
    # The bounce address is an IMAP mailbox; the operator exports it as mbox (Python's own mailbox
    # module writes it) and as Maildir files, and applies what piled up.
    import mailbox
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    gone, gone_headers = send(daemon, smtp, "gone@client.example", 1)
    slow, slow_headers = send(daemon, smtp, "slow@client.example", 2)
    reports = [dsn(gone_headers, "gone@client.example"),
               dsn(slow_headers, "slow@client.example", status="4.4.1", action="delayed"),
               b"From: li@client.example\r\nSubject: Out of office\r\n\r\nFrom Monday I am back.\r\n"]
    box = mailbox.mbox(str(tmp_path / "bounces.mbox"))
    for raw in reports:
        box.add(mailbox.mboxMessage(raw))
    box.flush()
    box.close()

    result = daemon.cli("bounce", "--mbox", str(tmp_path / "bounces.mbox"), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["summary"] == {"messages": 3, "reports": 2, "bounced": 1, "failed": 0, "ignored": 1}, answer
    assert [r["source"].rsplit("#", 1)[1] for r in answer["reports"]] == ["1", "2", "3"]
    assert answer["reports"][0]["delivery_id"] == gone["deliveries"][0]["id"]
    assert daemon.message(gone["id"])["deliveries"][0]["status"] == "failed"
    assert daemon.message(slow["id"])["deliveries"][0]["status"] == "sent"

    # The same reports as Maildir files: applied again, they change nothing more.
    files = []
    for i, raw in enumerate(reports):
        path = tmp_path / f"{i}.eml"
        path.write_bytes(raw)
        files.append(str(path))
    result = daemon.cli("bounce", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 messages, 2 reports: 0 bounced, 0 failed, 2 changed nothing"
    assert "2.eml: not a delivery status report" in result.stdout
    assert daemon.cli("bounce", str(tmp_path / "missing.eml")).returncode == 66
