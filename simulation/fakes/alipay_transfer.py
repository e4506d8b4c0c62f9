"""The fake Alipay gateway's transfers (decision 037): ``alipay.fund.trans.uni.transfer`` and
``alipay.fund.trans.common.query``, installed into a ``FakeAlipay`` (same signature check with our
application's public key, same signed answers, same faults — ``fake.inject(TRANSFER, "drop")``).

As Alipay documents them:

- a transfer names ``out_biz_no`` (idempotent: the same number again answers the first transfer and
  moves nothing more; with another amount or payee it is refused ``PARAM_ILLEGAL``), ``trans_amount``,
  ``product_code`` ``TRANS_ACCOUNT_NO_PWD`` (payee ``ALIPAY_LOGON_ID`` with the holder's name, or
  ``ALIPAY_USER_ID`` — a ``2088…`` user, e.g. one who paid a trade — the name optional) or ``TRANS_BANKCARD_NO_PWD`` (payee
  ``BANKCARD_ACCOUNT``) and the payee's ``name``; an unknown payee is ``PAYEE_NOT_EXIST``, a name that is
  not the account holder's ``PAYEE_USER_INFO_ERROR``, more than the platform's balance
  ``PAYER_BALANCE_NOT_ENOUGH`` (nothing moves); a success answers ``status`` ``SUCCESS`` with ``order_id``;
- the query by ``out_biz_no`` answers the transfer's ``status`` or ``ORDER_NOT_EXIST``.

``payees`` maps an account (a login or a card number) to its holder's name; ``balance`` is the platform's
Alipay balance the transfers are paid from.
"""

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from simulation.fakes.server import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from simulation.fakes.alipay import FakeAlipay

TRANSFER = "alipay.fund.trans.uni.transfer"
TRANSFER_QUERY = "alipay.fund.trans.common.query"
IDENTITY_TYPES = {
    "TRANS_ACCOUNT_NO_PWD": ("ALIPAY_LOGON_ID", "ALIPAY_USER_ID"),
    "TRANS_BANKCARD_NO_PWD": ("BANKCARD_ACCOUNT",),
}


@dataclass
class AlipayTransfer:
    out_biz_no: str
    amount: Decimal
    identity: str
    name: str
    order_id: str
    status: str = "SUCCESS"


class AlipayTransfers:
    """The transfer side of one ``FakeAlipay``: ``AlipayTransfers.install(fake)``."""

    def __init__(self, fake: "FakeAlipay", *, balance: Decimal = Decimal("1000000.00")) -> None:
        self.fake = fake
        self.balance = balance
        self.payees: dict[str, str] = {}
        self.transfers: dict[str, AlipayTransfer] = {}
        self._numbers = itertools.count(1)

    @classmethod
    def install(cls, fake: "FakeAlipay", **kwargs: Decimal) -> "AlipayTransfers":
        transfers = cls(fake, **kwargs)
        fake.routes.update({TRANSFER: transfers._transfer, TRANSFER_QUERY: transfers._query})
        return transfers

    def _transfer(self, request: FakeRequest) -> FakeResponse:
        fake = self.fake
        checked = fake._authentic(request)
        if isinstance(checked, FakeResponse):
            return checked
        _params, biz = checked
        amount = fake._amount(biz.get("trans_amount"))
        number = str(biz.get("out_biz_no") or "")
        payee = biz.get("payee_info") or {}
        product = str(biz.get("product_code", ""))
        if amount is None or not number or not isinstance(payee, dict):
            return fake.rejected(TRANSFER, request, 400, "PARAM_ILLEGAL", "参数有误")
        if payee.get("identity_type") not in IDENTITY_TYPES.get(product, ()):
            return fake.rejected(TRANSFER, request, 400, "PARAM_ILLEGAL", "产品码与收款方类型不符")
        identity, name = str(payee.get("identity", "")), str(payee.get("name", ""))
        done = self.transfers.get(number)
        if done is not None:
            if (done.amount, done.identity) != (amount, identity):
                return fake.rejected(TRANSFER, request, 400, "PARAM_ILLEGAL", "out_biz_no 与原请求不一致")
            return self._answer(TRANSFER, done)
        by_user_id = payee.get("identity_type") == "ALIPAY_USER_ID"
        # a user id (2088…) is any Alipay user who paid one of the fake's trades; its name is optional
        known = {t.buyer_id for t in fake.trades.values() if t.buyer_id} if by_user_id else self.payees
        if identity not in known:
            return fake.rejected(TRANSFER, request, 400, "PAYEE_NOT_EXIST", "收款账号不存在")
        if (name or not by_user_id) and self.payees.get(identity) != name:
            return fake.rejected(TRANSFER, request, 400, "PAYEE_USER_INFO_ERROR", "收款方姓名不匹配")
        if amount > self.balance:
            return fake.rejected(TRANSFER, request, 400, "PAYER_BALANCE_NOT_ENOUGH", "余额不足")
        self.balance -= amount
        transfer = AlipayTransfer(number, amount, identity, name, f"2026{next(self._numbers):016d}")
        self.transfers[number] = transfer
        return self._answer(TRANSFER, transfer)

    def _query(self, request: FakeRequest) -> FakeResponse:
        checked = self.fake._authentic(request)
        if isinstance(checked, FakeResponse):
            return checked
        _params, biz = checked
        transfer = self.transfers.get(str(biz.get("out_biz_no", "")))
        if transfer is None:
            return self.fake.rejected(TRANSFER_QUERY, request, 400, "ORDER_NOT_EXIST", "转账订单不存在")
        return self._answer(TRANSFER_QUERY, transfer)

    def _answer(self, method: str, transfer: AlipayTransfer) -> FakeResponse:
        return self.fake._ok(
            method,
            out_biz_no=transfer.out_biz_no,
            order_id=transfer.order_id,
            pay_fund_order_id=transfer.order_id,
            status=transfer.status,
            trans_amount=str(transfer.amount),
            trans_date="2026-03-10 12:00:00",
        )
