"""DSP-2: mediation (3 days): the mediator's proposal, the parties' answers, a settlement; else arbitration.

DSP-6: when mediation fails, ``arbitration_routers`` may take the case instead of the committee (the public
jury, ``jury/``); its verdict is recorded by ``dispute_rule_by_jury`` (final) and executes like any other
ruling; a jury that cannot decide hands the case back through ``dispute_refer_to_committee``.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_MEDIATION_WINDOW, RULE_RULING_DUE
from disputes.models import Dispute, MediationProposal, Party
from disputes.selectors import arbitrator_pick, party_of
from disputes.services._common import (
    PERM_MEDIATE,
    RULING_WITHIN,
    ZERO,
    S,
    _amount,
    _event,
    _refundable,
    _require_party,
    _start_stage_clock,
    _stop_clocks,
    _tell,
    _tell_parties,
    _when,
    dispute_lock,
)
from disputes.services.arbitration import _assign
from disputes.services.execution import _carry_out
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_time_left
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.hooks import Hook
from platform_core.locking import lock
from platform_core.org.departments import DepartmentCode, department_head


class ArbitrationRouter(Protocol):
    def __call__(self, *, dispute: Dispute) -> bool: ...


arbitration_routers = Hook[ArbitrationRouter](
    "disputes.arbitration_routers",
    doc=(
        "DSP-6: mediation ended without agreement; the dispute is locked, just in arbitration, its ruling "
        "clock running. A router that answers True has taken the case (the public jury) and the "
        "committee is not assigned now; the first True wins."
    ),
)


@transaction.atomic
def dispute_propose(
    *, dispute: Dispute, refund_amount: Decimal, return_required: bool = False, note: str = "", actor: User
) -> MediationProposal:
    """DSP-2: the mediator (``disputes.mediate_dispute``) proposes a settlement; earlier open proposals
    lapse. The first proposer becomes the case's mediator (and can then never arbitrate it, DSP-3)."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if not (actor.is_staff and actor.has_perm(PERM_MEDIATE)):
        raise Forbidden(_("Only a mediator may propose a settlement."), code="not_mediator")
    if dispute.mediator_id is not None and dispute.mediator_id != actor.pk:
        raise Forbidden(_("Another mediator handles this case."), code="not_case_mediator")
    if dispute.status != S.MEDIATION:
        raise Conflict(_("The case is not in mediation."), code="not_in_mediation")
    if party_of(dispute=dispute, user=actor) is not None:
        raise Forbidden(_("A party cannot mediate its own case."), code="conflict_of_interest")
    amount = _amount(refund_amount)
    if amount > _refundable(dispute.order):
        raise InvalidInput(_("More than the customer paid."), errors={"refund_amount": [_("Too much.")]})
    now = clock.now()
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(decided_at=now)
    if dispute.mediator_id is None:
        dispute.mediator = actor
        dispute.save(update_fields=["mediator"])
    proposal = MediationProposal.objects.create(
        dispute=dispute, proposed_by=actor, refund_amount=amount, return_required=return_required, note=note
    )
    left = deadline_time_left(rule=RULE_MEDIATION_WINDOW, subject=dispute)
    due = now + left if left is not None else now
    _event(dispute, action="settlement_proposed", actor=actor, note=f"{amount} CNY")
    _tell_parties(
        dispute,
        event="dispute_settlement_proposed",
        title=_("A settlement is proposed"),
        body=_("Dispute #%(id)s: refund %(amount)s CNY%(ret)s. Accept or reject by %(due)s.")
        % {
            "id": dispute.pk,
            "amount": amount,
            "ret": _(", item to be returned") if return_required else "",
            "due": _when(due),
        },
    )
    return proposal


