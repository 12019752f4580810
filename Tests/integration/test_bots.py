"""Group robots (WeCom, DingTalk, Feishu) through the real daemon against loopback fakes that
check credentials, signatures, JSON shape and a per-robot rate limit the way the platforms do."""

import time

import pytest

from bot_fakes import BotFakes
from conftest import ROOT

WINDOW = 6          # seconds: the tests shorten the platforms' minute
LIMIT = 20
DT_SECRET = "SEC" + "a1b2c3d4" * 8
FS_SECRET = "fs-secret+/=" + "x" * 20


@pytest.fixture
def fakes():
    f = BotFakes(limit=LIMIT, window=WINDOW)
    yield f
    f.stop()


def bot_channels(fakes, extra="", concurrency=4):
    common = (f'rate_limit = {LIMIT}\nrate_window = "{WINDOW}s"\nrate_limited_pause = "1500ms"\n'
              f'unhealthy_recheck = "1h"\ntimeout = "2s"\nconcurrency = {concurrency}\n' + extra)
    return {p: f'kind = "{p}"\nbase_url = "{fakes.base_url(p)}"\n' + common for p in ("wecom", "dingtalk", "feishu")}


def send(daemon, channel, address, **fields):
    body = {"to": {channel: address}, "text": "Hello", **fields}
    status, _, reply = daemon.request("POST", "/v1/messages", body)
    assert status == 202, reply
    return reply["id"]


def test_each_platform_gets_a_signed_well_formed_message_with_mentions(make_daemon, fakes):
    fakes.add("wk-1", "wecom")
    fakes.add("dt-1", "dingtalk", secret=DT_SECRET)
    fakes.add("fs-1", "feishu", secret=FS_SECRET)
    daemon = make_daemon(extra_channels=bot_channels(fakes)).start()
    mentions = ["+8613800138000", "zhangsan"]
    ids = [send(daemon, "wecom", "wk-1", mentions=mentions),
           send(daemon, "dingtalk", f"dt-1#{DT_SECRET}", mentions=mentions),
           send(daemon, "feishu", f"fs-1#{FS_SECRET}", mentions=mentions + ["all"])]
    for message_id in ids:
        body = daemon.wait_for_states(message_id, {"sent"})
        assert "#" not in body["deliveries"][0]["destination"] or body["deliveries"][0]["destination"].endswith("#•••")
    (_, wecom), = fakes.wait_for("wk-1", 1)
    assert wecom["msgtype"] == "text" and wecom["text"]["content"] == "Hello"
    assert wecom["text"]["mentioned_list"] == ["zhangsan"]
    assert wecom["text"]["mentioned_mobile_list"] == ["13800138000"]
    (_, ding), = fakes.wait_for("dt-1", 1)            # the fake refused it unless the sign matched
    assert ding["at"]["atMobiles"] == ["13800138000"] and ding["at"]["atUserIds"] == ["zhangsan"]
    assert "@13800138000" in ding["text"]["content"]
    (_, feishu), = fakes.wait_for("fs-1", 1)
    assert feishu["msg_type"] == "text"
    assert '<at user_id="zhangsan"></at>' in feishu["content"]["text"]
    assert '<at user_id="all">' in feishu["content"]["text"]
    assert not any(fakes.errors.values()), dict(fakes.errors)
    # A signing secret is write-only: it never comes back from the API.
    detail = daemon.message(ids[1])
    assert DT_SECRET not in str(detail) and detail["deliveries"][0]["destination"] == "dt-1#•••"


