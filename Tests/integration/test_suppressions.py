"""The suppression list as operators manage it, through the API and the CLI, with a real SMTP
server: a hard bounce listed with its delivery, an operator's entry stopping mail, a removal letting
mail through again."""

import json
import urllib.parse

from test_email import email_channel


def enqueue(daemon, to, category="transactional"):
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"email": to}, "subject": "Kickoff", "text": "See you Monday.", "category": category})
    assert status == 202, reply
    return reply


def token(daemon, name, scope):
    result = daemon.cli("token", "create", "--name", name, "--scope", scope, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["token"]


def test_bounces_are_listed_and_an_operator_adds_and_removes_entries(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url())).start()
    smtp.rcpt_script["gone@client.example"] = ["550 5.1.1 <gone@client.example>: Recipient address rejected"]
    bounced = daemon.wait_for_states(enqueue(daemon, "gone@client.example")["id"], {"failed"})
    reader = token(daemon, "reader", "read")

    # Listed for a read token, with the delivery that bounced.
    status, _, page = daemon.request("GET", "/v1/suppressions?source=bounce", token=reader)
    assert status == 200 and page["next_cursor"] is None, page
    [entry] = page["items"]
    assert entry["address"] == "gone@client.example" and entry["category"] == "all" and entry["source"] == "bounce"
    assert entry["delivery_id"] == bounced["deliveries"][0]["id"] and "550 5.1.1" in entry["reason"]
    assert entry["actor"] is None

    # Adding needs admin; an operator's entry stops mail at once, naming who and why.
    body = {"address": "Ops@Client.example", "reason": "client asked: no mail to the shared inbox"}
    assert daemon.request("POST", "/v1/suppressions", body, token=reader)[0] == 403
    status, _, added = daemon.request("POST", "/v1/suppressions", body)
    assert status == 201 and added["address"] == "ops@client.example" and added["source"] == "manual", added
    assert added["actor"].startswith("token:test-admin-") and added["category"] == "all"
    status, _, again = daemon.request("POST", "/v1/suppressions", {**body, "reason": "twice"})
    assert status == 200 and again == added
    stopped = enqueue(daemon, "ops@client.example")
    assert stopped["deliveries"][0]["status"] == "suppressed"
    assert daemon.message(stopped["id"])["deliveries"][0]["last_error"] == (
        "suppressed: manual: client asked: no mail to the shared inbox")

    # A phone number, removed by its path with '+' as it is and percent-encoded.
    for spelled in ("+8613800138000", urllib.parse.quote("+8613800138000", safe="")):
        status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "+8613800138000", "reason": "wrong person"})
        assert status == 201
        status, _, removed = daemon.request("DELETE", f"/v1/suppressions/{spelled}")
        assert status == 200 and [e["address"] for e in removed["removed"]] == ["+8613800138000"], removed

    # Pages in address order.
    status, _, first = daemon.request("GET", "/v1/suppressions?limit=1")
    assert status == 200 and [e["address"] for e in first["items"]] == ["gone@client.example"]
    status, _, second = daemon.request("GET", "/v1/suppressions?limit=1&cursor=" + urllib.parse.quote(first["next_cursor"]))
    assert [e["address"] for e in second["items"]] == ["ops@client.example"]
    status, _, third = daemon.request("GET", "/v1/suppressions?limit=1&cursor=" + urllib.parse.quote(second["next_cursor"]))
    assert third == {"items": [], "next_cursor": None}
    status, _, domain = daemon.request("GET", "/v1/suppressions?domain=CLIENT.example")
    assert [e["address"] for e in domain["items"]] == ["gone@client.example", "ops@client.example"]

    # Removing the bounce lets the next message through to the server (the mailbox was fixed).
    assert daemon.request("DELETE", "/v1/suppressions/gone@client.example", token=reader)[0] == 403
    status, _, removed = daemon.request("DELETE", "/v1/suppressions/gone@client.example")
    assert status == 200 and [e["source"] for e in removed["removed"]] == ["bounce"]
    assert daemon.request("DELETE", "/v1/suppressions/gone@client.example")[0] == 404
    retried = enqueue(daemon, "gone@client.example")
    assert retried["deliveries"][0]["status"] == "queued"
    daemon.wait_for_states(retried["id"], {"sent"})
    assert [m[1] for m in smtp.messages] == [["gone@client.example"]]
    assert "suppression removed" in daemon.log() and "suppression added" in daemon.log()


