"""VIO-6: the merchant's rolling KPIs (figures from ``merchants.selectors.figures.kpi_sources``)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantKpi, Violation
from merchants.policies import KPI_WINDOW_DAYS, kpi_format, kpi_label, kpi_policy
from merchants.selectors.figures import merchant_figures
from merchants.selectors.kpis import kpi_evaluate, kpi_window
from merchants.services._common import _notify_owner
from merchants.services.lifecycle import merchant_lock
from merchants.services.violations import violation_record
from platform_core import clock


@transaction.atomic
def merchant_kpis_compute(*, merchant: Merchant, day: date) -> list[MerchantKpi]:
    """VIO-6: the rolling-30-day KPIs ending on ``day``; rerunning the same day changes nothing more.

    A KPI newly at its warning level notifies the merchant; past its limit it records one violation
    (source: system) per KPI per 30-day period — not again until 30 days after the last one.
    """
    merchant = merchant_lock(merchant_id=merchant.pk)
    since, until = kpi_window(day=day)
    figures = merchant_figures(merchant=merchant, since=since, until=until)
    rows = []
    L = MerchantKpi.Level
    for name, policy in kpi_policy().items():
        value, sample, level = kpi_evaluate(policy=policy, figures=figures)
        previous = (
            MerchantKpi.objects.filter(merchant=merchant, kpi=name, date__lt=day).order_by("-date").first()
        )
        row, created = MerchantKpi.objects.update_or_create(
            merchant=merchant,
            kpi=name,
            date=day,
            defaults={"value": value, "sample": sample, "level": level, "computed_at": clock.now()},
        )
        rows.append(row)
        if level == L.LIMIT and row.violation_id is None:
            period_start = day - timedelta(days=KPI_WINDOW_DAYS - 1)
            if not MerchantKpi.objects.filter(
                merchant=merchant, kpi=name, date__gte=period_start, date__lte=day, violation__isnull=False
            ).exists():
                row.violation = violation_record(
                    merchant=merchant,
                    kind=policy.violation_kind,
                    evidence={
                        "kpi": name,
                        "value": str(value),
                        "limit": str(policy.limit),
                        "sample": sample,
                        "window": [since.isoformat(), until.isoformat()],
                    },
                    source=Violation.Source.SYSTEM,
                    actor=None,
                )
                row.save(update_fields=["violation"])
        elif level == L.WARNING and created and (previous is None or previous.level == L.OK):
            _notify_owner(
                merchant,
                event="merchant_kpi_warning",
                title=_("Performance warning: %(kpi)s") % {"kpi": kpi_label(name)},
                body=_("%(kpi)s is %(value)s over the last 30 days; the limit is %(limit)s.")
                % {
                    "kpi": kpi_label(name),
                    "value": kpi_format(name, value),
                    "limit": kpi_format(name, policy.limit),
                },
                subject=row,
            )
    return rows
