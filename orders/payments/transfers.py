"""PAY-4 (decision 037): payouts through Alipay's transfer API, ``alipay.fund.trans.uni.transfer``.

A transfer goes from the platform's Alipay balance to the merchant's payout account: an Alipay account
(``product_code`` ``TRANS_ACCOUNT_NO_PWD``, payee ``ALIPAY_LOGON_ID``) or a bank card
(``TRANS_BANKCARD_NO_PWD``, payee ``BANKCARD_ACCOUNT`` with the bank's name), the payee's name checked by
Alipay against the account (``PAYEE_USER_INFO_ERROR``). ``out_biz_no`` is our idempotent number: the same
number again transfers nothing more. A lost answer is recovered with ``alipay.fund.trans.common.query``
(``ORDER_NOT_EXIST``: Alipay never had it, so it may be sent). The signing, the gateway and the two kinds
of failure are the Alipay client's (``orders.payments.alipay.AlipayClient``).
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orders.payments.alipay import AlipayClient
from orders.payments.http import ProviderRejected, ProviderUnreachable
from orders.payments.payouts import PayoutProvider, TransferResult

if TYPE_CHECKING:
    from orders.models import Payout

TRANSFER = "alipay.fund.trans.uni.transfer"
TRANSFER_QUERY = "alipay.fund.trans.common.query"
#: refusals after which the same transfer may be tried again later (nothing moved; our balance is short)
RETRYABLE = frozenset({"SYSTEM_ERROR", "PAYER_BALANCE_NOT_ENOUGH", "BALANCE_IS_NOT_ENOUGH"})


def _product(payout: "Payout") -> tuple[str, str]:
    assert payout.account is not None
    if payout.account.kind == "alipay":
        return "TRANS_ACCOUNT_NO_PWD", "ALIPAY_LOGON_ID"
    return "TRANS_BANKCARD_NO_PWD", "BANKCARD_ACCOUNT"


def _result(node: dict[str, Any]) -> TransferResult:
    """A transfer's (or its query's) answer: paid with Alipay's order id, pending, or refused with why."""
    status = str(node.get("status", ""))
    reference = str(node.get("order_id", ""))
    if status == "SUCCESS":
        stated = node.get("trans_amount")  # the query's answer states it; the transfer's does not
        return TransferResult(
            succeeded=True, reference=reference, amount=Decimal(str(stated)) if stated else None
        )
    if status in ("DEALING", "WAIT_PAY", "INIT"):
        return TransferResult(succeeded=False, pending=True, reference=reference)
    reason = str(node.get("fail_reason") or node.get("error_code") or status or "refused")
    return TransferResult(succeeded=False, reference=reference, error=reason)


def _send(client: AlipayClient, biz: dict[str, Any]) -> TransferResult:
    """One ``alipay.fund.trans.uni.transfer`` (payouts and payer transfers alike): a retryable refusal is
    ``ProviderUnreachable`` (tried again later), any other refusal a failed result."""
    try:
        node = client.call(TRANSFER, biz)
    except ProviderRejected as exc:
        if exc.code in RETRYABLE:
            raise ProviderUnreachable(f"{TRANSFER}: {exc}") from exc
        return TransferResult(succeeded=False, error=str(exc))
    return _result(node)


def _query(client: AlipayClient, biz: dict[str, Any]) -> TransferResult:
    """One ``alipay.fund.trans.common.query`` for a transfer whose answer was lost (``not_found``: Alipay
    never had it, so it may be sent)."""
    try:
        node = client.call(TRANSFER_QUERY, biz)
    except ProviderRejected as exc:
        if exc.code == "ORDER_NOT_EXIST":
            return TransferResult(succeeded=False, not_found=True)
        raise
    return _result(node)


class AlipayPayoutProvider(PayoutProvider):
    name = "alipay"
    remote = True

    def __init__(self) -> None:
        self.client = AlipayClient()

    def transfer(self, payout: "Payout") -> str:
        raise NotImplementedError("Alipay transfers are sent after the commit (transfer_send)")

    def transfer_send(self, payout: "Payout") -> TransferResult:
        assert payout.account is not None and payout.out_biz_no
        product_code, identity_type = _product(payout)
        payee: dict[str, Any] = {
            "identity": payout.account.number,
            "identity_type": identity_type,
            "name": payout.account.holder_name,
        }
        if identity_type == "BANKCARD_ACCOUNT":
            payee["bankcard_ext_info"] = {"account_type": "1", "inst_name": payout.account.bank_name}
        return _send(
            self.client,
            {
                "out_biz_no": payout.out_biz_no,
                "trans_amount": str(payout.amount),
                "product_code": product_code,
                "biz_scene": "DIRECT_TRANSFER",
                "order_title": f"Payout {payout.statement.period.isoformat()}",
                "payee_info": payee,
                "remark": f"payout {payout.out_biz_no}",
            },
        )

    def transfer_query(self, payout: "Payout") -> TransferResult:
        assert payout.out_biz_no
        product_code, _identity = _product(payout)
        return _query(
            self.client,
            {"out_biz_no": payout.out_biz_no, "product_code": product_code, "biz_scene": "DIRECT_TRANSFER"},
        )


# --- PAY-5, ORD-4: what a trade can no longer return reaches the payer by a transfer ------------------


def payer_transfer_send(
    *, out_biz_no: str, amount: Decimal, payer_user_id: str, title: str
) -> TransferResult:
    """A refund or compensation larger than what its trade can still return, sent to the Alipay user who
    paid (``buyer_id``, payee type ``ALIPAY_USER_ID``: no name needed) from the platform's balance;
    idempotent on ``out_biz_no``."""
    return _send(
        AlipayClient(),
        {
            "out_biz_no": out_biz_no,
            "trans_amount": str(amount),
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER",
            "order_title": title,
            "payee_info": {"identity": payer_user_id, "identity_type": "ALIPAY_USER_ID"},
            "remark": title,
        },
    )


def payer_transfer_query(*, out_biz_no: str) -> TransferResult:
    """What became of a payer transfer whose answer was lost (``not_found``: it may be sent)."""
    return _query(
        AlipayClient(),
        {"out_biz_no": out_biz_no, "product_code": "TRANS_ACCOUNT_NO_PWD", "biz_scene": "DIRECT_TRANSFER"},
    )
