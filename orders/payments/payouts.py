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


def payout_provider_get(name: str) -> PayoutProvider:
    if name == SandboxPayoutProvider.name:
        return SandboxPayoutProvider()
    raise ValueError(f"unknown payout provider {name!r}")
