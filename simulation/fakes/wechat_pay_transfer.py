"""The fake WeChat Pay's merchant transfer (商家转账, "发起转账", decision 045), installed into a
``FakeWechatPay`` (same signature check with our API key, same signed answers, same faults —
``fake.inject(TRANSFER, "drop")``).

As WeChat Pay documents it:

- ``POST /v3/fund-app/mch-transfer/transfer-bills`` names ``appid`` (ours), ``out_bill_no`` (5–32 letters
  and digits; idempotent: the same number again answers the first bill and moves nothing more; with
  another amount or payee ``INVALID_REQUEST``), a ``transfer_scene_id`` the merchant was granted (else 403
  ``NO_AUTH``) with its report infos (``PARAM_ERROR`` if one is missing), the payee's ``openid``,
  ``transfer_amount`` (fen), ``transfer_remark`` (1–32 characters) and optionally ``user_name`` —
  RSAES-OAEP (SHA-1) with the platform certificate named in the ``Wechatpay-Serial`` header (an unknown
  serial or a name that does not decrypt: ``PARAM_ERROR``), required from 2,000 yuan and refused under 0.30;
- more than the operating balance: 403 ``NOT_ENOUGH``, no bill; otherwise a bill: ``FAIL`` with
  ``fail_reason`` ``OPENID_INVALID`` (no such user under the appid) or ``NAME_NOT_CORRECT`` (the name is
  not the user's real name), else ``SUCCESS`` — or ``WAIT_USER_CONFIRM`` with a ``package_info`` when
  ``confirm_required`` (then ``confirm(no)`` → ``SUCCESS``, ``expire(no)`` → ``CANCELLED``
  ``OVERDUE_CLOSE``, the money back in the balance);
- ``GET …/transfer-bills/out-bill-no/{out_bill_no}`` answers the bill or 404 ``NOT_FOUND``.

``payees`` maps an openid to its user's real name; a customer who paid one of the fake's trades is a user
too (name unknown: any name fails). ``balance`` is the operating account the transfers are paid from (fen).
"""

import base64
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from simulation.fakes.server import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from simulation.fakes.wechat_pay import FakeWechatPay

TRANSFER = "POST /v3/fund-app/mch-transfer/transfer-bills"
TRANSFER_QUERY = "GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}"
QUERY_PATTERN = re.compile(r"^GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)$")
OUT_BILL_NO = re.compile(r"^[A-Za-z0-9]{5,32}$")
SCENE_REPORTS = {"1000": ("活动名称", "奖励说明"), "1005": ("岗位类型", "报酬说明")}
NAME_REQUIRED_FROM, NAME_ALLOWED_FROM = 200000, 30  # fen


@dataclass
class WechatTransfer:
    out_bill_no: str
    amount: int  # fen
    openid: str
    name: str  # decrypted; "" when none was sent
    remark: str
    scene: str
    transfer_bill_no: str
    state: str = "SUCCESS"
    fail_reason: str = ""


