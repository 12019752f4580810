"""Loopback fakes of the WeCom, DingTalk and Feishu group robots, written from the platforms'
documentation (not from Herald's code): they check each robot's credential and signature the
way the platform does, check the JSON shape and size limits, enforce a per-robot rate limit with
the platform's own error code, and record what they accepted with arrival times."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections import defaultdict, deque

from json_http import JSONServer


class Robot:
    def __init__(self, platform, secret=None, keywords=()):
        self.platform = platform
        self.secret = secret
        self.keywords = list(keywords)


RATE_ERRORS = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "feishu": {"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"},
}


class BotFakes:
    def __init__(self, limit=20, window=60.0):
        self.limit = limit
        self.window = window
        self.robots = {}                      # id -> Robot
        self.accepted = defaultdict(list)     # id -> [(arrival monotonic, json body)]
        self.errors = defaultdict(list)       # id -> [(arrival, error dict)]
        self.arrivals = defaultdict(deque)    # id -> arrival times of accepted sends (sliding window)
        self.preload = {}                     # id -> number of "rate limited" answers to give first
        self.lock = threading.Condition()
        self.http = JSONServer(self._route)

    def _route(self, path, headers, body):
        arrival = time.monotonic()
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/cgi-bin/webhook/send":
            return 200, self._wecom(query, body, arrival)
        if url.path == "/robot/send":
            return 200, self._dingtalk(query, body, arrival)
        if url.path.startswith("/open-apis/bot/v2/hook/"):
            return 200, self._feishu(url.path.rsplit("/", 1)[1], body, arrival)
        return 200, {"errcode": 404, "errmsg": "no such path"}

    @property
    def base(self):
        return self.http.base

    def base_url(self, platform):
        return {
            "wecom": self.base + "/cgi-bin/webhook/send",
            "dingtalk": self.base + "/robot/send",
            "feishu": self.base + "/open-apis/bot/v2/hook",
        }[platform]

    def stop(self):
        self.http.stop()

    def add(self, robot_id, platform, secret=None, keywords=()):
        self.robots[robot_id] = Robot(platform, secret, keywords)

    def wait_for(self, robot_id, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.accepted[robot_id]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{robot_id}: {len(self.accepted[robot_id])} of {count} arrived; "
                                         f"errors {self.errors[robot_id][-3:]}")
                self.lock.wait(left)
            return list(self.accepted[robot_id])

    def rate_errors(self):
        return {rid: [e for e in errs if e[1] == RATE_ERRORS[self.robots[rid].platform]]
                for rid, errs in self.errors.items() if rid in self.robots}

    # --- common ---------------------------------------------------------------------------

    def _admit(self, robot_id, platform, content, arrival, payload):
        """Keyword, preload and rate checks, then record. Returns the platform's answer."""
        robot = self.robots[robot_id]
        with self.lock:
            if robot.keywords and not any(k in content for k in robot.keywords):
                return self._error(robot_id, arrival, {
                    "wecom": {"errcode": 40008, "errmsg": "keyword missing"},
                    "dingtalk": {"errcode": 310000, "errmsg": "keywords not in content, more: [https://ding-doc.dingtalk.com]"},
                    "feishu": {"code": 19024, "msg": "Key Words Not Found"},
                }[platform])
            if self.preload.get(robot_id, 0) > 0:
                self.preload[robot_id] -= 1
                return self._error(robot_id, arrival, RATE_ERRORS[platform])
            window = self.arrivals[robot_id]
            while window and window[0] <= arrival - self.window:
                window.popleft()
            if len(window) >= self.limit:
                return self._error(robot_id, arrival, RATE_ERRORS[platform])
            window.append(arrival)
            self.accepted[robot_id].append((arrival, payload))
            self.lock.notify_all()
        return {"errcode": 0, "errmsg": "ok"} if platform != "feishu" else {"code": 0, "msg": "success", "data": {}}

    def _error(self, robot_id, arrival, answer):
        self.errors[robot_id].append((arrival, answer))
        self.lock.notify_all()
        return answer

    @staticmethod
    def _json(body):
        try:
            value = json.loads(body.decode("utf-8"))
            return value if isinstance(value, dict) else None
        except (UnicodeDecodeError, ValueError):
            return None

    @staticmethod
    def _strings(value):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    # --- WeCom: key is the credential; text ≤ 2048 bytes, markdown ≤ 4096 bytes -------------

    def _wecom(self, query, body, arrival):
        key = query.get("key", [""])[0]
        robot = self.robots.get(key)
        if robot is None or robot.platform != "wecom":
            return {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abc]"}
        payload = self._json(body)
        if payload is None:
            return self._error(key, arrival, {"errcode": 40016, "errmsg": "invalid json"})
        kind = payload.get("msgtype")
        if kind == "text":
            text = payload.get("text") or {}
            content = text.get("content")
            limit = 2048
            for field in ("mentioned_list", "mentioned_mobile_list"):
                if field in text and not self._strings(text[field]):
                    return self._error(key, arrival, {"errcode": 40058, "errmsg": f"{field} invalid"})
        elif kind == "markdown":
            content = (payload.get("markdown") or {}).get("content")
            limit = 4096
        elif kind == "news":
            articles = (payload.get("news") or {}).get("articles")
            if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
                return self._error(key, arrival, {"errcode": 40008, "errmsg": "news needs 1 to 8 articles"})
            for a in articles:
                title, url, desc = a.get("title"), a.get("url"), a.get("description", "")
                if not isinstance(title, str) or not title or len(title.encode()) > 128:
                    return self._error(key, arrival, {"errcode": 40058, "errmsg": "article title invalid"})
                if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                    return self._error(key, arrival, {"errcode": 40058, "errmsg": "article url invalid"})
                if not isinstance(desc, str) or len(desc.encode()) > 512:
                    return self._error(key, arrival, {"errcode": 40058, "errmsg": "article description exceeds 512 bytes"})
            content = "\n".join(a["title"] + "\n" + a.get("description", "") for a in articles)
            limit = 8 * 640
        else:
            return self._error(key, arrival, {"errcode": 40008, "errmsg": "invalid message type"})
        if not isinstance(content, str) or not content:
            return self._error(key, arrival, {"errcode": 44004, "errmsg": "empty content"})
        if len(content.encode()) > limit:
            return self._error(key, arrival, {"errcode": 40058, "errmsg": f"content exceed max length {limit}"})
        return self._admit(key, "wecom", content, arrival, payload)

    # --- DingTalk: access_token; optional signing in the query --------------------------------

    def _dingtalk(self, query, body, arrival):
        token = query.get("access_token", [""])[0]
        robot = self.robots.get(token)
        if robot is None or robot.platform != "dingtalk":
            return {"errcode": 300001, "errmsg": "token is not exist"}
        if robot.secret:
            ts = query.get("timestamp", [""])[0]
            sign = query.get("sign", [""])[0]   # parse_qs already percent-decoded it once
            if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > 3600_000:
                return self._error(token, arrival, {"errcode": 310000, "errmsg": "invalid timestamp"})
            string_to_sign = f"{ts}\n{robot.secret}".encode()
            expected = base64.b64encode(hmac.new(robot.secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                return self._error(token, arrival, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"})
        payload = self._json(body)
        if payload is None:
            return self._error(token, arrival, {"errcode": 43004, "errmsg": "invalid json"})
        kind = payload.get("msgtype")
        if kind == "text":
            content = (payload.get("text") or {}).get("content")
        elif kind == "markdown":
            md = payload.get("markdown") or {}
            content = md.get("text")
            if not isinstance(md.get("title"), str) or not md["title"]:
                return self._error(token, arrival, {"errcode": 40035, "errmsg": "missing markdown title"})
        elif kind == "actionCard":
            card = payload.get("actionCard") or {}
            if not all(isinstance(card.get(k), str) and card[k] for k in ("title", "text", "singleTitle", "singleURL")):
                return self._error(token, arrival, {"errcode": 40035, "errmsg": "actionCard needs title, text, singleTitle, singleURL"})
            if not card["singleURL"].startswith(("http://", "https://")):
                return self._error(token, arrival, {"errcode": 40035, "errmsg": "invalid singleURL"})
            if payload.get("at"):
                return self._error(token, arrival, {"errcode": 40035, "errmsg": "actionCard does not support at"})
            content = card["title"] + "\n" + card["text"]
        else:
            return self._error(token, arrival, {"errcode": 40035, "errmsg": "invalid msgtype"})
        if not isinstance(content, str) or not content:
            return self._error(token, arrival, {"errcode": 40035, "errmsg": "missing content"})
        at = payload.get("at")
        if at is not None:
            if not (self._strings(at.get("atMobiles", [])) and self._strings(at.get("atUserIds", []))
                    and isinstance(at.get("isAtAll", False), bool)):
                return self._error(token, arrival, {"errcode": 40035, "errmsg": "invalid at"})
            for mobile in at.get("atMobiles", []):
                if "@" + mobile not in content:
                    return self._error(token, arrival, {"errcode": 40035, "errmsg": f"@{mobile} not in content"})
        return self._admit(token, "dingtalk", content, arrival, payload)

    # --- Feishu: hook id in the path; optional signing in the body -------------------------

    def _feishu(self, hook, body, arrival):
        robot = self.robots.get(hook)
        if robot is None or robot.platform != "feishu":
            return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if len(body) > 20 * 1024:
            return self._error(hook, arrival, {"code": 9499, "msg": "request body too large"})
        payload = self._json(body)
        if payload is None:
            return self._error(hook, arrival, {"code": 9499, "msg": "Bad Request"})
        if robot.secret:
            ts = payload.get("timestamp")
            sign = payload.get("sign")
            if not isinstance(ts, str) or not ts.isdigit() or abs(int(ts) - time.time()) > 3600:
                return self._error(hook, arrival, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"})
            key = f"{ts}\n{robot.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not isinstance(sign, str) or not hmac.compare_digest(expected, sign):
                return self._error(hook, arrival, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"})
        kind = payload.get("msg_type")
        if kind == "text":
            content = (payload.get("content") or {}).get("text")
        elif kind == "interactive":
            card = payload.get("card") or {}
            elements = card.get("elements")
            if not isinstance(elements, list) or not elements:
                return self._error(hook, arrival, {"code": 9499, "msg": "card has no elements"})
            for e in elements:
                if isinstance(e, dict) and e.get("tag") == "action":
                    for a in e.get("actions") or []:
                        if a.get("tag") != "button" or not str(a.get("url", "")).startswith(("http://", "https://")) \
                                or not ((a.get("text") or {}).get("content")):
                            return self._error(hook, arrival, {"code": 9499, "msg": "invalid button"})
            content = "\n".join(e.get("content", "") for e in elements if isinstance(e, dict))
            title = ((card.get("header") or {}).get("title") or {}).get("content", "")
            content = title + "\n" + content
        else:
            return self._error(hook, arrival, {"code": 9499, "msg": "unsupported msg_type"})
        if not isinstance(content, str) or not content.strip():
            return self._error(hook, arrival, {"code": 9499, "msg": "empty content"})
        return self._admit(hook, "feishu", content, arrival, payload)
