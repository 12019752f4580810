"""A CSM hands their clients to another (客户交接) through the real daemon: the API's preview, the CLI's
handover, the open call task moving with its notice mailed to the new CSM through a real SMTP
server, and a scheduled email that goes out replying to the new CSM."""

import json
import time

from test_tasks import WELCOME, csm_token, mails_to, start, wait_for_tasks

WANG = "wang.fang@acme.example"
ZHANG = "zhang.wei@acme.example"


def test_a_handover_moves_clients_their_open_call_and_their_waiting_email(make_daemon, smtp):
    daemon = start(make_daemon, smtp)
    # A second client of Wang's, and one of someone else's.
    for cid, csm in [("yuehai", {"name": "王芳", "email": "Wang.Fang@acme.example"}), ("other", {"name": "赵敏", "email": "zhao@acme.example"})]:
        status, _, body = daemon.request("PUT", f"/v1/clients/{cid}", {
            "name": cid, "tier": "strategic", "csm": csm, "contacts": [{"email": f"ops@{cid}.example"}]})
        assert status == 201, body
    status, _, welcome = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202, welcome
    [task] = wait_for_tasks(daemon, f"assignee={WANG}", 1)
    # The QBR invitation goes out in a few seconds, replying to the CSM.
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 10))
    status, _, qbr = daemon.request("POST", "/v1/messages", {
        "client_id": "xinghe", "channels": ["email"], "subject": "QBR", "text": "See you Thursday.", "send_at": send_at})
    assert status == 202, qbr
    assert daemon.message(qbr["id"])["reply_to"] == f"王芳 <{WANG}>"
    daemon.cli("token", "create", "--name", "wang-dash", "--scope", "read,resend", "--csm", WANG)

    body = {"from": WANG, "to": {"name": "张伟", "email": ZHANG}}
    # Only an admin hands clients over; a bad request names its field.
    assert daemon.request("POST", "/v1/clients/handover", body, token=csm_token(daemon))[0] == 403
    status, _, problem = daemon.request("POST", "/v1/clients/handover", {"from": WANG, "to": {"name": "张伟"}})
    assert status == 422 and [p["name"] for p in problem["invalid_params"]] == ["to.email"], problem
    status, _, problem = daemon.request("POST", "/v1/clients/handover", {**body, "clients": ["xinghe", "other"]})
    assert status == 422 and problem["invalid_params"][0]["name"] == "clients" and "other" in problem["invalid_params"][0]["reason"]

    # The preview says what would move and changes nothing.
    status, _, preview = daemon.request("POST", "/v1/clients/handover", {**body, "dry_run": True})
    assert status == 200, preview
    assert preview["dry_run"] is True and [c["id"] for c in preview["clients"]] == ["xinghe", "yuehai"]
    assert [t["id"] for t in preview["tasks"]] == [task["id"]] and preview["tasks"][0]["assignee"]["id"] == ZHANG
    assert preview["messages"] == 1 and preview["tokens_still_scoped"] == ["wang-dash"]
    assert daemon.request("GET", "/v1/clients/xinghe")[2]["csm"]["email"] == WANG

    result = daemon.cli("clients", "handover", "--from", WANG, "--to-email", ZHANG, "--to-name", "张伟",
                        "--note", "星河 3 月续约，李雷是决策人 <务必提前沟通>")
    assert result.returncode == 0, result.stderr
    assert "张伟 is told by email (msg_" in result.stdout
    assert "2 clients went from wang.fang@acme.example to 张伟 <zhang.wei@acme.example>" in result.stdout
    assert "1 open call task moved" in result.stdout and "1 waiting message now reply to" in result.stdout
    assert "wang-dash" in result.stdout
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[1:3]}
    assert rows == {"xinghe": "1", "yuehai": "0"}, result.stdout

    for cid in ["xinghe", "yuehai"]:
        assert daemon.request("GET", f"/v1/clients/{cid}")[2]["csm"] == {"name": "张伟", "email": ZHANG}
    assert daemon.request("GET", "/v1/clients/other")[2]["csm"]["email"] == "zhao@acme.example"
    [moved] = wait_for_tasks(daemon, f"assignee={ZHANG}", 1)
    assert moved["id"] == task["id"] and moved["status"] == "open"
    assert daemon.request("GET", f"/v1/tasks?assignee={WANG}")[2]["items"] == []
    events = daemon.message(welcome["id"])["events"]
    assert any(e["type"] == "task_reassigned" and e["actor"].startswith("cli:") for e in events)
    # The audit log has the handover (not its preview), under the old CSM, with the note.
    [handover] = json.loads(daemon.cli("audit", "--action", "clients.handed_over", "--json").stdout)
    assert handover["subject"] == WANG and handover["actor"].startswith("cli:"), handover
    assert handover["detail"].startswith(f"to {ZHANG}: 2 clients (xinghe, yuehai), 1 open call, 1 waiting message; note: 星河"), handover

    # Zhang is told of the call by email, as of a new task, and of the whole handover with the note
    # (in the clients' language); the QBR email replies to Zhang.
    assert smtp.wait_for(lambda s: len(mails_to(s, ZHANG)) >= 2, 30), daemon.log()[-3000:]
    subjects = sorted(str(m[3]["Subject"]) for m in mails_to(smtp, ZHANG))
    assert any("李雷" in s for s in subjects), subjects
    assert "客户交接：王芳 的 2 个客户已转给您" in subjects, subjects
    summary = next(m[3] for m in mails_to(smtp, ZHANG) if "客户交接" in str(m[3]["Subject"]))
    html = summary.get_body(("html",)).get_content()
    assert "星河科技" in html and "yuehai" in html and "李雷是决策人 &lt;务必提前沟通&gt;" in html
    detail = daemon.message(qbr["id"])
    assert detail["reply_to"] == f"张伟 <{ZHANG}>" and any(e["type"] == "reassigned" for e in detail["events"])
    assert smtp.wait_for(lambda s: any(str(m[3]["Subject"]) == "QBR" for m in s.messages), 30), daemon.log()[-3000:]
    sent = next(m[3] for m in smtp.messages if str(m[3]["Subject"]) == "QBR")
    assert ZHANG in str(sent["Reply-To"]) and WANG not in str(sent["Reply-To"])

    # Nothing is left to hand over: exit 1; a named client that is not theirs: exit 65.
    again = daemon.cli("clients", "handover", "--from", WANG, "--to-email", ZHANG, "--to-name", "张伟")
    assert again.returncode == 1 and "no client has the CSM" in again.stderr
    wrong = daemon.cli("clients", "handover", "--from", ZHANG, "--to-email", WANG, "--to-name", "王芳", "--client", "other", "--json")
    assert wrong.returncode == 65 and "not clients of" in wrong.stderr
    back = daemon.cli("clients", "handover", "--from", ZHANG, "--to-email", WANG, "--to-name", "王芳", "--client", "yuehai", "--json")
    assert back.returncode == 0, back.stderr
    answer = json.loads(back.stdout)
    assert [c["id"] for c in answer["clients"]] == ["yuehai"] and answer["tasks"] == [] and answer["dry_run"] is False
    assert answer["summary"].startswith("msg_") and answer["note"] is None
