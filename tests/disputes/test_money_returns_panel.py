"""DSP-1 after settlement (payable and deposit held), DSP-4 returns and the silent appeal-panel member,
DSP-3 ruling templates and the committee's workload."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from time_machine import TimeMachineFixture

from disputes.models import Dispute, DisputeReturn, Ruling, RulingTemplate
from disputes.selectors import committee_workload
from disputes.services._common import dispute_merchant_holds
from disputes.services.appeal import appeal_vote_cast, dispute_appeal
from disputes.services.arbitration import dispute_rule
from disputes.services.mediation import dispute_propose, proposal_answer
from orders.models import Refund
from orders.selectors.money import order_refunded_amount
from orders.services.payouts import payout_run_for_merchant
from orders.services.settlement import order_aftersales_window_close
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.disputes import (
    arbitrator,
    completed_order,
    dispute_from_refusal,
    dispute_in_arbitration,
    mediator,
    staff_dispute,
)
from tests.factories.orders import shop_category

pytestmark = pytest.mark.django_db

S = Dispute.Status


def _fresh(dispute: Dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def _sweep_after(time_machine: TimeMachineFixture, delta: timedelta) -> None:
    time_machine.move_to(timezone.now() + delta)
    deadlines_sweep()
    deadlines_sweep()  # clocks started by the first sweep that are due at once (execution)


def _rule(dispute: Dispute, kind: str, amount: str | None = None) -> Ruling:
    assert dispute.arbitrator is not None
    return dispute_rule(
        dispute=dispute,
        kind=kind,
        refund_amount=Decimal(amount) if amount is not None else None,
        reasons="理由",
        actor=dispute.arbitrator,
    )


# --- DSP-1: a dispute after settlement ------------------------------------------------------------------


def test_dsp_1_dispute_after_settlement_holds_payable_and_deposit_and_execution_refunds_from_them(
    time_machine: TimeMachineFixture,
) -> None:
    committee = arbitrator()
    order = completed_order(prices=("200.00",), category=shop_category(commission_rate="0.0500"))
    order_aftersales_window_close(order=order)  # settled: 190 to the payable, 10 commission
    order.refresh_from_db()
    assert order.settled_at is not None
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant)
    deposit = ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=order.merchant)
    assert ledger_balance(payable) == Decimal("190.00")
    deposit_before = ledger_balance(deposit)
    assert deposit_before >= Decimal("10.00")

    dispute = staff_dispute(order)
    holds = dispute_merchant_holds(dispute=dispute)
    # the payable (190) cannot cover what may be refunded (200): the deposit is held too
    assert {h.account_id for h in holds} == {payable.pk, deposit.pk}
    assert all(h.subject == dispute and str(dispute.pk) in h.reason for h in holds)

    # a payout during the case moves nothing; nor can the deposit be returned
    assert payout_run_for_merchant(merchant=order.merchant, period=timezone.localdate()) is None
    assert ledger_balance(payable) == Decimal("190.00")
    with pytest.raises(Conflict):
        ledger_post(
            idempotency_key=f"test-deposit-refund-{dispute.pk}",
            kind=TransactionKind.DEPOSIT_REFUND,
            postings=[
                (deposit, -Decimal("1.00")),
                (ledger_account_for(kind=AccountKind.PAYOUT_CLEARING), Decimal("1.00")),
            ],
        )

    dispute = dispute_in_arbitration(dispute)
    assert dispute.arbitrator_id == committee.pk
    _rule(dispute, "full_refund")
    _sweep_after(time_machine, timedelta(days=3, minutes=1))  # unappealed: final, executes

    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("200.00")
    assert order_refunded_amount(order=order) == Decimal("200.00")
    assert Refund.objects.filter(order=order).count() == 1
    assert ledger_balance(payable) == Decimal("0.00")
    assert ledger_balance(deposit) == deposit_before - Decimal("10.00")
    assert not dispute_merchant_holds(dispute=dispute)  # released when the case closed
    assert Notification.objects.filter(recipient=order.merchant.owner, event="dispute_deposit_drawn").exists()
    call_command("verify_ledger")


def test_dsp_1_payable_alone_is_held_when_it_covers_what_may_be_refunded() -> None:
    order = completed_order(prices=("100.00",))
    order_aftersales_window_close(order=order)
    payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant)
    ledger_post(  # the shop's other sales, not yet paid out
        idempotency_key=f"test-other-sales-{order.pk}",
        kind=TransactionKind.ADJUSTMENT,
        postings=[
            (ledger_account_for(kind=AccountKind.PLATFORM_REVENUE), -Decimal("500.00")),
            (payable, Decimal("500.00")),
        ],
    )
    dispute = staff_dispute(order)
    assert [h.account_id for h in dispute_merchant_holds(dispute=dispute)] == [payable.pk]


def test_dsp_1_dispute_before_settlement_holds_only_the_escrow() -> None:
    dispute = staff_dispute(completed_order(prices=("50.00",)))
    assert dispute.hold is not None and dispute.hold.released_at is None
    assert dispute_merchant_holds(dispute=dispute) == []


# --- DSP-4, AFS-4: returns --------------------------------------------------------------------------------


def test_dsp_4_return_required_ruling_refunds_only_after_merchant_confirms_receipt(
    time_machine: TimeMachineFixture,
) -> None:
    arbitrator()
    dispute = dispute_in_arbitration(dispute_from_refusal(prices=("120.00",)))
    order = dispute.order
    _rule(dispute, "return_required", "120.00")
    _sweep_after(time_machine, timedelta(days=3, minutes=1))

    dispute = _fresh(dispute)
    assert dispute.status == S.EXECUTED  # executed, but the refund waits for the item
    assert order_refunded_amount(order=order) == 0
    assert dispute.hold is not None and dispute.hold.released_at is None
    assert Notification.objects.filter(recipient=order.customer, event="dispute_return_required").exists()
    assert Notification.objects.filter(recipient=order.merchant.owner, event="dispute_ruling_final").exists()

    customer, merchant = client_for(order.customer), client_for(order.merchant.owner)
    missing = customer.post(f"/api/v1/disputes/{dispute.pk}/return/", {"carrier": "SF"})
    assert missing.status_code == 400 and "tracking_number" in missing.json()["errors"]
    shipped = customer.post(
        f"/api/v1/disputes/{dispute.pk}/return/", {"carrier": "SF", "tracking_number": "SF123456789"}
    )
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["return_case"]["status"] == "shipped"
    assert shipped.json()["deadline"]["rule"] == "disputes.return_receipt"
    assert order_refunded_amount(order=order) == 0
    assert Notification.objects.filter(
        recipient=order.merchant.owner, event="dispute_return_shipped"
    ).exists()

    url = f"/api/v1/merchant/disputes/{dispute.pk}/return/receive/"
    assert customer.post(url, HTTP_IDEMPOTENCY_KEY="x").status_code in (403, 404)  # not the shop's
    received = merchant.post(url, HTTP_IDEMPOTENCY_KEY="r-1")
    assert received.status_code == 200, received.content
    body = received.json()
    assert body["status"] == "closed" and body["refunded_amount"] == "120.00"
    assert body["return_case"]["received_automatically"] is False
    assert merchant.post(url, HTTP_IDEMPOTENCY_KEY="r-1").status_code == 200  # replay moves nothing
    assert order_refunded_amount(order=order) == Decimal("120.00")
    assert _fresh(dispute).hold.released_at is not None  # type: ignore[union-attr]
    call_command("verify_ledger")


def test_dsp_4_return_not_shipped_within_7_days_refund_lapses(time_machine: TimeMachineFixture) -> None:
    arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("80.00",)))
    _rule(dispute, "return_required", "80.00")
    _sweep_after(time_machine, timedelta(days=3, minutes=1))
    assert DisputeReturn.objects.get(dispute=dispute).status == DisputeReturn.Status.AWAITING_SHIPMENT

    _sweep_after(time_machine, timedelta(days=7) - timedelta(minutes=5))
    assert _fresh(dispute).status == S.EXECUTED  # not yet
    _sweep_after(time_machine, timedelta(minutes=10))

    dispute = _fresh(dispute)
    assert DisputeReturn.objects.get(dispute=dispute).status == DisputeReturn.Status.LAPSED
    assert dispute.status == S.CLOSED and dispute.refunded_amount == 0
    assert order_refunded_amount(order=dispute.order) == 0
    assert dispute.hold is not None and dispute.hold.released_at is not None
    assert Notification.objects.filter(
        recipient=dispute.order.customer, event="dispute_return_lapsed"
    ).exists()


def test_dsp_4_settlement_with_return_receipt_confirmed_automatically_after_7_days(
    time_machine: TimeMachineFixture,
) -> None:
    dispute = staff_dispute(prices=("60.00",))
    from disputes.services.evidence import dispute_evidence_window_closed

    dispute_evidence_window_closed(dispute=_fresh(dispute))
    proposal = dispute_propose(
        dispute=dispute, refund_amount=Decimal("60.00"), return_required=True, actor=mediator()
    )
    order = dispute.order
    proposal_answer(proposal=proposal, accept=True, actor=order.customer)
    proposal_answer(proposal=proposal, accept=True, actor=order.merchant.owner)
    dispute = _fresh(dispute)
    assert dispute.status == S.SETTLED and order_refunded_amount(order=order) == 0

    from disputes.services.returns import dispute_return_ship

    dispute_return_ship(dispute=dispute, carrier="ZTO", tracking_number="ZTO42", actor=order.customer)
    _sweep_after(time_machine, timedelta(days=7, minutes=1))  # the merchant stays silent

    dispute = _fresh(dispute)
    case = DisputeReturn.objects.get(dispute=dispute)
    assert case.status == DisputeReturn.Status.RECEIVED and case.received_automatically
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("60.00")
    assert order_refunded_amount(order=order) == Decimal("60.00")
    assert Refund.objects.get(order=order).idempotency_key == f"dispute:{dispute.pk}:settlement"


# --- DSP-4: a silent appeal-panel member --------------------------------------------------------------------


def _appealed(n_arbitrators: int, price: str = "100.00") -> tuple[Dispute, list[User]]:
    committee = [arbitrator() for _ in range(n_arbitrators)]
    dispute = dispute_in_arbitration(staff_dispute(prices=(price,)))
    _rule(dispute, "partial_refund", "40.00")
    appeal = dispute_appeal(dispute=dispute, reason="不服", actor=dispute.order.customer)
    assert len(committee) == n_arbitrators
    return _fresh(dispute), list(appeal.panel.order_by("pk"))


def test_dsp_4_silent_panel_members_are_replaced_and_the_reconvened_panel_decides(
    time_machine: TimeMachineFixture,
) -> None:
    dispute, panel = _appealed(6)
    a, b, c = panel
    appeal_vote_cast(dispute=dispute, kind="full_refund", reasons="全额", actor=a)
    _sweep_after(time_machine, timedelta(days=7, minutes=1))  # b and c stay silent

    dispute = _fresh(dispute)
    assert dispute.status == S.APPEALED  # not stalled, not decided: reconvened
    appeal = dispute.appeal_case
    assert appeal.reconvened_at is not None
    members = set(appeal.panel.values_list("pk", flat=True))
    assert a.pk in members and not {b.pk, c.pk} & members and len(members) == 3
    replacement = next(u for u in appeal.panel.all() if u.pk != a.pk)
    assert Notification.objects.filter(recipient=replacement, event="dispute_panel_assigned").exists()
    assert Notification.objects.filter(recipient=b, event="dispute_panel_replaced").exists()
    with pytest.raises(Exception):  # noqa: B017 - a replaced member no longer votes
        appeal_vote_cast(dispute=dispute, kind="no_refund", reasons="x", actor=b)

    appeal_vote_cast(dispute=dispute, kind="full_refund", reasons="同意", actor=replacement)
    dispute = _fresh(dispute)
    assert dispute.status == S.FINAL
    assert dispute.rulings.get(is_appeal_decision=True).kind == "full_refund"


def test_dsp_4_panel_without_majority_after_reconvening_leaves_the_ruling_standing(
    time_machine: TimeMachineFixture,
) -> None:
    dispute, panel = _appealed(5)
    a, b, _silent = panel
    appeal_vote_cast(dispute=dispute, kind="full_refund", reasons="全额", actor=a)
    appeal_vote_cast(dispute=dispute, kind="no_refund", reasons="驳回", actor=b)
    _sweep_after(time_machine, timedelta(days=7, minutes=1))
    assert _fresh(dispute).appeal_case.reconvened_at is not None
    _sweep_after(time_machine, timedelta(days=3, minutes=1))  # the replacement is silent too

    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED  # decided (the ruling under appeal stands), executed
    final = dispute.rulings.get(is_appeal_decision=True)
    assert (final.kind, final.refund_amount) == ("partial_refund", Decimal("40.00"))
    assert order_refunded_amount(order=dispute.order) == Decimal("40.00")


def test_dsp_4_no_replacement_available_the_ruling_stands_at_the_panel_deadline(
    time_machine: TimeMachineFixture,
) -> None:
    dispute, panel = _appealed(4)  # the case's arbitrator and exactly three panel members
    appeal_vote_cast(dispute=dispute, kind="no_refund", reasons="驳回", actor=panel[0])
    _sweep_after(time_machine, timedelta(days=7, minutes=1))
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("40.00")


# --- DSP-3: templates and workload ------------------------------------------------------------------------


def test_dsp_3_ruling_template_fills_the_reasons_in_the_admin_form(platform_default_language: str) -> None:
    committee = arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("100.00",)))
    template = RulingTemplate.objects.create(
        kind="partial_refund",
        name_zh="部分退款：轻微瑕疵",
        name_en="Partial refund: minor defect",
        reasons="订单 {order_number} 存在轻微瑕疵，退款 {refund_amount} 元。{unknown}",
    )
    RulingTemplate.objects.create(kind="no_refund", name_zh="驳回", name_en="Dismissed", reasons="证据不足")
    committee.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="disputes", codename__in=("add_ruling", "view_ruling", "view_dispute")
        )
    )
    console = Client()
    console.force_login(committee)
    form = console.get("/admin/disputes/ruling/add/")
    assert "部分退款：轻微瑕疵" in form.content.decode()  # the platform speaks Chinese by default
    wrong_kind = console.post(
        "/admin/disputes/ruling/add/",
        {"dispute": dispute.pk, "kind": "full_refund", "template": template.pk, "reasons": ""},
    )
    assert wrong_kind.status_code == 200 and not Ruling.objects.exists()
    ruled = console.post(
        "/admin/disputes/ruling/add/",
        {
            "dispute": dispute.pk,
            "kind": "partial_refund",
            "refund_amount": "25.00",
            "template": template.pk,
            "reasons": "另：包装完好。",
        },
    )
    assert ruled.status_code == 302, ruled.content.decode()[:2000]
    ruling = Ruling.objects.get(dispute=dispute)
    assert (
        ruling.reasons
        == f"订单 {dispute.order.number} 存在轻微瑕疵，退款 25.00 元。{{unknown}}\n\n另：包装完好。"
    )
    template.name_en = "Partial refund: minor defect"
    from django.utils import translation

    with translation.override("en"):
        assert template.name == "Partial refund: minor defect"
    with translation.override("zh-hans"):
        assert template.name == "部分退款：轻微瑕疵"


def test_dsp_3_committee_workload_shows_open_overdue_and_oldest_deadline(
    time_machine: TimeMachineFixture,
) -> None:
    busy, idle = arbitrator(), arbitrator()
    first = dispute_in_arbitration(staff_dispute(prices=("30.00",)))
    assert first.arbitrator_id == busy.pk
    _sweep_after(time_machine, timedelta(days=1))
    second = dispute_in_arbitration(staff_dispute(prices=("30.00",)))
    assert second.arbitrator_id == idle.pk  # the least loaded
    _sweep_after(time_machine, timedelta(days=6, hours=12))  # first is overdue, second not yet

    rows = {row.arbitrator.pk: row for row in committee_workload()}
    assert [d.pk for d in rows[busy.pk].open_cases] == [first.pk]
    assert rows[busy.pk].overdue == 1 and rows[idle.pk].overdue == 0
    oldest = rows[busy.pk].oldest_due_at
    assert oldest is not None and oldest < timezone.now()
    assert next(iter(rows)) == busy.pk  # the most pressing first

    root = Client()
    root.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = root.get("/admin/disputes/dispute/workload/")
    assert page.status_code == 200
    assert f"#{first.pk}" in page.content.decode() and f"#{second.pk}" in page.content.decode()
