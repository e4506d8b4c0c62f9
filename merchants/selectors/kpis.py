"""VIO-6: evaluating the KPIs and their window."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from merchants.models import Merchant, MerchantKpi
from merchants.policies import KPI_WINDOW_DAYS, KpiPolicy


def kpi_evaluate(*, policy: KpiPolicy, figures: Mapping[str, Decimal]) -> tuple[Decimal | None, int, str]:
    """VIO-6: ``(value, sample, level)`` of one KPI; too small a sample is never judged, and a KPI
    whose figures no source reports has no value."""
    if policy.numerator not in figures or policy.denominator not in figures:
        return None, 0, MerchantKpi.Level.OK
    denominator = Decimal(figures[policy.denominator])
    sample = int(denominator)
    if denominator <= 0:
        return None, 0, MerchantKpi.Level.OK
    value = (Decimal(figures.get(policy.numerator, 0)) / denominator * policy.scale).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    if sample < policy.min_sample:
        return value, sample, MerchantKpi.Level.OK

    def worse(than: Decimal) -> bool:
        return value < than if policy.higher_is_better else value > than

    if worse(policy.limit):
        return value, sample, MerchantKpi.Level.LIMIT
    if worse(policy.warning):
        return value, sample, MerchantKpi.Level.WARNING
    return value, sample, MerchantKpi.Level.OK


def kpi_window(*, day: date) -> tuple[datetime, datetime]:
    """VIO-6: the 30 days ending with ``day`` (local): ``[day - 29 days 00:00, day + 1 00:00)``."""
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return until - timedelta(days=KPI_WINDOW_DAYS), until


def kpi_latest_for_merchant(*, merchant: Merchant) -> list[MerchantKpi]:
    """VIO-6: the merchant's KPIs of the latest computed day."""
    latest = MerchantKpi.objects.filter(merchant=merchant).order_by("-date").values("date")[:1]
    return list(MerchantKpi.objects.filter(merchant=merchant, date=Subquery(latest)).order_by("kpi"))


@dataclass
class KpiHistory:
    """VIO-6: what a merchant's KPIs stood at when ``day`` is computed, by KPI name."""

    #: the rows already computed for the day itself (a rerun)
    today: dict[str, MerchantKpi] = field(default_factory=dict)
    #: the latest row before the day, however old (read only when the day has no rows yet)
    previous: dict[str, MerchantKpi] = field(default_factory=dict)
    #: the KPIs with a violation recorded on a row of the period ``[period_start, day]``
    violated: set[str] = field(default_factory=set)


def kpi_history(*, merchant: Merchant, day: date, period_start: date) -> KpiHistory:
    """VIO-6: in one query, each KPI's latest row up to ``day`` (the day's own on a rerun, else the one
    before: only a first computation of the day looks at the level before) and every row of the period
    that carries a violation."""
    rows = (
        MerchantKpi.objects.filter(merchant=merchant, date__lte=day)
        .annotate(recency=Window(RowNumber(), partition_by=[F("kpi")], order_by=F("date").desc()))
        .filter(Q(recency=1) | Q(date__gte=period_start, violation__isnull=False))
        .order_by("kpi", "-date")
    )
    history = KpiHistory()
    for row in rows:
        if row.date == day:
            history.today[row.kpi] = row
        elif row.kpi not in history.today and row.kpi not in history.previous:  # newest first
            history.previous[row.kpi] = row
        if row.violation_id is not None and row.date >= period_start:
            history.violated.add(row.kpi)
    return history
