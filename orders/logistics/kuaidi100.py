"""ORD-5, ORD-10: the 快递100 (Kuaidi100) tracking aggregator — 快递信息推送服务 (subscribe, then pushes).

*Subscribe* (订阅): ``POST ORDERS_KUAIDI100_GATEWAY_URL`` (``https://poll.kuaidi100.com/poll``), form
``schema=json&param=<JSON>``, the JSON ``{"company", "number", "from", "to", "key", "parameters":
{"callbackurl", "salt", "resultv2": "4", "autoCom": "0", "interCom": "0", "phone"}}``; the authorisation
``key`` is inside ``param`` (the subscription takes no ``customer`` and no ``sign``: those sign 快递100's
real-time query, ``MD5(param + key + customer)``, which we do not use). Answer ``{"result", "returnCode",
"message"}``: ``200`` accepted, ``501`` already subscribed (fine: subscribing is idempotent); ``700``/``701``/
``702`` refused for good (bad number, courier not served, courier not recognised); ``500``, ``600``/``601``
(key wrong or expired) and anything else: try again later.

*Push* (推送): 快递100 POSTs a form ``param=<JSON>&sign=<MD5(param + salt), 32 upper-case hex>`` to the
callback URL, the whole history each time, newest first: ``{"status": "polling"|"shutdown"|"abort"|
"updateall", "message", "autoCheck", "comOld", "comNew", "lastResult": {"state", "com", "nu", "data":
[{"context", "time", "ftime", "status", "statusCode", "areaName", …}]}}``. We answer ``{"result": true,
"returnCode": "200", "message": "成功"}``; anything else makes 快递100 push again later (30 min, 3 times),
so a push must be recordable twice (each item's id is a hash of what it says).

States (``resultv2=4``: the main state and a sub-state code) map to our ``TrackingEvent.Kind`` below;
疑难 (2xx), 退签 (4/401), 退回 (6), 拒签 (14) and 清关异常 (13) are ``exception``s, which open an ORD-10
delivery case; ``status=abort`` (3天查询无记录 / 60天无变化: 快递100 stopped watching) is one too.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings

from orders.logistics.base import (
    CarrierPush,
    CarrierRefused,
    CarrierRejected,
    CarrierUnavailable,
    TrackingUpdate,
)
from platform_core import clock

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")  # 快递100 reports times as Beijing time, without a zone
ACK = json.dumps({"result": True, "returnCode": "200", "message": "成功"}, ensure_ascii=False).encode()

PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY = "picked_up", "in_transit", "out_for_delivery"
DELIVERED, EXCEPTION = "delivered", "exception"

#: 快递100 state / sub-state code (resultv2=4) -> TrackingEvent.Kind; ``None``: not a parcel movement
STATE_KIND: dict[str, str | None] = {
    "0": IN_TRANSIT,  # 在途
    "1001": IN_TRANSIT,  # 到达派件城市
    "1002": IN_TRANSIT,  # 干线
    "1003": IN_TRANSIT,  # 转递
    "1": PICKED_UP,  # 揽收
    "101": None,  # 已下单: nothing moved yet
    "102": None,  # 待揽收
    "103": PICKED_UP,  # 已揽收
    "5": OUT_FOR_DELIVERY,  # 派件
    "501": OUT_FOR_DELIVERY,  # 投柜或驿站
    "3": DELIVERED,  # 签收
    "301": DELIVERED,  # 本人签收
    "302": DELIVERED,  # 派件异常后签收
    "303": DELIVERED,  # 代签
    "304": DELIVERED,  # 投柜或站签收
    "2": EXCEPTION,  # 疑难
    **{str(code): EXCEPTION for code in range(201, 211)},  # 超时未签收 … 拒收, 派件异常, 破损, 销单
    "4": EXCEPTION,  # 退签
    "401": EXCEPTION,  # 已销单
    "6": EXCEPTION,  # 退回
    "14": EXCEPTION,  # 拒签
    "7": IN_TRANSIT,  # 转投
    "8": IN_TRANSIT,  # 清关
    "10": IN_TRANSIT,  # 待清关
    "11": IN_TRANSIT,  # 清关中
    "12": IN_TRANSIT,  # 已清关
    "13": EXCEPTION,  # 清关异常
}
#: the item's ``status`` text, when it carries no code
STATUS_TEXT_KIND: dict[str, str | None] = {
    "在途": IN_TRANSIT,
    "揽收": PICKED_UP,
    "疑难": EXCEPTION,
    "签收": DELIVERED,
    "退签": EXCEPTION,
    "派件": OUT_FOR_DELIVERY,
    "退回": EXCEPTION,
    "转投": IN_TRANSIT,
    "清关": IN_TRANSIT,
    "拒签": EXCEPTION,
}
#: subscription answers that mean "watching it" and "never will"
SUBSCRIBED_CODES = frozenset({"200", "501"})
REFUSED_CODES = frozenset({"700", "701", "702"})


def kuaidi100_sign(param: str, salt: str) -> str:
    """The push's ``sign``: MD5 of ``param + salt`` as 32 upper-case hex digits."""
    return hashlib.md5((param + salt).encode(), usedforsecurity=False).hexdigest().upper()


def kind_of(item: dict[str, Any], state: str = "") -> str | None:
    """ORD-5: our event kind for one history item (its sub-state code, else its status text, else the
    parcel's state); an unknown state counts as movement (``in_transit``)."""
    for code in (str(item.get("statusCode") or ""), str(item.get("state") or ""), state):
        if code in STATE_KIND:
            return STATE_KIND[code]
    text = str(item.get("status") or "")
    if text in STATUS_TEXT_KIND:
        return STATUS_TEXT_KIND[text]
    return IN_TRANSIT


