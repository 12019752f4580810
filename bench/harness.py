"""What every benchmark shares: processes on free loopback ports (Herald, nginx answering 204,
an SMTP sink), wrk, and small helpers. Used by scripts/bench."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """A sink answering 204 to every POST, one worker process, no access log."""

    def __init__(self, folder: Path):
        self.port = free_port()
        conf = folder / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder};
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{self.port} reuseport;
    location / {{ return 204; }}
  }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


class SMTPSink:
    """bench/smtp_sink.py: accepts every message, as fast as Python's asyncio allows."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(self.port)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=10)
        return int(out.strip().splitlines()[-1])


class Herald:
    def __init__(self, binary, folder: Path, concurrency=8, smtp_url=None, database_url=None, start=True):
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "channels").mkdir(exist_ok=True)
        (folder / "secret").write_text("whsec_" + __import__("base64").b64encode(os.urandom(24)).decode())
        (folder / "herald.toml").write_text(
            f'[server]\nlisten = "127.0.0.1:{self.port}"\n'
            + (f'[database]\nurl = "{database_url}"\n' if database_url else '[database]\npath = "herald.db"\n')
            +
            '[dispatch]\npoll_interval = "100ms"\n[limits]\nmax_batch_body_bytes = 33554432\n'
            '[tiers.bench]\nchannels = ["webhook"]\n')
        (folder / "channels" / "webhook.toml").write_text(
            f'kind = "webhook"\nsecret = "file:secret"\nallow_private_networks = true\nconcurrency = {concurrency}\n')
        if smtp_url:
            (folder / "channels" / "email.toml").write_text(
                f'kind = "email"\nprovider = "smtp"\nsmtp_url = "{smtp_url}"\nstarttls = "off"\n'
                f'from = "Acme CS <cs@acme.example>"\nconcurrency = {concurrency}\n')
        self.binary, self.folder = binary, folder
        self.token = json.loads(sh(str(binary), "token", "create", "--config", str(folder / "herald.toml"),
                                   "--name", f"bench-{os.urandom(4).hex()}", "--scope", "admin", "--json"))["token"]
        if start:
            self.start()

    def start(self):
        """Starts the daemon; returns the seconds from exec until /healthz answers 200."""
        env = {**os.environ, "HERALD_BENCH_ENDPOINTS": "1"}
        self.log = open(self.folder / "herald.log", "ab")
        t0 = time.monotonic()
        self.process = subprocess.Popen([str(self.binary), "serve", "--config", str(self.folder / "herald.toml"),
                                         "--log-level", "warning"], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.monotonic() - t0
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"herald exited: {(self.folder / 'herald.log').read_text()[-2000:]}")
                if time.monotonic() - t0 > 120:
                    raise RuntimeError("herald did not become healthy in 120 s")
                time.sleep(0.005)

    def cpu_seconds(self):
        """User + system CPU time the daemon has used so far."""
        return process_cpu_seconds(self.process.pid)

    def rss_mb(self):
        """Resident memory of the daemon (VmRSS), MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no VmRSS")

    def memory_mb(self):
        """RSS split the way the kernel counts it (smaps_rollup), MB: `pss` shares each shared
        page among the processes mapping it; `file` is clean pages of the binary and its
        libraries (page cache the kernel can drop and read again); `anon` is the process's own."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
        mb = lambda kb: round(kb / 1024, 1)
        return {"rss": mb(fields["Rss"]), "pss": mb(fields["Pss"]), "anon": mb(fields["Anonymous"]),
                "file": mb(fields["Rss"] - fields["Anonymous"])}

    def sent_total(self):
        """herald_deliveries_total{outcome="sent"} summed over channels, from /metrics (cheap to poll)."""
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
            text = r.read().decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("herald_deliveries_total{") and 'outcome="sent"' in line)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def post(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())

    def put(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())

    def depth(self):
        with urllib.request.urlopen(self.base + "/readyz", timeout=30) as r:
            return json.loads(r.read())["deliveries"]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


def process_cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url_base, path, body_file, duration, connections=64, token=None):
    env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_PATH": path}
    if token:
        env["BENCH_TOKEN"] = token
    out = sh("wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "-s",
             str(ROOT / "bench" / "post.lua"), url_base, env=env)
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    fields = dict(kv.split("=") for kv in line.split()[1:])
    requests, seconds = int(fields["requests"]), float(fields["seconds"])
    return {"rps": round(requests / seconds, 1), "requests": requests, "errors": int(fields["errors"]),
            "non2xx": int(fields["non2xx"]), "p50_ms": int(fields["p50_us"]) / 1000,
            "p99_ms": int(fields["p99_us"]) / 1000}
