"""Loopback fakes of the Twilio Messages and Calls APIs and Aliyun Dysmsapi SendSms, written from the
providers' documentation: Twilio checks basic auth and the form fields (a call's `Twiml` must be a
well-formed <Response>) and answers like Twilio (sid, num_segments, error codes); Aliyun recomputes the RPC v1 signature itself and answers
with its JSON codes. Both record what they accepted. With `number_limit=(n, seconds)` both
apply per-number flow control as the providers do: a text to a number that already had `n` in
the last `seconds` is refused (Twilio 429 / 20429, Aliyun isv.BUSINESS_LIMIT_CONTROL)."""

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree

from json_http import JSONServer

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token-" + "x" * 14
ALIYUN_KEY_ID = "LTAI5tTestKey"
ALIYUN_SECRET = "aliyun-secret-value"


def aliyun_signature(params, secret, method="POST"):
    """Dysmsapi RPC signature v1.0 as documented (help.aliyun.com/document_detail/101343)."""
    def pct(s):
        return urllib.parse.quote(s, safe="-_.~")
    canonical = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{pct('/')}&{pct(canonical)}"
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class SMSFakes:
    def __init__(self, number_limit=None):
        self.number_limit = number_limit
        self.arrivals = {}               # number -> monotonic times of accepted texts
        self.limit_refusals = []         # numbers refused by the flow control
        self.twilio_messages = []        # form dicts accepted
        self.aliyun_messages = []        # param dicts accepted
        self.twilio_calls = []           # form dicts of calls accepted (with "sid" and the parsed "say")
        self.rejected = []               # (provider, reason)
        self.twilio_script = []          # (status, body dict or raw bytes) answered first, in order
        self.aliyun_script = []          # the same for Aliyun, after the signature is checked
        self.counter = itertools.count(1)
        self.lock = threading.Condition()
        self.http = JSONServer(self._route)

    def _route(self, path, headers, body):
        form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        if path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
            return self._twilio(headers.get("Authorization", ""), form)
        if path == f"/2010-04-01/Accounts/{TWILIO_SID}/Calls.json":
            return self._twilio_call(headers.get("Authorization", ""), form)
        if path == "/":
            return self._aliyun(form)
        return 404, {"message": "not found"}

    @property
    def base(self):
        return self.http.base

    def stop(self):
        self.http.stop()

    def _reject(self, provider, reason):
        with self.lock:
            self.rejected.append((provider, reason))
            self.lock.notify_all()

    def _admit(self, number):
        """Per-number flow control (called with the lock held); records the arrival when admitted."""
        now = time.monotonic()
        times = self.arrivals.setdefault(number, [])
        if self.number_limit:
            n, seconds = self.number_limit
            if sum(1 for t in times if now - t < seconds) >= n:
                self.limit_refusals.append(number)
                return False
        times.append(now)
        return True

    def wait_for_texts(self, count, timeout):
        """Waits until `count` texts were accepted in all; returns the arrivals by number."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while sum(len(t) for t in self.arrivals.values()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            return {k: list(v) for k, v in self.arrivals.items()}

    def _twilio(self, authorization, form):
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if not hmac.compare_digest(authorization, expected):
            self._reject("twilio", "auth")
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if not form.get("To", "").startswith("+") or not form.get("Body") or not (form.get("From") or form.get("MessagingServiceSid")):
            self._reject("twilio", f"fields {sorted(form)}")
            return 400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400}
        with self.lock:
            if self.twilio_script:
                return self.twilio_script.pop(0)
            if not self._admit(form["To"]):
                return 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
            sid = "SM%032x" % next(self.counter)
            self.twilio_messages.append({**form, "sid": sid})
            self.lock.notify_all()
        return 201, {"sid": sid, "status": "queued", "num_segments": "1", "error_code": None, "error_message": None}

    def _twilio_call(self, authorization, form):
        """Calls API: `To`, `From` and one of `Url`/`Twiml` are required; Twiml must parse."""
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if not hmac.compare_digest(authorization, expected):
            self._reject("twilio-call", "auth")
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if not form.get("To", "").startswith("+") or not form.get("From") or not (form.get("Twiml") or form.get("Url")):
            self._reject("twilio-call", f"fields {sorted(form)}")
            return 400, {"code": 21201, "message": "No 'To' number is specified", "status": 400}
        if form.get("MachineDetection", "Enable") not in ("Enable", "DetectMessageEnd"):
            self._reject("twilio-call", f"MachineDetection={form['MachineDetection']}")
            return 400, {"code": 21206, "message": "Invalid MachineDetection value", "status": 400}
        if len(form["Twiml"]) > 4000:
            return 400, {"code": 21232, "message": "Twiml exceeds the 4000 character limit", "status": 400}
        try:
            root = ElementTree.fromstring(form["Twiml"].encode())
        except ElementTree.ParseError as error:
            self._reject("twilio-call", f"twiml {error}")
            return 400, {"code": 12100, "message": "Document parse failure", "status": 400}
        with self.lock:
            if self.twilio_script:
                return self.twilio_script.pop(0)
            sid = "CA%032x" % next(self.counter)
            self.twilio_calls.append({**form, "sid": sid, "root": root})
            self.lock.notify_all()
        return 201, {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"]}

    def _aliyun(self, form):
        params = dict(form)
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != ALIYUN_KEY_ID:
            self._reject("aliyun", "key")
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if not hmac.compare_digest(aliyun_signature(params, ALIYUN_SECRET), signature):
            self._reject("aliyun", "signature")
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."}
        required = {"Action": "SendSms", "Version": "2017-05-25", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                    "Format": "JSON"}
        for key, value in required.items():
            if params.get(key) != value:
                self._reject("aliyun", f"{key}={params.get(key)}")
                return 400, {"Code": "MissingParameter", "Message": key}
        with self.lock:
            if self.aliyun_script:
                return self.aliyun_script.pop(0)
        try:
            template_param = json.loads(params.get("TemplateParam", ""))
        except ValueError:
            template_param = None
        if not isinstance(template_param, dict) or not all(isinstance(v, str) for v in template_param.values()):
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法，只接受字符串值", "RequestId": "r"}
        if not params.get("PhoneNumbers", "").isdigit():
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r"}
        with self.lock:
            if not self._admit("+" + params["PhoneNumbers"]):
                return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码分钟级流控Permits:1", "RequestId": "r"}
            biz = "%d^0" % (900000 + next(self.counter))
            self.aliyun_messages.append({**params, "BizId": biz})
            self.lock.notify_all()
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": "r"}
