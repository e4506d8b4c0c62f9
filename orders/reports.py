"""The orders chapter's report (AUD-2) and its section of the monthly compliance report (AUD-4).

``reconciliation_differences``: what the daily reconciliation (PAY-8) found between the ledger and the
payment providers' settlement records and daily statements (missing on either side, amount or fee
differs, segregated funds differ: decision 038), and how finance resolved it. The escrow ledger itself and the
trial balance are the kernel's reports (``ledger_entries`` with ``account_kind=order_escrow``,
``trial_balance``). Imported at start-up by ``platform_core.reports`` (every app's ``reports.py``).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from orders.models import ReconciliationDifference
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)

OPEN = ReconciliationDifference.Status.OPEN
REASON = ReconciliationDifference.Reason
_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def _difference(row: dict[str, Any]) -> Decimal:
    """Ledger minus provider; a side that has no record counts as zero."""
    return (row["ledger_amount"] or Decimal("0.00")) - (row["provider_amount"] or Decimal("0.00"))


def _differences(filters: ReportFilters) -> QuerySet[ReconciliationDifference]:
    """By the day reconciled (local dates, like the reconciliation run)."""
    qs = ReconciliationDifference.objects.all()
    if filters.date_from:
        qs = qs.filter(day__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(day__lte=filters.date_to)
    for name in ("status", "provider", "kind", "reason"):
        if filters.extra.get(name):
            qs = qs.filter(**{name: filters.extra[name]})
    return qs


def reconciliation_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    totals = _differences(filters).aggregate(
        found=Count("pk"),
        open=Count("pk", filter=Q(status=OPEN)),
        missing_in_ledger=Count("pk", filter=Q(ledger_amount__isnull=True)),
        missing_at_provider=Count("pk", filter=Q(provider_amount__isnull=True)),
        fees=Count("pk", filter=Q(reason=REASON.FEE)),
        funds=Count("pk", filter=Q(reason=REASON.FUNDS)),
        net=Coalesce(
            Sum(
                Coalesce("ledger_amount", _ZERO) - Coalesce("provider_amount", _ZERO),
                filter=~Q(reason=REASON.FUNDS),  # a funds alarm compares balances, not movements
            ),
            _ZERO,
        ),
    )
    return [
        (_("Differences found"), totals["found"]),
        (_("Still open"), totals["open"]),
        (_("Resolved"), totals["found"] - totals["open"]),
        (_("Missing in the ledger"), totals["missing_in_ledger"]),
        (_("Missing at the provider"), totals["missing_at_provider"]),
        (_("Fee differs"), totals["fees"]),
        (_("Segregated funds alarms"), totals["funds"]),
        (_("Net difference, ledger − provider (CNY)"), totals["net"]),
    ]


@report(
    "reconciliation_differences",
    title=_("Reconciliation differences"),
    description=_(
        "Differences the daily reconciliation found between the ledger and the payment providers' "
        "settlement records (PAY-8), and their resolution."
    ),
    columns=[
        Column("id", _("ID")),
        Column("day", _("Day reconciled")),
        Column("provider", _("Provider")),
        Column("kind", _("Kind")),
        Column("reference", _("Reference")),
        Column("reason", _("Reason")),
        Column("ledger_amount", _("Ledger (CNY)")),
        Column("provider_amount", _("Provider (CNY)")),
        Column("difference", _("Difference (CNY)"), value=_difference),
        Column("expected_fee", _("Contracted fee (CNY)")),
        Column("provider_fee", _("Provider's fee (CNY)")),
        Column("status", _("Status")),
        Column("note", _("Resolution note")),
        Column("created_at", _("Found at")),
    ],
    summary=reconciliation_summary,
    extra_filters=(
        Filter("status", choices=ReconciliationDifference.Status.choices),
        "provider",
        "kind",
        Filter("reason", choices=ReconciliationDifference.Reason.choices),
    ),
)
def reconciliation_rows(filters: ReportFilters) -> QuerySet[ReconciliationDifference, Any]:
    return (
        _differences(filters)
        .order_by("day", "provider", "kind", "reference")
        .values(
            "id",
            "day",
            "provider",
            "kind",
            "reference",
            "reason",
            "ledger_amount",
            "provider_amount",
            "expected_fee",
            "provider_fee",
            "status",
            "note",
            "created_at",
        )
    )


@monthly_section("reconciliation")
def reconciliation_month(since: datetime, until: datetime) -> MonthlySection:
    """AUD-4, PAY-8: the month's reconciliation differences (by the day reconciled) and what is open."""
    month = ReportFilters.for_period(since=since, until=until)
    return MonthlySection(title=_("Reconciliation (PAY-8)"), rows=reconciliation_summary(month))