def test_markdown_templates_keywords_and_truncation(make_daemon, fakes, tmp_path):
    fakes.add("wk-md", "wecom")
    fakes.add("dt-kw", "dingtalk", keywords=["Acme"])
    fakes.add("fs-md", "feishu")
    templates = tmp_path / "tpl" / "kickoff"
    templates.mkdir(parents=True)
    for platform in ("wecom", "dingtalk", "feishu"):
        (templates / f"{platform}.en.mustache").write_text(
            "---\ntitle: Kickoff with {{client}}\nformat: markdown\n---\n### Kickoff\n**{{client}}** meets on {{date}}.\n")
    channels = bot_channels(fakes)
    channels["dingtalk"] += 'keywords = ["Acme"]\n'
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{tmp_path / "tpl"}"\n', extra_channels=channels).start()
    data = {"client": "Xinghe", "date": "Monday"}
    for channel, address in (("wecom", "wk-md"), ("dingtalk", "dt-kw"), ("feishu", "fs-md")):
        status, _, reply = daemon.request("POST", "/v1/messages", {
            "to": {channel: address}, "template": "kickoff", "locale": "en", "data": data, "mentions": ["lilei"]})
        assert status == 202, reply
        daemon.wait_for_states(reply["id"], {"sent"})
    (_, wecom), = fakes.wait_for("wk-md", 1)
    assert wecom["msgtype"] == "markdown" and "**Xinghe** meets on Monday." in wecom["markdown"]["content"]
    assert "<@lilei>" in wecom["markdown"]["content"]
    (_, ding), = fakes.wait_for("dt-kw", 1)
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == "Kickoff with Xinghe"
    assert ding["markdown"]["text"].startswith("Acme\n")       # keyword mode: prepended when missing
    (_, feishu), = fakes.wait_for("fs-md", 1)
    assert feishu["msg_type"] == "interactive"
    assert feishu["card"]["header"]["title"]["content"] == "Kickoff with Xinghe"
    assert "<at id=lilei></at>" in feishu["card"]["elements"][0]["content"]

    # WeCom text is limited to 2048 bytes: longer content is cut at a character boundary, marked.
    long_text = "进度更新：" + "数据接入已完成。" * 400
    message_id = send(daemon, "wecom", "wk-md", text=long_text)
    daemon.wait_for_states(message_id, {"sent"})
    (_, _), (_, cut) = fakes.wait_for("wk-md", 2)
    content = cut["text"]["content"]
    assert len(content.encode()) <= 2048 and content.endswith("…(truncated)")
    assert long_text.startswith(content[: -len("\n…(truncated)")])


