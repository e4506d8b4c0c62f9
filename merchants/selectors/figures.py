"""REP-3, VIO-6: the figures other apps provide, and the violation points.

Hooks other apps register on (from their ``hooks.py``; ``platform_core.hooks``) — the figures the credit
score (REP-3) and the KPIs (VIO-6) are computed from: ``rating_sources`` and ``kpi_sources``.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from merchants.models import Merchant, Violation
from platform_core.hooks import Hook


@dataclass(frozen=True)
class RatingBucket:
    """Detailed seller ratings (1-5 each) of ``count`` reviews made on ``day``: the sums of each rating."""

    day: date
    count: int
    description_sum: int
    service_sum: int
    logistics_sum: int


#: The keys ``kpi_sources`` report (counts over the window, durations in seconds):
FIGURE_KEYS: dict[str, str] = {
    "orders": "orders paid in the window (the base of complaint and dispute rates) — orders",
    "shipments": "orders shipped in the window — orders",
    "shipments_late": "of those, shipped after the ship-by deadline (ORD-4) — orders",
    "shipments_tracked": "of those, with a tracking number the carrier confirmed — orders",
    "delivery_cases": "delivery cases (ORD-10) opened in the window — orders",
    "delivery_cases_lapsed": "of those, not resolved by the merchant within 48 hours — orders",
    "aftersales_requests": "after-sales requests opened in the window — aftersales",
    "aftersales_responded": "of those, answered by the merchant — aftersales",
    "aftersales_responded_in_time": "of those, answered within the SLA — aftersales",
    "aftersales_response_seconds": "total time to the merchant's answer over the answered ones — aftersales",
    "messages_responded": "customer messages answered by the merchant (MSG-2) — messaging",
    "message_response_seconds": "total time to answer over those messages — messaging",
    "complaints": "complaints about the merchant opened in the window — aftersales (complaints)",
    "disputes": "disputes with platform intervention opened in the window — disputes",
    "disputes_lost": "disputes ruled against the merchant in the window — disputes",
}

RatingSource = Callable[[Merchant, datetime, datetime], Iterable[RatingBucket]]
KpiSource = Callable[[Merchant, datetime, datetime], Mapping[str, int | Decimal]]

rating_sources = Hook[RatingSource](
    "merchants.rating_sources",
    doc=(
        "REP-3: `source(merchant, since, until)`: the detailed seller ratings of reviews made in "
        "[since, until), grouped by local day (one bucket per day, or per review); the credit score "
        "weighs the buckets of every source."
    ),
)
kpi_sources = Hook[KpiSource](
    "merchants.kpi_sources",
    doc=(
        "REP-3, VIO-6: `source(merchant, since, until)`: counts and sums of the cases in [since, until) "
        "under the keys of merchants.selectors.figures.FIGURE_KEYS (a source reports only the keys it "
        "knows); the figures of every source are added up key by key."
    ),
)


def merchant_figures(*, merchant: Merchant, since: datetime, until: datetime) -> dict[str, Decimal]:
    """The sum, key by key, of every ``kpi_sources`` figure for ``[since, until)``.

    Only keys some source reported are present: a figure nobody provides is unknown, not zero.
    """
    figures: dict[str, Decimal] = {}
    for source in kpi_sources:
        for key, value in source(merchant, since, until).items():
            figures[key] = figures.get(key, Decimal(0)) + Decimal(value)
    return figures


def merchant_rating_buckets(*, merchant: Merchant, since: datetime, until: datetime) -> list[RatingBucket]:
    return [bucket for source in rating_sources for bucket in source(merchant, since, until)]


def merchant_violation_points(*, merchant: Merchant, since: datetime, until: datetime) -> int:
    """Points of the merchant's violations (not voided by an appeal) recorded in ``(since, until]``."""
    total = (
        Violation.objects.filter(
            merchant=merchant, voided_at__isnull=True, created_at__gt=since, created_at__lte=until
        )
        .aggregate(points=Sum("points"))
        .get("points")
    )
    return int(total or 0)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """VIO-2: ``[1 January, next 1 January)`` of ``year`` in the platform time zone."""
    tz = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def merchant_track_points(*, merchant: Merchant, track: str, year: int) -> int:
    """VIO-2: the points counting in ``track`` for calendar ``year`` (platform time zone)."""
    start, end = year_bounds(year)
    total = (
        Violation.objects.filter(
            merchant=merchant,
            track=track,
            voided_at__isnull=True,
            created_at__gte=start,
            created_at__lt=end,
        )
        .aggregate(points=Sum("points"))
        .get("points")
    )
    return int(total or 0)
