"""The disputes chapter's report (AUD-2) and its section of the monthly compliance report (AUD-4).

``disputes``: one row per case (DSP-1 … DSP-5) with the date each stage began (from the case timeline,
``DisputeEvent``), the first-instance ruling, the appeal and the panel's decision, execution and the money
refunded. Imported at start-up by ``platform_core.reports`` (every app's ``reports.py``).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from disputes.clocks import RULE_RULING_DUE
from disputes.models import Appeal, Dispute, DisputeEvent, Ruling, RulingKind
from platform_core.accounts.masking import mask_name
from platform_core.deadlines.selectors import deadline_sla_figures
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)

S = Dispute.Status
_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def _stage_began(status: str) -> Subquery:
    """When the case first entered ``status`` (its timeline row)."""
    return Subquery(
        DisputeEvent.objects.filter(dispute=OuterRef("pk"), to_status=status)
        .order_by("at", "pk")
        .values("at")[:1]
    )


def _ruling(*, appeal: bool, field: str) -> Subquery:
    return Subquery(
        Ruling.objects.filter(dispute=OuterRef("pk"), is_appeal_decision=appeal).values(field)[:1]
    )


def _disputes(filters: ReportFilters) -> QuerySet[Dispute]:
    qs = filters.in_period(Dispute.objects.all(), "opened_at")
    if filters.extra.get("status"):
        qs = qs.filter(status=filters.extra["status"])
    qs = qs.annotate(
        ruling_kind=_ruling(appeal=False, field="kind"),
        appeal_decision_kind=_ruling(appeal=True, field="kind"),
        settled_at=_stage_began(S.SETTLED),
    ).annotate(final_kind=Coalesce("appeal_decision_kind", "ruling_kind"))
    if filters.extra.get("ruling_kind"):
        qs = qs.filter(final_kind=filters.extra["ruling_kind"])
    return qs


def _totals(qs: QuerySet[Dispute]) -> dict[str, Any]:
    return qs.aggregate(
        cases=Count("pk"),
        ruled=Count("pk", filter=Q(ruling_kind__isnull=False)),
        appealed=Count("appeal_case"),
        settled=Count("pk", filter=Q(settled_at__isnull=False)),
        withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
        executed=Count("pk", filter=Q(executed_at__isnull=False)),
        open=Count("pk", filter=Q(status__in=Dispute.OPEN_STATUSES)),
        refunded=Coalesce(Sum("refunded_amount"), _ZERO),
    )


def disputes_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    totals = _totals(_disputes(filters))
    return [
        (_("Cases"), totals["cases"]),
        (_("Still open"), totals["open"]),
        (_("Ruled"), totals["ruled"]),
        (_("Appealed"), totals["appealed"]),
        (_("Rulings executed"), totals["executed"]),
        (_("Settled by agreement"), totals["settled"]),
        (_("Withdrawn"), totals["withdrawn"]),
        (_("Refunded (CNY)"), totals["refunded"]),
    ]


@report(
    "disputes",
    title=_("Disputes and rulings"),
    description=_(
        "Every dispute opened in the period: the date each stage began, the ruling (kind, amount, "
        "arbitrator), the appeal and its decision, execution and the money refunded (DSP-1 … DSP-5)."
    ),
    columns=[
        Column("id", _("Case ID")),
        Column("order__number", _("Order")),
        Column("order__merchant_id", _("Merchant ID")),
        Column("order__merchant__name", _("Merchant")),
        Column("order__customer_id", _("Customer ID")),
        Column("order__customer__name", _("Customer"), mask=mask_name),
        Column("opener_role", _("Opened by")),
        Column("claim_amount", _("Claim (CNY)")),
        Column("status", _("Status")),
        Column("opened_at", _("Opened at")),
        Column("evidence_at", _("Evidence from")),
        Column("mediation_at", _("Mediation from")),
        Column("arbitration_at", _("Arbitration from")),
        Column("arbitrator_id", _("Arbitrator ID")),
        Column("ruled_at", _("Ruled at")),
        Column("ruling_kind", _("Ruling")),
        Column("ruling_amount", _("Ruling refund (CNY)")),
        Column("appeal_filed_at", _("Appealed at")),
        Column("appeal_party", _("Appealed by")),
        Column("appeal_decided_at", _("Appeal decided at")),
        Column("appeal_decision_kind", _("Appeal decision")),
        Column("appeal_decision_amount", _("Appeal decision refund (CNY)")),
        Column("final_kind", _("Final ruling")),
        Column("executed_at", _("Executed at")),
        Column("settled_at", _("Settled at")),
        Column("refunded_amount", _("Refunded (CNY)")),
        Column("merchant_lost", _("Merchant lost")),
        Column("closed_at", _("Closed at")),
    ],
    summary=disputes_summary,
    extra_filters=(
        Filter("status", choices=Dispute.Status.choices),
        Filter("ruling_kind", _("Final ruling"), RulingKind.choices),
    ),
)
def disputes_rows(filters: ReportFilters) -> QuerySet[Dispute, dict[str, Any]]:
    appeal = Appeal.objects.filter(dispute=OuterRef("pk"))
    return (
        _disputes(filters)
        .annotate(
            evidence_at=_stage_began(S.EVIDENCE),
            mediation_at=_stage_began(S.MEDIATION),
            arbitration_at=_stage_began(S.ARBITRATION),
            ruled_at=_ruling(appeal=False, field="issued_at"),
            ruling_amount=_ruling(appeal=False, field="refund_amount"),
            appeal_decision_amount=_ruling(appeal=True, field="refund_amount"),
            appeal_filed_at=Subquery(appeal.values("filed_at")[:1]),
            appeal_party=Subquery(appeal.values("party")[:1]),
            appeal_decided_at=Subquery(appeal.values("decided_at")[:1]),
        )
        .order_by("opened_at", "id")
        .values(
            "id",
            "order__number",
            "order__merchant_id",
            "order__merchant__name",
            "order__customer_id",
            "order__customer__name",
            "opener_role",
            "claim_amount",
            "status",
            "opened_at",
            "evidence_at",
            "mediation_at",
            "arbitration_at",
            "arbitrator_id",
            "ruled_at",
            "ruling_kind",
            "ruling_amount",
            "appeal_filed_at",
            "appeal_party",
            "appeal_decided_at",
            "appeal_decision_kind",
            "appeal_decision_amount",
            "final_kind",
            "executed_at",
            "settled_at",
            "refunded_amount",
            "merchant_lost",
            "closed_at",
        )
    )


@monthly_section("disputes")
def disputes_month(since: datetime, until: datetime) -> MonthlySection:
    """AUD-4: the month's disputes: opened, ruled (and on time), appealed, executed, settled, money."""

    def in_month(field: str) -> dict[str, datetime]:
        return {f"{field}__gte": since, f"{field}__lt": until}

    rulings = Ruling.objects.filter(**in_month("issued_at"))
    ruling_clock = next(iter(deadline_sla_figures(rule=RULE_RULING_DUE, since=since, until=until)), None)
    executed = Dispute.objects.filter(**in_month("executed_at"))
    ended = DisputeEvent.objects.filter(**in_month("at"))
    return MonthlySection(
        title=_("Disputes"),
        rows=[
            (_("Disputes opened"), Dispute.objects.filter(**in_month("opened_at")).count()),
            (_("Rulings issued"), rulings.filter(is_appeal_decision=False).count()),
            (_("…ruled within 7 days"), ruling_clock.met_on_time if ruling_clock else 0),
            (
                _("…ruled late (or the head was told)"),
                ruling_clock.met_late + ruling_clock.enforced if ruling_clock else 0,
            ),
            (_("Appeals filed"), Appeal.objects.filter(**in_month("filed_at")).count()),
            (_("Appeal decisions"), rulings.filter(is_appeal_decision=True).count()),
            (_("Rulings executed"), executed.count()),
            (
                _("Refunded by executed rulings (CNY)"),
                executed.aggregate(s=Coalesce(Sum("refunded_amount"), _ZERO))["s"],
            ),
            (_("Settled by agreement"), ended.filter(to_status=S.SETTLED).count()),
            (_("Withdrawn"), ended.filter(to_status=S.WITHDRAWN).count()),
            (_("Open at the end of the month"), _open_at(until)),
        ],
    )


def _open_at(moment: datetime) -> int:
    """Cases opened before ``moment`` and not closed, settled or withdrawn by then."""
    ended = DisputeEvent.objects.filter(
        dispute=OuterRef("pk"), to_status__in=[S.SETTLED, S.WITHDRAWN, S.CLOSED], at__lt=moment
    )
    return Dispute.objects.filter(~Exists(ended), opened_at__lt=moment).count()
