"""Template statistics through the real daemon and SMTP server: people and machines open and click
emails; GET /v1/stats/templates must match counts this test computes on its own from the database's
deliveries and events tables, with machine opens (mail privacy proxies, link scanners) counted apart."""

import csv
import io
import json
import re
import sqlite3
import urllib.request
from collections import defaultdict
from pathlib import Path

from test_email import email_channel
from test_resend import WELCOME
from test_tracking import fetch

ROOT = Path(__file__).resolve().parents[2]
KICKOFF = {"client_name": "Xinghe", "csm_name": "Wang Fang", "plan": "Enterprise", "signed_on": "2026-11-20",
           "schedule_url": "https://cal.acme.example/wang"}
PERSON = {"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"}
APPLE_PROXY = {"User-Agent": "Mozilla/5.0"}
SCANNER = {"User-Agent": "Barracuda Sentinel (EE)"}


def expected_stats(db_path):
    """The statistics, computed here from the raw tables (not with the daemon's query)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    clients = {cid: (tier, locale) for cid, tier, locale in db.execute("SELECT id, tier, locale FROM clients")}
    events = defaultdict(list)
    for delivery, kind, actor in db.execute("SELECT delivery_id, type, actor FROM events WHERE delivery_id IS NOT NULL"):
        events[delivery].append((kind, actor))
    groups = defaultdict(lambda: defaultdict(int))
    for delivery, channel, state, template, locale, client, recorded_tier in db.execute(
            "SELECT d.id, d.channel, d.state, m.template, m.locale, m.client_id, m.tier FROM deliveries d "
            "JOIN messages m ON m.id = d.message_id WHERE m.template IS NOT NULL"):
        if state == "suppressed":
            continue
        tier, client_locale = clients.get(client, (None, None))
        tier = recorded_tier or tier          # the tier the message went out under, when it was kept
        g = groups[(template, tier, locale or client_locale or "en", channel)]
        ev = events[delivery]
        person_open = any(k in ("opened", "clicked") and a == "recipient" for k, a in ev)
        g["deliveries"] += 1
        g["sent"] += any(k == "sent" for k, _ in ev)
        g["delivered"] += any(k == "delivered" for k, _ in ev)
        g["opened"] += person_open
        g["machine_opened"] += (not person_open) and any(k == "opened" and a == "machine" for k, a in ev)
        g["clicked"] += any(k == "clicked" and a == "recipient" for k, a in ev)
        g["bounced"] += any(k == "bounced" for k, _ in ev)
        g["failed"] += state in ("failed", "dead", "expired")
    db.close()
    return {key: dict(counts) for key, counts in groups.items()}


def test_template_stats_match_the_events_table_with_machine_opens_apart(make_daemon, smtp):
    daemon = make_daemon(
        herald_toml=f'[templates]\ndir = "{ROOT / "templates"}"\n'
                    '[tiers.strategic]\nchannels = ["email"]\n[tiers.smb]\nchannels = ["email"]\n',
        extra_channels=email_channel(smtp.url())).start()
    ids = {}
    for n in range(1, 9):
        status, _, body = daemon.request("PUT", f"/v1/clients/c{n}", {
            "name": f"Client {n}", "tier": "strategic" if n % 2 else "smb", "locale": "en" if n <= 4 else "zh-CN",
            "contacts": [{"id": "p", "name": f"P{n}", "email": f"p{n}@client.example"}]})
        assert status == 201, body
        status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": f"c{n}", "template": "welcome", "data": WELCOME})
        assert status == 202, reply
        ids[n] = reply["id"]
        if n <= 3:
            assert daemon.request("POST", "/v1/messages", {"client_id": f"c{n}", "template": "kickoff-reminder",
                                                           "data": KICKOFF})[0] == 202
    assert smtp.wait_for(lambda s: len(s.messages) == 11, 20)

    def welcome_links(n, kind):
        mails = [m for m in smtp.messages if f"p{n}@client.example" in m[1] and "kickoff" not in str(m[3]["Subject"]).lower()]
        html = mails[0][3].get_body(("html",)).get_content()
        return re.findall(rf'(?:src|href)="(http://127\.0\.0\.1:\d+/t/{kind}/[^"]+)"', html)

    # People open 1, 2 and 5 (1 also clicks); 7 clicks with images blocked; proxies open 3 and 6 (6 then
    # opened by a person too); a link scanner clicks 8.
    for n in (1, 2, 5, 6):
        assert fetch(welcome_links(n, "o")[0], headers=PERSON if n != 6 else APPLE_PROXY)[0] == 200
    assert fetch(welcome_links(3, "o")[0], headers=APPLE_PROXY)[0] == 200
    assert fetch(welcome_links(6, "o")[0], headers=PERSON)[0] == 200
    for n, agent in ((1, PERSON), (7, PERSON), (8, SCANNER)):
        assert fetch(welcome_links(n, "c")[0], headers=agent)[0] == 302

    # A machine's open does not make the message opened: 3 and 8 are still unopened, 6 is opened.
    unopened = {m["id"] for m in daemon.request("GET", "/v1/messages?template=welcome&opened=false")[2]["items"]}
    assert {ids[3], ids[8]} <= unopened and ids[6] not in unopened and ids[7] not in unopened

    # Client 2 moves from smb to strategic after its welcome went out: the message keeps counting under
    # smb, the tier it was sent under (the message records it).
    assert daemon.message(ids[2])["tier"] == "smb"
    status, _, body = daemon.request("PUT", "/v1/clients/c2", {
        "name": "Client 2", "tier": "strategic", "locale": "en",
        "contacts": [{"id": "p", "name": "P2", "email": "p2@client.example"}]})
    assert status == 200, body

    status, _, stats = daemon.request("GET", "/v1/stats/templates?since=1h")
    assert status == 200, stats
    got = {(r["template"], r["tier"], r["locale"], r["channel"]): r for r in stats["items"]}
    expected = expected_stats(daemon.folder / "var" / "herald.db")
    assert set(got) == set(expected), (set(got), set(expected))
    for key, counts in expected.items():
        row = got[key]
        for name, value in counts.items():
            assert row[name] == value, (key, name, row, counts)
        assert row["open_rate"] == round(counts["opened"] / counts["sent"], 4)
        assert row["click_rate"] == round(counts["clicked"] / counts["sent"], 4)
    assert got[("welcome", "smb", "en", "email")]["deliveries"] == 2                # clients 2 and 4
    # The scenario really exercised each count (so equal-to-zero everywhere could not pass).
    welcome_strategic_en = got[("welcome", "strategic", "en", "email")]          # clients 1 and 3
    assert (welcome_strategic_en["opened"], welcome_strategic_en["machine_opened"], welcome_strategic_en["clicked"]) == (1, 1, 1)
    welcome_smb_zh = got[("welcome", "smb", "zh-CN", "email")]                  # clients 6 and 8
    assert (welcome_smb_zh["opened"], welcome_smb_zh["machine_opened"], welcome_smb_zh["clicked"]) == (1, 0, 0)
    assert got[("welcome", "strategic", "zh-CN", "email")]["clicked"] == 1      # client 7, images blocked
    assert got[("welcome", "strategic", "zh-CN", "email")]["opened"] == 2       # 5 opened, 7 clicked
    assert got[("kickoff-reminder", "strategic", "en", "email")]["sent"] == 2

    # The CLI prints the same rows (JSON) and a readable table.
    result = daemon.cli("stats", "--since", "1h", "--json")
    assert result.returncode == 0, result.stderr
    assert sorted(json.loads(result.stdout), key=lambda r: json.dumps(r, sort_keys=True)) == \
        sorted(stats["items"], key=lambda r: json.dumps(r, sort_keys=True))
    table = daemon.cli("stats", "--template", "welcome").stdout
    assert "OPEN RATE" in table and "50.0%" in table and "kickoff-reminder" not in table

    # The same rows as CSV for a spreadsheet, over the API and from the CLI.
    request = urllib.request.Request(daemon.base + "/v1/stats/templates?since=1h&format=csv",
                                     headers={"Authorization": "Bearer " + daemon.admin_token()})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert re.fullmatch(r'attachment; filename="herald-template-stats-\d{8}-\d{8}\.csv"', r.headers["Content-Disposition"])
        text = r.read().decode("utf-8")
    assert not text.startswith("\ufeff") and text.endswith("\r\n") and text.count("\r\n") == len(got) + 1
    as_csv = {(r["template"], r["tier"], r["locale"], r["channel"]): r for r in csv.DictReader(io.StringIO(text))}
    assert set(as_csv) == set(got), (set(as_csv), set(got))
    for key, row in got.items():
        for name in ("deliveries", "sent", "delivered", "opened", "machine_opened", "clicked", "bounced", "failed"):
            assert int(as_csv[key][name]) == row[name], (key, name)
        for name in ("open_rate", "click_rate", "click_to_open_rate"):
            assert as_csv[key][name] == "" if row[name] is None else float(as_csv[key][name]) == row[name], (key, name)
    from_cli = daemon.cli("stats", "--since", "1h", "--csv")
    assert from_cli.returncode == 0, from_cli.stderr
    assert sorted(csv.reader(io.StringIO(from_cli.stdout))) == sorted(csv.reader(io.StringIO(text)))
    assert daemon.cli("stats", "--json", "--csv").returncode == 64
    status, _, problem = daemon.request("GET", "/v1/stats/templates?format=xlsx")
    assert status == 422 and [p["name"] for p in problem["invalid_params"]] == ["format"], problem

    # Filters and bad input.
    only = daemon.request("GET", "/v1/stats/templates?tier=smb&template=welcome")[2]["items"]
    assert only and all(r["tier"] == "smb" and r["template"] == "welcome" for r in only)
    status, _, problem = daemon.request("GET", "/v1/stats/templates?since=yesterday&colour=red")
    assert status == 422 and {p["name"] for p in problem["invalid_params"]} == {"since", "colour"}
    future = daemon.request("GET", "/v1/stats/templates?since=2099-01-01T00:00:00Z&until=2099-02-01T00:00:00Z")[2]
    assert future["items"] == []
