"""What a user would pick instead, on the same sink in the same run:
  * Apprise (PyPI) sending `json://` notifications to the same nginx, the way its docs show
    (one Apprise object, notify() in a loop) — against Herald's drain rate;
  * huey's SqliteHuey (PyPI) as a durable queue: tasks enqueued into its SQLite file from 1 and
    from 8 threads — against Herald's enqueue over HTTP (which also validates, routes and answers).
    huey's default is `synchronous=OFF` (fsync=None: a commit is not on disk when enqueue returns);
    it is measured that way (what a user gets) and with fsync=True (synchronous=FULL, the
    durability Herald's 202 promises).
Both packages are installed by scripts/bench (pip) when missing."""

import os
import subprocess
import sys
import threading
import time


def ensure_installed():
    try:
        import apprise  # noqa: F401
        import huey  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "apprise", "huey"],
                       check=True)


def bench_apprise(sink_url, total=2_000):
    import apprise
    notifier = apprise.Apprise()
    target = sink_url.replace("http://", "json://", 1)
    assert notifier.add(target), target
    notifier.notify(title="warm-up", body="warm-up")
    t0 = time.monotonic()
    for n in range(total):
        assert notifier.notify(title="Renewal in 30 days", body=f"Your subscription renews on 2026-12-23. ({n})")
    seconds = time.monotonic() - t0
    return {"notifications": total, "seconds": round(seconds, 3), "rate": round(total / seconds, 1),
            "version": apprise.__version__}


def bench_huey(tmp, total=10_000, threads=(1, 8)):
    import huey
    from huey import SqliteHuey
    results = {"version": huey.__version__}
    for fsync, count in [(f, c) for f in (False, True) for c in threads]:
        path = tmp / f"huey-{count}-{fsync}.db"
        queue = SqliteHuey(filename=str(path), fsync=fsync)

        @queue.task()
        def deliver(to, subject, text):  # never run: only the durable enqueue is measured
            return to

        per_thread = total // count

        def producer():
            for n in range(per_thread):
                deliver("https://hooks.example/acme", "Renewal in 30 days", f"Your subscription renews ({n})")

        pool = [threading.Thread(target=producer) for _ in range(count)]
        t0 = time.monotonic()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        seconds = time.monotonic() - t0
        assert queue.pending_count() == per_thread * count
        results[f"{'fsync' if fsync else 'default'}_threads_{count}"] = {"tasks": per_thread * count, "seconds": round(seconds, 3),
                                       "rate": round(per_thread * count / seconds, 1)}
        os.remove(path)
    return results
