"""Messages as CSV against the real daemon: GET /v1/messages?format=csv streams every matching
message (past the API's 500 a page), one row per delivery, as `herald messages --csv` prints it."""

import csv
import io
import re
import time
import urllib.request

from test_email import email_channel


def csv_rows(daemon, query):
    request = urllib.request.Request(daemon.base + "/v1/messages?format=csv" + query,
                                     headers={"Authorization": "Bearer " + daemon.admin_token()})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert re.fullmatch(r'attachment; filename="herald-messages-\d{14}\.csv"', r.headers["Content-Disposition"])
        text = r.read().decode("utf-8")
    assert text.endswith("\r\n") and not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_messages_export_as_csv_one_row_per_delivery_past_one_page(make_daemon):
    daemon = make_daemon(extra_channels=email_channel("smtp://127.0.0.1:9")).start()   # nothing is due: no mail goes
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))   # they stay scheduled
    for batch in range(3):
        messages = [{"to": {"webhook": f"https://hooks.example/{batch}/{i}"}, "text": f"n{batch}-{i}",
                     "subject": "=HYPERLINK(\"https://evil.example\")" if i == 0 else f"Kickoff, part {i}",
                     "send_at": later} for i in range(400)]
        status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
        assert status == 202, reply
    status, _, two = daemon.request("POST", "/v1/messages", {
        "to": {"webhook": "https://hooks.example/a", "email": "li@xinghe.example"}, "text": "both", "send_at": later})
    assert status == 202, two

    rows = csv_rows(daemon, "")
    assert len(rows) == 1_202                                  # 1,201 messages, the last with two deliveries
    assert list(rows[0]) == ["message_id", "created_at", "client_id", "tier", "template", "subject", "priority", "category",
                             "delivery_id", "channel", "destination", "status", "attempts", "updated_at", "last_error",
                             "resend_of"]
    ids = [r["message_id"] for r in rows]
    assert ids[0] == ids[1] == two["id"] and {rows[0]["channel"], rows[1]["channel"]} == {"webhook", "email"}
    assert len(set(ids)) == 1_201 and ids == sorted(ids, reverse=True)          # newest first, each once
    assert all(r["status"] == "scheduled" and r["attempts"] == "0" for r in rows)
    # Destinations as the JSON shows them (a robot's signing secret never is).
    status, _, page = daemon.request("GET", "/v1/messages?limit=500")
    json_destinations = {d["id"]: d["destination"] for m in page["items"] for d in m["deliveries"]}
    assert all(json_destinations[r["delivery_id"]] == r["destination"] for r in rows if r["delivery_id"] in json_destinations)
    # Commas and quotes survive the round trip; a formula is text.
    subjects = {r["subject"] for r in rows}
    assert "Kickoff, part 7" in subjects and "'=HYPERLINK(\"https://evil.example\")" in subjects

    # Filters as in the JSON list; a cursor starts the export there.
    assert len(csv_rows(daemon, "&channel=email")) == 2
    rest = csv_rows(daemon, "&cursor=" + page["next_cursor"])
    assert [r["message_id"] for r in rest] == ids[501:]       # after the first 500 messages (501 rows)
    status, _, problem = daemon.request("GET", "/v1/messages?format=xml")
    assert status == 422 and [p["name"] for p in problem["invalid_params"]] == ["format"]

    # The CLI: the same rows; --limit caps the messages.
    printed = daemon.cli("messages", "--csv")
    assert printed.returncode == 0, printed.stderr
    assert list(csv.DictReader(io.StringIO(printed.stdout))) == rows
    three = list(csv.DictReader(io.StringIO(daemon.cli("messages", "--csv", "--limit", "3").stdout)))
    assert len({r["message_id"] for r in three}) == 3
    assert daemon.cli("messages", "--limit", "501").returncode == 64
    assert daemon.cli("messages", "--csv", "--json").returncode == 64
