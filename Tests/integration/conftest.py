"""Fixtures that run the real `herald` binary on a free loopback port with a temporary database,
next to a loopback webhook receiver that verifies signatures independently."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from smtp_server import SMTPServer  # noqa: E402
from webhook_receiver import Receiver, new_secret  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERALD = os.environ.get("HERALD_BIN", str(ROOT / ".build" / "debug" / "herald"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One herald process with its own config folder; restartable on the same database."""

    def __init__(self, folder: Path, secret: str, herald_toml: str = "", webhook_toml: str = "",
                 extra_channels: dict | None = None,
                 retry_toml: str = 'base = "200ms"\nmax_backoff = "1s"\nmax_attempts = 5\n',
                 database_url: str | None = None, tracking_key: str | None = None,
                 dispatch_toml: str = 'poll_interval = "200ms"\nlease = "10s"\ndrain_timeout = "10s"\n'):
        self.folder = folder
        self.port = free_port()
        self.process = None
        self.log_path = folder / "herald.log"
        (folder / "channels").mkdir(parents=True, exist_ok=True)
        (folder / "secrets").mkdir(exist_ok=True)
        (folder / "secrets" / "webhook.secret").write_text(secret + "\n")
        self.tracking_key = tracking_key or "tk-" + os.urandom(24).hex()
        (folder / "secrets" / "tracking.key").write_text(self.tracking_key + "\n")
        (folder / "herald.toml").write_text(
            f'[server]\nlisten = "127.0.0.1:{self.port}"\npublic_url = "http://127.0.0.1:{self.port}"\n'
            '[tracking]\nkey = "file:secrets/tracking.key"\n'
            + (f'[database]\nurl = "{database_url}"\n' if database_url else '[database]\npath = "var/herald.db"\n')
            + "[dispatch]\n" + dispatch_toml
            + "[retry]\n" + retry_toml
            + herald_toml
        )
        (folder / "channels" / "webhook.toml").write_text(
            'kind = "webhook"\nsecret = "file:secrets/webhook.secret"\nallow_private_networks = true\n'
            'timeout = "2s"\nconnect_timeout = "1s"\n' + webhook_toml
        )
        for name, text in (extra_channels or {}).items():
            (folder / "channels" / f"{name}.toml").write_text(text)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin_token(self):
        """An admin API token, created once per daemon folder with the CLI (as an operator would)."""
        if not getattr(self, "_token", None):
            # Named after the folder: instances sharing one PostgreSQL database share its token table.
            result = self.cli("token", "create", "--name", f"test-admin-{self.folder.name}", "--scope", "admin", "--json")
            assert result.returncode == 0, result.stderr
            self._token = json.loads(result.stdout)["token"]
        return self._token

    def start(self, wait=True, env=None, log_level="info"):
        self.admin_token()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [HERALD, "serve", "--config", str(self.folder / "herald.toml"), "--log-level", log_level],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HERALD_BENCH_ENDPOINTS": "0", **(env or {})})
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"herald exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=0.5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("herald did not become ready:\n" + self.log())

    def stop(self, sig=signal.SIGTERM, timeout=30.0) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def kill9(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def request(self, method, path, body=None, headers=None, raw: bytes | None = None, token: str | None = "admin"):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        if token == "admin":
            hdrs["Authorization"] = "Bearer " + self.admin_token()
        elif token:
            hdrs["Authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                payload = r.read()
                return r.status, dict(r.headers), json.loads(payload) if payload else None
        except urllib.error.HTTPError as e:
            payload = e.read()
            return e.code, dict(e.headers), json.loads(payload) if payload else None

    def message(self, message_id):
        status, _, body = self.request("GET", f"/v1/messages/{message_id}")
        assert status == 200, body
        return body

    def wait_for_states(self, message_id, states, timeout=30.0):
        """Polls GET /v1/messages/{id} until every delivery is in one of `states` (the API is the signal)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.message(message_id)
            if all(d["status"] in states for d in body["deliveries"]):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"deliveries not in {states}: {body['deliveries']}")
            time.sleep(0.05)

    def cli(self, *args, input_text=None):
        return subprocess.run([HERALD, *args, "--config", str(self.folder / "herald.toml")],
                              capture_output=True, text=True, input=input_text, timeout=60)


@pytest.fixture
def secret():
    return new_secret()


@pytest.fixture
def receiver(secret):
    r = Receiver(secret)
    yield r
    r.stop()


@pytest.fixture
def make_daemon(tmp_path, secret):
    daemons = []

    def make(**kwargs):
        d = Daemon(tmp_path / f"d{len(daemons)}", secret, **kwargs)
        daemons.append(d)
        return d

    yield make
    for d in daemons:
        if d.process and d.process.poll() is None:
            d.kill9()


@pytest.fixture
def postgres_database():
    """A new, empty database on the PostgreSQL server scripts/test starts (HERALD_TEST_POSTGRES_URL)."""
    base = os.environ.get("HERALD_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("HERALD_TEST_POSTGRES_URL is not set: run the suite with scripts/test (it starts PostgreSQL)")
    name = "it_" + os.urandom(8).hex()
    result = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def daemon(make_daemon):
    return make_daemon().start()


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    server = SMTPServer()
    yield server
    server.stop()
