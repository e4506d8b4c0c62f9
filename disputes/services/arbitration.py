"""DSP-3: arbitration: the committee's arbitrator rules within 7 days (or the jury's verdict is recorded)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_APPEAL_WINDOW, RULE_EXECUTE_RULING, RULE_RULING_DUE
from disputes.models import Dispute, Ruling
from disputes.selectors import arbitrator_conflict, arbitrators
from disputes.services._common import (
    APPEAL_WINDOW,
    PERM_ARBITRATE,
    S,
    _check_ruling,
    _event,
    _tell,
    _tell_parties,
    _when,
    dispute_lock,
)
from disputes.services.appeal import dispute_panel_deadline_passed
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_time_left
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.org.departments import DepartmentCode, department_head


def _assign(dispute: Dispute, *, arbitrator: User, actor: User | None) -> None:
    conflict = arbitrator_conflict(dispute=dispute, user=arbitrator)
    if conflict is not None:
        raise Conflict(
            _("This arbitrator has a conflict of interest in the case (%(why)s).") % {"why": conflict},
            code="arbitrator_conflict",
        )
    if arbitrator.pk not in {u.pk for u in arbitrators()}:
        raise InvalidInput(_("Not a member of the arbitration committee."), code="not_arbitrator")
    dispute.arbitrator = arbitrator
    dispute.save(update_fields=["arbitrator"])
    _event(dispute, action="arbitrator_assigned", actor=actor, note=str(arbitrator.pk))
    left = deadline_time_left(rule=RULE_RULING_DUE, subject=dispute)
    _tell(
        arbitrator,
        dispute,
        event="dispute_assigned",
        title=_("A dispute is assigned to you"),
        body=_("Dispute #%(id)s: rule with written reasons within %(left)s.")
        % {"id": dispute.pk, "left": left},
    )


@transaction.atomic
def dispute_assign_arbitrator(*, dispute: Dispute, arbitrator: User, actor: User) -> Dispute:
    """DSP-3: staff (re)assign the case to an arbitrator — never the mediator, never one with a conflict."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.ARBITRATION:
        raise Conflict(_("The case is not in arbitration."), code="not_in_arbitration")
    _assign(dispute, arbitrator=arbitrator, actor=actor)
    return dispute


def _record_ruling(
    dispute: Dispute,
    *,
    kind: str,
    refund_amount: Any,
    reasons: str,
    arbitrator: User | None,
    by_jury: bool = False,
) -> Ruling:
    """The ruling of a case in arbitration: by its arbitrator, or by the public jury (DSP-6)."""
    amount = _check_ruling(dispute, kind=kind, refund_amount=refund_amount, reasons=reasons)
    ruling = Ruling.objects.create(
        dispute=dispute,
        kind=kind,
        refund_amount=amount,
        reasons=reasons,
        arbitrator=arbitrator,
        by_jury=by_jury,
    )
    dispute.rule()
    dispute.save()
    deadline_meet(rule=RULE_RULING_DUE, subject=dispute)
    return ruling


@transaction.atomic
def dispute_rule(
    *, dispute: Dispute, kind: str, reasons: str, actor: User, refund_amount: Decimal | None = None
) -> Ruling:
    """DSP-3, DSP-4: the assigned arbitrator rules with written reasons; the 3-day appeal window opens."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.ARBITRATION:
        raise Conflict(_("The case is not awaiting a ruling."), code="not_in_arbitration")
    if dispute.arbitrator_id != actor.pk or not actor.has_perm(PERM_ARBITRATE):
        raise Forbidden(_("Only the case's arbitrator may rule."), code="not_case_arbitrator")
    before = dispute.status
    ruling = _record_ruling(
        dispute, kind=kind, refund_amount=refund_amount, reasons=reasons, arbitrator=actor
    )
    amount = ruling.refund_amount
    due = deadline_start(rule=RULE_APPEAL_WINDOW, subject=dispute, after=APPEAL_WINDOW).due_at
    _event(dispute, action="ruled", actor=actor, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_ruled",
        title=_("The arbitrator ruled"),
        body=_(
            "Dispute #%(id)s: %(kind)s, %(amount)s CNY. Reasons: %(reasons)s. Either party may appeal once "
            "by %(due)s; otherwise the ruling executes then."
        )
        % {
            "id": dispute.pk,
            "kind": ruling.get_kind_display(),
            "amount": amount,
            "reasons": reasons,
            "due": _when(due),
        },
    )
    return ruling


def dispute_rule_by_jury(
    *, dispute: Dispute, kind: str, reasons: str, refund_amount: Decimal | None = None
) -> Ruling:
    """DSP-6: the public jury's verdict, recorded as the case's ruling. Both parties chose the jury
    instead of the committee, so the verdict is final: no appeal window, execution is scheduled at once
    (``disputes.execute_ruling``) and runs through ``dispute_execute`` like any final ruling. The caller
    holds the dispute's lock."""
    if dispute.status != S.ARBITRATION or dispute.arbitrator_id is not None:
        raise Conflict(_("The case is not awaiting a jury's verdict."), code="not_before_jury")
    before = dispute.status
    ruling = _record_ruling(
        dispute, kind=kind, refund_amount=refund_amount, reasons=reasons, arbitrator=None, by_jury=True
    )
    amount = ruling.refund_amount
    deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=clock.now())
    _event(dispute, action="ruled_by_jury", actor=None, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_ruled",
        title=_("The public jury decided"),
        body=_("Dispute #%(id)s: %(kind)s, %(amount)s CNY. The jury's verdict is final and executes now.")
        % {"id": dispute.pk, "kind": ruling.get_kind_display(), "amount": amount},
    )
    return ruling


def dispute_ruling_overdue(*, dispute: Dispute) -> None:
    """DSP-3: no ruling within 7 days; the arbitration department head is told (the case stays open).
    An appeal panel's deadline is handled by ``dispute_panel_deadline_passed`` (DSP-4)."""
    if dispute.status == S.APPEALED:
        dispute_panel_deadline_passed(dispute=dispute)
        return
    if dispute.status != S.ARBITRATION:
        return
    _event(dispute, action="ruling_overdue", actor=None)
    _tell(
        department_head(code=DepartmentCode.ARBITRATION),
        dispute,
        event="dispute_ruling_overdue",
        title=_("Ruling overdue"),
        body=_("Dispute #%(id)s has no ruling after 7 days (arbitrator %(who)s).")
        % {"id": dispute.pk, "who": dispute.arbitrator or _("unassigned")},
    )
