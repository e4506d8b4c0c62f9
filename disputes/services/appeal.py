"""DSP-4: one appeal within 3 days, decided by a panel's majority; else the ruling becomes final."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_APPEAL_WINDOW, RULE_EXECUTE_RULING, RULE_PANEL_RECONVENED, RULE_RULING_DUE
from disputes.models import Appeal, AppealPanelVote, Dispute, Ruling, RulingKind
from disputes.selectors import arbitrators_eligible, final_ruling
from disputes.services._common import (
    PANEL_RECONVENE_WINDOW,
    PANEL_SIZE,
    RULING_WITHIN,
    ZERO,
    S,
    _check_ruling,
    _event,
    _refundable,
    _require_party,
    _start_stage_clock,
    _tell,
    _tell_parties,
    _when,
    dispute_lock,
)
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.org.departments import DepartmentCode, department_head


@transaction.atomic
def dispute_appeal(*, dispute: Dispute, reason: str, actor: User) -> Appeal:
    """DSP-4: either party appeals once within 3 days; a panel of three arbitrators (none the original
    arbitrator or the mediator, none with a conflict; least loaded first) decides finally."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if not reason.strip():
        raise InvalidInput(_("Say why you appeal."), errors={"reason": [_("Required.")]})
    if Appeal.objects.filter(dispute=dispute).exists():
        raise Conflict(_("A ruling can be appealed only once."), code="already_appealed")
    ruling = final_ruling(dispute)
    if ruling is not None and ruling.by_jury:
        raise Conflict(_("The public jury's verdict is final."), code="jury_verdict_final")
    if dispute.status != S.RULED:
        raise Conflict(_("There is no ruling open to appeal."), code="not_appealable")
    exclude = {pk for pk in (dispute.arbitrator_id, dispute.mediator_id) if pk is not None}
    panel = arbitrators_eligible(dispute=dispute, exclude=exclude)[:PANEL_SIZE]
    if len(panel) < PANEL_SIZE:
        raise Conflict(_("Not enough arbitrators without a conflict for a panel."), code="panel_unavailable")
    appeal = Appeal.objects.create(dispute=dispute, party=party, filed_by=actor, reason=reason)
    appeal.panel.set(panel)
    before = dispute.status
    dispute.appeal()
    dispute.save()
    deadline_cancel(rule=RULE_APPEAL_WINDOW, subject=dispute, note="appealed")
    due = _start_stage_clock(dispute, after=RULING_WITHIN)
    _event(dispute, action="appealed", actor=actor, from_status=before, note=reason)
    for member in panel:
        _tell(
            member,
            dispute,
            event="dispute_panel_assigned",
            title=_("Appeal panel"),
            body=_("You sit on the appeal panel of dispute #%(id)s; vote by %(due)s.")
            % {"id": dispute.pk, "due": _when(due)},
        )
    _tell_parties(
        dispute,
        event="dispute_appealed",
        title=_("The ruling was appealed"),
        body=_("Dispute #%(id)s: a panel of three arbitrators decides by %(due)s; their decision is final.")
        % {"id": dispute.pk, "due": _when(due)},
    )
    return appeal


def _majority(votes: list[AppealPanelVote], refundable: Decimal) -> tuple[str, Decimal] | None:
    """The panel's decision: the kind two or more members chose, at the lower amount among them (what the
    majority agrees to at least); with three different votes, the median amount. ``None`` while undecided."""
    by_kind: dict[str, list[Decimal]] = {}
    for vote in votes:
        by_kind.setdefault(vote.kind, []).append(vote.refund_amount)
    for kind, amounts in by_kind.items():
        if len(amounts) * 2 > PANEL_SIZE:
            return kind, min(amounts)
    if len(votes) < PANEL_SIZE:
        return None
    amount = sorted(v.refund_amount for v in votes)[1]
    if amount <= 0:
        return RulingKind.NO_REFUND, ZERO
    return (RulingKind.FULL_REFUND if amount >= refundable else RulingKind.PARTIAL_REFUND), amount


