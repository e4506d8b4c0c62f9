"""DSP-1 … DSP-5: the dispute lifecycle through the services and the deadline engine."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from time_machine import TimeMachineFixture

from aftersales.models import AfterSalesRequest
from disputes import deadlines
from disputes.clocks import RULE_EXECUTE_RULING
from disputes.models import Dispute, DisputeEvent
from disputes.selectors import arbitrator_conflict
from disputes.services.appeal import appeal_vote_cast, dispute_appeal
from disputes.services.arbitration import dispute_assign_arbitrator, dispute_rule
from disputes.services.evidence import dispute_evidence_submit
from disputes.services.execution import dispute_execute
from disputes.services.mediation import dispute_propose, proposal_answer
from disputes.services.suspension import dispute_suspend
from merchants.models import Violation
from orders.models import Order, Refund
from orders.selectors.money import order_holds_open, order_refunded_amount
from orders.services.payouts import payout_run_for_merchant
from orders.services.settlement import order_aftersales_window_close, order_settle
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.models import Notification
from tests.factories.disputes import (
    arbitrator,
    completed_order,
    dispute_from_refusal,
    dispute_in_arbitration,
    mediator,
    staff_dispute,
)

pytestmark = pytest.mark.django_db

S = Dispute.Status


def _fresh(dispute: Dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def test_dsp_1_dispute_holds_escrow_and_payout_moves_nothing() -> None:
    order = completed_order(prices=("200.00",))
    dispute = staff_dispute(order)
    escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order)
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant)
    assert dispute.status == S.EVIDENCE
    holds = list(order_holds_open(order=order))
    assert [h.pk for h in holds] == [dispute.hold_id]
    assert holds[0].subject == dispute  # PAY-6: visible with its reason and cause

    # the after-sales window closes during the dispute: settlement waits, a payout moves nothing
    order_aftersales_window_close(order=order)
    with pytest.raises(Conflict):
        order_settle(order=order)
    assert payout_run_for_merchant(merchant=order.merchant, period=timezone.localdate()) is None
    assert ledger_balance(escrow) == Decimal("200.00")
    assert ledger_balance(payable) == Decimal("0.00")

    # the case ends (withdrawn by staff? no: settled with no refund): the hold goes and settlement runs
    from disputes.services.suspension import dispute_withdraw

    dispute_withdraw(dispute=dispute, actor=order.customer)
    assert not order_holds_open(order=order).exists()
    assert ledger_balance(escrow) == Decimal("0.00")
    assert ledger_balance(payable) > 0


def test_dsp_1_customer_escalation_opens_dispute_with_its_own_hold() -> None:
    dispute = dispute_from_refusal(prices=("80.00",))
    assert dispute.opener_role == Dispute.OpenerRole.CUSTOMER
    assert dispute.claim_amount == Decimal("80.00")
    assert dispute.aftersales_request is not None
    assert dispute.aftersales_request.status == AfterSalesRequest.Status.ESCALATED
    assert dispute.hold is not None and dispute.hold.subject == dispute
    assert Notification.objects.filter(
        recipient=dispute.order.merchant.owner, event="dispute_opened"
    ).exists()
    assert AuditEntry.objects.filter(action="dispute.opened").exists()


def test_dsp_2a_silent_merchant_case_proceeds_after_3_days(time_machine: TimeMachineFixture) -> None:
    dispute = dispute_from_refusal()
    dispute_evidence_submit(dispute=dispute, statement="杯子有裂纹，见照片", actor=dispute.order.customer)
    time_machine.move_to(timezone.now() + timedelta(days=3) - timedelta(minutes=1))
    deadlines_sweep()
    assert _fresh(dispute).status == S.EVIDENCE  # not before the window ends
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.MEDIATION  # the merchant said nothing; no human acted
    assert dispute.evidence.filter(party="merchant").count() == 0
    # and mediation that gets nowhere in 3 days goes to the committee, assigned automatically
    committee = arbitrator()
    time_machine.move_to(timezone.now() + timedelta(days=3, minutes=1))
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.ARBITRATION
    assert dispute.arbitrator_id == committee.pk
    assert Notification.objects.filter(recipient=dispute.order.customer, event="dispute_arbitration").exists()


def test_dsp_2_mediation_lasts_3_days_then_the_sweep_sends_the_case_to_arbitration(
    time_machine: TimeMachineFixture,
) -> None:
    """Through the deadline engine only: evidence 3 days, then mediation 3 days — not yet a minute before
    each window ends, done just after."""
    dispute = staff_dispute()
    opened = timezone.now()
    time_machine.move_to(opened + timedelta(days=3, minutes=-1))
    deadlines_sweep()
    assert _fresh(dispute).status == S.EVIDENCE
    time_machine.move_to(opened + timedelta(days=3, seconds=1))
    deadlines_sweep()
    assert _fresh(dispute).status == S.MEDIATION
    window = Deadline.objects.get(rule="disputes.mediation_window", subject_id=str(dispute.pk))
    assert window.due_at == window.started_at + timedelta(days=3)
    proposal = dispute_propose(dispute=_fresh(dispute), refund_amount=Decimal("10.00"), actor=mediator())
    committee = arbitrator()

    time_machine.move_to(window.started_at + timedelta(days=3, minutes=-1))
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.MEDIATION  # not yet: a minute of mediation is left
    proposal.refresh_from_db()
    assert proposal.decided_at is None
    assert dispute.arbitrator_id is None

    time_machine.move_to(window.started_at + timedelta(days=3, seconds=1))
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.ARBITRATION  # no agreement in 3 days: the committee decides
    assert dispute.arbitrator_id == committee.pk
    proposal.refresh_from_db()
    assert proposal.decided_at is not None  # the open proposal lapsed
    window.refresh_from_db()
    assert window.status == Deadline.Status.ENFORCED


def test_dsp_2_each_side_sees_the_others_evidence_and_both_accepting_settles() -> None:
    dispute = staff_dispute(prices=("150.00",))
    customer, owner = dispute.order.customer, dispute.order.merchant.owner
    dispute_evidence_submit(dispute=dispute, statement="收到即破损", actor=customer)
    dispute_evidence_submit(dispute=dispute, statement="发货时完好", actor=owner)
    assert set(_fresh(dispute).evidence.values_list("party", flat=True)) == {"customer", "merchant"}
    from disputes.services.evidence import dispute_evidence_window_closed

    dispute_evidence_window_closed(dispute=_fresh(dispute))
    staff = mediator()
    proposal = dispute_propose(dispute=dispute, refund_amount=Decimal("60.00"), actor=staff)
    proposal_answer(proposal=proposal, accept=True, actor=customer)
    assert _fresh(dispute).status == S.MEDIATION
    proposal_answer(proposal=proposal, accept=True, actor=owner)
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("60.00")
    assert Refund.objects.get(idempotency_key=f"dispute:{dispute.pk}:settlement").amount == Decimal("60.00")
    assert not order_holds_open(order=dispute.order).exists()
    assert dispute.mediator_id == staff.pk


def test_dsp_3_mediator_cannot_be_arbitrator() -> None:
    dispute = staff_dispute()
    from disputes.services.evidence import dispute_evidence_window_closed
    from disputes.services.mediation import dispute_mediation_window_closed

    dispute_evidence_window_closed(dispute=_fresh(dispute))
    both = arbitrator()  # a committee member who also mediates
    dispute_propose(dispute=_fresh(dispute), refund_amount=Decimal("10.00"), actor=both)
    other = arbitrator()
    dispute_mediation_window_closed(dispute=_fresh(dispute))
    dispute = _fresh(dispute)
    assert dispute.status == S.ARBITRATION
    assert dispute.arbitrator_id == other.pk  # the least-loaded member is skipped for being the mediator
    assert arbitrator_conflict(dispute=dispute, user=both) == "mediator"
    with pytest.raises(Conflict) as err:
        dispute_assign_arbitrator(dispute=dispute, arbitrator=both, actor=other)
    assert err.value.code == "arbitrator_conflict"
    assert _fresh(dispute).arbitrator_id == other.pk


def test_dsp_3_onboarding_reviewer_and_merchant_member_have_a_conflict() -> None:
    from merchants.models import MerchantMember
    from tests.factories.merchants import MerchantApplicationFactory

    dispute = staff_dispute()
    reviewer, member, free = arbitrator(), arbitrator(), arbitrator()
    MerchantApplicationFactory(merchant=dispute.order.merchant, reviewer=reviewer)
    MerchantMember.objects.create(merchant=dispute.order.merchant, user=member, role="operations")
    assert arbitrator_conflict(dispute=dispute, user=reviewer) == "onboarding_reviewer"
    assert arbitrator_conflict(dispute=dispute, user=member) == "party"
    dispute = dispute_in_arbitration(dispute)
    assert dispute.arbitrator_id == free.pk


def test_dsp_3_overdue_ruling_notifies_the_arbitration_head(time_machine: TimeMachineFixture) -> None:
    from staff.models import Department

    head = arbitrator()
    Department.objects.update_or_create(
        code=Department.Code.ARBITRATION,
        defaults={"name": "仲裁委员会", "name_en": "Arbitration", "head": head},
    )
    dispute = dispute_in_arbitration(staff_dispute())
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    deadlines_sweep()
    assert Notification.objects.filter(recipient=head, event="dispute_ruling_overdue").exists()
    assert _fresh(dispute).status == S.ARBITRATION


def test_dsp_4_partial_refund_ruling_executes_once_even_if_run_twice(
    time_machine: TimeMachineFixture,
) -> None:
    committee = arbitrator()
    dispute = dispute_in_arbitration(dispute_from_refusal(prices=("300.00",)))
    assert dispute.arbitrator_id == committee.pk
    order = dispute.order
    dispute_rule(
        dispute=dispute,
        kind="partial_refund",
        refund_amount=Decimal("120.00"),
        reasons="部分瑕疵",
        actor=committee,
    )
    assert _fresh(dispute).status == S.RULED
    time_machine.move_to(timezone.now() + timedelta(days=3, minutes=1))
    deadlines_sweep()  # the appeal window closes and (same or next sweep) the execution clock runs
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED
    assert dispute.refunded_amount == Decimal("120.00")
    # run the execution again, as a duplicate task would: nothing more moves
    dispute_execute(dispute=dispute)
    deadlines.execute_ruling(_fresh(dispute))
    assert order_refunded_amount(order=order) == Decimal("120.00")
    assert Refund.objects.filter(order=order).count() == 1
    assert (
        Violation.objects.filter(
            merchant=order.merchant, kind="refusing_valid_returns", source="dispute"
        ).count()
        == 1
    )
    assert not order_holds_open(order=order).exists()  # neither the dispute's nor the request's hold
    assert dispute.aftersales_request is not None
    dispute.aftersales_request.refresh_from_db()
    assert dispute.aftersales_request.status == "closed"  # the request followed the ruling
    execution = Deadline.objects.get(rule=RULE_EXECUTE_RULING, subject_id=str(dispute.pk))
    assert execution.status in ("met", "enforced")
    assert execution.resolved_at is not None and execution.resolved_at - execution.due_at < timedelta(
        hours=24
    )
    assert DisputeEvent.objects.filter(dispute=dispute, action="executed").count() == 1


def test_dsp_4_no_refund_ruling_releases_hold_without_penalty(time_machine: TimeMachineFixture) -> None:
    committee = arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("90.00",)))
    dispute_rule(dispute=dispute, kind="no_refund", reasons="证据不足", actor=committee)
    time_machine.move_to(timezone.now() + timedelta(days=3, minutes=1))
    deadlines_sweep()
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.merchant_lost is False
    assert not order_holds_open(order=dispute.order).exists()
    assert not Violation.objects.filter(merchant=dispute.order.merchant).exists()


def test_dsp_4_appeal_panel_two_to_one_majority() -> None:
    first = arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("400.00",)))
    assert dispute.arbitrator_id == first.pk
    dispute_rule(dispute=dispute, kind="no_refund", reasons="证据不足", actor=first)
    panel_members = [arbitrator() for _ in range(3)]
    appeal = dispute_appeal(dispute=dispute, reason="有新证据", actor=dispute.order.customer)
    panel = set(appeal.panel.values_list("pk", flat=True))
    assert panel == {u.pk for u in panel_members} and first.pk not in panel
    with pytest.raises(Conflict):
        dispute_appeal(dispute=dispute, reason="再次上诉", actor=dispute.order.merchant.owner)
    a, b, c = panel_members
    appeal_vote_cast(
        dispute=dispute, kind="partial_refund", refund_amount=Decimal("150.00"), reasons="部分支持", actor=a
    )
    appeal_vote_cast(dispute=dispute, kind="no_refund", reasons="维持原裁决", actor=b)
    assert _fresh(dispute).status == S.APPEALED
    appeal_vote_cast(
        dispute=dispute, kind="partial_refund", refund_amount=Decimal("150.00"), reasons="同意", actor=c
    )
    dispute = _fresh(dispute)
    assert dispute.status == S.FINAL
    final = dispute.rulings.get(is_appeal_decision=True)
    assert (final.kind, final.refund_amount) == ("partial_refund", Decimal("150.00"))
    deadlines_sweep()  # execution is due at once
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED
    assert order_refunded_amount(order=dispute.order) == Decimal("150.00")


def test_dsp_2a_suspension_resumes_after_30_days(time_machine: TimeMachineFixture) -> None:
    dispute = dispute_in_arbitration(staff_dispute())
    left_before = Deadline.objects.get(
        rule="disputes.ruling_due", subject_id=str(dispute.pk), status="pending"
    )
    remaining = left_before.due_at - timezone.now()
    dispute_suspend(dispute=dispute, reason="已向公安机关报案", actor=mediator())
    assert _fresh(dispute).status == S.SUSPENDED
    time_machine.move_to(timezone.now() + timedelta(days=29))
    deadlines_sweep()
    assert _fresh(dispute).status == S.SUSPENDED  # the ruling clock is paused, nothing overdue
    time_machine.move_to(timezone.now() + timedelta(days=1, minutes=1))
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.ARBITRATION
    running = Deadline.objects.get(rule="disputes.ruling_due", subject_id=str(dispute.pk), status="pending")
    assert abs((running.due_at - timezone.now()) - remaining) < timedelta(minutes=5)
    assert Notification.objects.filter(recipient=dispute.order.customer, event="dispute_resumed").exists()


def test_dsp_5_withdrawal_releases_the_hold_and_stops_clocks() -> None:
    from disputes.services.suspension import dispute_withdraw

    dispute = staff_dispute()
    dispute_withdraw(dispute=dispute, actor=dispute.order.customer)
    dispute = _fresh(dispute)
    assert dispute.status == S.WITHDRAWN
    assert not order_holds_open(order=dispute.order).exists()
    assert not Deadline.objects.filter(
        subject_id=str(dispute.pk), rule__startswith="disputes.", status="pending"
    ).exists()
    assert Order.objects.get(pk=dispute.order_id).status == Order.Status.COMPLETED
