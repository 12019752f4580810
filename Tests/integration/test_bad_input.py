"""Hostile and broken requests get a precise problem+json answer and never hurt the daemon."""

import json

import pytest

VALID = {"to": {"webhook": "https://crm.example.com/hooks/herald"}, "text": "hi"}

CASES = [
    # (name, method, path, raw body or object, headers, status, field named in invalid_params or None)
    ("malformed json", "POST", "/v1/messages", b'{"to": ', None, 400, None),
    ("not an object", "POST", "/v1/messages", b"[1, 2]", None, 422, "(body)"),
    ("empty body", "POST", "/v1/messages", b"", None, 400, None),
    ("invalid utf-8", "POST", "/v1/messages", b'{"text": "\xff\xfe"}', None, 400, None),
    ("deep nesting", "POST", "/v1/messages", b'{"data": ' + b"[" * 200 + b"]" * 200 + b"}", None, 400, None),
    ("number beyond double", "POST", "/v1/messages", b'{"to": {"webhook": "https://x.example"}, "text": "a", "priority": 1e999}', None, 400, None),
    ("huge integer", "POST", "/v1/messages", b'{"to": {"webhook": "https://x.example"}, "text": "a", "priority": 123456789012345678901234567890}', None, 422, "priority"),
    ("wrong type", "POST", "/v1/messages", {**VALID, "subject": 42}, None, 422, "subject"),
    ("unknown field", "POST", "/v1/messages", {**VALID, "colour": "red"}, None, 422, "colour"),
    ("ftp url", "POST", "/v1/messages", {**VALID, "to": {"webhook": "ftp://x.example/"}}, None, 422, "to.webhook"),
    ("no host", "POST", "/v1/messages", {**VALID, "to": {"webhook": "http:///path"}}, None, 422, "to.webhook"),
    ("crlf in url", "POST", "/v1/messages", {**VALID, "to": {"webhook": "https://x.example/\r\nX-Evil: 1"}}, None, 422, "to.webhook"),
    ("crlf in subject", "POST", "/v1/messages", {**VALID, "subject": "hi\r\nBcc: all@x"}, None, 422, "subject"),
    ("unknown channel", "POST", "/v1/messages", {**VALID, "to": {"carrier-pigeon": "coop 4"}}, None, 422, "to.carrier-pigeon"),
    ("missing template variable", "POST", "/v1/messages", {**VALID, "text": "Hi {{first_name}}"}, None, 422, "text"),
    ("template syntax", "POST", "/v1/messages", {**VALID, "text": "{{#open}}"}, None, 422, "text"),
    ("no content", "POST", "/v1/messages", {"to": VALID["to"]}, None, 422, "template"),
    ("bad send_at", "POST", "/v1/messages", {**VALID, "send_at": "next tuesday"}, None, 422, "send_at"),
    ("bad idempotency header", "POST", "/v1/messages", VALID, {"Idempotency-Key": "x" * 300}, 422, "Idempotency-Key"),
    ("wrong content type", "POST", "/v1/messages", VALID, {"Content-Type": "text/plain"}, 422, "Content-Type"),
    ("oversize body", "POST", "/v1/messages", {**VALID, "text": "x" * 300_000}, None, 413, None),
    ("oversize text field", "POST", "/v1/messages", {**VALID, "text": "x" * 200_000}, None, 422, "text"),
    ("batch not array", "POST", "/v1/messages/batch", {"messages": {}}, None, 422, "messages"),
    ("batch too large", "POST", "/v1/messages/batch", {"messages": [VALID] * 1001}, None, 422, "messages"),
    ("batch unknown field", "POST", "/v1/messages/batch", {"messages": [VALID], "x": 1}, None, 422, "x"),
    ("unknown route", "GET", "/v1/nothing-here", None, None, 404, None),
    ("bad message id", "GET", "/v1/messages/not-an-id", None, None, 404, None),
    ("unknown message", "GET", "/v1/messages/msg_01M83X2R1TMR0GTVHXTN2Y01HK", None, None, 404, None),
    ("bad list limit", "GET", "/v1/messages?limit=100000", None, None, 422, "limit"),
    ("bad cursor", "GET", "/v1/messages?cursor=../../etc", None, None, 422, "cursor"),
]


@pytest.fixture(scope="module")
def shared_daemon(tmp_path_factory):
    from conftest import Daemon
    from webhook_receiver import new_secret
    d = Daemon(tmp_path_factory.mktemp("bad-input"), new_secret(), herald_toml='[limits]\nmax_body_bytes = 262144\nmax_content_bytes = 100000\n')
    d.start()
    yield d
    d.kill9()


@pytest.mark.parametrize("name,method,path,body,headers,status,field", CASES, ids=[c[0] for c in CASES])
def test_bad_request_gets_problem_json(shared_daemon, name, method, path, body, headers, status, field):
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    got, hdrs, problem = shared_daemon.request(method, path, raw=raw, headers=headers)
    assert got == status, problem
    assert hdrs["Content-Type"] == "application/problem+json"
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["type"].startswith("https://")
    if field:
        names = [p["name"] for p in problem.get("invalid_params", [])]
        assert field in names, problem
    # The daemon is unaffected: still healthy and still accepting good work.
    assert shared_daemon.request("GET", "/healthz")[0] == 200


def test_daemon_still_accepts_valid_messages_after_abuse(shared_daemon):
    status, _, reply = shared_daemon.request("POST", "/v1/messages", VALID)
    assert status == 202 and reply["id"].startswith("msg_")
    assert shared_daemon.process.poll() is None


def test_template_syntax_errors_say_where_and_what_in_words(shared_daemon):
    # The reason points into the author's own text (line 2: the pragma Herald puts in front of
    # plain text is not counted) and names the mistake without the parser's internal types.
    body = {**VALID, "subject": "Kickoff", "text": "Hello,\nyour steps: {{#steps}}{{title}}, "}
    status, _, problem = shared_daemon.request("POST", "/v1/messages", body)
    assert status == 422, problem
    reason = {p["name"]: p["reason"] for p in problem["invalid_params"]}["text"]
    assert reason.startswith("is not a valid Mustache template: line 2, column "), reason
    assert "is never closed with {{/name}}" in reason, reason
    assert "Mustache." not in reason and "CONTENT_TYPE" not in reason, reason
    status, _, problem = shared_daemon.request("POST", "/v1/messages", {**VALID, "html": "<p>{{#a}}x{{/b}}</p>"})
    reason = {p["name"]: p["reason"] for p in problem["invalid_params"]}["html"]
    assert status == 422 and reason.startswith("is not a valid Mustache template: line 1, column ") and "does not match" in reason, reason
