"""PAY-4, PAY-5 (decision 045): transfers through WeChat Pay's merchant transfer (商家转账, API v3 "发起转账").

- ``POST /v3/fund-app/mch-transfer/transfer-bills``: ``appid``, ``out_bill_no`` (our idempotent number:
  the same number again is the same bill, nothing moves twice), ``transfer_scene_id`` (a scene the
  merchant platform granted, with its ``transfer_scene_report_infos``), the payee's ``openid`` under our
  appid, ``transfer_amount`` in fen, ``transfer_remark`` (at most 32 characters, the payee sees it) and,
  for a payout, ``user_name``: the payee's real name, encrypted with a platform certificate's public key
  (``wechat_pay_client.sensitive_encrypt``, the serial in ``Wechatpay-Serial``); WeChat Pay compares it
  with the account's real-name verification and fails the bill if it differs.
- ``GET …/transfer-bills/out-bill-no/{out_bill_no}``: the bill's ``state`` (404 ``NOT_FOUND``: WeChat Pay
  never had it, so it may be sent).
- States: ``SUCCESS``; ``FAIL`` / ``CANCELLED`` (with ``fail_reason``) are final refusals; ``ACCEPTED``,
  ``PROCESSING``, ``TRANSFERING``, ``WAIT_USER_CONFIRM`` (the payee must confirm receipt in WeChat; WeChat
  cancels an unconfirmed bill after 24 hours) and ``CANCELING`` are pending: queried again later.
- ``NOT_ENOUGH`` (our operating balance is short), ``SYSTEM_ERROR``, ``FREQUENCY_LIMITED``: retried with
  back-off (``ProviderUnreachable``); any other verified error is a refusal.

Signing, the gateway and the answers' verification are ``WechatPayClient``'s.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings

from orders.payments.http import ProviderRejected, ProviderUnreachable
from orders.payments.payouts import PayoutProvider, TransferResult
from orders.payments.wechat_pay_client import WechatPayClient, sensitive_encrypt

if TYPE_CHECKING:
    from orders.models import Payout

TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
QUERY_PATH = "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}"
RETRYABLE = frozenset({"NOT_ENOUGH", "SYSTEM_ERROR", "FREQUENCY_LIMITED"})
PENDING = frozenset({"ACCEPTED", "PROCESSING", "TRANSFERING", "WAIT_USER_CONFIRM", "CANCELING"})
#: what each transfer scene must report (WeChat Pay's 转账场景报备信息): the info types, in order
NAME_FROM = Decimal("0.30")
SCENE_REPORTS = {"1000": ("活动名称", "奖励说明"), "1005": ("岗位类型", "报酬说明")}


def _reports(scene: str, contents: tuple[str, str]) -> list[dict[str, str]]:
    types = SCENE_REPORTS.get(scene, ())
    return [
        {"info_type": kind, "info_content": content[:32]}
        for kind, content in zip(types, contents, strict=False)
    ]


def bill_send(
    *,
    out_bill_no: str,
    openid: str,
    amount: Decimal,
    remark: str,
    scene: str,
    reports: tuple[str, str],
    user_name: str = "",
) -> TransferResult:
    """Start a transfer bill (idempotent on ``out_bill_no``); the bill's state as a ``TransferResult``."""
    payload: dict[str, Any] = {
        "appid": settings.ORDERS_WECHAT_PAY_APPID,
        "out_bill_no": out_bill_no,
        "transfer_scene_id": scene,
        "openid": openid,
        "transfer_amount": int((amount * 100).to_integral_value()),
        "transfer_remark": remark[:32],
        "transfer_scene_report_infos": _reports(scene, reports),
    }
    headers: dict[str, str] = {}
    if user_name and amount >= NAME_FROM:  # WeChat Pay refuses a name on a transfer under 0.30 yuan
        serial, payload["user_name"] = sensitive_encrypt(user_name)
        headers["Wechatpay-Serial"] = serial
    try:
        data = WechatPayClient().call("POST", TRANSFER_PATH, payload, headers=headers)
    except ProviderRejected as exc:
        if exc.code in RETRYABLE:
            raise ProviderUnreachable(f"{TRANSFER_PATH}: {exc}") from exc
        return TransferResult(succeeded=False, error=str(exc))
    return bill_result(data)


def bill_query(*, out_bill_no: str) -> TransferResult:
    """What became of a bill whose answer was lost (``not_found``: WeChat Pay never had it)."""
    try:
        data = WechatPayClient().call("GET", QUERY_PATH.format(no=quote(out_bill_no, safe="")))
    except ProviderRejected as exc:
        if exc.code == "NOT_FOUND":
            return TransferResult(succeeded=False, not_found=True)
        if exc.code in RETRYABLE:
            raise ProviderUnreachable(f"{QUERY_PATH}: {exc}") from exc
        raise
    return bill_result(data)


def bill_result(data: dict[str, Any]) -> TransferResult:
    state = str(data.get("state", ""))
    reference = str(data.get("transfer_bill_no", ""))
    if state == "SUCCESS":
        fen = data.get("transfer_amount")  # the query's answer states it; the start's does not
        amount = (Decimal(fen) / 100).quantize(Decimal("0.01")) if isinstance(fen, int) else None
        return TransferResult(succeeded=True, reference=reference, amount=amount)
    if state in PENDING:
        return TransferResult(succeeded=False, pending=True, reference=reference)
    reason = str(data.get("fail_reason") or state or "refused")
    return TransferResult(succeeded=False, reference=reference, error=f"{state}: {reason}")


class WechatPayPayoutProvider(PayoutProvider):
    """PAY-4: a payout to the merchant's WeChat account (payout account kind ``wechat``: the openid under
    our appid and the registered entity's name, which WeChat Pay checks against the account's real name)."""

    name = "wechat_pay"
    remote = True

    def transfer(self, payout: "Payout") -> str:
        raise NotImplementedError("WeChat Pay transfers are sent after the commit (transfer_send)")

    def transfer_send(self, payout: "Payout") -> TransferResult:
        assert payout.account is not None and payout.out_biz_no
        period = payout.statement.period.isoformat()
        return bill_send(
            out_bill_no=payout.out_biz_no,
            openid=payout.account.number,
            amount=payout.amount,
            remark=f"货款结算 {period}",
            scene=settings.ORDERS_WECHAT_PAY_TRANSFER_SCENE_PAYOUT,
            reports=("平台商家", f"{period} 货款结算"),
            user_name=payout.account.holder_name,
        )

    def transfer_query(self, payout: "Payout") -> TransferResult:
        assert payout.out_biz_no
        return bill_query(out_bill_no=payout.out_biz_no)


def payer_transfer_send(*, out_bill_no: str, amount: Decimal, openid: str, title: str) -> TransferResult:
    """PAY-5, ORD-4: what a WeChat Pay trade can no longer return, sent to the payer's openid (from the
    payment's notification); no name is sent (WeChat Pay requires one only from 2,000 yuan)."""
    return bill_send(
        out_bill_no=out_bill_no,
        openid=openid,
        amount=amount,
        remark=title,
        scene=settings.ORDERS_WECHAT_PAY_TRANSFER_SCENE_REFUND,
        reports=("订单退款", title),
    )
