"""The CSM dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver,
driven by selenium) against the real daemon, a real SMTP server and the tracking pixel.

A CSM signs in with a resend-scoped token, sees only their clients with the unopened important
message flagged, opens a client, presses Resend (by keyboard), confirms, sees the new delivery and
the SMTP server receives it; completes a phone task; previews and runs a bulk resend; reads the
stats chart; switches language. Forms without the CSRF token are refused. Screenshots of each
page at desktop and phone width go to .build/dashboard-screenshots/ (not committed)."""

import os
import sqlite3

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from dashboard_world import ROOT, world  # noqa: F401  (world: the fixture)

SHOTS = ROOT / ".build" / "dashboard-screenshots"
DESKTOP = (1280, 900)
PHONE = (390, 844)


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
    # The call's own page, where call notices link: the card with its outcome, and back to the list.
    d.get(daemon.base + f"/dashboard/tasks/{task_id}")
    card = wait(d, lambda d: d.find_element(By.CSS_SELECTOR, f'article[data-task="{task_id}"]'))
    assert "聊了上线计划" in card.text and "Reached them" in card.text and "星河科技" in card.text
    check_accessible(d)
    shoot(d, "task")
    d.find_element(By.LINK_TEXT, "Back to my calls").click()
    wait(d, lambda d: d.current_url.endswith("/dashboard/tasks"))

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
    assert d.current_url.endswith("/dashboard/sign-in?next=%2Fdashboard%2Ftasks")
    # Signing in from there (a call notice's link) comes back to the calls, not the client list.
    d.find_element(By.ID, "token").send_keys(token + Keys.ENTER)
    wait(d, lambda d: d.current_url.endswith("/dashboard/tasks"))


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
