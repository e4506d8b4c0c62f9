"""A fake 快递100 (Kuaidi100) 快递信息推送服务, faithful to its documented contract (decision 024).

*Subscribe*: ``POST /poll`` with the form ``schema=json&param=<JSON>``; the JSON carries ``key``,
``company``, ``number`` and ``parameters.callbackurl`` / ``salt``. Answers ``{"result", "returnCode",
"message"}``: ``200`` 提交成功; ``501`` POLL:重复订阅; ``600`` 您不是合法的订阅者 (wrong key); ``700``
missing or bad fields (no number, a number over 32 characters, no callback URL); ``701`` 拒绝订阅的快递公司
(a company it does not serve); ``500`` 服务器错误 (when told to ``fail_next``).

*Push*: ``push(...)`` builds what 快递100 POSTs to the callback URL — the form ``param=<JSON>&sign=<MD5(param
+ salt), upper-case>`` with ``status``, ``message``, ``lastResult`` (``state``, ``com``, ``nu``, ``data``
newest first, each item with ``context``, ``time``, ``ftime``, ``status``, ``statusCode``, ``areaName``).
The test sends it to our callback (as often as it likes: 快递100 retries and repeats); ``salt=`` signs with
another salt (a forgery), ``drop`` is simply not sending it.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.fakes._server import Answer, FakeServer

COMPANIES = frozenset({"shunfeng", "zhongtong", "yuantong", "yunda", "shentong", "jtexpress", "ems", "jd"})


def sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode(), usedforsecurity=False).hexdigest().upper()


@dataclass
class Subscription:
    company: str
    number: str
    callbackurl: str
    salt: str
    resultv2: str
    phone: str
    history: list[dict[str, str]] = field(default_factory=list)  # newest first, as pushed


class FakeKuaidi100(FakeServer):
    def __init__(self, *, key: str) -> None:
        super().__init__()
        self.key = key
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0  # answer the next N subscriptions with 500 服务器错误

    @property
    def gateway_url(self) -> str:
        return self.url + "poll"

    def handle(self, method: str, path: str, form: dict[str, str]) -> Answer:
        def answer(result: bool, code: str, message: str) -> Answer:
            body = {"result": result, "returnCode": code, "message": message}
            return 200, "application/json;charset=UTF-8", json.dumps(body, ensure_ascii=False).encode()

        if method != "POST" or path != "/poll" or form.get("schema") != "json":
            return answer(False, "700", "订阅方的订阅数据存在错误")
        try:
            param = json.loads(form.get("param", ""))
        except ValueError:
            return answer(False, "700", "订阅方的订阅数据存在错误")
        self.requests.append(param)
        if self.fail_next:
            self.fail_next -= 1
            return answer(False, "500", "服务器错误")
        if param.get("key") != self.key:
            return answer(False, "600", "您不是合法的订阅者（即授权Key出错）")
        parameters = param.get("parameters") or {}
        company, number = str(param.get("company") or ""), str(param.get("number") or "")
        if not number or len(number) > 32 or not parameters.get("callbackurl"):
            return answer(
                False, "700", "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）"
            )
        if company not in COMPANIES:
            return answer(False, "701", "拒绝订阅的快递公司")
        if (company, number) in self.subscriptions:
            return answer(False, "501", "POLL:重复订阅")
        self.subscriptions[(company, number)] = Subscription(
            company=company,
            number=number,
            callbackurl=str(parameters["callbackurl"]),
            salt=str(parameters.get("salt") or ""),
            resultv2=str(parameters.get("resultv2") or ""),
            phone=str(parameters.get("phone") or ""),
        )
        return answer(True, "200", "提交成功")

    # --- pushes -----------------------------------------------------------------------------------------

    def scan(
        self,
        company: str,
        number: str,
        *,
        at: datetime,
        state: str,
        status: str,
        context: str,
        area: str = "",
    ) -> None:
        """The courier scans the parcel: one more history item (state: the sub-state code)."""
        item = {
            "context": context,
            "time": at.strftime("%Y-%m-%d %H:%M:%S"),
            "ftime": at.strftime("%Y-%m-%d %H:%M:%S"),
            "status": status,
            "statusCode": state,
            "areaCode": "",
            "areaName": area,
        }
        self.subscriptions[(company, number)].history.insert(0, item)

    def push(
        self,
        company: str,
        number: str,
        *,
        monitor: str = "polling",
        message: str = "",
        salt: str | None = None,
    ) -> tuple[str, bytes]:
        """What 快递100 POSTs for a subscribed parcel: ``(callback path, form body)``, signed with the
        subscription's salt (or ``salt``)."""
        sub = self.subscriptions[(company, number)]
        newest = sub.history[0] if sub.history else {}
        code = newest.get("statusCode", "0")
        main = code if len(code) <= 2 else code[:-2] if len(code) == 3 else "0"
        param = json.dumps(
            {
                "status": "shutdown" if main == "3" else monitor,
                "billstatus": "",
                "message": message,
                "autoCheck": "0",
                "comOld": "",
                "comNew": "",
                "lastResult": {
                    "message": "ok",
                    "nu": number,
                    "ischeck": "1" if main == "3" else "0",
                    "condition": "F00",
                    "com": company,
                    "status": "200",
                    "state": main,
                    "data": list(sub.history),
                },
            },
            ensure_ascii=False,
        )
        body = urlencode({"param": param, "sign": sign(param, sub.salt if salt is None else salt)}).encode()
        return urlsplit(sub.callbackurl).path, body
