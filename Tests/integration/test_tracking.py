"""Open pixel, signed click redirects and RFC 8058 one-click unsubscribe, end to end through a
real SMTP server. Token signatures are checked here with Python's own hmac, independently."""

import base64
import hashlib
import hmac
import re
import shutil
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from test_email import email_channel

WELCOME = {"first_name": "Li", "company": "Nova", "product_name": "Acme", "csm_name": "Wang Fang",
           "csm_email": "wang.fang@acme.example", "start_url": "https://app.acme.example/start?a=1&b=2"}


@pytest.fixture
def tracked(make_daemon, smtp):
    daemon = make_daemon(extra_channels=email_channel(smtp.url()))
    shutil.copytree(ROOT / "templates", daemon.folder / "templates")
    return daemon.start()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, method="GET", data=None, headers=None):
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, method=method, data=data, headers=headers or {"User-Agent": "Mozilla/5.0 TestMail"})
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_token(key, token):
    payload, sig = token.split(".")
    expected = hmac.new(key.encode(), unb64(payload), hashlib.sha256).digest()[:16]
    assert hmac.compare_digest(expected, unb64(sig)), "token signature does not verify"
    return unb64(payload).decode()


def send(daemon, smtp, category="transactional", n=1):
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "to": {"email": "li@client.example"}, "template": "welcome", "locale": "en", "data": WELCOME,
        "category": category})
    assert status == 202, reply
    assert smtp.wait_for(lambda s: len(s.messages) >= n, 15)
    return reply, smtp.messages[n - 1][3]


def test_links_are_rewritten_signed_and_tracked(tracked, smtp):
    reply, msg = send(tracked, smtp)
    delivery = reply["deliveries"][0]["id"]
    html = [p for p in msg.iter_parts()][1].get_content()
    clicks = re.findall(r'href="(http://127\.0\.0\.1:\d+/t/c/[^"]+)"', html)
    pixels = re.findall(r'src="(http://127\.0\.0\.1:\d+/t/o/[^"]+)"', html)
    assert len(clicks) == 1 and len(pixels) == 1
    assert "mailto:wang.fang@acme.example" in html             # mailto links are left alone
    assert check_token(tracked.tracking_key, clicks[0].rsplit("/", 1)[1]) == \
        f"c:{delivery}:https://app.acme.example/start?a=1&b=2"
    assert check_token(tracked.tracking_key, pixels[0].rsplit("/", 1)[1]) == f"o:{delivery}"
    tracked.wait_for_states(reply["id"], {"sent"})

    status, headers, body = fetch(pixels[0])
    assert status == 200 and headers["Content-Type"] == "image/gif" and "no-store" in headers["Cache-Control"]
    assert body.startswith(b"GIF89a")
    assert tracked.message(reply["id"])["deliveries"][0]["status"] == "opened"

    status, headers, _ = fetch(clicks[0])
    assert status == 302 and headers["Location"] == "https://app.acme.example/start?a=1&b=2"
    fetch(pixels[0])   # a second open: recorded, state unchanged
    detail = tracked.message(reply["id"])
    assert detail["deliveries"][0]["status"] == "clicked"
    events = [(e["type"], e["status"]) for e in detail["events"]]
    assert events == [("queued", "queued"), ("sent", "sent"), ("opened", "opened"), ("clicked", "clicked"), ("opened", None)]
    assert "TestMail" in detail["events"][2]["detail"]          # user agent kept (to tell machine opens apart later)


