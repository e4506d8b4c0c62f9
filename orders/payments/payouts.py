"""PAY-4: the payout provider interface (bank transfer to the merchant) and its sandbox."""

import abc
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orders.models import Payout


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
    """PAY-4: the configured payout provider (``settings.ORDERS_PAYOUT_PROVIDER``); the deploy check refuses
    ``sandbox`` in production (platform.E101)."""
    if name == SandboxPayoutProvider.name:
        return SandboxPayoutProvider()
    if name == ManualPayoutProvider.name:
        return ManualPayoutProvider()
    if name == "alipay":  # decision 037: alipay.fund.trans.uni.transfer
        from orders.payments.transfers import AlipayPayoutProvider

        return AlipayPayoutProvider()
    raise ValueError(f"unknown payout provider {name!r}")