class WechatTransfers:
    """The transfer side of one ``FakeWechatPay``: ``WechatTransfers.install(fake)``."""

    def __init__(self, fake: "FakeWechatPay", *, balance: int = 100_000_000_00) -> None:
        self.fake = fake
        self.balance = balance
        self.payees: dict[str, str] = {}
        self.scenes = set(SCENE_REPORTS)
        self.confirm_required = False
        self.transfers: dict[str, WechatTransfer] = {}
        self._numbers = itertools.count(1)

    @classmethod
    def install(cls, fake: "FakeWechatPay", **kwargs: int) -> "WechatTransfers":
        transfers = cls(fake, **kwargs)
        fake.patterns.append((TRANSFER_QUERY, QUERY_PATTERN))
        fake.routes.update({TRANSFER: transfers._transfer, TRANSFER_QUERY: transfers._query})
        return transfers

    def _error(self, status: int, code: str, message: str) -> FakeResponse:
        return self.fake._answer(status, {"code": code, "message": message})

    def _name(self, request: FakeRequest, ciphertext: str) -> str | None:
        """The payee's name decrypted with the platform key the request names (``None``: it cannot be)."""
        serial = request.headers.get("Wechatpay-Serial", "")
        for known, key, _certificate in self.fake.certificates:
            if known == serial:
                oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
                try:
                    return key.key.decrypt(base64.b64decode(ciphertext), oaep).decode()
                except ValueError:
                    return None
        return None

    def _transfer(self, request: FakeRequest) -> FakeResponse:
        fake = self.fake
        if (refused := fake._authentic(request)) is not None:
            return refused
        data = fake._json(request)
        number, openid = str(data.get("out_bill_no", "")), str(data.get("openid", ""))
        amount, remark = data.get("transfer_amount"), str(data.get("transfer_remark", ""))
        scene = str(data.get("transfer_scene_id", ""))
        if (
            data.get("appid") != fake.appid
            or not OUT_BILL_NO.match(number)
            or not openid
            or not isinstance(amount, int)
            or amount <= 0
            or not 1 <= len(remark) <= 32
        ):
            return self._error(400, "PARAM_ERROR", "参数错误")
        if scene not in self.scenes:
            return self._error(403, "NO_AUTH", "商户号未开通该转账场景")
        reported = {
            str(info.get("info_type")): str(info.get("info_content", ""))
            for info in data.get("transfer_scene_report_infos") or []
            if isinstance(info, dict)
        }
        if any(not reported.get(kind) for kind in SCENE_REPORTS.get(scene, ())):
            return self._error(400, "PARAM_ERROR", "转账场景报备信息不完整")
        name = ""
        if "user_name" in data:
            decrypted = self._name(request, str(data["user_name"]))
            if decrypted is None:
                return self._error(400, "PARAM_ERROR", "user_name 解密失败或 Wechatpay-Serial 无效")
            name = decrypted
        if name and amount < NAME_ALLOWED_FROM:
            return self._error(400, "PARAM_ERROR", "转账金额<0.3元时，不允许填写收款用户姓名")
        if amount >= NAME_REQUIRED_FROM and not name:
            return self._error(400, "PARAM_ERROR", "转账金额>=2000元时，收款用户姓名必填")
        done = self.transfers.get(number)
        if done is not None:
            if (done.amount, done.openid) != (amount, openid):
                return self._error(400, "INVALID_REQUEST", "商户单号重复，请核实")
            return self._answer(done)
        transfer = WechatTransfer(
            number, amount, openid, name, remark, scene, f"1330{next(self._numbers):028d}"
        )
        users = {trade.openid for trade in fake.trades.values() if trade.openid} | set(self.payees)
        if openid not in users:
            transfer.state, transfer.fail_reason = "FAIL", "OPENID_INVALID"
        elif name and self.payees.get(openid) != name:
            transfer.state, transfer.fail_reason = "FAIL", "NAME_NOT_CORRECT"
        elif amount > self.balance:
            return self._error(403, "NOT_ENOUGH", "商户运营账户资金不足")
        else:
            self.balance -= amount
            transfer.state = "WAIT_USER_CONFIRM" if self.confirm_required else "SUCCESS"
        self.transfers[number] = transfer
        return self._answer(transfer)

    def _query(self, request: FakeRequest) -> FakeResponse:
        if (refused := self.fake._authentic(request)) is not None:
            return refused
        transfer = self.transfers.get(self.fake._tail(request, TRANSFER_QUERY))
        if transfer is None:
            return self._error(404, "NOT_FOUND", "记录不存在")
        return self._answer(transfer, full=True)

    def _answer(self, transfer: WechatTransfer, *, full: bool = False) -> FakeResponse:
        data: dict[str, Any] = {
            "out_bill_no": transfer.out_bill_no,
            "transfer_bill_no": transfer.transfer_bill_no,
            "create_time": "2026-03-10T12:00:00+08:00",
            "state": transfer.state,
        }
        if transfer.fail_reason:
            data["fail_reason"] = transfer.fail_reason
        if transfer.state == "WAIT_USER_CONFIRM":
            data["package_info"] = f"affffddafdfafddffda=={transfer.transfer_bill_no}"
        if full:
            data.update(
                mch_id=self.fake.mchid,
                appid=self.fake.appid,
                transfer_amount=transfer.amount,
                transfer_remark=transfer.remark,
                openid=transfer.openid,
                update_time="2026-03-10T12:00:01+08:00",
            )
        return self.fake._answer(200, data)

    # --- the payee's side --------------------------------------------------------------------------------

    def confirm(self, out_bill_no: str) -> None:
        """The payee confirms receipt in WeChat: the bill succeeds."""
        with self.fake._lock:
            transfer = self.transfers[out_bill_no]
            if transfer.state == "WAIT_USER_CONFIRM":
                transfer.state = "SUCCESS"

    def expire(self, out_bill_no: str) -> None:
        """Nobody confirmed within 24 hours: WeChat Pay cancels the bill and the money returns."""
        with self.fake._lock:
            transfer = self.transfers[out_bill_no]
            if transfer.state == "WAIT_USER_CONFIRM":
                transfer.state, transfer.fail_reason = "CANCELLED", "OVERDUE_CLOSE"
                self.balance += transfer.amount
