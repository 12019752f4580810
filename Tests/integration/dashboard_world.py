"""What the dashboard tests share: a daemon with three clients of two CSMs (one high-priority
message unopened, one opened, one another CSM's), a CSM's resend token and a reader token; and a
plain HTTP session with a cookie jar for what a browser would never send."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from test_email import email_channel
from test_resend import pixel
from test_tasks import ALWAYS_OPEN, phone_channel

ROOT = Path(__file__).resolve().parents[2]
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


def client_rows(html):
    return re.findall(r'<tr(?: class="attention")? data-client="([^"]+)"', html)