def test_forged_tokens_get_404_and_never_redirect(tracked, smtp):
    reply, msg = send(tracked, smtp)
    html = [p for p in msg.iter_parts()][1].get_content()
    click = re.findall(r'href="(http://127\.0\.0\.1:\d+/t/c/[^"]+)"', html)[0]
    base, token = click.rsplit("/", 1)
    payload, sig = token.split(".")
    evil_payload = base64.urlsafe_b64encode(
        unb64(payload).decode().rsplit(":", 1)[0].encode() + b"//evil.example/phish").decode().rstrip("=")
    wrong_key = base64.urlsafe_b64encode(hmac.new(b"not-the-key-0123456789", unb64(payload), hashlib.sha256)
                                         .digest()[:16]).decode().rstrip("=")
    for forged in [f"{evil_payload}.{sig}", f"{payload}.{wrong_key}", f"{payload}.", "garbage", f"{payload}x.{sig}"]:
        status, headers, _ = fetch(f"{base}/{forged}")
        assert status == 404 and "Location" not in headers, forged
    # an open token is not a click token
    pixel = re.findall(r'src="(http://127\.0\.0\.1:\d+/t/o/[^"]+)"', html)[0]
    status, headers, _ = fetch(base + "/" + pixel.rsplit("/", 1)[1])
    assert status == 404 and "Location" not in headers
    assert tracked.message(reply["id"])["deliveries"][0]["status"] in {"sent", "sending"}


def test_one_click_unsubscribe_suppresses_marketing_only(tracked, smtp):
    _, transactional = send(tracked, smtp, "transactional", 1)
    assert transactional["List-Unsubscribe"] is None
    reply, marketing = send(tracked, smtp, "marketing", 2)
    assert marketing["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.match(r"<(http://[^>]+)>", marketing["List-Unsubscribe"]).group(1)
    assert check_token(tracked.tracking_key, url.rsplit("/", 1)[1]) == f"u:{reply['deliveries'][0]['id']}"
    # The unsubscribe link itself is never rewritten into a click redirect.
    # A GET (what link scanners do) only shows the confirmation page.
    status, headers, page = fetch(url)
    assert status == 200 and b"<form method=\"post\"" in page
    status, _, reply2 = tracked.request("POST", "/v1/messages", {
        "to": {"email": "li@client.example"}, "subject": "Still subscribed?", "text": "x", "category": "marketing"})
    assert status == 202 and reply2["deliveries"][0]["status"] == "queued"
    # RFC 8058 one-click: a POST with List-Unsubscribe=One-Click, no cookies.
    status, _, page = fetch(url, method="POST", data=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"no longer receive" in page
    status, _, later = tracked.request("POST", "/v1/messages", {
        "to": {"email": "LI@client.example"}, "subject": "Offer", "text": "x", "category": "marketing"})
    assert later["deliveries"][0]["status"] == "suppressed"
    detail = tracked.message(later["id"])
    assert "unsubscribe" in detail["deliveries"][0]["last_error"]
    status, _, service = tracked.request("POST", "/v1/messages", {
        "to": {"email": "li@client.example"}, "subject": "Your invoice", "text": "x", "category": "transactional"})
    assert service["deliveries"][0]["status"] == "queued"
    events = [e["type"] for e in tracked.message(reply["id"])["events"]]
    assert "unsubscribed" in events


def test_an_unsubscribe_stops_marketing_already_waiting_in_the_queue(tracked, smtp):
    # A marketing email scheduled for later was accepted before the reader unsubscribed; when it
    # comes due it must not go out. The transactional one due at the same second is the clock.
    import time
    reply, marketing = send(tracked, smtp, "marketing", 1)
    url = re.match(r"<(http://[^>]+)>", marketing["List-Unsubscribe"]).group(1)
    send_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    waiting = {}
    for category in ("marketing", "transactional"):
        status, _, body = tracked.request("POST", "/v1/messages", {
            "to": {"email": "li@client.example"}, "subject": f"Later ({category})", "text": "x", "category": category,
            "send_at": send_at})
        assert status == 202 and body["deliveries"][0]["status"] == "scheduled", body
        waiting[category] = body
    status, _, page = fetch(url, method="POST", data=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"no longer receive" in page

    assert smtp.wait_for(lambda s: len(s.messages) >= 2, 20)
    assert [m[3]["Subject"] for m in smtp.messages[1:]] == ["Later (transactional)"]
    stopped = tracked.wait_for_states(waiting["marketing"]["id"], {"suppressed"})
    assert "unsubscribe" in stopped["deliveries"][0]["last_error"] and stopped["deliveries"][0]["attempts"] == []
    assert [e["actor"] for e in stopped["events"] if e["type"] == "suppressed"] == ["dispatcher"]
