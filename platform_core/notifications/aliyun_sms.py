"""OPS-3: Aliyun SMS (阿里云短信服务, dysmsapi ``SendSms``, API version 2017-05-25) behind ``SmsBackend``.

The request is RPC style: ``POST NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL`` (``https://dysmsapi.aliyuncs.com/``)
with the common parameters (``AccessKeyId``, ``Action``, ``Format``, ``RegionId``, ``SignatureMethod=
HMAC-SHA1``, ``SignatureNonce``, ``SignatureVersion=1.0``, ``Timestamp`` in UTC ``YYYY-MM-DDThh:mm:ssZ``,
``Version``) and ``SendSms``'s own (``PhoneNumbers``, ``SignName``, ``TemplateCode``, ``TemplateParam``
JSON), signed as Aliyun's "signature mechanism" documents: sort the parameters by name, percent-encode
names and values (RFC 3986: only ``A-Z a-z 0-9 - _ . ~`` stay; space is ``%20``), join ``k=v`` with ``&``;
``StringToSign = METHOD & percentEncode("/") & percentEncode(canonicalised query)``; ``Signature =
Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``.

The answer is JSON ``{"Code", "Message", "BizId", "RequestId"}``; ``Code == "OK"`` is accepted (BizId is
the message id). Errors are mapped to the outbox's two kinds: flow control (``isv.BUSINESS_LIMIT_CONTROL``,
per number per minute / hour / day; ``isv.DAY_LIMIT_CONTROL``) retries no sooner than the limit allows;
an invalid number or a message the templates cannot carry (``PERMANENT`` below) fails at once; anything
else (system errors, arrears, a wrong key — which operations can fix) is retried with back-off.
"""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings

from platform_core import clock
from platform_core.notifications.sms import SmsBackend, SmsError, SmsUndeliverable

API_VERSION = "2017-05-25"

#: codes meaning "this message, as it stands, will never be sent": no retry, the row fails at once
PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",  # 非法手机号
        "isv.MOBILE_COUNT_OVER_LIMIT",  # 手机号码数量超过限制
        "isv.BLACK_KEY_CONTROL_LIMIT",  # 变量中传入疑似违规信息
        "isv.PARAM_LENGTH_LIMIT",  # 参数超出长度限制
        "isv.PARAM_NOT_SUPPORT_URL",  # 变量不支持传入URL
        "isv.INVALID_PARAMETERS",  # 参数格式不正确
        "isv.INVALID_JSON_PARAM",  # JSON参数不合法
        "isv.TEMPLATE_MISSING_PARAMETERS",  # 模板变量缺少对应参数值
        "isv.SMS_TEMPLATE_ILLEGAL",  # 模板不合法 (not approved, or not this account's)
        "isv.SMS_SIGNATURE_ILLEGAL",  # 签名不合法
    }
)
FLOW_CONTROL = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"})
BEIJING = ZoneInfo("Asia/Shanghai")


def percent_encode(value: str) -> str:
    """Aliyun's percentEncode: RFC 3986, UTF-8; only ``A-Z a-z 0-9 - _ . ~`` are left as they are."""
    return quote(value, safe="~")


def rpc_signature(params: dict[str, str], secret: str, *, method: str = "POST") -> str:
    """The ``Signature`` of an RPC request's parameters (without ``Signature`` itself)."""
    canonical = "&".join(
        f"{percent_encode(name)}={percent_encode(value)}" for name, value in sorted(params.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def flow_control_wait(code: str, message: str, *, now: datetime) -> timedelta:
    """How long Aliyun's flow control keeps a number closed: 触发分钟级流控 a minute, 小时级 an hour,
    天级 (and the account's daily limit) until midnight, Beijing time."""
    if code == "isv.BUSINESS_LIMIT_CONTROL" and "分钟" in message:
        return timedelta(minutes=1)
    if code == "isv.BUSINESS_LIMIT_CONTROL" and "小时" in message:
        return timedelta(hours=1)
    local = now.astimezone(BEIJING)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - local


class AliyunSmsBackend(SmsBackend):
    def template_for(self, event: str) -> str:
        return (
            settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATES.get(event)
            or settings.NOTIFICATIONS_ALIYUN_SMS_TEMPLATE
        )

    def request_params(
        self, *, phone: str, template: str, params: dict[str, str], now: datetime
    ) -> dict[str, str]:
        """The signed form of one ``SendSms`` call."""
        fields = {
            "AccessKeyId": settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.NOTIFICATIONS_ALIYUN_SMS_REGION,
            "SignName": settings.NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        fields["Signature"] = rpc_signature(fields, settings.NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET)
        return fields

    def send(self, phone: str, text: str, *, event: str = "", params: dict[str, str] | None = None) -> str:
        template = self.template_for(event)
        if not template:
            raise SmsUndeliverable(f"no Aliyun SMS template for the event {event!r}")
        now = clock.real_now()  # Aliyun checks the signed timestamp against its own clock
        fields = self.request_params(phone=phone, template=template, params=params or {"body": text}, now=now)
        request = urllib.request.Request(  # noqa: S310 - the gateway URL is a setting, https in production
            settings.NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL,
            data=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            timeout = settings.NOTIFICATIONS_ALIYUN_SMS_TIMEOUT
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https setting
                answer = self._json(response.read())
        except urllib.error.HTTPError as exc:  # signature, key, timestamp, throttling: JSON with a Code
            answer = self._json(exc.read())
            answer.setdefault("Code", f"HTTP {exc.code}")
        except OSError as exc:
            raise SmsError(f"Aliyun SMS unreachable: {exc}") from exc
        code, message = str(answer.get("Code", "")), str(answer.get("Message", ""))
        if code == "OK":
            return str(answer.get("BizId", ""))
        error = f"{code}: {message}"
        if code in PERMANENT:
            raise SmsUndeliverable(error)
        if code in FLOW_CONTROL:
            raise SmsError(error, retry_after=flow_control_wait(code, message, now=now))
        raise SmsError(error)

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
