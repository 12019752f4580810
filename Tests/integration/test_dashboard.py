"""The CSM dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver,
driven by selenium) against the real daemon, a real SMTP server and the tracking pixel.

A CSM signs in with a resend-scoped token, sees only their clients with the unopened important
message flagged, opens a client, presses Resend (by keyboard), confirms, sees the new delivery and
the SMTP server receives it; completes a phone task; previews and runs a bulk resend; reads the
stats chart; switches language. Forms without the CSRF token are refused. Screenshots of each
page at desktop and phone width go to .build/dashboard-screenshots/ (not committed)."""

import http.cookiejar
import json
import os
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_email import email_channel
from test_resend import pixel
from test_tasks import ALWAYS_OPEN, phone_channel, wait_for_tasks

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".build" / "dashboard-screenshots"
DESKTOP = (1280, 900)
PHONE = (390, 844)
CSM = "wang.fang@acme.example"
WELCOME = {"first_name": "李雷", "company": "星河科技", "product_name": "Acme", "csm_name": "王芳",
           "csm_email": CSM, "start_url": "https://app.acme.example/start"}
CONFIG = (f'[templates]\ndir = "{ROOT / "templates"}"\n'
          '[resend]\nmax_per_message = 3\nmin_interval = "0s"\n'
          '[tiers.strategic]\nchannels = ["email", "phone"]\n[tiers.standard]\nchannels = ["email"]\n')


def put_client(daemon, cid, name, tier, csm_email, email, phone=None, stage="onboarding"):
    contact = {"id": "p", "name": f"{name} 联系人", "email": email}
    if phone:
        contact["phone"] = phone
    status, _, body = daemon.request("PUT", f"/v1/clients/{cid}", {
        "name": name, "tier": tier, "timezone": "Asia/Shanghai", "locale": "zh-CN", "lifecycle_stage": stage,
        "csm": {"name": "王芳" if csm_email == CSM else "赵强", "email": csm_email},
        "contacts": [contact]})
    assert status == 201, body


def send(daemon, cid, **extra):
    status, _, reply = daemon.request("POST", "/v1/messages", {"client_id": cid, "template": "welcome", "data": WELCOME, **extra})
    assert status == 202, reply
    return reply["id"]


@pytest.fixture
def world(make_daemon, smtp):
    channels = {**email_channel(smtp.url()), "phone": phone_channel(ALWAYS_OPEN + 'due_within = "1h"\noverdue_after = "1d"\n')}
    daemon = make_daemon(herald_toml=CONFIG, extra_channels=channels).start()
    put_client(daemon, "xinghe", "星河科技", "strategic", CSM, "li@xinghe.example", phone="+8613900139000")
    put_client(daemon, "beta", "Beta Analytics", "standard", CSM, "ann@beta.example", stage="growth")
    put_client(daemon, "zeta", "Zeta Foods", "strategic", "zhao.qiang@acme.example", "max@zeta.example")
    ids = {"xinghe": send(daemon, "xinghe", priority="high"), "beta": send(daemon, "beta"), "zeta": send(daemon, "zeta")}
    daemon.wait_for_states(ids["beta"], {"sent"})
    # beta reads its email (the pixel, as a mail client loads it); xinghe does not.
    assert smtp.wait_for(lambda s: any("ann@beta.example" in m[1] for m in s.messages), 20)
    with urllib.request.urlopen(pixel(smtp, "ann@beta.example"), timeout=10) as r:
        assert r.status == 200
    daemon.wait_for_states(ids["beta"], {"opened"})
    daemon.wait_for_states(ids["xinghe"], {"sent"})
    result = daemon.cli("token", "create", "--name", "wang", "--scope", "resend", "--csm", CSM, "--json")
    assert result.returncode == 0, result.stderr
    reader = daemon.cli("token", "create", "--name", "reader", "--scope", "read", "--json")
    return daemon, smtp, ids, json.loads(result.stdout)["token"], json.loads(reader.stdout)["token"]


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # Chromium's singleton socket folder goes to TMPDIR and outlives driver.quit(): keep it in
    # this test's own folder rather than /tmp.
    service = Service("/usr/bin/chromedriver", env={**os.environ, "TMPDIR": str(tmp_path)})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(*DESKTOP)
    yield driver
    driver.quit()


