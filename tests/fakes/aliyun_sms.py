"""A fake Aliyun SMS (dysmsapi ``SendSms``, 2017-05-25), faithful to the documented contract (decision 024).

It recomputes the RPC signature from the parameters it received (HMAC-SHA1 with ``AccessKeySecret + "&"``
over ``METHOD&%2F&percentEncode(sorted, encoded query)``) and answers as Aliyun does:

- HTTP 404 ``InvalidAccessKeyId.NotFound``; HTTP 400 ``SignatureDoesNotMatch``, ``SignatureNonceUsed``
  (a nonce seen before), ``InvalidTimeStamp.Expired`` (more than 15 minutes off), ``MissingParameter``;
- HTTP 200 with ``Code``: ``OK`` (and a ``BizId``); ``isv.MOBILE_NUMBER_ILLEGAL`` (not a mainland mobile
  number); ``isv.SMS_SIGNATURE_ILLEGAL``; ``isv.SMS_TEMPLATE_ILLEGAL``; ``isv.TEMPLATE_MISSING_PARAMETERS``;
  ``isv.BUSINESS_LIMIT_CONTROL`` (触发分钟级流控Permits:1 — one message per number per minute);
- ``fail_next(code, message, times)``: the next answers carry that code (``isp.SYSTEM_ERROR``, …).
"""

import base64
import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from tests.fakes._server import Answer, FakeServer

MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def _encode(value: str) -> str:
    return quote(value, safe="~")


def expected_signature(params: dict[str, str], secret: str, method: str) -> str:
    canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_encode('/')}&{_encode(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeAliyunSms(FakeServer):
    def __init__(self, *, key_id: str, secret: str, sign_name: str, templates: dict[str, set[str]]) -> None:
        super().__init__()
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.templates = templates  # template code -> the variables it needs
        self.sent: list[dict[str, Any]] = []
        self.answers: list[str] = []  # the Code of every answer, in order
        self.nonces: set[str] = set()
        self.last_sent_to: dict[str, datetime] = {}
        self.scripted: list[tuple[str, str]] = []
        self.now = lambda: datetime.now(UTC)

    def fail_next(self, code: str, message: str = "", times: int = 1) -> None:
        self.scripted += [(code, message or code)] * times

    def handle(self, method: str, path: str, form: dict[str, str]) -> Answer:
        def answer(status: int, code: str, message: str, **extra: str) -> Answer:
            self.answers.append(code)
            body = {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message, **extra}
            return status, "application/json;charset=utf-8", json.dumps(body, ensure_ascii=False).encode()

        required = ("AccessKeyId", "Action", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp")
        missing = [name for name in required if not form.get(name)]
        if missing:
            return answer(
                400,
                "MissingParameter",
                f"The input parameter {missing[0]} that is mandatory is not supplied.",
            )
        if form["AccessKeyId"] != self.key_id:
            return answer(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        given = form.pop("Signature")
        if form.get("SignatureMethod") != "HMAC-SHA1" or form.get("SignatureVersion") != "1.0":
            return answer(400, "InvalidSignatureMethod", "Specified signature method is not supported.")
        if not hmac.compare_digest(given, expected_signature(form, self.secret, method)):
            return answer(
                400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
            )
        if form["SignatureNonce"] in self.nonces:
            return answer(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self.nonces.add(form["SignatureNonce"])
        try:
            stamp = datetime.strptime(form["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return answer(
                400, "InvalidTimeStamp.Format", "Specified time stamp does not match the specified format."
            )
        if abs(self.now() - stamp) > timedelta(minutes=15):
            return answer(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        if form.get("Action") != "SendSms" or form.get("Version") != "2017-05-25":
            return answer(
                400, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        if self.scripted:
            code, message = self.scripted.pop(0)
            return answer(200, code, message)
        phone = form.get("PhoneNumbers", "")
        if not MOBILE.match(phone):
            return answer(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if form.get("SignName") != self.sign_name:
            return answer(200, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
        template = form.get("TemplateCode", "")
        if template not in self.templates:
            return answer(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        try:
            variables = json.loads(form.get("TemplateParam") or "{}")
        except ValueError:
            return answer(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not self.templates[template] <= set(variables):
            return answer(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        last = self.last_sent_to.get(phone)
        if last is not None and self.now() - last < timedelta(minutes=1):
            return answer(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        self.last_sent_to[phone] = self.now()
        biz_id = f"{uuid.uuid4().int % 10**18:018d}^0"
        self.sent.append({"phone": phone, "template": template, "params": variables, "biz_id": biz_id})
        return answer(200, "OK", "OK", BizId=biz_id)
