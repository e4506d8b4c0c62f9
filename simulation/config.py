"""Sizes, shares and the simulated calendar of one simulation run."""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

MERCHANT_KINDS = ("diligent", "late_shipper", "ignorer", "banned_claims", "expiring_docs", "fake_reviews")
CUSTOMER_KINDS = ("normal", "returner", "never_confirms", "complainer", "disputer")

#: How a customer's payment reaches us: the share of orders paid each way (PAY-3).
PAYMENT_SCENARIOS = (
    ("once", 0.77),
    ("duplicated", 0.08),
    ("delayed", 0.03),
    ("forged_signature", 0.04),
    ("forged_amount", 0.04),
    ("abandoned", 0.04),
)


#: the payment providers a run may pay through (PAY-3, decision 029): the in-process sandbox, and the local
#: fake Alipay and WeChat Pay gateways (``simulation/fakes``) the providers are pointed at for the run
PROVIDERS = ("sandbox", "alipay", "wechat_pay")


@dataclass(frozen=True)
class SimulationConfig:
    days: int = 10
    merchants: int = 10
    customers: int = 200
    seed: int = 7
    ticks_per_day: int = 6
    #: the first simulated instant (local midnight, so the first tick of each day runs the nightly tasks)
    start: datetime = field(default_factory=lambda: datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Shanghai")))
    #: merchant behaviour shares, in MERCHANT_KINDS order
    merchant_shares: tuple[float, ...] = (0.35, 0.2, 0.15, 0.1, 0.1, 0.1)
    #: customer behaviour shares, in CUSTOMER_KINDS order
    customer_shares: tuple[float, ...] = (0.5, 0.15, 0.15, 0.1, 0.1)
    #: chance that one customer starts a checkout in one tick
    buy_chance_per_tick: float = 0.03
    #: chance a normal customer asks for a quality refund (refund only) instead of confirming
    quality_refund_chance: float = 0.12
    #: chance a listing review happens outside the 24-hour SLA (CAT-4)
    slow_review_chance: float = 0.25
    #: chance a complaint waits past customer service's 24-hour acknowledgement (CMP-2)
    slow_complaint_chance: float = 0.3
    #: chance a rights holder files an IP notice on a given day, and the share of those that are false (CAT-7)
    ip_notice_chance_per_day: float = 0.6
    false_notice_share: float = 0.5
    #: chance a customer reviews an order line they confirmed (REP-1)
    review_chance: float = 0.6
    #: accounts a fake-review merchant controls, and the chance one of them buys and reviews on a given day
    shills_per_merchant: int = 3
    shill_order_chance_per_day: float = 0.8
    listings_per_merchant: int = 2
    #: chance a shipped parcel goes wrong: a carrier exception or no movement at all (ORD-10)
    delivery_problem_chance: float = 0.15
    deposit: str = "3000.00"
    #: the providers customers pay through, each order one of them at random (forged notifications always
    #: go to the sandbox, whose key the forger is given)
    providers: tuple[str, ...] = ("sandbox",)

    def __post_init__(self) -> None:
        if self.days < 1 or self.merchants < 1 or self.customers < 1:
            raise ValueError("days, merchants and customers must be at least 1")
        if not 1 <= self.ticks_per_day <= 24 or 24 % self.ticks_per_day:
            raise ValueError("ticks_per_day must divide 24")
        if not self.providers or set(self.providers) - set(PROVIDERS):
            raise ValueError(f"providers must be some of {', '.join(PROVIDERS)}")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        return data


def apportion(total: int, shares: tuple[float, ...]) -> list[int]:
    """Split ``total`` by ``shares`` (largest remainder); every kind gets at least one when total allows."""
    raw = [total * s / sum(shares) for s in shares]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    if total >= len(shares):
        for i, count in enumerate(counts):
            if count == 0:
                donor = max(range(len(counts)), key=lambda j: (counts[j], -j))
                counts[donor] -= 1
                counts[i] += 1
    return counts