def _event_id(*parts: str) -> str:
    return "k100:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


def _time(text: str) -> datetime:
    at = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - Beijing time, made aware below
    return at.replace(tzinfo=BEIJING)


class Kuaidi100Carrier:
    name = "kuaidi100"
    ack: bytes | None = ACK

    def tracks(self, courier: str) -> bool:
        return bool(courier) and courier != "sandbox"

    # --- subscribe -----------------------------------------------------------------------------------

    def subscribe(self, *, courier: str, tracking_number: str, phone: str = "") -> str:
        """Ask 快递100 to watch the parcel; returns its message. ``CarrierRefused`` for a number or courier
        it will never track, ``CarrierUnavailable`` for anything worth trying again."""
        param = {
            "company": courier,
            "number": tracking_number,
            "from": "",
            "to": "",
            "key": settings.ORDERS_KUAIDI100_KEY,
            "parameters": {
                "callbackurl": settings.ORDERS_KUAIDI100_CALLBACK_URL,
                "salt": settings.ORDERS_KUAIDI100_SALT,
                "resultv2": "4",  # main state and sub-state codes
                "autoCom": "0",
                "interCom": "0",
                "phone": phone,  # required by 顺丰 (shunfeng), optional for the others
            },
        }
        body = urlencode({"schema": "json", "param": json.dumps(param, ensure_ascii=False)}).encode()
        request = urllib.request.Request(  # noqa: S310 - the gateway URL is a setting, https in production
            settings.ORDERS_KUAIDI100_GATEWAY_URL,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.ORDERS_KUAIDI100_TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise CarrierUnavailable(f"HTTP {exc.code}") from exc
        except (OSError, ValueError) as exc:  # URLError, timeouts, a body that is not JSON
            raise CarrierUnavailable(f"{type(exc).__name__}: {exc}") from exc
        code, message = str(answer.get("returnCode", "")), str(answer.get("message", ""))
        if code in SUBSCRIBED_CODES:
            return message
        if code in REFUSED_CODES:
            raise CarrierRefused(f"{code} {message}")
        raise CarrierUnavailable(f"{code or '?'} {message}")

    # --- push ----------------------------------------------------------------------------------------

    def verify_webhook(self, headers: dict[str, str], body: bytes) -> CarrierPush:
        try:
            form = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise CarrierRejected("body is not UTF-8") from exc
        param, sign = (form.get("param") or [""])[0], (form.get("sign") or [""])[0]
        salt = settings.ORDERS_KUAIDI100_SALT
        if not salt or not param or not sign:
            raise CarrierRejected("unsigned push" if param else "no param")
        if not hmac.compare_digest(sign.upper(), kuaidi100_sign(param, salt)):
            raise CarrierRejected("bad sign")
        try:
            return self._parse(json.loads(param))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CarrierRejected(f"malformed push: {exc!r}") from exc

    def _parse(self, data: dict[str, Any]) -> CarrierPush:
        last = data.get("lastResult") or {}
        courier = str(last.get("com") or data.get("comNew") or "")
        number = str(last["nu"])
        state = str(last.get("state") or "")
        updates: list[TrackingUpdate] = []
        items = list(last.get("data") or [])
        for position, item in enumerate(reversed(items)):  # 快递100 sends newest first
            newest = position == len(items) - 1
            kind = kind_of(item, state if newest else "")
            if kind is None:
                continue
            when = str(item.get("ftime") or item.get("time"))
            context = str(item.get("context") or "")
            code = str(item.get("statusCode") or item.get("status") or "")
            updates.append(
                TrackingUpdate(
                    event_id=_event_id(courier, number, when, code, context),
                    tracking_number=number,
                    kind=kind,
                    at=_time(when),
                    location=str(item.get("areaName") or item.get("location") or "")[:200],
                    description=context[:500],
                )
            )
        if data.get("status") == "abort":  # 快递100 stopped watching: nobody tracks the parcel any more
            message = str(data.get("message") or "")
            updates.append(
                TrackingUpdate(
                    event_id=_event_id(courier, number, "abort", message),
                    tracking_number=number,
                    kind=EXCEPTION,
                    at=clock.now(),
                    location="",
                    description=f"快递100: {message or 'abort'}"[:500],
                )
            )
        before = str(data.get("comOld") or "")
        return CarrierPush(courier=courier, tracking_number=number, updates=updates, courier_before=before)


def kuaidi100_push(
    *,
    courier: str,
    number: str,
    items: list[dict[str, str]],
    salt: str,
    status: str = "polling",
    message: str = "",
) -> bytes:
    """The form 快递100 POSTs to the callback for a parcel (``items`` newest first, each with ``context``,
    ``ftime``, ``status``, ``statusCode``, ``areaName``), signed with ``salt``: the simulator reports parcel
    problems through the same verification and state mapping as the real pushes."""
    state = str(items[0].get("statusCode", "0")) if items else "0"
    param = json.dumps(
        {
            "status": status,
            "message": message,
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "state": state[:1] if len(state) == 3 else state,
                "com": courier,
                "nu": number,
                "data": items,
            },
        },
        ensure_ascii=False,
    )
    return urlencode({"param": param, "sign": kuaidi100_sign(param, salt)}).encode()
