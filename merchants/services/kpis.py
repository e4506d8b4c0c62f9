"""VIO-6: the merchant's rolling KPIs (figures from ``merchants.selectors.figures.kpi_sources``)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantKpi, Violation
from merchants.policies import KPI_WINDOW_DAYS, kpi_format, kpi_label, kpi_policy
from merchants.selectors.figures import merchant_figures
from merchants.selectors.kpis import kpi_evaluate, kpi_history, kpi_window
from merchants.services._common import _notify_owner
from merchants.services.lifecycle import merchant_lock
from merchants.services.violations import violation_record
from platform_core import clock


@transaction.atomic
def merchant_kpis_compute(*, merchant: Merchant, day: date) -> list[MerchantKpi]:
    """VIO-6: the rolling-30-day KPIs ending on ``day``; rerunning the same day changes nothing more.

    A KPI newly at its warning level notifies the merchant; past its limit it records one violation
    (source: system) per KPI per 30-day period — not again until 30 days after the last one.

    One read of what the KPIs stood at before (``kpi_history``) and one ``INSERT … ON CONFLICT DO UPDATE``
    of the day's rows (a row already there keeps its violation), then the violations and warnings.
    """
    merchant = merchant_lock(merchant_id=merchant.pk)
    since, until = kpi_window(day=day)
    figures = merchant_figures(merchant=merchant, since=since, until=until)
    period_start = day - timedelta(days=KPI_WINDOW_DAYS - 1)
    history = kpi_history(merchant=merchant, day=day, period_start=period_start)
    now = clock.now()
    rows = []
    for name, policy in kpi_policy().items():
        value, sample, level = kpi_evaluate(policy=policy, figures=figures)
        existing = history.today.get(name)
        row = MerchantKpi(
            merchant=merchant, kpi=name, date=day, value=value, sample=sample, level=level, computed_at=now
        )
        row.violation_id = existing.violation_id if existing is not None else None
        rows.append(row)
    MerchantKpi.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["merchant", "kpi", "date"],
        update_fields=["value", "sample", "level", "computed_at"],
    )
    L = MerchantKpi.Level
    for (name, policy), row in zip(kpi_policy().items(), rows, strict=True):
        created, previous = name not in history.today, history.previous.get(name)
        if row.level == L.LIMIT and row.violation_id is None:
            if name not in history.violated:
                row.violation = violation_record(
                    merchant=merchant,
                    kind=policy.violation_kind,
                    evidence={
                        "kpi": name,
                        "value": str(row.value),
                        "limit": str(policy.limit),
                        "sample": row.sample,
                        "window": [since.isoformat(), until.isoformat()],
                    },
                    source=Violation.Source.SYSTEM,
                    actor=None,
                )
                row.save(update_fields=["violation"])
        elif row.level == L.WARNING and created and (previous is None or previous.level == L.OK):
            _notify_owner(
                merchant,
                event="merchant_kpi_warning",
                title=_("Performance warning: %(kpi)s") % {"kpi": kpi_label(name)},
                body=_("%(kpi)s is %(value)s over the last 30 days; the limit is %(limit)s.")
                % {
                    "kpi": kpi_label(name),
                    "value": kpi_format(name, row.value),
                    "limit": kpi_format(name, policy.limit),
                },
                subject=row,
            )
    return rows
