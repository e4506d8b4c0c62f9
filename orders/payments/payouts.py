"""PAY-4: the payout provider interface (bank transfer to the merchant) and its sandbox."""

import abc
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from orders.models import Payout, PayoutAccount


@dataclass(frozen=True)
class TransferResult:
    """What the provider says of a transfer: ``succeeded``, ``pending`` (query again later), ``not_found``
    (a query: never received, so it may be sent), otherwise failed for good (``error`` says why)."""

    succeeded: bool
    reference: str = ""
    #: the amount the provider says it transferred, when its answer states one
    amount: Decimal | None = None
    pending: bool = False
    not_found: bool = False
    error: str = ""


class PayoutProvider(abc.ABC):
    name = ""
    #: a gateway reached over the network (decision 037): the transfer is sent after the commit
    #: (``orders.services.payout_dispatch``) with ``transfer_send``/``transfer_query``; ``False``: in
    #: process, ``transfer`` in the payout run's transaction
    remote = False

    @abc.abstractmethod
    def transfer(self, payout: "Payout") -> str:
        """Send ``payout.amount`` to the merchant's settlement account; returns the provider reference."""

    def transfer_send(self, payout: "Payout") -> TransferResult:
        """A remote provider: send the transfer (idempotent on ``payout.out_biz_no``)."""
        raise NotImplementedError(f"{self.name} transfers in process")

    def transfer_query(self, payout: "Payout") -> TransferResult:
        """A remote provider: what became of a transfer sent before (its answer was lost)."""
        raise NotImplementedError(f"{self.name} transfers in process")


class SandboxPayoutProvider(PayoutProvider):
    name = "sandbox"

    def transfer(self, payout: "Payout") -> str:
        from orders.models import ProviderSettlementRecord

        reference = f"SBXPAYOUT{payout.pk}"
        ProviderSettlementRecord.objects.get_or_create(
            provider=self.name,
            kind=ProviderSettlementRecord.Kind.PAYOUT,
            reference=reference,
            defaults={"amount": payout.amount},
        )
        return reference


class ManualPayoutProvider(PayoutProvider):
    """Production's payout provider until a bank API is connected (decision 019): the payout is booked to
    payout clearing and finance makes the bank transfer by hand; the reference names the payout, and the
    daily reconciliation (PAY-8) lists it until the bank's record of the transfer is entered."""

    name = "manual"

    def transfer(self, payout: "Payout") -> str:
        return f"MANUAL{payout.pk}"


def payout_provider_get(name: str) -> PayoutProvider:
    """PAY-4: the payout provider called ``name``; the deploy check refuses ``sandbox`` in production
    (platform.E101)."""
    if name == SandboxPayoutProvider.name:
        return SandboxPayoutProvider()
    if name == ManualPayoutProvider.name:
        return ManualPayoutProvider()
    if name == "alipay":  # decision 037: alipay.fund.trans.uni.transfer
        from orders.payments.transfers import AlipayPayoutProvider

        return AlipayPayoutProvider()
    if name == "wechat_pay":  # decision 045: WeChat Pay's merchant transfer
        from orders.payments.wechat_transfers import WechatPayPayoutProvider

        return WechatPayPayoutProvider()
    raise ValueError(f"unknown payout provider {name!r}")


#: decision 045: the transfer rail that pays each kind of payout account
RAIL_OF_KIND = {"bank": "alipay", "alipay": "alipay", "wechat": "wechat_pay"}
TRANSFER_RAILS = ("alipay", "wechat_pay")


def payout_rails() -> list[str]:
    """The names in ``settings.ORDERS_PAYOUT_PROVIDER``: one in-process provider (``manual``, ``sandbox``)
    or one or more transfer rails separated by commas (``alipay``, ``wechat_pay``, ``alipay,wechat_pay``)."""
    return [name.strip() for name in str(settings.ORDERS_PAYOUT_PROVIDER).split(",") if name.strip()]


def transfer_rails() -> list[str]:
    """The configured transfer rails (decision 045): also the payment providers whose payers can be paid
    by a transfer what their trade can no longer return."""
    return [name for name in payout_rails() if name in TRANSFER_RAILS]


def payout_provider_for(*, account: "PayoutAccount | None") -> PayoutProvider | None:
    """PAY-4 (decision 045): the provider that pays a merchant whose active payout account is ``account``.
    ``manual``/``sandbox`` pay every merchant in process; with transfer rails, an account is paid through
    the rail of its kind (bank and Alipay accounts: Alipay; WeChat accounts: WeChat Pay). ``None``: no
    account receiving payouts, or no configured rail for its kind — the money waits in the payable."""
    names = payout_rails()
    rails = transfer_rails()
    if not rails:
        if len(names) != 1:
            raise ValueError(f"ORDERS_PAYOUT_PROVIDER names no usable provider: {names!r}")
        return payout_provider_get(names[0])
    if len(rails) != len(names):
        raise ValueError(f"ORDERS_PAYOUT_PROVIDER mixes transfer rails with another provider: {names!r}")
    if account is None or RAIL_OF_KIND.get(account.kind) not in rails:
        return None
    return payout_provider_get(RAIL_OF_KIND[account.kind])