def shoot(driver, name):
    """Screenshots of the current page at desktop and phone width, and the phone layout checked:
    nothing wider than the screen (no sideways scrolling)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(*DESKTOP)
    driver.save_screenshot(str(SHOTS / f"{name}-desktop.png"))
    driver.set_window_size(*PHONE)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than a phone screen"
    driver.save_screenshot(str(SHOTS / f"{name}-phone.png"))
    driver.set_window_size(*DESKTOP)


def check_accessible(driver):
    """One h1, a language, and every visible form control named by a label."""
    assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") in ("en", "zh-CN")
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML);""")
    assert unlabelled == []


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def test_csm_signs_in_resends_completes_a_call_and_reads_stats(world, browser):
    daemon, smtp, ids, token, reader = world
    d = browser
    d.get(daemon.base + "/dashboard/clients")
    assert d.current_url.endswith("/dashboard/sign-in")
    check_accessible(d)
    shoot(d, "sign-in")

    # A token without the resend scope is refused; the CSM's own gets in.
    d.find_element(By.ID, "token").send_keys(reader)
    d.find_element(By.ID, "sign-in").click()
    # (Every step after a click waits for the next page: a click does not wait for the navigation.)
    assert "lacks the resend scope" in wait(d, lambda d: d.find_element(By.ID, "sign-in-error")).text
    d.find_element(By.ID, "token").send_keys(token)
    d.find_element(By.ID, "sign-in").click()
    wait(d, lambda d: d.current_url.endswith("/dashboard/clients"))

    # My clients: wang's two, not zeta; xinghe flagged for its unopened high-priority email.
    assert d.find_element(By.TAG_NAME, "h1").text == "My clients"
    rows = {r.get_attribute("data-client"): r for r in d.find_elements(By.CSS_SELECTOR, "#clients tbody tr")}
    assert set(rows) == {"xinghe", "beta"}
    assert "attention" in rows["xinghe"].get_attribute("class")
    assert "attention" not in (rows["beta"].get_attribute("class") or "")
    assert "strategic" in rows["xinghe"].text and "onboarding" in rows["xinghe"].text and "UTC" in rows["xinghe"].text
    check_accessible(d)
    shoot(d, "clients")

    # The client timeline: the unopened email with its delivery and the call task.
    rows["xinghe"].find_element(By.TAG_NAME, "a").click()
    article = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, f'article[data-message="{ids["xinghe"]}"]'))
    assert "unopened" in article.get_attribute("class")
    assert article.find_element(By.TAG_NAME, "h3").text == "欢迎加入Acme，李雷！您的专属客户成功经理是王芳 (welcome)"  # the subject they saw
    states = {r.find_elements(By.TAG_NAME, "td")[0].text: r.get_attribute("data-state")
              for r in article.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert states == {"email": "sent", "phone": "sent"}
    check_accessible(d)
    shoot(d, "client")

    # Resend, by keyboard: the button, then the confirmation with the channel choice.
    article.find_element(By.ID, f"resend-{ids['xinghe']}").send_keys(Keys.ENTER)
    wait(d, lambda d: d.find_element(By.ID, "confirm-resend"))
    assert d.find_element(By.ID, "channel-same").is_selected()
    assert "email → li@xinghe.example" in d.find_element(By.ID, "resend-plan").text
    check_accessible(d)
    shoot(d, "resend")
    # The same form with its CSRF field stripped (as a forged cross-site form would be) is refused.
    d.execute_script("document.querySelector('form[action$=\"/resend\"] input[name=_csrf]').remove()")
    d.find_element(By.ID, "confirm-resend").click()
    assert "did not come from this page" in wait(d, lambda d: d.find_element(By.ID, "error-detail")).text
    shoot(d, "refused")
    assert daemon.message(ids["xinghe"])["resend_count"] == 0
    d.back()
    d.refresh()
    d.find_element(By.ID, "reason").send_keys("客户说没收到")
    d.find_element(By.ID, "confirm-resend").send_keys(Keys.ENTER)
    notice = wait(d, lambda d: d.find_element(By.ID, "notice"))
    assert "1 new delivery" in notice.text
    # The new delivery is on the page and the SMTP server receives the second welcome email.
    assert smtp.wait_for(lambda s: sum("li@xinghe.example" in m[1] for m in s.messages) == 2, 20), daemon.log()[-3000:]
    detail = daemon.message(ids["xinghe"])
    resend = [x for x in detail["deliveries"] if x.get("resend_of")]
    assert len(resend) == 1 and resend[0]["destination"] == "li@xinghe.example"
    resent_event = [e for e in detail["events"] if e["type"] == "resent"]
    assert resent_event and resent_event[0]["actor"] == "dashboard:wang" and "客户说没收到" in resent_event[0]["detail"]
    d.refresh()
    article = d.find_element(By.CSS_SELECTOR, f'article[data-message="{ids["xinghe"]}"]')
    assert article.find_element(By.CSS_SELECTOR, f'tr[data-delivery="{resend[0]["id"]}"]').get_attribute("data-state") in ("queued", "sending", "sent")

    # My calls: the xinghe welcome call, completed with an outcome.
    d.find_element(By.LINK_TEXT, "My calls").click()
    task = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "article[data-task]"))
    task_id = task.get_attribute("data-task")
    assert "星河科技" in task.text and "+8613900139000" in task.text
    check_accessible(d)
    shoot(d, "tasks")
    task.find_element(By.CSS_SELECTOR, 'input[value="reached"]').click()
    task.find_element(By.TAG_NAME, "textarea").send_keys("聊了上线计划")
    task.find_element(By.ID, f"complete-{task_id}").click()
    assert "Outcome recorded" in wait(d, lambda d: d.find_element(By.ID, "notice")).text
    assert d.find_elements(By.CSS_SELECTOR, "article[data-task]") == []
    status, _, done = daemon.request("GET", f"/v1/tasks/{task_id}")
    assert status == 200 and done["status"] == "done" and done["outcome"] == "reached"
    assert done["note"] == "聊了上线计划" and done["completed_by"] == "dashboard:wang"

    # Template stats with the server-drawn chart: beta opened, xinghe did not.
    d.find_element(By.LINK_TEXT, "Template stats").click()
    chart = wait(d, lambda d: d.find_element(By.ID, "stats-chart"))
    assert chart.get_attribute("role") == "img"
    table = d.find_element(By.ID, "stats").text
    assert "welcome" in table and "100 %" in table and "0 %" in table
    check_accessible(d)
    shoot(d, "stats")

    # The language switch: the same page in Chinese, kept for the next pages.
    d.find_element(By.ID, "language-switch").click()
    wait(d, lambda d: d.find_element(By.TAG_NAME, "h1").text == "模板统计")
    d.find_element(By.LINK_TEXT, "我的客户").click()
    wait(d, lambda d: d.find_element(By.TAG_NAME, "h1").text == "我的客户")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    shoot(d, "clients-zh")

    # Sign out: the session is gone.
    d.find_element(By.ID, "sign-out").click()
    wait(d, lambda d: d.current_url.endswith("/dashboard/sign-in"))
    d.get(daemon.base + "/dashboard/tasks")
    assert d.current_url.endswith("/dashboard/sign-in")


