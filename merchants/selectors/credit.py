"""REP-3: the credit formula (docs/credit-formula.md) and the credit history; ranking and inspection
sampling read ``merchant_credit_grade``.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from merchants.models import Merchant, MerchantCreditSnapshot
from merchants.policies import CREDIT_DEFAULT_GRADE, CREDIT_GRADE_NAMES, CreditPolicy, credit_policy
from merchants.selectors.figures import (
    FIGURE_KEYS,
    RatingBucket,
    merchant_figures,
    merchant_rating_buckets,
    merchant_violation_points,
)
from platform_core import clock

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value))


def _ratings_component(buckets: Iterable[RatingBucket], *, today: date, window_days: int) -> Decimal | None:
    """Time-weighted mean of the detailed ratings: a review ``age`` days old weighs ``(window - age) / window``."""
    weighted_sum = weight_total = Decimal(0)
    for bucket in buckets:
        age = (today - bucket.day).days
        if bucket.count <= 0 or not 0 <= age < window_days:
            continue
        weight = Decimal(window_days - age) / Decimal(window_days)
        ratings = Decimal(bucket.description_sum + bucket.service_sum + bucket.logistics_sum) / 3
        weighted_sum += weight * ratings
        weight_total += weight * bucket.count
    if weight_total == 0:
        return None
    mean = weighted_sum / weight_total  # 1..5
    return _clamp((mean - 1) / 4 * HUNDRED)


def _rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator <= 0 else numerator / denominator


def credit_compute(
    *,
    figures: Mapping[str, Decimal],
    buckets: Iterable[RatingBucket],
    points: int,
    today: date,
    policy: CreditPolicy | None = None,
) -> dict[str, Any]:
    """REP-3: the score (0-100, 2 places), grade (1-5) and components of docs/credit-formula.md.

    Pure: the same inputs give the same result. Returns ``{"score", "grade", "grade_name",
    "components": {name: {"value", "weight", "basis"}}}``; ``basis`` is the rate or count it came from
    (None when there was no data and the neutral value was used).
    """
    policy = policy or credit_policy()
    f = {key: Decimal(figures.get(key, 0)) for key in FIGURE_KEYS}

    def from_rate(rate: Decimal | None, *, at_zero: Decimal | None = None) -> tuple[Decimal, Any]:
        if rate is None:
            return policy.neutral, None
        if at_zero is None:  # a rate of good things: 100 % scores 100
            return _clamp(rate * HUNDRED), _q(rate * HUNDRED)
        return _clamp(HUNDRED * (1 - rate / at_zero)), _q(rate * HUNDRED)

    ratings = _ratings_component(buckets, today=today, window_days=policy.window_days)
    late_rate = _rate(f["shipments_late"], f["shipments"])
    values: dict[str, tuple[Decimal, Any]] = {
        "ratings": (policy.neutral, None) if ratings is None else (ratings, _q(ratings)),
        "on_time_shipping": from_rate(None if late_rate is None else 1 - late_rate),
        "aftersales_response": from_rate(_rate(f["aftersales_responded_in_time"], f["aftersales_requests"])),
        "complaints": from_rate(_rate(f["complaints"], f["orders"]), at_zero=policy.complaint_rate_at_zero),
        "dispute_losses": from_rate(
            _rate(f["disputes_lost"], f["orders"]), at_zero=policy.dispute_loss_rate_at_zero
        ),
        "violations": (
            _clamp(HUNDRED * (1 - Decimal(points) / Decimal(policy.points_at_zero))),
            points,
        ),
    }
    score = _q(sum((policy.weights[name] * value for name, (value, _b) in values.items()), Decimal(0)))
    grade = next(g for minimum, g in policy.grades if score >= minimum)
    return {
        "score": score,
        "grade": grade,
        "grade_name": CREDIT_GRADE_NAMES.get(grade, str(grade)),
        "components": {
            name: {"value": str(_q(value)), "weight": str(policy.weights[name]), "basis": _json(basis)}
            for name, (value, basis) in values.items()
        },
    }


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def merchant_credit_inputs(*, merchant: Merchant, at: datetime | None = None) -> dict[str, Any]:
    """REP-3: what ``credit_compute`` needs for ``merchant`` now, read from the registered sources."""
    now = at or clock.now()
    policy = credit_policy()
    since = now - timedelta(days=policy.window_days)
    return {
        "figures": merchant_figures(merchant=merchant, since=since, until=now),
        "buckets": merchant_rating_buckets(merchant=merchant, since=since, until=now),
        "points": merchant_violation_points(merchant=merchant, since=now - timedelta(days=365), until=now),
        "today": timezone.localtime(now).date(),
    }


def merchant_credit_grade(merchant: Merchant) -> int:
    """REP-3: the merchant's current credit grade 1-5 (the default grade before its first computation).

    For querysets, the same figure is ``Coalesce(F("merchant__credit_grade"), CREDIT_DEFAULT_GRADE)``.
    """
    return merchant.credit_grade if merchant.credit_grade is not None else CREDIT_DEFAULT_GRADE


def credit_history_for_merchant(*, merchant: Merchant) -> list[MerchantCreditSnapshot]:
    """REP-3: the published history: the last snapshot of each of the past 12 months, oldest first."""
    since = clock.now() - timedelta(days=credit_policy().history_days)
    by_month: dict[tuple[int, int], MerchantCreditSnapshot] = {}
    for snapshot in MerchantCreditSnapshot.objects.filter(merchant=merchant, computed_at__gte=since).order_by(
        "computed_at", "pk"
    ):
        local = timezone.localtime(snapshot.computed_at)
        by_month[(local.year, local.month)] = snapshot
    return list(by_month.values())


def credit_latest_for_merchant(*, merchant: Merchant) -> MerchantCreditSnapshot | None:
    return MerchantCreditSnapshot.objects.filter(merchant=merchant).order_by("-computed_at", "-pk").first()