def test_bad_suppression_requests_name_the_field(daemon):
    cases = [
        ({"reason": "x"}, "address"),
        ({"address": "not-an-address", "reason": "x"}, "address"),
        ({"address": "a@b.example\r\nBcc: x@y.example", "reason": "x"}, "address"),
        ({"address": "a@b.example"}, "reason"),
        ({"address": "a@b.example", "reason": "line\nbreak"}, "reason"),
        ({"address": "a@b.example", "reason": "x", "category": "transactional"}, "category"),
        ({"address": "a@b.example", "reason": "x", "source": "bounce"}, "source"),
    ]
    for body, field in cases:
        status, headers, problem = daemon.request("POST", "/v1/suppressions", body)
        assert status == 422 and headers["Content-Type"].startswith("application/problem+json"), (body, problem)
        assert field in [f["name"] for f in problem["invalid_params"]], (body, problem)
    for query, field in [("limit=0", "limit"), ("cursor=nonsense", "cursor"), ("source=spam", "source"),
                         ("domain=a@b", "domain"), ("colour=red", "colour")]:
        status, _, problem = daemon.request("GET", "/v1/suppressions?" + query)
        assert status == 422 and field in [f["name"] for f in problem["invalid_params"]], (query, problem)
    assert daemon.request("DELETE", "/v1/suppressions/a@b.example?force=yes")[0] == 422
    assert daemon.request("DELETE", "/v1/suppressions/a@b.example?category=sms")[0] == 422
    assert daemon.request("GET", "/v1/suppressions")[2] == {"items": [], "next_cursor": None}
    # A null category is the default, all.
    status, _, entry = daemon.request("POST", "/v1/suppressions", {"address": "a@b.example", "reason": "x", "category": None})
    assert status == 201 and entry["category"] == "all", entry


def test_the_cli_adds_lists_and_removes_with_meaningful_exit_codes(make_daemon):
    daemon = make_daemon()   # the CLI works on the store, the daemon stopped or running
    added = daemon.cli("suppressions", "add", "Li@Client.example", "--category", "marketing", "--reason", "asked by phone",
                       "--json")
    assert added.returncode == 0, added.stderr
    entry = json.loads(added.stdout)
    assert entry["address"] == "li@client.example" and entry["category"] == "marketing" and entry["actor"].startswith("cli:")
    again = daemon.cli("suppressions", "add", "li@client.example", "--category", "marketing", "--reason", "again")
    assert again.returncode == 0 and "already suppressed" in again.stdout and "asked by phone" in again.stdout

    listed = daemon.cli("suppressions", "list", "--domain", "client.example")
    assert listed.returncode == 0
    header, row = listed.stdout.splitlines()
    assert header.split() == ["ADDRESS", "CATEGORY", "SOURCE", "SINCE", "REASON"]
    assert row.split()[:3] == ["li@client.example", "marketing", "manual"] and row.endswith("asked by phone")
    assert json.loads(daemon.cli("suppressions", "list", "--json").stdout) == [entry]
    assert daemon.cli("suppressions", "list", "--source", "spam").returncode == 65

    assert daemon.cli("suppressions", "add", "nobody", "--reason", "x").returncode == 65
    removed = daemon.cli("suppressions", "remove", "li@client.example", "--json")
    assert removed.returncode == 0 and json.loads(removed.stdout) == {"removed": [entry]}
    missing = daemon.cli("suppressions", "remove", "li@client.example")
    assert missing.returncode == 1 and "not suppressed" in missing.stderr
    assert daemon.cli("suppressions").stdout.strip() == "no suppressed addresses"


def test_the_cli_imports_a_list_all_or_nothing_with_progress(make_daemon, tmp_path):
    daemon = make_daemon()
    bad = tmp_path / "bad.csv"
    bad.write_text("address,category,reason\nok@client.example,,\nnot-an-address\nx@client.example,spam,\n")
    result = daemon.cli("suppressions", "import", str(bad), "--reason", "from the old provider")
    assert result.returncode == 65, result
    assert "bad.csv:3: address" in result.stderr and "bad.csv:4: category" in result.stderr
    assert daemon.cli("suppressions", "list").stdout.strip() == "no suppressed addresses"   # nothing written

    # 1,200 bounced addresses exported from another provider, two with their own category and reason.
    rows = ["# exported 2026-12-01"] + [f"user{i}@old.example" for i in range(1200)]
    rows += ["Promo@Client.example,marketing", '"+8613800138000",all,"wrong number, per the CSM"', "user7@old.example"]
    listing = tmp_path / "bounces.txt"
    listing.write_text("\n".join(rows) + "\n")
    result = daemon.cli("suppressions", "import", str(listing), "--reason", "bounced at the old provider", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"addresses": 1202, "created": 1202, "already_suppressed": 0, "dry_run": False}
    again = daemon.cli("suppressions", "import", str(listing), "--reason", "bounced at the old provider")
    assert again.returncode == 0 and "0 suppressed, 1202 already were" in again.stdout
    assert "imported 500/1202" in again.stderr and "imported 1202/1202" in again.stderr   # progress on stderr

    entries = json.loads(daemon.cli("suppressions", "list", "--limit", "5000", "--json").stdout)
    assert len(entries) == 1202
    by_address = {e["address"]: e for e in entries}
    assert by_address["promo@client.example"]["category"] == "marketing"
    assert by_address["+8613800138000"]["reason"] == "wrong number, per the CSM"
    assert by_address["user7@old.example"]["reason"] == "bounced at the old provider"
    assert all(e["source"] == "manual" and e["actor"].startswith("cli:") for e in entries)
    # The API pages through them in address order.
    daemon.start()
    status, _, page = daemon.request("GET", "/v1/suppressions?domain=old.example&limit=1000")
    expected = sorted(f"user{i}@old.example" for i in range(1200))
    assert status == 200 and [e["address"] for e in page["items"]] == expected[:1000]
    status, _, rest = daemon.request("GET", "/v1/suppressions?domain=old.example&limit=1000&cursor=" + page["next_cursor"])
    assert [e["address"] for e in rest["items"]] == expected[1000:] and rest["next_cursor"] is None