def test_bulk_resend_of_my_old_unopened_welcome_emails(world, browser):
    daemon, smtp, ids, token, _ = world
    # The messages are minutes old; the bulk filter starts at a day. Make them three days old
    # in the database (the time is what is under test, not the clock).
    with sqlite3.connect(daemon.folder / "var" / "herald.db", timeout=10) as db:
        db.execute("UPDATE messages SET created_at = created_at - 3 * 86400000")
    d = browser
    d.get(daemon.base + "/dashboard/sign-in")
    d.find_element(By.ID, "token").send_keys(token + Keys.ENTER)
    wait(d, lambda d: d.current_url.endswith("/dashboard/clients"))
    d.find_element(By.LINK_TEXT, "Resend unopened").click()
    wait(d, lambda d: d.find_element(By.ID, "b-template"))
    Select(d.find_element(By.ID, "b-template")).select_by_value("welcome")
    Select(d.find_element(By.ID, "b-tier")).select_by_value("strategic")
    Select(d.find_element(By.ID, "b-age")).select_by_value("48h")
    d.find_element(By.ID, "b-mine").click()
    d.find_element(By.ID, "preview").click()
    # Mine, strategic, unopened: xinghe only (beta opened and is standard; zeta is another CSM's).
    count = wait(d, lambda d: d.find_element(By.ID, "preview-count"))
    assert count.text.startswith("1 message(s) would be resent; 0 skipped")
    preview = d.find_element(By.CSS_SELECTOR, "section table").text
    assert "星河科技" in preview and "欢迎加入Acme，李雷！" in preview and "email → li@xinghe.example" in preview
    check_accessible(d)
    shoot(d, "bulk-resend")
    before = sum("li@xinghe.example" in m[1] for m in smtp.messages)
    d.find_element(By.ID, "confirm-bulk").click()
    assert "Resent 1 message(s); 0 skipped" in wait(d, lambda d: d.find_element(By.ID, "notice")).text
    assert smtp.wait_for(lambda s: sum("li@xinghe.example" in m[1] for m in s.messages) == before + 1, 20)
    assert sum("max@zeta.example" in m[1] for m in smtp.messages) == 1  # only its original
    assert daemon.message(ids["zeta"])["resend_count"] == 0


class Session:
    """A plain HTTP client with a cookie jar (no browser): for what a browser would never send."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path, headers=None):
        return self.send(urllib.request.Request(self.base + path, headers=headers or {}))

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        return self.send(urllib.request.Request(self.base + path, data=data, method="POST",
                                                headers={"Content-Type": "application/x-www-form-urlencoded"}))

    def send(self, request):
        try:
            with self.opener.open(request, timeout=10) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def csrf(self, path):
        _, _, html = self.get(path)
        marker = 'name="_csrf" value="'
        return html.split(marker, 1)[1].split('"', 1)[0]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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


def client_rows(html):
    return re.findall(r'<tr(?: class="attention")? data-client="([^"]+)"', html)


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
    assert status == 422 and "filter by csm, tier or stage" in problem["invalid_params"][0]["reason"], problem
    refused = daemon.cli("clients", "list", "--csm", bulk, "--attention")
    assert refused.returncode == 65 and "more than 1000 clients match" in refused.stderr, (refused.returncode, refused.stderr)
    more = re.search(r'<a href="([^"]+)" id="more-clients">Next page</a>', first)
    assert more and "after=b0049" in more.group(1)
    _, _, second = s.get(more.group(1).replace("&amp;", "&"))
    assert client_rows(second) == [f"b{i:04d}" for i in range(50, 100)]