@transaction.atomic
def appeal_vote_cast(
    *, dispute: Dispute, kind: str, reasons: str, actor: User, refund_amount: Decimal | None = None
) -> AppealPanelVote:
    """DSP-4: a panel member votes; once a majority exists its ruling is issued (final) and execution is
    scheduled (``disputes.execute_ruling``, due at once)."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.APPEALED:
        raise Conflict(_("No appeal is being decided."), code="not_appealed")
    appeal = Appeal.objects.select_for_update().get(dispute=dispute)
    if not appeal.panel.filter(pk=actor.pk).exists():
        raise Forbidden(_("Only the panel votes."), code="not_on_panel")
    if appeal.votes.filter(arbitrator=actor).exists():
        raise Conflict(_("You already voted."), code="already_voted")
    amount = _check_ruling(dispute, kind=kind, refund_amount=refund_amount, reasons=reasons)
    vote = AppealPanelVote.objects.create(
        appeal=appeal, arbitrator=actor, kind=kind, refund_amount=amount, reasons=reasons
    )
    _event(dispute, action="panel_voted", actor=actor)
    decision = _majority(list(appeal.votes.order_by("pk")), _refundable(dispute.order))
    if decision is None:
        return vote
    kind_decided, amount_decided = decision
    majority = [v for v in appeal.votes.order_by("pk") if v.kind == kind_decided] or list(appeal.votes.all())
    _appeal_decide(
        dispute,
        appeal,
        kind=kind_decided,
        amount=amount_decided,
        reasons="\n\n".join(v.reasons for v in majority),
        actor=actor,
    )
    return vote


def _appeal_decide(
    dispute: Dispute,
    appeal: Appeal,
    *,
    kind: str,
    amount: Decimal,
    reasons: str,
    actor: User | None,
    body: str = "",
) -> None:
    """DSP-4: the panel's final ruling is issued and execution is scheduled (due at once)."""
    Ruling.objects.create(
        dispute=dispute,
        kind=kind,
        refund_amount=amount,
        reasons=reasons,
        arbitrator=None,
        is_appeal_decision=True,
    )
    appeal.decided_at = clock.now()
    appeal.save(update_fields=["decided_at"])
    before = dispute.status
    dispute.finalise()
    dispute.save()
    for rule in (RULE_RULING_DUE, RULE_PANEL_RECONVENED):
        deadline_meet(rule=rule, subject=dispute)
    deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=clock.now())
    _event(dispute, action="appeal_decided", actor=actor, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_appeal_decided",
        title=_("The appeal panel decided"),
        body=body
        or _(
            "Dispute #%(id)s: %(kind)s, %(amount)s CNY. This decision is final and executes within 24 hours."
        )
        % {"id": dispute.pk, "kind": RulingKind(kind).label, "amount": amount},
    )


def dispute_panel_deadline_passed(*, dispute: Dispute) -> None:
    """DSP-4 (the ``disputes.ruling_due`` clock of an appeal): the panel has no majority after 7 days.

    A silent member must not stall the case. The first time, each member who has not voted is replaced
    by an eligible arbitrator (not on the panel, not the case's arbitrator or mediator, no conflict, the
    least loaded), and the reconvened panel has 3 more days (``disputes.panel_reconvened``). If there
    are not enough replacements, or the reconvened panel still has no majority, the ruling under appeal
    stands: only a majority overturns it (decision note 009).
    """
    if dispute.status != S.APPEALED:
        return
    appeal = Appeal.objects.select_for_update().get(dispute=dispute)
    _tell(
        department_head(code=DepartmentCode.ARBITRATION),
        dispute,
        event="dispute_ruling_overdue",
        title=_("Appeal panel overdue"),
        body=_("Dispute #%(id)s: the appeal panel has no majority by its deadline.") % {"id": dispute.pk},
    )
    if appeal.reconvened_at is None:
        voted = set(appeal.votes.values_list("arbitrator_id", flat=True))
        members = list(appeal.panel.order_by("pk"))
        silent = [member for member in members if member.pk not in voted]
        exclude = {m.pk for m in members} | {pk for pk in (dispute.arbitrator_id, dispute.mediator_id) if pk}
        replacements = arbitrators_eligible(dispute=dispute, exclude=exclude)[: len(silent)]
        if silent and len(replacements) == len(silent):
            _panel_reconvene(dispute, appeal, silent=silent, replacements=replacements)
            return
    _appeal_ruling_stands(dispute, appeal)


