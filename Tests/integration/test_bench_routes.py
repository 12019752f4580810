"""The benchmark's reference routes (scripts/bench): absent unless HERALD_BENCH_ENDPOINTS=1, and when
mounted they parse like the enqueue route, and /bench/wait answers every one of many concurrent
requests after its group's simulated commit."""

import json
from concurrent.futures import ThreadPoolExecutor


def test_bench_routes_are_not_served_by_default(daemon):
    for path in ("/bench/noop", "/bench/wait"):
        status, _, _ = daemon.request("POST", path, {"subject": "x"}, token=None)
        assert status == 404, path


def test_bench_routes_parse_and_answer_every_waiting_request(make_daemon):
    daemon = make_daemon().start(env={"HERALD_BENCH_ENDPOINTS": "1"})
    status, _, body = daemon.request("POST", "/bench/noop", {"subject": "x"}, token=None)
    assert status == 202 and body["id"].startswith("msg_")

    # Sixteen at once: they share simulated commits, and each is answered with its own id.
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: daemon.request("POST", "/bench/wait", {"n": i}, token=None), range(48)))
    assert [status for status, _, _ in answers] == [202] * 48
    assert len({body["id"] for _, _, body in answers}) == 48

    # Bad input is refused the way the enqueue route refuses it, naming what is wrong.
    for raw, expected, detail in ((b"[1]", 422, "must be a JSON object"), (b"{", 400, "malformed")):
        status, headers, problem = daemon.request("POST", "/bench/wait", raw=raw, token=None)
        assert status == expected and headers["Content-Type"].startswith("application/problem+json"), (raw, problem)
        assert detail in json.dumps(problem), problem
