"""Reads of the disputes chapter, scoped to who asks (DSP-2: each side sees the other's evidence)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from aftersales.models import Complaint
from disputes.models import (
    Appeal,
    Dispute,
    DisputeEvent,
    DisputeEvidenceFile,
    DisputeReturn,
    Party,
    Ruling,
    RulingTemplate,
)
from merchants.models import Merchant, MerchantApplication, MerchantMember
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.selectors import deadline_next_due, deadline_pending_for
from platform_core.errors import NotFound


def _disputes() -> QuerySet[Dispute]:
    return Dispute.objects.select_related(
        "order", "order__merchant", "order__customer", "return_case"
    ).prefetch_related("evidence__files", "proposals", "rulings")


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


def _openable_complaints(order_id: Any) -> QuerySet[Complaint]:
    open_dispute = Dispute.objects.filter(order_id=OuterRef("order_id"), status__in=Dispute.OPEN_STATUSES)
    return (
        Complaint.objects.filter(order_id=order_id)
        .exclude(status=Complaint.Status.CLOSED)
        .exclude(Exists(open_dispute))
    )


def dispute_openable_complaints_for_merchant(*, merchant: Merchant, order_id: int) -> QuerySet[Complaint]:
    """DSP-1: the unresolved complaints on the shop's order ``order_id``, on which the shop may open a
    dispute (``dispute_open_on_complaint``); none while the order has an open dispute. The newest first."""
    return _openable_complaints(order_id).filter(order__merchant=merchant).order_by("-created_at", "-pk")


def dispute_openable_on_order(order_ref: Any) -> Exists:
    """DSP-1: whether a dispute may be opened on the order ``order_ref`` (an ``OuterRef`` to its id), as a
    subquery to annotate the order's row with (the dashboard's "open a dispute", no query of its own)."""
    return Exists(_openable_complaints(order_ref))


def dispute_events_for_parties(*, dispute: Dispute) -> QuerySet[DisputeEvent]:
    """DSP-5: the case's timeline as the parties see it (the steps and their times; staff notes stay
    internal)."""
    return dispute.events.order_by("at", "pk").only("at", "action", "from_status", "to_status", "dispute")


def dispute_get_for_merchant(*, merchant: Merchant, dispute_id: int) -> Dispute:
    """The shop's case (404 for anyone else's), with its running stage clock as ``due_at`` and the return
    it requires, if any (``dispute_return_of`` reads it without another query)."""
    dispute = (
        dispute_list_for_merchant(merchant=merchant)
        .select_related("return_case")
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
    """REP-3, VIO-6 (``merchants.selectors.kpi_sources``): disputes opened, and lost, in the window."""
    opened = Q(opened_at__gte=since, opened_at__lt=until)
    lost = Q(merchant_lost=True, executed_at__gte=since, executed_at__lt=until)
    return Dispute.objects.filter(opened | lost, order__merchant=merchant).aggregate(
        disputes=Count("pk", filter=opened), disputes_lost=Count("pk", filter=lost)
    )


def dispute_get_any(*, dispute_id: int) -> Dispute:
    """The case re-read after a write (callers have already checked the viewer may see it)."""
    return _disputes().get(pk=dispute_id)


# --- DSP-3: the committee's workload ------------------------------------------------------------------------

#: the clocks an arbitrator works against: a case's ruling, an appeal panel's vote
COMMITTEE_RULES = ("disputes.ruling_due", "disputes.panel_reconvened")


@dataclass
class ArbitratorLoad:
    arbitrator: User
    open_cases: list[Dispute] = field(default_factory=list)
    overdue: int = 0
    oldest_due_at: datetime | None = None


def committee_workload(*, now: datetime | None = None) -> list[ArbitratorLoad]:
    """DSP-3: per arbitrator, the open cases they rule or sit on the panel of (and have not voted in),
    how many are past their deadline, and the oldest deadline; the most pressing first. Four queries."""
    now = now or clock.now()
    loads: dict[int, ArbitratorLoad] = {}

    def load(user: User) -> ArbitratorLoad:
        return loads.setdefault(user.pk, ArbitratorLoad(arbitrator=user))

    ruling = list(
        Dispute.objects.filter(status=Dispute.Status.ARBITRATION, arbitrator__isnull=False).select_related(
            "arbitrator", "order"
        )
    )
    for dispute in ruling:
        assert dispute.arbitrator is not None
        load(dispute.arbitrator).open_cases.append(dispute)
    appeals = list(
        Appeal.objects.filter(dispute__status=Dispute.Status.APPEALED, decided_at__isnull=True)
        .select_related("dispute__order")
        .prefetch_related("panel", "votes")
    )
    for appeal in appeals:
        voted = {vote.arbitrator_id for vote in appeal.votes.all()}
        for member in appeal.panel.all():
            if member.pk not in voted:
                load(member).open_cases.append(appeal.dispute)
    cases = {d.pk for entry in loads.values() for d in entry.open_cases}
    due: dict[int, datetime] = {}
    for subject_id, due_at in Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Dispute),
        subject_id__in=[str(pk) for pk in cases],
        rule__in=COMMITTEE_RULES,
        status__in=(Deadline.Status.PENDING, Deadline.Status.ENFORCED),
    ).values_list("subject_id", "due_at"):
        # the latest clock of the case is the one that counts (a reconvened panel's)
        key = int(subject_id)
        due[key] = max(due_at, due.get(key, due_at))
    for entry in loads.values():
        dues = [due[d.pk] for d in entry.open_cases if d.pk in due]
        entry.overdue = sum(1 for at in dues if at < now)
        entry.oldest_due_at = min(dues, default=None)
    return sorted(
        loads.values(),
        key=lambda e: (
            -e.overdue,
            e.oldest_due_at or datetime.max.replace(tzinfo=now.tzinfo),
            e.arbitrator.pk,
        ),
    )


def committee_open_count() -> int:
    """DSP-3: cases waiting for the committee (a ruling or an appeal panel's decision)."""
    return Dispute.objects.filter(status__in=(Dispute.Status.ARBITRATION, Dispute.Status.APPEALED)).count()


# --- DSP-3: ruling templates ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def ruling_templates_active() -> QuerySet[RulingTemplate]:
    return RulingTemplate.objects.filter(is_active=True)


def ruling_template_text(*, template: RulingTemplate, dispute: Dispute, refund_amount: Decimal | None) -> str:
    """DSP-3: the template's reasons with the case's figures filled in; unknown placeholders stay as
    written (the arbitrator sees and edits them), and nothing but plain names is substituted."""
    from orders.selectors.money import order_paid_amount

    order = dispute.order
    values = {
        "dispute_id": str(dispute.pk),
        "order_number": order.number,
        "merchant": order.merchant.name,
        "paid_amount": str(order_paid_amount(order=order)),
        "claim_amount": str(dispute.claim_amount),
        "refund_amount": str(refund_amount if refund_amount is not None else ""),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.reasons)


# --- arbitrators (DSP-3) and the final ruling (DSP-4) ----------------------------------------------------


def party_of(*, dispute: Dispute, user: User) -> str | None:
    """Which side ``user`` is on: the order's customer, a member of its merchant, or neither."""
    if user.pk == dispute.order.customer_id:
        return Party.CUSTOMER
    if MerchantMember.objects.filter(
        merchant_id=dispute.order.merchant_id, user=user, is_active=True
    ).exists():
        return Party.MERCHANT
    return None


def arbitrators() -> list[User]:
    """Active staff of the arbitration committee who hold ``disputes.arbitrate_dispute``."""
    permission = Permission.objects.filter(codename="arbitrate_dispute", content_type__app_label="disputes")
    holds = Q(user_permissions__in=permission) | Q(groups__permissions__in=permission) | Q(is_superuser=True)
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=Role.STAFF_ARBITRATION)
        .filter(holds)
        .distinct()
        .order_by("pk")
    )


