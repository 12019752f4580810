"""API tokens: hashed at rest, scoped per route, refused with 401/403 problem+json, revocable."""

import json

VALID = {"to": {"webhook": "https://crm.example.com/hooks/herald"}, "text": "hi"}


def create(daemon, name, scopes):
    result = daemon.cli("token", "create", "--name", name, "--scope", scopes, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["token"]


def test_missing_wrong_and_malformed_tokens_get_401(daemon):
    for headers in [{}, {"Authorization": "Bearer hrld_" + "A" * 43}, {"Authorization": "Bearer nonsense"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}]:
        status, hdrs, problem = daemon.request("POST", "/v1/messages", VALID, headers=headers, token=None)
        assert status == 401, problem
        assert hdrs["Content-Type"] == "application/problem+json" and hdrs["WWW-Authenticate"].startswith("Bearer")
    # unknown /v1 routes are closed too (401 before 404: nothing leaks)
    assert daemon.request("GET", "/v1/secret-things", token=None)[0] == 401
    # public routes stay public
    assert daemon.request("GET", "/healthz", token=None)[0] == 200
    assert daemon.request("GET", "/readyz", token=None)[0] == 200


def test_scopes_are_enforced_per_route(daemon):
    reader = create(daemon, "dashboard", "read")
    sender = create(daemon, "crm", "send")
    status, _, problem = daemon.request("POST", "/v1/messages", VALID, token=reader)
    assert status == 403 and "lacks the 'send' scope" in problem["detail"]
    status, _, reply = daemon.request("POST", "/v1/messages", VALID, token=sender)
    assert status == 202
    status, _, problem = daemon.request("GET", f"/v1/messages/{reply['id']}", token=sender)
    assert status == 403 and "'read'" in problem["detail"]
    status, _, detail = daemon.request("GET", f"/v1/messages/{reply['id']}", token=reader)
    assert status == 200
    assert detail["events"][0]["actor"] == "token:crm"          # who enqueued it is on record
    assert daemon.request("POST", f"/v1/messages/{reply['id']}/cancel", token=reader)[0] == 403


def test_a_token_rate_limit_answers_429_and_refills(daemon):
    import time
    result = daemon.cli("token", "create", "--name", "batchjob", "--scope", "read", "--rate-limit", "5", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["rate_limit"] == 5, result.stderr
    limited = json.loads(result.stdout)["token"]
    other = create(daemon, "dashboard2", "read")
    statuses = [daemon.request("GET", "/v1/messages", token=limited)[0] for _ in range(12)]
    assert statuses[:5] == [200] * 5 and statuses.count(429) >= 5, statuses      # a burst of one second's worth
    status, headers, problem = daemon.request("GET", "/v1/messages", token=limited)
    assert status == 429 and headers["Retry-After"] == "1" and problem["type"].endswith("rate-limited")
    assert "5 requests per second" in problem["detail"]
    assert all(daemon.request("GET", "/v1/messages", token=other)[0] == 200 for _ in range(12))  # per token
    time.sleep(1.1)                  # the behaviour under test is the refill over time
    assert daemon.request("GET", "/v1/messages", token=limited)[0] == 200
    listing = daemon.cli("token", "list")
    assert "5/s" in listing.stdout


def test_revoked_tokens_stop_working_within_a_second(daemon):
    import time
    token = create(daemon, "temp", "send,read")
    assert daemon.request("GET", "/v1/messages", token=token)[0] == 200
    result = daemon.cli("token", "revoke", "temp")
    assert result.returncode == 0
    revoked_at = time.monotonic()
    # Valid tokens are cached for one second; the revocation shows within that window.
    while True:
        status, _, problem = daemon.request("GET", "/v1/messages", token=token)
        if status == 401:
            break
        assert time.monotonic() - revoked_at < 1.5, "revoked token still accepted after 1.5 s"
        time.sleep(0.05)
    assert "revoked" in problem["detail"]
    assert daemon.cli("token", "revoke", "temp").returncode == 1      # already revoked
    listing = json.loads(daemon.cli("token", "list", "--json").stdout)
    assert {t["name"]: t["revoked_at"] is not None for t in listing}["temp"] is True


def test_secrets_are_never_stored_or_logged_in_clear(daemon):
    token = create(daemon, "audit", "admin")
    daemon.request("GET", "/v1/messages", token=token)
    daemon.request("GET", "/v1/messages", headers={"Authorization": "Bearer " + token[:-1] + "x"}, token=None)
    listing = daemon.cli("token", "list")
    assert token not in listing.stdout and "audit" in listing.stdout
    daemon.stop()
    for path in (daemon.folder / "var").glob("herald.db*"):
        data = path.read_bytes()
        assert token.encode() not in data and token[5:25].encode() not in data
    assert token not in daemon.log() and token[5:25] not in daemon.log()
    assert daemon.cli("token", "create", "--name", "audit", "--scope", "read").returncode == 1   # names are unique


def test_a_token_expires_and_its_last_use_is_listed(daemon):
    import time
    from datetime import datetime
    def parse(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    result = daemon.cli("token", "create", "--name", "contractor", "--scope", "read", "--expires", "3s", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    expires_at = parse(created["expires_at"])
    assert 1 < expires_at - time.time() <= 3.5
    idle = create(daemon, "idle", "read")

    def listed():
        return {t["name"]: t for t in json.loads(daemon.cli("token", "list", "--json").stdout)}
    assert listed()["contractor"]["last_used_at"] is None and listed()["contractor"]["status"] == "active"
    import os
    assert listed()["contractor"]["created_by"] == "cli:" + os.environ.get("USER", "unknown")
    before = time.time()
    assert daemon.request("GET", "/v1/messages", token=created["token"])[0] == 200
    # The use is written down off the request path: wait for it (bounded), not for a fixed time.
    deadline = time.monotonic() + 5
    while listed()["contractor"]["last_used_at"] is None:
        assert time.monotonic() < deadline, "the token's use was never recorded"
        time.sleep(0.05)
    used = parse(listed()["contractor"]["last_used_at"])
    assert before - 1 <= used <= time.time() + 1
    assert listed()["idle"]["last_used_at"] is None              # only the token that was used
    table = daemon.cli("token", "list").stdout
    assert "LAST USED" in table and "EXPIRES" in table
    assert [line for line in table.splitlines() if line.startswith("idle ")][0].count("never") == 2

    # Past its expiry (the time under test, so waiting for it is the point), refused with the reason.
    time.sleep(max(0.0, expires_at - time.time()) + 0.05)
    status, headers, problem = daemon.request("GET", "/v1/messages", token=created["token"])
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    assert "expired" in problem["detail"] and "contractor" in problem["detail"]
    assert listed()["contractor"]["status"] == "expired"
    assert daemon.request("GET", "/v1/messages", token=idle)[0] == 200

    # An expiry must lie ahead and be readable; both are usage errors (64).
    assert daemon.cli("token", "create", "--name", "x", "--scope", "read", "--expires", "2001-01-01T00:00:00Z").returncode == 64
    assert daemon.cli("token", "create", "--name", "y", "--scope", "read", "--expires", "soon").returncode == 64


def test_rotating_a_token_keeps_the_old_secret_working_for_the_grace_period(daemon):
    first = create(daemon, "crm", "send,read")
    result = daemon.cli("token", "rotate", "crm", "--grace", "1h", "--json")
    assert result.returncode == 0, result.stderr
    rotated = json.loads(result.stdout)
    second = rotated["token"]
    assert second != first and rotated["name"] == "crm" and set(rotated["scopes"]) == {"read", "send"}
    assert rotated["retired"]["name"].startswith("crm-retired-")
    # Both secrets work during the grace; what the old one does is recorded under its new name.
    status, _, reply = daemon.request("POST", "/v1/messages", VALID, token=first)
    assert status == 202, reply
    assert daemon.message(reply["id"])["events"][0]["actor"] == "token:" + rotated["retired"]["name"]
    status, _, reply = daemon.request("POST", "/v1/messages", VALID, token=second)
    assert status == 202 and daemon.message(reply["id"])["events"][0]["actor"] == "token:crm"
    listing = {t["name"]: t for t in json.loads(daemon.cli("token", "list", "--json").stdout)}
    assert listing["crm"]["status"] == "active" and listing[rotated["retired"]["name"]]["status"] == "active"
    assert listing[rotated["retired"]["name"]]["expires_at"] == rotated["retired"]["expires_at"]

    # With no grace the replaced secret stops at once (the 1 s token cache aside).
    result = daemon.cli("token", "rotate", "crm", "--grace", "0s")
    assert result.returncode == 0, result.stderr
    third = [line for line in result.stdout.splitlines() if line.startswith("hrld_")][0]
    assert "the old secret works until" in result.stdout
    import time
    deadline = time.monotonic() + 1.5
    while daemon.request("GET", "/v1/messages", token=second)[0] != 401:
        assert time.monotonic() < deadline, "the replaced secret still works"
        time.sleep(0.05)
    status, _, problem = daemon.request("GET", "/v1/messages", token=second)
    assert "expired" in problem["detail"]
    assert daemon.request("GET", "/v1/messages", token=third)[0] == 200
    assert daemon.request("GET", "/v1/messages", token=first)[0] == 200     # its own grace is still running
    # Only an active token can be rotated.
    assert daemon.cli("token", "rotate", "nobody").returncode == 1
    assert daemon.cli("token", "rotate", "crm", "--grace", "soon").returncode == 64


def test_tokens_are_managed_through_the_api_by_admins_only(daemon):
    status, _, made = daemon.request("POST", "/v1/tokens", {"name": "billing-svc", "scopes": ["send", "read"],
                                                            "rate_limit": 20, "expires": "30d"})
    assert status == 201, made
    secret = made["token"]
    assert secret.startswith("hrld_") and made["prefix"] == secret[:9] and made["status"] == "active"
    assert set(made["scopes"]) == {"send", "read"} and made["rate_limit"] == 20 and made["expires_at"]
    assert made["created_by"].startswith("token:test-admin-")             # who made it, for the audit
    assert daemon.request("POST", "/v1/messages", VALID, token=secret)[0] == 202
    # A token without admin may not see or make tokens.
    assert daemon.request("GET", "/v1/tokens", token=secret)[0] == 403
    assert daemon.request("POST", "/v1/tokens", {"name": "x", "scopes": ["admin"]}, token=secret)[0] == 403
    status, _, listing = daemon.request("GET", "/v1/tokens")
    assert status == 200
    listed = {t["name"]: t for t in listing["items"]}
    assert "token" not in listed["billing-svc"] and secret not in json.dumps(listing)
    assert listed["billing-svc"]["expires_at"] == made["expires_at"]

    # Refusals name the field.
    for body, field in [({"name": "Bad Name", "scopes": ["read"]}, "name"), ({"name": "ok"}, "scopes"),
                        ({"name": "ok", "scopes": ["root"]}, "scopes"), ({"name": "ok", "scopes": ["read"], "rate_limit": 0}, "rate_limit"),
                        ({"name": "ok", "scopes": ["read"], "expires": "2001-01-01T00:00:00Z"}, "expires"),
                        ({"name": "ok", "scopes": ["read"], "csm": "not an email"}, "csm"),
                        ({"name": "ok", "scopes": ["read"], "owner": "me"}, "owner")]:
        status, headers, problem = daemon.request("POST", "/v1/tokens", body)
        assert status == 422 and headers["Content-Type"] == "application/problem+json", (body, problem)
        assert field in [p["name"] for p in problem["invalid_params"]], (body, problem)
    assert daemon.request("POST", "/v1/tokens", {"name": "billing-svc", "scopes": ["read"]})[0] == 409

    # Rotation: a new secret, the old one still working through the grace, under its retired name.
    status, _, rotated = daemon.request("POST", "/v1/tokens/billing-svc/rotate", {"grace": "1h"})
    assert status == 200, rotated
    assert rotated["token"] != secret and rotated["name"] == "billing-svc" and rotated["rate_limit"] == 20
    assert rotated["retired"]["name"].startswith("billing-svc-retired-") and rotated["retired"]["status"] == "active"
    assert daemon.request("POST", "/v1/messages", VALID, token=secret)[0] == 202
    assert daemon.request("POST", "/v1/messages", VALID, token=rotated["token"])[0] == 202
    assert daemon.request("POST", "/v1/tokens/nobody/rotate")[0] == 404
    assert daemon.request("POST", "/v1/tokens/billing-svc/rotate", {"grace": "soon"})[0] == 422

    # Revocation, then nothing to revoke.
    assert daemon.request("DELETE", "/v1/tokens/billing-svc")[0] == 204
    assert daemon.request("DELETE", "/v1/tokens/billing-svc")[0] == 404
    import time
    deadline = time.monotonic() + 1.5
    while daemon.request("GET", "/v1/messages", token=rotated["token"])[0] != 401:
        assert time.monotonic() < deadline, "a revoked token still works"
        time.sleep(0.05)
    # Listings filter by status and by how long nobody used a token (never used: since its creation).
    status, _, revoked = daemon.request("GET", "/v1/tokens?status=revoked")
    assert status == 200 and [t["name"] for t in revoked["items"]] == ["billing-svc"]
    status, _, active = daemon.request("GET", "/v1/tokens?status=active")
    assert "billing-svc" not in [t["name"] for t in active["items"]] and rotated["retired"]["name"] in [t["name"] for t in active["items"]]
    assert daemon.request("GET", "/v1/tokens?status=old")[0] == 422
    assert daemon.request("GET", "/v1/tokens?unused_for=soon")[0] == 422
    assert daemon.request("GET", "/v1/tokens?sort=name")[0] == 422
    status, _, unused = daemon.request("GET", "/v1/tokens?unused_for=1d")
    assert status == 200 and unused["items"] == []                         # every token here is minutes old
    assert "no tokens match" in daemon.cli("token", "list", "--unused-for", "1d").stdout
    assert daemon.cli("token", "list", "--status", "gone").returncode == 64
    listed = daemon.cli("token", "list", "--status", "revoked", "--json")
    assert [t["name"] for t in json.loads(listed.stdout)] == ["billing-svc"]
    # What was made through the API is what the CLI lists.
    cli = {t["name"]: t for t in json.loads(daemon.cli("token", "list", "--json").stdout)}
    assert cli["billing-svc"]["status"] == "revoked" and cli[rotated["retired"]["name"]]["status"] == "active"


def test_a_rotated_token_keeps_one_rate_limit_for_its_old_and_new_secret(daemon):
    result = daemon.cli("token", "create", "--name", "metered", "--scope", "read", "--rate-limit", "5", "--json")
    old = json.loads(result.stdout)["token"]
    new = json.loads(daemon.cli("token", "rotate", "metered", "--grace", "1h", "--json").stdout)["token"]
    # Twelve requests at once, alternating secrets: one bucket of five (and what refills meanwhile),
    # not two — a rotation must not double what a runaway caller may do.
    statuses = [daemon.request("GET", "/v1/messages", token=(old, new)[i % 2])[0] for i in range(12)]
    assert statuses.count(429) >= 4, statuses
    assert set(statuses) <= {200, 429}, statuses
