"""PAY-4: the payout provider interface (bank transfer to the merchant) and its sandbox."""

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orders.models import Payout


class PayoutProvider(abc.ABC):
    name = ""

    @abc.abstractmethod
    def transfer(self, payout: "Payout") -> str:
        """Send ``payout.amount`` to the merchant's settlement account; returns the provider reference."""


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
    raise ValueError(f"unknown payout provider {name!r}")