def arbitrator_conflict(*, dispute: Dispute, user: User) -> str | None:
    """DSP-3: why ``user`` may not arbitrate this case (``None`` if they may)."""
    if user.pk == dispute.mediator_id:
        return "mediator"
    if party_of(dispute=dispute, user=user) is not None or user.pk == dispute.order.customer_id:
        return "party"
    merchant_id = dispute.order.merchant_id
    if MerchantMember.objects.filter(merchant_id=merchant_id, user=user).exists():
        return "merchant_member"
    if MerchantApplication.objects.filter(merchant_id=merchant_id, reviewer=user).exists():
        return "onboarding_reviewer"
    return None


def arbitrator_workload() -> dict[int, int]:
    """DSP-3: open cases and undecided appeal panels per arbitrator."""
    open_cases = (
        Dispute.objects.filter(status__in=Dispute.OPEN_STATUSES, arbitrator__isnull=False)
        .values("arbitrator")
        .annotate(n=Count("pk"))
    )
    load = {row["arbitrator"]: row["n"] for row in open_cases}
    panels = (
        Appeal.objects.filter(decided_at__isnull=True)
        .values("panel")
        .annotate(n=Count("pk"))
        .exclude(panel=None)
    )
    for row in panels:
        load[row["panel"]] = load.get(row["panel"], 0) + row["n"]
    return load


def arbitrators_eligible(*, dispute: Dispute, exclude: set[int] | None = None) -> list[User]:
    """DSP-3: arbitrators without a conflict, the least loaded first (ties by id)."""
    exclude = exclude or set()
    load = arbitrator_workload()
    eligible = [
        user
        for user in arbitrators()
        if user.pk not in exclude and arbitrator_conflict(dispute=dispute, user=user) is None
    ]
    return sorted(eligible, key=lambda u: (load.get(u.pk, 0), u.pk))


def arbitrator_pick(*, dispute: Dispute) -> User | None:
    candidates = arbitrators_eligible(dispute=dispute)
    return candidates[0] if candidates else None


def final_ruling(dispute: Dispute) -> Ruling | None:
    """DSP-4: the ruling that is executed: the appeal decision if there is one, else the latest ruling."""
    return dispute.rulings.order_by("-is_appeal_decision", "-issued_at", "-pk").first()


def dispute_closure_pending(merchant: Merchant) -> list[str]:
    """MER-8: disputes not yet finished keep the merchant from closing (``merchants.closure_checks``)."""
    open_count = Dispute.objects.filter(order__merchant=merchant, status__in=Dispute.OPEN_STATUSES).count()
    if not open_count:
        return []
    return [_("%(n)d disputes are not finished yet.") % {"n": open_count}]


def dispute_return_of(*, dispute: Dispute) -> DisputeReturn | None:
    """DSP-4: the return a ruling or settlement requires of the case, if any (one per case)."""
    try:
        return dispute.return_case
    except DisputeReturn.DoesNotExist:
        return None
