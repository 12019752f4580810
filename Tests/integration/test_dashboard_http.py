"""The CSM dashboard over plain HTTP against the real daemon: CSRF and cookie rules, paging, languages
and error pages, and "My clients" ordered by attention — what needs no browser to check."""

import json
import re
import time
import urllib.parse
from datetime import datetime

from dashboard_world import CSM, WELCOME, Session, client_rows, put_client, send, world  # noqa: F401  (world: the fixture)
from test_resend import pixel
from test_tasks import wait_for_tasks

def test_forms_without_the_csrf_token_are_refused_and_cookies_are_locked_down(world):
    daemon, _, ids, token, _ = world
    s = Session(daemon.base)
    # Sign-in itself needs the token from the form.
    status, _, html = s.post("/dashboard/sign-in", {"token": token})
    assert status == 403 and "did not come from this page" in html
    status, headers, _ = s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 303 and headers["Location"] == "/dashboard/clients"
    cookies = [v for k, v in headers.items() if k.lower() == "set-cookie"]
    session = [c for c in cookies if c.startswith("herald_session=")]
    assert session and all(a in session[0] for a in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"))
    assert token not in " ".join(cookies)  # the cookie never carries the API token

    # Signed in, a resend posted without the CSRF token (or with a forged one) changes nothing.
    for fields in ({}, {"_csrf": "forged"}, {"_csrf": s.csrf("/dashboard/clients") + "x"}):
        status, headers, html = s.post(f"/dashboard/messages/{ids['xinghe']}/resend", fields)
        assert status == 403 and headers["Content-Type"].startswith("text/html"), html
    assert daemon.message(ids["xinghe"])["resend_count"] == 0
    status, headers, _ = s.post(f"/dashboard/messages/{ids['xinghe']}/resend", {"_csrf": s.csrf("/dashboard/clients")})
    assert status == 303 and daemon.message(ids["xinghe"])["resend_count"] == 1

    # Pages carry a strict content security policy; a tampered session cookie is no session.
    status, headers, html = s.get("/dashboard/clients")
    assert status == 200 and "frame-ancestors 'none'" in headers["Content-Security-Policy"] and "script-src" not in html
    for cookie in s.jar:
        if cookie.name == "herald_session":
            cookie.value = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    status, headers, _ = s.get("/dashboard/clients")
    assert status == 303 and headers["Location"] == "/dashboard/sign-in"

    # A revoked token ends its sessions.
    s2 = Session(daemon.base)
    s2.post("/dashboard/sign-in", {"token": token, "_csrf": s2.csrf("/dashboard/sign-in")})
    assert s2.get("/dashboard/clients")[0] == 200
    assert daemon.cli("token", "revoke", "wang").returncode == 0
    deadline = time.monotonic() + 5
    while s2.get("/dashboard/clients")[0] == 200:
        assert time.monotonic() < deadline, "a revoked token kept its dashboard session"
        time.sleep(0.1)


def test_a_link_from_an_email_comes_back_to_its_page_after_sign_in_and_nowhere_else(world):
    # A digest links a client's page; a signed-out CSM signs in and lands there, not on the list.
    daemon, _, _, token, _ = world
    s = Session(daemon.base)
    status, headers, _ = s.get("/dashboard/clients/xinghe?lang=en")
    assert status == 303 and headers["Location"] == "/dashboard/sign-in?next=%2Fdashboard%2Fclients%2Fxinghe%3Flang%3Den"
    status, _, html = s.get(headers["Location"])
    assert status == 200 and 'name="next" value="/dashboard/clients/xinghe?lang=en"' in html, html
    status, headers, _ = s.post("/dashboard/sign-in", {"token": "wrong", "next": "/dashboard/clients/xinghe",
                                                       "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 401   # the failed page keeps the target for the next try
    status, headers, _ = s.post("/dashboard/sign-in", {"token": token, "next": "/dashboard/clients/xinghe?lang=en",
                                                       "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 303 and headers["Location"] == "/dashboard/clients/xinghe?lang=en"
    # Signed in already, the sign-in link goes straight there.
    status, headers, _ = s.get("/dashboard/sign-in?next=%2Fdashboard%2Fstats")
    assert status == 303 and headers["Location"] == "/dashboard/stats"

    # Only this dashboard's pages: another site, a scheme-relative URL, a header split, sign-in
    # itself or a path outside the dashboard all land on the clients list.
    for bad in ("https://evil.example/", "//evil.example/dashboard/", "/dashboard/x\r\nSet-Cookie: a=b",
                "/dashboard/\\evil.example", "/dashboard/sign-in?next=/dashboard/x", "/healthz", "/dashboardx/"):
        fresh = Session(daemon.base)
        status, headers, html = fresh.get("/dashboard/sign-in?next=" + urllib.parse.quote(bad, safe=""))
        assert status == 200 and 'name="next"' not in html, bad
        status, headers, _ = fresh.post("/dashboard/sign-in", {"token": token, "next": bad, "_csrf": fresh.csrf("/dashboard/sign-in")})
        assert status == 303 and headers["Location"] == "/dashboard/clients", (bad, headers["Location"])
    # A form posted without a session does not come back to the form.
    status, headers, _ = Session(daemon.base).post("/dashboard/messages/x/resend", {})
    assert status in (303, 403) and "next=" not in headers.get("Location", "")


def test_my_calls_are_paged_with_a_more_link(world):
    # 52 open calls for the CSM: the first page shows 50, oldest due first, and "More calls" the rest.
    daemon, _, _, token, _ = world
    for _ in range(51):
        send(daemon, "xinghe")
    tasks = wait_for_tasks(daemon, "client_id=xinghe&limit=500", 52, timeout=60)
    s = Session(daemon.base)
    status, headers, _ = s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 303, headers
    status, _, first = s.get("/dashboard/tasks?status=open")
    assert status == 200
    shown = re.findall(r'data-task="(tsk_[0-9A-Z]+)"', first)
    assert len(shown) == 50 and shown == [t["id"] for t in tasks[:50]]          # /v1/tasks is oldest first too
    more = re.search(r'<a href="(/dashboard/tasks\?status=open&amp;after=tsk_[0-9A-Z]+)" id="more-tasks">More calls</a>', first)
    assert more, first[-2000:]
    status, _, second = s.get(more.group(1).replace("&amp;", "&"))
    rest = re.findall(r'data-task="(tsk_[0-9A-Z]+)"', second)
    assert status == 200 and rest == [t["id"] for t in tasks[50:52]] and 'id="more-tasks"' not in second
    # A cursor that is not a task id is ignored: the first page again.
    status, _, again = s.get("/dashboard/tasks?status=open&after=../../etc")
    assert status == 200 and re.findall(r'data-task="(tsk_[0-9A-Z]+)"', again) == shown


def test_the_resend_page_previews_another_channel_before_confirming(world):
    daemon, _, ids, token, _ = world
    s = Session(daemon.base)
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    page = f"/dashboard/messages/{ids['xinghe']}/resend"
    status, _, html = s.get(page)
    assert status == 200 and "email → li@xinghe.example" in html
    assert f'<a href="{page}" aria-current="page">' in html and 'id="channel-same" name="channel" value="" checked' in html
    # Another channel, by a link (no script): the plan for it, and its radio chosen for the POST.
    status, _, html = s.get(page + "?channel=webhook")
    assert status == 200 and 'id="resend-refusal"' in html and "webhook" in html.split('id="resend-refusal"')[1][:400], html[-3000:]
    assert 'aria-current="page">webhook</a>' in html and 'id="channel-webhook" name="channel" value="webhook" checked' in html
    status, _, html = s.get(page + "?channel=email")
    assert "email → li@xinghe.example" in html and 'value="email" checked' in html
    # Not a channel one can resend on (phone is a call task): the same channels.
    for other in ("phone", "carrier-pigeon"):
        status, _, html = s.get(page + "?channel=" + other)
        assert status == 200 and 'id="channel-same" name="channel" value="" checked' in html


def test_language_follows_accept_language_and_errors_are_pages(world):
    daemon, _, _, token, _ = world
    s = Session(daemon.base)
    _, _, html = s.get("/dashboard/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in html and "API 令牌" in html
    _, _, html = s.get("/dashboard/sign-in", headers={"Accept-Language": "fr-FR, en;q=0.5"})
    assert '<html lang="en">' in html and "API token" in html
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, headers, html = s.get("/dashboard/no-such-page/at-all")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "<h1>" in html, (status, headers)
    status, headers, html = s.get("/dashboard/clients/nobody")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "no client with id nobody" in html
    # Markup in data is escaped, never interpreted.
    put_client(daemon, "evil", "<script>alert(1)</script>", "standard", CSM, "e@evil.example")
    _, _, html = s.get("/dashboard/clients")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_my_clients_are_ordered_by_who_needs_attention_across_pages(world):
    # 53 clients of one CSM: the ones with unopened important messages first (most first), then
    # unopened ones, then those never written to, then by the longest without contact.
    daemon, smtp, _, token, _ = world
    lead = "li.na@acme.example"
    for i in range(53):
        put_client(daemon, f"c{i:02d}", f"Client {i:02d}", "standard", lead, f"p{i:02d}@c.example")
    sent = [send(daemon, "c40", priority="high"), send(daemon, "c40", priority="urgent"), send(daemon, "c10", priority="high"),
            send(daemon, "c30"), send(daemon, "c30"), send(daemon, "c05"), send(daemon, "c20")]
    for message_id in sent:
        daemon.wait_for_states(message_id, {"sent"})
    # c20 reads its email: written to, nothing unopened, so it comes after everyone never written to.
    with urllib.request.urlopen(pixel(smtp, "p20@c.example"), timeout=10) as r:
        assert r.status == 200
    daemon.wait_for_states(sent[-1], {"opened"})
    never = [f"c{i:02d}" for i in range(53) if i not in (40, 10, 30, 5, 20)]
    expected = ["c40", "c10", "c30", "c05"] + never + ["c20"]

    s = Session(daemon.base)
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, _, first = s.get("/dashboard/clients?csm=" + urllib.parse.quote(lead))
    assert status == 200 and client_rows(first) == expected[:50], client_rows(first)
    assert 'id="clients-order">Needing attention first' in first and 'id="previous-clients"' not in first
    assert first.count('class="attention"') == 2  # c40 and c10
    more = re.search(r'<a href="([^"]+)" id="more-clients">Next page</a>', first)
    assert more, first[-2000:]
    status, _, second = s.get(more.group(1).replace("&amp;", "&"))
    assert status == 200 and client_rows(second) == expected[50:], client_rows(second)
    assert 'id="more-clients"' not in second and 'id="previous-clients"' in second
    # A page past the end shows the last; one that is not a number, the first.
    assert client_rows(s.get(f"/dashboard/clients?csm={lead}&page=99")[2]) == expected[50:]
    assert client_rows(s.get(f"/dashboard/clients?csm={lead}&page=x")[2]) == expected[:50]
    # The filters stay with the pages: another CSM's list is not mixed in.
    assert client_rows(s.get("/dashboard/clients")[2]) == ["xinghe", "beta"]

    # The API and the CLI give the same order, with the counts behind it.
    q = "/v1/clients?order=attention&csm=" + urllib.parse.quote(lead)
    status, _, page = daemon.request("GET", q + "&limit=4")
    assert status == 200 and [c["id"] for c in page["items"]] == expected[:4] and page["next_cursor"] == "4", page
    activity = {c["id"]: c["activity"] for c in page["items"]}
    assert activity["c40"]["unopened_important"] == 2 and activity["c40"]["unopened"] == 2 and activity["c40"]["messages"] == 2
    assert activity["c30"] == {**activity["c30"], "unopened": 2, "unopened_important": 0}
    status, _, rest = daemon.request("GET", q + "&limit=500&cursor=4")
    assert [c["id"] for c in rest["items"]] == expected[4:] and rest["next_cursor"] is None
    assert rest["items"][0]["activity"]["last_contact_at"] is None
    status, _, past = daemon.request("GET", q + "&cursor=9223372036854775807")   # past the end: empty, not a crash
    assert status == 200 and past["items"] == [] and past["next_cursor"] is None, past
    assert rest["items"][-1]["activity"]["last_contact_at"].startswith("20") and rest["items"][-1]["activity"]["unopened"] == 0
    for query, field in (("order=size", "order"), ("order=attention&cursor=c05", "cursor"), ("order=attention&cursor=-1", "cursor")):
        status, _, problem = daemon.request("GET", "/v1/clients?" + query)
        assert status == 422 and field in [p["name"] for p in problem["invalid_params"]], (query, problem)
    listed = daemon.cli("clients", "list", "--csm", lead, "--attention", "--limit", "5")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["CLIENT", "NAME", "TIER", "CSM", "LAST", "CONTACT", "UNOPENED", "IMPORTANT"]
    assert [line.split()[0] for line in lines[1:]] == expected[:5] and "never" in lines[5]
    as_json = json.loads(daemon.cli("clients", "list", "--csm", lead, "--attention", "--json").stdout)
    assert [c["id"] for c in as_json] == expected and as_json[0]["activity"] == activity["c40"]

    # Every configured channel is in the queue overview, the call channel too, over HTTP as in the CLI.
    status, _, over_http = daemon.request("GET", "/v1/queue")
    from_cli = json.loads(daemon.cli("queue", "--json").stdout)
    names = [c["channel"] for c in over_http["channels"]]
    assert status == 200 and {"email", "phone"} <= set(names) and names == [c["channel"] for c in from_cli], (names, from_cli)


def test_a_search_finds_a_client_by_name_contact_or_phone_in_the_dashboard_the_api_and_the_cli(world):
    # A client calls in: the CSM types part of its name, a contact's email, or the number on the phone's screen.
    daemon, _, _, token, _ = world
    s = Session(daemon.base)
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, _, html = s.get("/dashboard/clients?search=" + urllib.parse.quote("星河"))
    assert status == 200 and client_rows(html) == ["xinghe"], client_rows(html)
    assert 'name="search" type="search" value="星河"' in html   # the box keeps what was typed
    assert client_rows(s.get("/dashboard/clients?search=" + urllib.parse.quote("139 0013 9000"))[2]) == ["xinghe"]
    assert client_rows(s.get("/dashboard/clients?search=" + urllib.parse.quote("ANN@beta"))[2]) == ["beta"]
    assert client_rows(s.get("/dashboard/clients?search=" + urllib.parse.quote("  "))[2]) == ["xinghe", "beta"]
    # Another CSM's client is not among "my clients": the page offers to search everybody's.
    status, _, html = s.get("/dashboard/clients?search=zeta")
    assert status == 200 and client_rows(html) == [] and "No clients match." in html
    everyone = re.search(r'<a href="([^"]+)" id="search-everyone">Search everybody', html)
    assert everyone, html[-1500:]
    status, _, html = s.get(everyone.group(1).replace("&amp;", "&"))
    assert status == 200 and client_rows(html) == ["zeta"] and 'id="f-csm" name="csm" value=""' in html
    # A search of everybody's clients that finds nothing has nowhere further to look.
    assert 'id="search-everyone"' not in s.get("/dashboard/clients?csm=&search=nobody")[2]
    _, _, zh = s.get("/dashboard/clients?lang=zh-CN&search=nobody")
    assert "名称、编号、联系人邮箱或电话" in zh and "在所有客户中搜索" in zh
    # Wildcards are characters; a search too long is refused on the page as in the API.
    assert client_rows(s.get("/dashboard/clients?csm=&search=%25")[2]) == []
    status, _, _ = s.get("/dashboard/clients?search=" + "a" * 101)
    assert status == 422

    # The API: the same search, alone, with the other filters and in attention order.
    status, _, page = daemon.request("GET", "/v1/clients?search=analytics")
    assert status == 200 and [c["id"] for c in page["items"]] == ["beta"], page
    status, _, page = daemon.request("GET", "/v1/clients?search=example&tier=strategic")
    assert status == 200 and [c["id"] for c in page["items"]] == ["xinghe", "zeta"], page
    status, _, page = daemon.request("GET", "/v1/clients?search=example&order=attention&csm=" + urllib.parse.quote(CSM))
    assert status == 200 and [c["id"] for c in page["items"]] == ["xinghe", "beta"], page
    for bad, reason in (("a" * 101, "at most 100 characters"), ("a%0Ab", "control characters")):
        status, _, problem = daemon.request("GET", "/v1/clients?search=" + bad)
        assert status == 422 and problem["invalid_params"] == [{"name": "search", "reason": problem["invalid_params"][0]["reason"]}]
        assert reason in problem["invalid_params"][0]["reason"], problem

    # The CLI.
    listed = daemon.cli("clients", "list", "--search", "+86 139")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == ["xinghe"], listed.stdout
    assert [c["id"] for c in json.loads(daemon.cli("clients", "list", "--search", "zeta", "--json").stdout)] == ["zeta"]
    assert daemon.cli("clients", "list", "--search", "nobody").stdout.strip() == "no clients"
    refused = daemon.cli("clients", "list", "--search", "a" * 101)
    assert refused.returncode == 65 and "search" in refused.stderr, (refused.returncode, refused.stderr)

def test_a_list_too_long_to_order_by_attention_is_paged_by_id_and_says_so(world):
    daemon, _, _, token, _ = world
    bulk = "bulk@acme.example"
    for i in range(1_001):
        put_client(daemon, f"b{i:04d}", f"Bulk {i:04d}", "standard", bulk, f"b{i:04d}@b.example")
    send(daemon, "b0500", priority="high")  # (not ordered first: the list is too long to order)
    s = Session(daemon.base)
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, _, first = s.get("/dashboard/clients?csm=" + urllib.parse.quote(bulk))
    assert status == 200 and client_rows(first) == [f"b{i:04d}" for i in range(50)]
    assert "More than 1000 clients match, so they are listed by id" in first
    # The API and the CLI refuse to order so many, and say how to narrow it.
    status, _, problem = daemon.request("GET", "/v1/clients?order=attention&csm=" + urllib.parse.quote(bulk))
    assert status == 422 and "filter by csm, tier, stage or search" in problem["invalid_params"][0]["reason"], problem
    refused = daemon.cli("clients", "list", "--csm", bulk, "--attention")
    assert refused.returncode == 65 and "more than 1000 clients match" in refused.stderr, (refused.returncode, refused.stderr)
    more = re.search(r'<a href="([^"]+)" id="more-clients">Next page</a>', first)
    assert more and "after=b0049" in more.group(1)
    _, _, second = s.get(more.group(1).replace("&amp;", "&"))
    assert client_rows(second) == [f"b{i:04d}" for i in range(50, 100)]


def test_a_client_page_says_which_contacts_are_not_written_to_and_why(world):
    # The CSM wonders why 星河科技 reads nothing: the page says the contact's address is suppressed.
    daemon, _, _, token, _ = world
    status, _, _ = daemon.request("POST", "/v1/suppressions", {"address": "LI@xinghe.example", "reason": "left the company"})
    assert status == 201
    s = Session(daemon.base)
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})

    def facts(client, language):
        status, _, html = s.get(f"/dashboard/clients/{client}", headers={"Accept-Language": language})
        assert status == 200, html
        return html.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]

    english = facts("xinghe", "en")
    assert english.count('class="badge blocked"') == 1, english
    assert "li@xinghe.example · all messages · manual: left the company" in english
    assert "+8613900139000" in english                      # the phone is not suppressed: no second badge
    assert "li@xinghe.example · 所有消息 · manual: left the company" in facts("xinghe", "zh-CN")
    assert "badge blocked" not in facts("beta", "en")
    # A message to the suppressed address says why it did not go, on its delivery.
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": "xinghe", "template": "welcome", "data": WELCOME})
    assert status == 202 and any(d["status"] == "suppressed" for d in reply["deliveries"]), reply
    status, _, html = s.get("/dashboard/clients/xinghe", headers={"Accept-Language": "en"})
    assert '<small class="why">suppressed: manual: left the company</small>' in html, html
    # Removed, the badge goes.
    assert daemon.request("DELETE", "/v1/suppressions/li@xinghe.example")[0] == 200
    assert "badge blocked" not in facts("xinghe", "en")


def test_a_csm_is_warned_before_their_token_expires_and_told_when_it_has(daemon):
    def token(name, expires):
        result = daemon.cli("token", "create", "--name", name, "--scope", "resend", "--csm", CSM, "--expires", expires, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)
    soon, later, brief = token("wang-soon", "3d"), token("wang-later", "60d"), token("wang-brief", "2s")
    s = Session(daemon.base)
    status, _, _ = s.post("/dashboard/sign-in", {"token": soon["token"], "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 303
    _, _, page = s.get("/dashboard/clients")
    warning = re.search(r'<p class="warning" role="status" id="token-expiry">([^<]*)</p>', page)
    assert warning and "Your sign-in token expires on " + soon["expires_at"][:10] in warning.group(1), page[:3000]
    _, _, page = s.get("/dashboard/clients?lang=zh-CN")
    assert "您的登录令牌将于 " + soon["expires_at"][:10] in page
    s2 = Session(daemon.base)
    s2.post("/dashboard/sign-in", {"token": later["token"], "_csrf": s2.csrf("/dashboard/sign-in")})
    _, _, page = s2.get("/dashboard/clients")
    assert 'id="token-expiry"' not in page                                  # two months ahead: nothing to say
    # Once the expiry has passed (the time under test), signing in says so instead of "not valid".
    time.sleep(max(0.0, datetime.fromisoformat(brief["expires_at"].replace("Z", "+00:00")).timestamp() - time.time()) + 0.05)
    s3 = Session(daemon.base)
    status, _, page = s3.post("/dashboard/sign-in", {"token": brief["token"], "_csrf": s3.csrf("/dashboard/sign-in")})
    assert status == 401 and "That token expired on " + brief["expires_at"][:10] in page


def test_a_call_has_its_own_page_that_survives_sign_in_and_takes_its_outcome(world):
    # The link in a call notice is the call's own page: it works whichever page of "My calls" the
    # call is on, and (unlike a #fragment, which a browser never sends) survives signing in.
    daemon, _, _, token, _ = world
    [task] = wait_for_tasks(daemon, "client_id=xinghe", 1)
    page = f"/dashboard/tasks/{task['id']}"
    s = Session(daemon.base)
    status, headers, _ = s.get(page)
    assert status == 303 and headers["Location"] == "/dashboard/sign-in?next=" + urllib.parse.quote(page, safe="")
    status, headers, _ = s.post("/dashboard/sign-in", {"token": token, "next": page, "_csrf": s.csrf("/dashboard/sign-in")})
    assert status == 303 and headers["Location"] == page
    status, _, html = s.get(page)
    assert status == 200 and re.findall(r'data-task="(tsk_[0-9A-Z]+)"', html) == [task["id"]], html
    assert "+8613900139000" in html and "<details open>" in html and 'name="from" value="task"' in html
    assert "assigned to" not in html                        # the visitor's own call
    assert '<span class="badge" id="calls-count">1 open</span>' in html   # beside "My calls", on every page
    assert 'href="/dashboard/tasks"' in html                # back to the list

    # The outcome recorded here comes back here, the card now showing it and no form.
    status, headers, _ = s.post(page + "/complete", {"outcome": "no_answer", "note": "rang twice, reception says Tuesday",
                                                     "from": "task", "_csrf": s.csrf(page)})
    assert status == 303 and headers["Location"] == page + "?done=1&follow_up=1", headers
    status, _, html = s.get(headers["Location"])
    assert status == 200 and "Outcome recorded. A follow-up call was scheduled." in html, html
    assert "No answer" in html and "rang twice, reception says Tuesday" in html and f'action="{page}/complete"' not in html
    assert daemon.request("GET", f"/v1/tasks/{task['id']}")[2]["outcome"] == "no_answer"

    # The follow-up's page says it is the second call and what the first one found out.
    [follow] = [t for t in wait_for_tasks(daemon, "client_id=xinghe&status=all", 2) if t["id"] != task["id"]]
    status, _, html = s.get(f"/dashboard/tasks/{follow['id']}")
    assert status == 200 and "Call 2" in html and f'action="/dashboard/tasks/{follow["id"]}/complete"' in html, html
    other = re.search(r'<li data-other="([^"]+)">(.*?)</li>', html, re.S)
    assert other and other.group(1) == task["id"], html
    assert f'href="{page}">Call 1</a>' in other.group(2) and "No answer" in other.group(2) and "reception says Tuesday" in other.group(2)
    assert 'id="calls-count">1 open</span>' in html                      # the follow-up is the one open call
    # The first call's page lists the follow-up in turn.
    status, _, html = s.get(page)
    assert status == 200 and f'<li data-other="{follow["id"]}">' in html
    # The client's page links the call's page.
    status, _, html = s.get("/dashboard/clients/xinghe")
    assert status == 200 and f'href="{page}"' in html

    # An admin (no CSM of their own) sees whose call it is.
    admin = Session(daemon.base)
    status, _, _ = admin.post("/dashboard/sign-in", {"token": daemon.admin_token(), "_csrf": admin.csrf("/dashboard/sign-in")})
    assert status == 303
    status, _, html = admin.get(page)
    assert status == 200 and f"assigned to 王芳 ({CSM})" in html, html
    assert 'id="calls-count"' not in html                                  # an admin has no calls of their own

    # No such call, or not a call id at all: the not-found page.
    for bad in ("tsk_" + "0" * 26, "nope", ids_of_other_kind(daemon)):
        status, headers, html = s.get("/dashboard/tasks/" + bad)
        assert status == 404 and headers["Content-Type"].startswith("text/html") and "data-task=" not in html, bad


def ids_of_other_kind(daemon):
    """A real message id: the right shape for an id, the wrong kind for a call."""
    status, _, page = daemon.request("GET", "/v1/messages?limit=1")
    assert status == 200 and page["items"], page
    return page["items"][0]["id"]


def test_the_stats_page_offers_its_rows_as_csv_for_a_spreadsheet(world):
    import csv
    import io
    daemon, _, _, token, _ = world
    s = Session(daemon.base)
    assert s.get("/dashboard/stats.csv")[0] == 303                  # signed out: to the sign-in page
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, _, html = s.get("/dashboard/stats?since=7d")
    assert status == 200 and '<a href="/dashboard/stats.csv?since=7d" id="stats-csv" download>' in html, html[-1500:]
    status, headers, text = s.get("/dashboard/stats.csv?since=7d")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"].startswith('attachment; filename="herald-template-stats-')
    # A byte order mark first, so that Excel reads the UTF-8; then the API's columns.
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    status, _, api = daemon.request("GET", "/v1/stats/templates?since=7d")
    assert status == 200 and len(rows) == len(api["items"]) > 0
    by_key = {(r["template"], r["tier"], r["locale"], r["channel"]): r for r in rows}
    for item in api["items"]:
        row = by_key[(item["template"], item["tier"] or "", item["locale"], item["channel"])]
        assert int(row["sent"]) == item["sent"] and int(row["opened"]) == item["opened"], (row, item)


def test_a_client_page_offers_every_message_as_csv(world):
    import csv
    import io
    daemon, _, ids, token, _ = world
    s = Session(daemon.base)
    assert s.get("/dashboard/clients/xinghe/messages.csv")[0] == 303
    s.post("/dashboard/sign-in", {"token": token, "_csrf": s.csrf("/dashboard/sign-in")})
    status, _, html = s.get("/dashboard/clients/xinghe")
    assert status == 200 and '<a href="/dashboard/clients/xinghe/messages.csv" id="messages-csv" download>' in html
    status, headers, text = s.get("/dashboard/clients/xinghe/messages.csv")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8" and text.startswith("\ufeff")
    assert re.fullmatch(r'attachment; filename="herald-client-messages-\d{14}\.csv"', headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    timeline = daemon.request("GET", "/v1/clients/xinghe/timeline?limit=100")[2]["items"]
    expected = sorted(d["id"] for m in timeline for d in m["deliveries"])
    assert rows and sorted(r["delivery_id"] for r in rows) == expected, (rows, expected)
    assert {r["client_id"] for r in rows} == {"xinghe"} and ids["xinghe"] in {r["message_id"] for r in rows}
    assert s.get("/dashboard/clients/ghost/messages.csv")[0] == 404
