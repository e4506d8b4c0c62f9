"""Reads of the disputes chapter, scoped to who asks (DSP-2: each side sees the other's evidence)."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from disputes.models import Dispute, DisputeEvent, DisputeEvidenceFile, Party
from merchants.models import Merchant, MerchantMember
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.selectors import deadline_next_due, deadline_pending_for
from platform_core.errors import NotFound


def _disputes() -> QuerySet[Dispute]:
    return Dispute.objects.select_related("order", "order__merchant", "order__customer").prefetch_related(
        "evidence__files", "proposals", "rulings"
    )


def dispute_list_for_customer(*, customer: User) -> QuerySet[Dispute]:
    return _disputes().filter(order__customer=customer)


def dispute_get_for_customer(*, customer: User, dispute_id: int) -> Dispute:
    dispute = dispute_list_for_customer(customer=customer).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound(_("No such dispute."))
    return dispute


def dispute_list_for_merchant(*, merchant: Merchant) -> QuerySet[Dispute]:
    return _disputes().filter(order__merchant=merchant)


def dispute_list_with_deadline_for_merchant(*, merchant: Merchant) -> QuerySet[Dispute]:
    """DSP-2, DSP-5: the shop's cases with the running stage clock of each (``due_at``), open cases with
    the nearest deadline first — one query for the whole list."""
    return (
        Dispute.objects.filter(order__merchant=merchant)
        .select_related("order")
        .annotate(due_at=deadline_next_due(Dispute))
        .order_by(F("due_at").asc(nulls_last=True), "-opened_at", "-pk")
    )


def dispute_list_awaiting_evidence_for_merchant(*, merchant: Merchant) -> QuerySet[Dispute]:
    """DSP-2: cases in the evidence stage to which the shop has not yet submitted anything, with the
    evidence deadline (``due_at``), soonest first."""
    return (
        dispute_list_with_deadline_for_merchant(merchant=merchant)
        .filter(status=Dispute.Status.EVIDENCE)
        .exclude(evidence__party=Party.MERCHANT)
    )


def dispute_events_for_parties(*, dispute: Dispute) -> QuerySet[DisputeEvent]:
    """DSP-5: the case's timeline as the parties see it (the steps and their times; staff notes stay
    internal)."""
    return dispute.events.order_by("at", "pk").only("at", "action", "from_status", "to_status", "dispute")


def dispute_get_for_merchant(*, merchant: Merchant, dispute_id: int) -> Dispute:
    """The shop's case (404 for anyone else's), with its running stage clock as ``due_at``."""
    dispute = (
        dispute_list_for_merchant(merchant=merchant)
        .annotate(due_at=deadline_next_due(Dispute))
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise NotFound(_("No such dispute."))
    return dispute


def dispute_deadlines(*, dispute: Dispute) -> QuerySet[Deadline]:
    """The clocks running on the case (what the parties must do by when)."""
    return deadline_pending_for(subject=dispute).order_by("due_at")


def dispute_next_deadline(dispute: Dispute) -> dict[str, Any] | None:
    deadline = dispute_deadlines(dispute=dispute).first()
    if deadline is None:
        return None
    return {"rule": deadline.rule, "due_at": deadline.due_at}


def evidence_file_get_for_viewer(*, user: User, file_id: int) -> DisputeEvidenceFile:
    """SEC-4: a file, only for the case's customer, its merchant's members and dispute staff."""
    found = DisputeEvidenceFile.objects.select_related("evidence__dispute__order").filter(pk=file_id).first()
    if found is None:
        raise NotFound(_("No such file."))
    order = found.evidence.dispute.order
    allowed = (
        user.pk == order.customer_id
        or MerchantMember.objects.filter(merchant_id=order.merchant_id, user=user, is_active=True).exists()
        or (
            user.is_staff
            and (user.has_perm("disputes.mediate_dispute") or user.has_perm("disputes.arbitrate_dispute"))
        )
    )
    if not allowed:
        raise NotFound(_("No such file."))
    return found


def dispute_queue_for_committee() -> QuerySet[Dispute]:
    """DSP-3: open cases, the earliest deadline first (the committee console)."""
    return Dispute.objects.filter(status__in=Dispute.OPEN_STATUSES).select_related("order", "arbitrator")


def dispute_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> Mapping[str, int | Decimal]:
    """REP-3, VIO-6 (``merchants.selectors.KPI_SOURCES``): disputes opened, and lost, in the window."""
    mine = Dispute.objects.filter(order__merchant=merchant)
    return {
        "disputes": mine.filter(opened_at__gte=since, opened_at__lt=until).count(),
        "disputes_lost": mine.filter(
            merchant_lost=True, executed_at__gte=since, executed_at__lt=until
        ).count(),
    }


def dispute_get_any(*, dispute_id: int) -> Dispute:
    """The case re-read after a write (callers have already checked the viewer may see it)."""
    return _disputes().get(pk=dispute_id)