def test_ten_robots_sixty_messages_each_never_trip_the_limit_and_use_the_allowance(make_daemon, fakes):
    robots = [(f"wk-{i}", "wecom", f"wk-{i}") for i in range(3)]
    robots += [(f"dt-{i}", "dingtalk", f"dt-{i}#{DT_SECRET}") for i in range(4)]
    robots += [(f"fs-{i}", "feishu", f"fs-{i}#{FS_SECRET}") for i in range(3)]
    for rid, platform, _ in robots:
        fakes.add(rid, platform, secret={"dingtalk": DT_SECRET, "feishu": FS_SECRET}.get(platform))
    daemon = make_daemon(extra_channels=bot_channels(fakes)).start()
    # All 600 queued at once: one batch per robot, interleaved.
    for rid, platform, address in robots:
        messages = [{"to": {platform: address}, "text": f"{rid} message {n}"} for n in range(60)]
        status, _, reply = daemon.request("POST", "/v1/messages/batch", {"messages": messages})
        assert status == 202, reply
    for rid, _, _ in robots:
        arrivals = [t for t, _ in fakes.wait_for(rid, 60, timeout=60)]
        span = arrivals[-1] - arrivals[0]
        allowance = LIMIT * (int(span // WINDOW) + 1)       # sends the platform would allow in that span
        assert 60 / allowance >= 0.9, f"{rid}: 60 sends took {span:.1f}s (allowance {allowance})"
    assert not any(fakes.rate_errors().values()), fakes.rate_errors()
    assert not any(fakes.errors.values()), {k: v[:2] for k, v in fakes.errors.items() if v}
    # Waiting for the limit is not an attempt: every delivery went out on its first attempt.
    # The robots have them all; the last results may still be on their way to the database, so the
    # newest deliveries are read through the API until they are recorded (the API is the signal).
    status, _, page = daemon.request("GET", "/v1/messages?limit=100")
    for m in page["items"]:
        daemon.wait_for_states(m["id"], {"sent", "failed", "dead", "retrying"}, timeout=15)
    status, _, page = daemon.request("GET", "/v1/messages?limit=100")
    assert all(d["attempt_count"] == 1 and d["status"] == "sent" for m in page["items"] for d in m["deliveries"])


def test_rate_limited_answers_make_herald_rest_then_deliver_everything(make_daemon, fakes):
    fakes.add("dt-busy", "dingtalk")
    fakes.preload["dt-busy"] = 2                 # the platform says "too fast" twice
    # One sender, so that no request is already on its way when a "too fast" answer comes back.
    daemon = make_daemon(extra_channels=bot_channels(fakes, concurrency=1)).start()
    ids = [send(daemon, "dingtalk", "dt-busy", text=f"update {n}") for n in range(5)]
    for message_id in ids:
        daemon.wait_for_states(message_id, {"sent"}, timeout=30)
    arrivals = [t for t, _ in fakes.wait_for("dt-busy", 5)]
    errors = [t for t, _ in fakes.errors["dt-busy"]]
    assert len(errors) == 2
    # After each "too fast" the robot rested (rate_limited_pause = 1.5 s) before the next request.
    for refused in errors:
        later = [t for t in arrivals + errors if t > refused]
        assert not later or min(later) - refused >= 1.4, (refused, later)
    retried = [d for m in ids for d in daemon.message(m)["deliveries"] if d["attempt_count"] > 1]
    assert retried and all("130101" in a["error"] for d in retried for a in d["attempts"][:-1])


def test_invalid_robot_fails_once_is_marked_unhealthy_and_its_queue_waits(make_daemon, fakes):
    fakes.add("dt-good", "dingtalk")
    daemon = make_daemon(extra_channels=bot_channels(fakes)).start()
    bad = send(daemon, "dingtalk", "dt-deleted")
    body = daemon.wait_for_states(bad, {"failed"})
    delivery = body["deliveries"][0]
    assert delivery["attempt_count"] == 1
    assert "300001" in delivery["attempts"][0]["error"] and "token is not exist" in delivery["attempts"][0]["error"]
    status, _, ready = daemon.request("GET", "/readyz")
    assert status == 200 and ready["status"] == "degraded"
    unhealthy = ready["channels"]["dingtalk"]["unhealthy"]
    assert len(unhealthy) == 1 and "token is not exist" in unhealthy[0]["reason"]
    assert "dt-deleted" not in str(ready)                            # the credential is not shown
    assert "marked unhealthy" in daemon.log()
    # Later deliveries to the same robot wait (no attempt burnt); other robots are unaffected.
    waiting = send(daemon, "dingtalk", "dt-deleted")
    fine = send(daemon, "dingtalk", "dt-good")
    daemon.wait_for_states(fine, {"sent"})
    deadline = time.monotonic() + 10
    while True:
        d = daemon.message(waiting)["deliveries"][0]
        if d["last_error"] and "unhealthy" in d["last_error"]:
            break
        assert time.monotonic() < deadline, d
        time.sleep(0.05)
    assert d["status"] == "queued" and d["attempt_count"] == 0 and d["attempts"] == []
    events = [e["type"] for e in daemon.message(waiting)["events"]]
    assert "postponed" in events


def test_after_a_restart_the_limit_still_holds(make_daemon, fakes):
    fakes.add("wk-r", "wecom")
    daemon = make_daemon(extra_channels=bot_channels(fakes)).start()
    first = [send(daemon, "wecom", "wk-r", text=f"a{n}") for n in range(LIMIT)]
    for message_id in first:
        daemon.wait_for_states(message_id, {"sent"})
    assert daemon.stop() == 0
    daemon.start()
    second = [send(daemon, "wecom", "wk-r", text=f"b{n}") for n in range(5)]
    for message_id in second:
        daemon.wait_for_states(message_id, {"sent"}, timeout=30)
    arrivals = [t for t, _ in fakes.wait_for("wk-r", LIMIT + 5)]
    assert not fakes.errors["wk-r"]
    assert arrivals[LIMIT] - arrivals[0] >= WINDOW          # the restart did not reset the window


def test_robot_addresses_and_mentions_are_validated(make_daemon, fakes):
    daemon = make_daemon(extra_channels=bot_channels(fakes)).start()
    cases = [
        ({"to": {"dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=x"}, "text": "x"}, "to.dingtalk", "not the whole webhook URL"),
        ({"to": {"dingtalk": "tok#nosec"}, "text": "x"}, "to.dingtalk", "start with 'SEC'"),
        ({"to": {"wecom": "key#secret"}, "text": "x"}, "to.wecom", "not signed"),
        ({"to": {"wecom": "k"}, "text": "x", "mentions": ["+12"]}, "mentions[0]", "E.164"),
        ({"to": {"wecom": "k"}, "text": "x", "mentions": ["csm"]}, "mentions[0]", "client_id"),
        ({"to": {"wecom": "k"}, "html": "<p>x</p>"}, "text", "robot channels"),
    ]
    for body, field, words in cases:
        status, headers, problem = daemon.request("POST", "/v1/messages", body)
        assert status == 422, (body, problem)
        assert headers["Content-Type"].startswith("application/problem+json")
        names = {p["name"]: p["reason"] for p in problem["invalid_params"]}
        assert field in names and words in names[field], (field, names)


def test_client_routing_posts_to_the_clients_group_and_mentions_the_csm(make_daemon, fakes):
    fakes.add("xinghe-group", "dingtalk", secret=DT_SECRET)
    tiers = f'[templates]\ndir = "{ROOT / "templates"}"\n[tiers.strategic]\nchannels = ["dingtalk", "wecom"]\n'
    daemon = make_daemon(herald_toml=tiers, extra_channels=bot_channels(fakes)).start()
    client = {"name": "星河科技", "tier": "strategic", "locale": "zh-CN",
              "csm": {"name": "王芳", "phone": "+8613800138000", "dingtalk_user_id": "wangfang01"},
              "contacts": [{"id": "li", "name": "李雷", "phone": "+8613900139000"}],
              "endpoints": {"dingtalk": f"xinghe-group#{DT_SECRET}"}}
    status, _, stored = daemon.request("PUT", "/v1/clients/xinghe", client)
    assert status == 201, stored
    assert stored["endpoints"]["dingtalk"] == "xinghe-group#•••"          # the signing secret is write-only
    status, _, reply = daemon.request("POST", "/v1/messages", {
        "client_id": "xinghe", "template": "welcome", "mentions": ["csm", "contacts"],
        "data": {"first_name": "李雷", "company": "星河科技", "product_name": "Acme", "csm_name": "王芳",
                 "csm_email": "wang.fang@acme.example", "start_url": "https://acme.example/start"}})
    assert status == 202, reply
    body = daemon.wait_for_states(reply["id"], {"sent"})
    assert [d["channel"] for d in body["deliveries"]] == ["dingtalk"]
    assert any(e["type"] == "skipped" and "wecom" in e["detail"] for e in body["events"])   # no WeCom group on file
    (_, ding), = fakes.wait_for("xinghe-group", 1)
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == "欢迎星河科技加入Acme"
    assert ding["at"]["atUserIds"] == ["wangfang01"]
    assert ding["at"]["atMobiles"] == ["13800138000", "13900139000"]
    assert "@13900139000" in ding["markdown"]["text"]


def test_cards_with_one_call_to_action(make_daemon, fakes):
    """The shipped welcome and EBR templates go out as each platform's card type (DingTalk actionCard,
    WeCom news, Feishu card button); with mentions, DingTalk and WeCom fall back to markdown + link."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    for robot, platform in (("dt-card", "dingtalk"), ("wk-news", "wecom"), ("fs-card", "feishu"), ("dt-at", "dingtalk")):
        fakes.add(robot, platform)
    daemon = make_daemon(herald_toml=f'[templates]\ndir = "{root / "templates"}"\n', extra_channels=bot_channels(fakes)).start()
    welcome = {"first_name": "李雷", "company": "星河科技", "product_name": "Acme", "csm_name": "王芳",
               "csm_email": "wang@acme.example", "start_url": "https://app.acme.example/start?src=bot"}
    ebr = {"first_name": "李雷", "company": "星河科技", "period": "2026 Q4", "proposed_date": "12-10 14:00",
           "agenda": [{"topic": "成果回顾"}, {"topic": "下季度目标"}], "booking_url": "https://acme.example/book",
           "csm_name": "王芳"}
    sends = (("dingtalk", "dt-card", "welcome", welcome, []), ("wecom", "wk-news", "ebr-invite", ebr, []),
             ("feishu", "fs-card", "welcome", welcome, ["ou_1"]), ("dingtalk", "dt-at", "welcome", welcome, ["+8613800138000"]))
    for channel, robot, template, data, mentions in sends:
        status, _, reply = daemon.request("POST", "/v1/messages", {
            "to": {channel: robot}, "template": template, "locale": "zh-CN", "data": data, "mentions": mentions})
        assert status == 202, reply
        daemon.wait_for_states(reply["id"], {"sent"})
    (_, card), = fakes.wait_for("dt-card", 1)
    assert card["msgtype"] == "actionCard"
    assert card["actionCard"]["singleURL"] == welcome["start_url"] and card["actionCard"]["singleTitle"] == "立即开始使用"
    assert "王芳" in card["actionCard"]["text"] and card["actionCard"]["title"] == "欢迎星河科技加入Acme"
    (_, news), = fakes.wait_for("wk-news", 1)
    article = news["news"]["articles"][0]
    assert news["msgtype"] == "news" and article["url"] == ebr["booking_url"]
    assert article["title"] == "2026 Q4业务回顾邀请" and "成果回顾" in article["description"] and "**" not in article["description"]
    (_, feishu), = fakes.wait_for("fs-card", 1)
    button = feishu["card"]["elements"][1]["actions"][0]
    assert button["url"] == welcome["start_url"] and button["text"]["content"] == "立即开始使用"
    assert "<at id=ou_1></at>" in feishu["card"]["elements"][0]["content"]
    (_, mentioned), = fakes.wait_for("dt-at", 1)
    assert mentioned["msgtype"] == "markdown"
    assert "[立即开始使用](https://app.acme.example/start?src=bot)" in mentioned["markdown"]["text"]
    assert mentioned["at"]["atMobiles"] == ["13800138000"]
    assert not any(fakes.errors.values()), dict(fakes.errors)

    # A link that is not a web URL is refused at enqueue, naming data.
    status, _, problem = daemon.request("POST", "/v1/messages", {
        "to": {"dingtalk": "dt-card"}, "template": "welcome", "locale": "zh-CN",
        "data": {**welcome, "start_url": "javascript:alert(1)"}})
    assert status == 422 and problem["invalid_params"][0]["name"] == "data"
