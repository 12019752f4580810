"""The sd_notify protocol as systemd sees it: a unix datagram socket bound by the test, the daemon
started with NOTIFY_SOCKET and WATCHDOG_USEC; READY, WATCHDOG and STOPPING must arrive in order."""

import signal
import socket
import threading
import time


class NotifySocket:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.path = str(path)
        self.messages = []            # (monotonic time, [lines])
        self.cond = threading.Condition()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            with self.cond:
                self.messages.append((time.monotonic(), data.decode().split("\n")))
                self.cond.notify_all()

    def wait_for(self, line, timeout=15):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(line in m for _, m in self.messages), timeout)
        return ok

    def index(self, line):
        return next(i for i, (_, m) in enumerate(self.messages) if line in m)

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_ready_watchdog_and_stopping_arrive_in_order(make_daemon, tmp_path):
    notify = NotifySocket(tmp_path / "notify.sock")
    try:
        daemon = make_daemon()
        daemon.start(env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "600000"})
        assert notify.wait_for("READY=1"), notify.messages
        # Pings at least every half interval (300 ms): wait for three after READY.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with notify.cond:
                pings = [t for t, m in notify.messages if "WATCHDOG=1" in m]
            if len(pings) >= 3:
                break
            time.sleep(0.05)
        assert len(pings) >= 3, notify.messages
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert max(gaps) < 0.6, gaps                          # never a gap as long as the watchdog interval
        assert daemon.stop(signal.SIGTERM) == 0
        assert notify.wait_for("STOPPING=1")
        assert notify.index("READY=1") < notify.index("STOPPING=1")
        assert any(m[0].startswith("STATUS=") for _, m in notify.messages)
    finally:
        notify.close()


def test_without_notify_socket_nothing_is_sent_and_it_still_runs(daemon):
    assert daemon.request("GET", "/healthz")[0] == 200
    assert daemon.stop(signal.SIGTERM) == 0


def _verify(unit_text, folder, name="herald.service"):
    import subprocess
    from conftest import HERALD
    unit = folder / name
    unit.write_text(unit_text.replace("/usr/local/bin/herald", HERALD))
    return subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)


def test_systemd_unit_verifies_cleanly(tmp_path):
    from conftest import ROOT
    text = (ROOT / "systemd" / "herald.service").read_text()
    assert "Type=notify" in text and "WatchdogSec=" in text and "LoadCredential=" in text and "DynamicUser=yes" in text
    result = _verify(text, tmp_path)
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", result.stdout + result.stderr
    # Control: systemd-analyze reports mistakes as warnings with exit 0, so silence is what is checked.
    broken = _verify(text.replace("Type=notify", "Type=notifyy"), tmp_path, "broken.service")
    assert "Failed to parse service type" in broken.stdout + broken.stderr