def _panel_reconvene(
    dispute: Dispute, appeal: Appeal, *, silent: list[User], replacements: list[User]
) -> None:
    appeal.panel.remove(*silent)
    appeal.panel.add(*replacements)
    appeal.reconvened_at = clock.now()
    appeal.save(update_fields=["reconvened_at"])
    due = deadline_start(rule=RULE_PANEL_RECONVENED, subject=dispute, after=PANEL_RECONVENE_WINDOW).due_at
    _event(
        dispute,
        action="panel_reconvened",
        actor=None,
        note=_("replaced %(old)s with %(new)s")
        % {"old": [u.pk for u in silent], "new": [u.pk for u in replacements]},
    )
    for member in silent:
        _tell(
            member,
            dispute,
            event="dispute_panel_replaced",
            title=_("Replaced on an appeal panel"),
            body=_("Dispute #%(id)s: you did not vote in time and were replaced on the panel.")
            % {"id": dispute.pk},
        )
    for member in replacements:
        _tell(
            member,
            dispute,
            event="dispute_panel_assigned",
            title=_("Appeal panel"),
            body=_("You replace a silent member of the appeal panel of dispute #%(id)s; vote by %(due)s.")
            % {"id": dispute.pk, "due": _when(due)},
        )
    _tell_parties(
        dispute,
        event="dispute_panel_reconvened",
        title=_("The appeal panel was completed"),
        body=_(
            "Dispute #%(id)s: members who did not vote were replaced; the panel decides by %(due)s, "
            "otherwise the ruling under appeal stands."
        )
        % {"id": dispute.pk, "due": _when(due)},
    )


def _appeal_ruling_stands(dispute: Dispute, appeal: Appeal) -> None:
    appealed = dispute.rulings.filter(is_appeal_decision=False).order_by("-issued_at", "-pk").first()
    assert appealed is not None  # an appeal is always of a ruling
    _appeal_decide(
        dispute,
        appeal,
        kind=appealed.kind,
        amount=appealed.refund_amount,
        reasons=_("The appeal panel reached no majority by its deadline; the ruling under appeal stands.")
        + "\n\n"
        + appealed.reasons,
        actor=None,
        body=_(
            "Dispute #%(id)s: the panel reached no majority in time, so the ruling under appeal stands "
            "(%(kind)s, %(amount)s CNY). This is final and executes within 24 hours."
        )
        % {"id": dispute.pk, "kind": appealed.get_kind_display(), "amount": appealed.refund_amount},
    )


def dispute_appeal_window_closed(*, dispute: Dispute) -> None:
    """DSP-4: nobody appealed within 3 days; the ruling stands and executes (clock due at once)."""
    if dispute.status != S.RULED:
        return
    due = deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=clock.now()).due_at
    _event(dispute, action="ruling_final", actor=None)
    _tell_parties(
        dispute,
        event="dispute_ruling_final",
        title=_("The ruling is final"),
        body=_(
            "Dispute #%(id)s: nobody appealed within 3 days; the ruling is final and executes by %(due)s "
            "with no action needed from you."
        )
        % {"id": dispute.pk, "due": _when(due + timedelta(hours=24))},
    )