@transaction.atomic
def proposal_answer(*, proposal: MediationProposal, accept: bool, actor: User) -> MediationProposal:
    """DSP-2: a party accepts or rejects; both accepting settles the case and executes it at once
    (refund keyed ``dispute:<id>:settlement``, hold released, case closed)."""
    dispute = dispute_lock(dispute_id=proposal.dispute_id)
    party = _require_party(dispute, actor)
    proposal = lock(MediationProposal, proposal.pk)
    if dispute.status != S.MEDIATION or not proposal.is_open:
        raise Conflict(_("This proposal is no longer open."), code="proposal_closed")
    if party == Party.CUSTOMER:
        proposal.customer_accepted = accept
    else:
        proposal.merchant_accepted = accept
    if not accept or (proposal.customer_accepted and proposal.merchant_accepted):
        proposal.decided_at = clock.now()
    proposal.save()
    _event(
        dispute, action="settlement_accepted" if accept else "settlement_rejected", actor=actor, note=party
    )
    if proposal.customer_accepted and proposal.merchant_accepted:
        _settle(dispute, proposal=proposal, actor=actor)
    elif not accept and dispute.mediator is not None:
        _tell(
            dispute.mediator,
            dispute,
            event="dispute_settlement_rejected",
            title=_("Settlement rejected"),
            body=_("Dispute #%(id)s: the %(party)s rejected the proposal.")
            % {"id": dispute.pk, "party": party},
        )
    return proposal


def _settle(dispute: Dispute, *, proposal: MediationProposal, actor: User | None) -> None:
    amount = min(proposal.refund_amount, _refundable(dispute.order))
    with_return = proposal.return_required and amount > 0
    before = dispute.status
    dispute.settle(amount=ZERO if with_return else amount)
    dispute.save()
    _stop_clocks(dispute, note="settled")
    _event(dispute, action="settled", actor=actor, from_status=before, note=f"{amount} CNY")
    _carry_out(
        dispute,
        amount=amount,
        key=f"dispute:{dispute.pk}:settlement",
        with_return=with_return,
        event="dispute_settled",
        title=_("Dispute settled"),
        actor=actor,
    )


def dispute_mediation_window_closed(*, dispute: Dispute) -> None:
    """DSP-2a, DSP-3: no agreement in 3 days; the case goes to the arbitration committee."""
    if dispute.status != S.MEDIATION:
        return
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(decided_at=clock.now())
    before = dispute.status
    dispute.escalate()
    dispute.save()
    due = _start_stage_clock(dispute, after=RULING_WITHIN)
    _event(dispute, action="arbitration_started", actor=None, from_status=before)
    if any(router(dispute=dispute) for router in arbitration_routers):
        return
    _to_committee(dispute, due=due)


def _to_committee(dispute: Dispute, *, due: Any) -> None:
    arbitrator = arbitrator_pick(dispute=dispute)
    if arbitrator is not None:
        _assign(dispute, arbitrator=arbitrator, actor=None)
    else:
        _tell(
            department_head(code=DepartmentCode.ARBITRATION),
            dispute,
            event="dispute_no_arbitrator",
            title=_("No arbitrator available"),
            body=_("Dispute #%(id)s needs an arbitrator without a conflict.") % {"id": dispute.pk},
        )
    _tell_parties(
        dispute,
        event="dispute_arbitration",
        title=_("Your dispute goes to arbitration"),
        body=_("Dispute #%(id)s: the arbitration committee rules by %(due)s on the evidence on file.")
        % {"id": dispute.pk, "due": _when(due)},
    )


def dispute_refer_to_committee(*, dispute: Dispute, note: str) -> None:
    """DSP-3, DSP-6: a case an ``arbitration_routers`` entry took (the public jury) comes back to the
    committee — an arbitrator is assigned as usual; the 7-day ruling clock keeps running from the start of
    arbitration. The caller holds the dispute's lock."""
    if dispute.status != S.ARBITRATION or dispute.arbitrator_id is not None:
        return
    _event(dispute, action="referred_to_committee", actor=None, note=note)
    left = deadline_time_left(rule=RULE_RULING_DUE, subject=dispute)
    _to_committee(dispute, due=clock.now() + (left or timedelta(0)))
