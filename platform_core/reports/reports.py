"""The kernel's reports (AUD-2): audit log, ledger entries, trial balance, deadline SLA and breaches.

This module is this app's ``reports.py``: imported at start-up like every app's (``ReportsConfig.ready``).
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify, audit_subject_names
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.registry import rules_all
from platform_core.deadlines.selectors import RuleSla, deadline_sla_figures
from platform_core.ledger.models import AccountKind, LedgerEntry, TransactionKind
from platform_core.ledger.selectors import ledger_verify
from platform_core.money import money_from
from platform_core.reports.masks import mask_person, mask_personal_json
from platform_core.reports.registry import Column, Filter, ReportFilters, report

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))


def _type_label(app_label: str, model: str) -> Any:
    return Case(
        When(**{f"{app_label}__isnull": False}, then=Concat(app_label, Value("."), model)),
        default=Value(""),
        output_field=CharField(),
    )


# --- AUD-1: the audit log ------------------------------------------------------------------------------


def audit_log_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    """The chain is verified over the whole log: a break before the period makes the period unprovable."""
    result = audit_chain_verify()
    rows = audit_log_rows(filters).count()
    summary: list[tuple[Any, Any]] = [
        (_("Hash chain verification"), "OK" if result.ok else "BROKEN"),
        (_("Entries checked"), result.count),
        (_("Entries in this report"), rows),
    ]
    if not result.ok:
        summary += [(_("First broken entry"), result.first_broken_id), (_("Reason"), result.reason)]
    return summary


def audit_log_subjects(rows: list[dict[str, Any]]) -> None:
    """Issue 21 (decision 046): each subject named now, in the reader's language; the stored text (neutral)
    when the subject no longer exists."""
    names = audit_subject_names((row["subject_type_id"], row["subject_id"]) for row in rows)
    for row in rows:
        name = names.get((row["subject_type_id"] or 0, row["subject_id"] or ""))
        if name is not None:
            row["subject_person" if row["subject_person"] else "subject_text"] = name


@report(
    "audit_log",
    title=_("Audit log"),
    description=_("Every audited action with its hash chain; the summary says whether the chain verifies."),
    columns=[
        Column("id", _("ID")),
        Column("at", _("At")),
        Column("actor_id", _("Actor ID")),
        Column("actor_repr", _("Actor"), mask=mask_person),
        Column("action", _("Action")),
        Column("subject_label", _("Subject type")),
        Column("subject_id", _("Subject ID")),
        Column("subject_text", _("Subject")),
        Column("subject_person", _("Subject (person)"), mask=mask_person),
        Column("before", _("Before"), mask=mask_personal_json),
        Column("after", _("After"), mask=mask_personal_json),
        Column("reason", _("Reason")),
        Column("prev_hash", _("Previous hash")),
        Column("hash", _("Hash")),
    ],
    summary=audit_log_summary,
    extra_filters=(Filter("action", _("Action (or its beginning)")),),
    prepare=audit_log_subjects,
)
def audit_log_rows(filters: ReportFilters) -> QuerySet[AuditEntry, dict[str, Any]]:
    qs = AuditEntry.objects.all()
    if filters.since:
        qs = qs.filter(at__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__lt=filters.until)
    if filters.extra.get("action"):
        qs = qs.filter(action__startswith=filters.extra["action"])
    is_person = Q(subject_type__app_label="accounts", subject_type__model="user")
    return (
        qs.annotate(
            subject_label=_type_label("subject_type__app_label", "subject_type__model"),
            # a user's repr is their name/email/phone: personal data, masked (SEC-2)
            subject_text=Case(When(is_person, then=Value("")), default=F("subject_repr")),
            subject_person=Case(When(is_person, then=F("subject_repr")), default=Value("")),
        )
        .order_by("id")
        .values(
            "id",
            "at",
            "actor_id",
            "actor_repr",
            "action",
            "subject_label",
            "subject_type_id",
            "subject_id",
            "subject_text",
            "subject_person",
            "before",
            "after",
            "reason",
            "prev_hash",
            "hash",
        )
    )


# --- PAY-1: ledger entries and the trial balance -------------------------------------------------------


def _owner(row: dict[str, Any]) -> str:
    if not row["account__owner_type__model"]:
        return "platform"
    return f"{row['account__owner_type__app_label']}.{row['account__owner_type__model']}#{row['account__owner_id']}"


def _ledger_entries(filters: ReportFilters) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.all()
    if filters.since:
        qs = qs.filter(transaction__created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(transaction__created_at__lt=filters.until)
    if filters.extra.get("account_kind"):
        qs = qs.filter(account__kind=filters.extra["account_kind"])
    if filters.extra.get("transaction_kind"):
        qs = qs.filter(transaction__kind=filters.extra["transaction_kind"])
    return qs


def ledger_entries_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    totals = _ledger_entries(filters).aggregate(
        n=Count("pk"),
        total=Coalesce(Sum("amount"), _ZERO),
        into=Coalesce(Sum("amount", filter=Q(amount__gt=0)), _ZERO),
    )
    return [
        (_("Entries"), totals["n"]),
        (_("Money in (sum of positive amounts)"), money_from(totals["into"])),
        (_("Sum of all amounts"), money_from(totals["total"])),
    ]


@report(
    "ledger_entries",
    title=_("Ledger entries"),
    description=_("Every leg of every ledger transaction: account, kind, owner, transaction key, amount."),
    columns=[
        Column("id", _("Entry ID")),
        Column("transaction__created_at", _("At")),
        Column("account_id", _("Account ID")),
        Column("account__kind", _("Account kind")),
        Column("owner", _("Owner"), value=_owner),
        Column("transaction_id", _("Transaction ID")),
        Column("transaction__idempotency_key", _("Transaction key")),
        Column("transaction__kind", _("Transaction kind")),
        Column("amount", _("Amount (CNY, + into the account)")),
        Column("transaction__memo", _("Memo")),
    ],
    summary=ledger_entries_summary,
    extra_filters=(
        Filter("account_kind", _("Account kind"), AccountKind.choices),
        Filter("transaction_kind", _("Transaction kind"), TransactionKind.choices),
    ),
)
def ledger_entries_rows(filters: ReportFilters) -> QuerySet[LedgerEntry, Any]:
    return (
        _ledger_entries(filters)
        .order_by("id")
        .values(
            "id",
            "transaction__created_at",
            "account_id",
            "account__kind",
            "account__owner_type__app_label",
            "account__owner_type__model",
            "account__owner_id",
            "transaction_id",
            "transaction__idempotency_key",
            "transaction__kind",
            "amount",
            "transaction__memo",
        )
    )


TOTAL = "TOTAL"


def trial_balance_rows(filters: ReportFilters) -> Iterable[dict[str, Any]]:
    """Per account kind: movements in the period (all time without dates) and a TOTAL row that must be 0."""
    per_kind = (
        _ledger_entries(filters)
        .values("account__kind")
        .annotate(
            accounts=Count("account", distinct=True),
            credits=Coalesce(Sum("amount", filter=Q(amount__gt=0)), _ZERO),
            debits=Coalesce(Sum("amount", filter=Q(amount__lt=0)), _ZERO),
            net=Coalesce(Sum("amount"), _ZERO),
        )
        .order_by("account__kind")
    )
    rows = [
        {
            "kind": row["account__kind"],
            "accounts": row["accounts"],
            "credits": money_from(row["credits"]),
            "debits": money_from(row["debits"]),
            "net": money_from(row["net"]),
        }
        for row in per_kind
    ]
    rows.append(
        {
            "kind": TOTAL,
            "accounts": sum(r["accounts"] for r in rows),
            "credits": sum((r["credits"] for r in rows), Decimal("0.00")),
            "debits": sum((r["debits"] for r in rows), Decimal("0.00")),
            "net": sum((r["net"] for r in rows), Decimal("0.00")),
        }
    )
    return rows


def trial_balance_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    total = list(trial_balance_rows(filters))[-1]
    check = ledger_verify()
    return [
        (_("Sum of all movements (must be 0)"), total["net"]),
        (_("Balanced"), total["net"] == 0),
        (_("Whole-ledger verification"), "OK" if check.ok else "; ".join(check.problems[:5])),
    ]


report(
    "trial_balance",
    title=_("Trial balance"),
    description=_("Movements per account kind in the period; the total of all kinds is zero."),
    columns=[
        Column("kind", _("Account kind")),
        Column("accounts", _("Accounts")),
        Column("credits", _("Into accounts (+)")),
        Column("debits", _("Out of accounts (−)")),
        Column("net", _("Net")),
    ],
    summary=trial_balance_summary,
)(trial_balance_rows)


# --- OPS-1: deadline SLA per rule and the breaches -----------------------------------------------------


def on_time_rate(sla: RuleSla) -> Decimal | None:
    """Met on time over everything that came due and ended (met, met late or enforced)."""
    ended = sla.met_on_time + sla.met_late + sla.enforced
    if not ended:
        return None
    return (Decimal(sla.met_on_time) / Decimal(ended)).quantize(Decimal("0.0001"))


def _rule_choices() -> list[tuple[str, Any]]:
    return [(rule.name, gettext(rule.description) if rule.description else rule.name) for rule in rules_all()]


def deadline_sla_rows(filters: ReportFilters) -> list[dict[str, Any]]:
    descriptions = {rule.name: rule.description for rule in rules_all()}
    return [
        {
            "rule": row.rule,
            "description": descriptions.get(row.rule, ""),
            "total": row.total,
            "met_on_time": row.met_on_time,
            "met_late": row.met_late,
            "enforced": row.enforced,
            "cancelled": row.cancelled,
            "pending": row.pending,
            "on_time_rate": on_time_rate(row),
            "lateness_p50": row.lateness_p50,
            "lateness_p95": row.lateness_p95,
            "lateness_max": row.lateness_max,
        }
        for row in deadline_sla_figures(
            rule=filters.extra.get("rule"), since=filters.since, until=filters.until
        )
    ]


def deadline_sla_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    rows = deadline_sla_rows(filters)
    return [
        (_("Rules"), len(rows)),
        (_("Deadlines due"), sum(r["total"] for r in rows)),
        (_("Met on time"), sum(r["met_on_time"] for r in rows)),
        (_("Breaches (met late or enforced)"), sum(r["met_late"] + r["enforced"] for r in rows)),
    ]


report(
    "deadline_sla",
    title=_("Deadline SLA per rule"),
    description=_("Deadlines due in the period per rule: met on time, late, enforced; lateness percentiles."),
    columns=[
        Column("rule", _("Rule")),
        Column("description", _("Description")),
        Column("total", _("Due")),
        Column("met_on_time", _("Met on time")),
        Column("met_late", _("Met late")),
        Column("enforced", _("Enforced")),
        Column("cancelled", _("Cancelled")),
        Column("pending", _("Pending")),
        Column("on_time_rate", _("On-time rate")),
        Column("lateness_p50", _("Lateness p50")),
        Column("lateness_p95", _("Lateness p95")),
        Column("lateness_max", _("Lateness max")),
    ],
    summary=deadline_sla_summary,
    extra_filters=(Filter("rule", _("Deadline rule"), _rule_choices),),
)(deadline_sla_rows)


def _late_by(row: dict[str, Any]) -> Any:
    if row["lateness"] is not None:
        return row["lateness"]
    if row["resolved_at"] is not None:
        return row["resolved_at"] - row["due_at"]
    return None


@report(
    "deadline_breaches",
    title=_("Deadline breaches"),
    description=_("Every deadline due in the period that was enforced by the system or met late."),
    columns=[
        Column("id", _("Deadline ID")),
        Column("rule", _("Rule")),
        Column("subject_label", _("Subject type")),
        Column("subject_id", _("Subject ID")),
        Column("started_at", _("Started at")),
        Column("due_at", _("Due at")),
        Column("resolved_at", _("Resolved at")),
        Column("status", _("Outcome")),
        Column("late_by", _("Late by"), value=_late_by),
    ],
    extra_filters=(Filter("rule", _("Deadline rule"), _rule_choices),),
)
def deadline_breaches_rows(filters: ReportFilters) -> QuerySet[Deadline, dict[str, Any]]:
    qs = Deadline.objects.filter(
        Q(status=Deadline.Status.ENFORCED) | Q(status=Deadline.Status.MET, resolved_at__gt=F("due_at"))
    )
    if filters.since:
        qs = qs.filter(due_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(due_at__lt=filters.until)
    if filters.extra.get("rule"):
        qs = qs.filter(rule=filters.extra["rule"])
    return (
        qs.annotate(subject_label=_type_label("subject_type__app_label", "subject_type__model"))
        .order_by("due_at", "id")
        .values(
            "id",
            "rule",
            "subject_label",
            "subject_id",
            "started_at",
            "due_at",
            "resolved_at",
            "status",
            "lateness",
        )
    )
