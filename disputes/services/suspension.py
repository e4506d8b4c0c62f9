"""DSP-2a: suspending a case (≤ 30 days) and resuming it; the opener's withdrawal before a ruling."""

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_SUSPENSION_END
from disputes.models import Dispute, MediationProposal, Party
from disputes.services._common import (
    PERM_ARBITRATE,
    PERM_MEDIATE,
    SUSPENSION_MAX,
    S,
    _event,
    _release_hold,
    _require_party,
    _stage_rule,
    _start_stage_clock,
    _stop_clocks,
    _tell_parties,
    _when,
    dispute_lock,
)
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_time_left
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput


@transaction.atomic
def dispute_suspend(*, dispute: Dispute, reason: str, actor: User, days: int = 30) -> Dispute:
    """DSP-2a: staff suspend the case for a court or police filing, for at most 30 days; the stage clock
    pauses and ``disputes.suspension_end`` resumes it automatically."""
    if not (actor.is_staff and (actor.has_perm(PERM_MEDIATE) or actor.has_perm(PERM_ARBITRATE))):
        raise Forbidden(_("Only dispute staff may suspend a case."), code="not_dispute_staff")
    if not reason.strip():
        raise InvalidInput(_("Name the filing."), errors={"reason": [_("Required.")]})
    if not 1 <= days <= SUSPENSION_MAX.days:
        raise InvalidInput(_("A suspension lasts 1 to 30 days."), errors={"days": [_("1–30.")]})
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status not in Dispute.SUSPENDABLE:
        raise Conflict(_("This case cannot be suspended now."), code="not_suspendable")
    rule = _stage_rule(dispute)
    remaining = deadline_time_left(rule=rule, subject=dispute)
    deadline_cancel(rule=rule, subject=dispute, note="suspended")
    before = dispute.status
    dispute.suspend(reason=reason, remaining=remaining)
    dispute.save()
    due = deadline_start(rule=RULE_SUSPENSION_END, subject=dispute, after=timedelta(days=days)).due_at
    _event(dispute, action="suspended", actor=actor, from_status=before, note=reason)
    _tell_parties(
        dispute,
        event="dispute_suspended",
        title=_("Dispute suspended"),
        body=_("Dispute #%(id)s is suspended pending a court or police filing; it resumes by %(due)s.")
        % {"id": dispute.pk, "due": _when(due)},
    )
    return dispute


def _resume(dispute: Dispute, *, actor: User | None) -> None:
    before = dispute.status
    remaining = dispute.paused_remaining
    dispute.resume()
    dispute.paused_remaining = None
    dispute.save()
    due = _start_stage_clock(dispute, after=max(remaining or timedelta(0), timedelta(seconds=0)))
    _event(dispute, action="resumed", actor=actor, from_status=before)
    _tell_parties(
        dispute,
        event="dispute_resumed",
        title=_("Dispute resumed"),
        body=_("Dispute #%(id)s continues in %(stage)s; the stage ends %(due)s.")
        % {"id": dispute.pk, "stage": dispute.get_status_display(), "due": _when(due)},
    )


@transaction.atomic
def dispute_resume(*, dispute: Dispute, actor: User) -> Dispute:
    """DSP-2a: staff resume a suspended case early."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.SUSPENDED:
        raise Conflict(_("The case is not suspended."), code="not_suspended")
    deadline_meet(rule=RULE_SUSPENSION_END, subject=dispute)
    _resume(dispute, actor=actor)
    return dispute


def dispute_suspension_ended(*, dispute: Dispute) -> None:
    """DSP-2a: 30 days (or the set term) passed; the case resumes by itself (the deadline handler)."""
    if dispute.status == S.SUSPENDED:
        _resume(dispute, actor=None)


@transaction.atomic
def dispute_withdraw(*, dispute: Dispute, actor: User, reason: str = "") -> Dispute:
    """DSP-5, PAY-6: the opener (or the customer) withdraws before a ruling; clocks stop, the hold is
    released."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if not (party == Party.CUSTOMER or actor.pk == dispute.opened_by_id):
        raise Forbidden(_("Only the customer or the opener may withdraw."), code="not_opener")
    before = dispute.status
    dispute.withdraw()
    dispute.save()
    _stop_clocks(dispute, note="withdrawn")
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(decided_at=clock.now())
    _release_hold(dispute, actor=actor)
    _event(dispute, action="withdrawn", actor=actor, from_status=before, note=reason)
    _tell_parties(
        dispute,
        event="dispute_withdrawn",
        title=_("Dispute withdrawn"),
        body=_("Dispute #%(id)s was withdrawn.") % {"id": dispute.pk},
    )
    return dispute
