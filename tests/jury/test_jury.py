"""DSP-6: the public jury — consent, the draw (never a juror linked to a party), the anonymised case file,
the vote, the majority's verdict executed through disputes, and the committee when votes fall short."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient
from time_machine import TimeMachineFixture

from disputes.models import Dispute, Party, Ruling
from disputes.services.appeal import dispute_appeal
from disputes.services.evidence import dispute_evidence_submit
from jury.models import Juror, JuryCase
from jury.selectors import jurors_eligible, jury_tally
from jury.services import jury_arbitration_router, jury_draw, jury_vote_cast
from merchants.models import MerchantMember
from orders.models import Refund
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.models import Notification
from tests.dashboard.conftest import client_as
from tests.factories.disputes import arbitrator, dispute_in_arbitration, staff_dispute
from tests.factories.jury import consented_dispute, juror_candidate, juror_pool
from tests.factories.orders import checkout, deposit_paid, pay, sku_for_sale
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db

S = Dispute.Status
V = JuryCase.Verdict


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fresh(dispute: Dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def _convened(price: str = "200.00") -> tuple[Dispute, JuryCase]:
    juror_pool(13)
    dispute = dispute_in_arbitration(consented_dispute(price=price))
    case = JuryCase.objects.get(dispute=dispute)
    assert case.status == JuryCase.Status.DELIBERATING, case.outcome_note
    return dispute, case


def _vote(case: JuryCase, votes: list[tuple[str, str | None]]) -> None:
    for seat, (kind, amount) in zip(case.jurors.order_by("pk"), votes, strict=False):
        jury_vote_cast(
            case=case,
            juror=seat.user,
            vote=kind,
            refund_amount=Decimal(amount) if amount else None,
            reasons=f"juror {seat.pk}: {kind}",
        )


# --- the draw -----------------------------------------------------------------------------------------------


def test_dsp_6_juror_linked_to_merchant_never_drawn(time_machine: TimeMachineFixture) -> None:
    dispute = consented_dispute()
    order = dispute.order
    merchant, owner = order.merchant, order.merchant.owner
    clean = juror_pool(13)
    same_phone = juror_candidate()  # ships to the shop owner's phone (phones are unique per account)
    checkout(customer=same_phone, items=[(sku_for_sale(), 1)], shipping_phone=owner.phone)
    same_address = juror_candidate()
    checkout(customer=same_address, items=[(sku_for_sale(), 1)], shipping_address=order.shipping_address)
    recent_buyer = juror_candidate()
    checkout(customer=recent_buyer, items=[(sku_for_sale(merchant=merchant), 1)])
    member = juror_candidate()
    MerchantMember.objects.create(merchant=merchant, user=member, role=MerchantMember.Role.CUSTOMER_SERVICE)
    # a control: an order with the merchant more than 90 days ago is no link any more
    old_buyer = juror_candidate()
    time_machine.move_to(timezone.now() - timedelta(days=91))
    checkout(customer=old_buyer, items=[(sku_for_sale(merchant=merchant), 1)])
    time_machine.move_to(timezone.now() + timedelta(days=91))
    not_a_juror = User.objects.get(pk=juror_candidate().pk)
    not_a_juror.user_permissions.clear()

    eligible = {u.pk for u in jurors_eligible(dispute=dispute)}
    linked = {same_phone.pk, same_address.pk, recent_buyer.pk, member.pk}
    assert eligible == {u.pk for u in clean} | {old_buyer.pk}
    assert not eligible & linked
    assert order.customer_id not in eligible and owner.pk not in eligible and not_a_juror.pk not in eligible
    for seed in range(25):
        drawn = {u.pk for u in jury_draw(dispute=dispute, rng=random.Random(seed))}
        assert len(drawn) == 13 and not drawn & linked
    # reproducible with a seeded generator
    assert jury_draw(dispute=dispute, rng=random.Random(7)) == jury_draw(
        dispute=dispute, rng=random.Random(7)
    )


def test_dsp_6_juror_sharing_a_payment_account_never_drawn() -> None:
    dispute = consented_dispute()
    order = dispute.order
    deposit_paid(order.merchant, payer_account="sbx-shop-card")  # the shop pays its deposit
    customer_account = order.payments.get().payer_account
    assert customer_account  # the disputed order's payment recorded who paid
    clean = juror_pool(13)
    linked = []
    for account in (customer_account, "sbx-shop-card"):
        candidate = juror_candidate()
        linked.append(candidate.pk)
        sku = sku_for_sale()  # another shop; shipped to the candidate's own phone and address
        other = checkout(
            customer=candidate,
            items=[(sku, 1)],
            shipping_phone=candidate.phone,
            shipping_address=f"上海市徐汇区漕溪北路{candidate.pk}号",
        )[0]
        pay(other, payer_account=account)
    control = juror_candidate()  # pays from their own account: no link
    pay(
        checkout(customer=control, items=[(sku_for_sale(), 1)], shipping_phone=control.phone)[0],
    )

    eligible = {u.pk for u in jurors_eligible(dispute=dispute)}
    assert eligible == {u.pk for u in clean} | {control.pk}
    for seed in range(10):
        drawn = {u.pk for u in jury_draw(dispute=dispute, rng=random.Random(seed))}
        assert len(drawn) == 13 and not drawn & set(linked)


def test_dsp_6_fewer_than_13_eligible_goes_to_committee() -> None:
    juror_pool(12)
    committee = arbitrator()
    dispute = dispute_in_arbitration(consented_dispute())
    case = JuryCase.objects.get(dispute=dispute)
    assert case.status == JuryCase.Status.REFERRED and "13" in case.outcome_note
    assert dispute.status == S.ARBITRATION and dispute.arbitrator_id == committee.pk


# --- consent ------------------------------------------------------------------------------------------------


def test_dsp_6_both_parties_consent_through_the_api() -> None:
    dispute = staff_dispute(prices=("120.00",))
    customer, owner = dispute.order.customer, dispute.order.merchant.owner
    first = _client(customer).post(f"/api/v1/disputes/{dispute.pk}/jury-consent/")
    assert first.status_code == 200, first.content
    assert first.json()["customer_consented"] and not first.json()["merchant_consented"]
    assert Notification.objects.filter(recipient=owner, event="jury_consent_given").exists()
    again = _client(customer).post(f"/api/v1/disputes/{dispute.pk}/jury-consent/")
    assert again.status_code == 409 and again.json()["code"] == "jury_consent_given"
    # the customer cannot consent for the shop, nor the shop on the customer's route
    assert _client(customer).post(f"/api/v1/merchant/disputes/{dispute.pk}/jury-consent/").status_code in {
        403,
        404,
    }
    assert _client(owner).post(f"/api/v1/disputes/{dispute.pk}/jury-consent/").status_code == 404
    second = _client(owner).post(f"/api/v1/merchant/disputes/{dispute.pk}/jury-consent/")
    assert second.status_code == 200, second.content
    assert second.json()["customer_consented"] and second.json()["merchant_consented"]
    assert AuditEntry.objects.filter(action="jury.consent_given").count() == 2


def test_dsp_6_a_second_consent_is_a_409_in_the_api_as_in_the_dashboard(platform_default_language) -> None:
    """A party consents once: the API answers a second consent as the seller centre does — 409, a transition
    not allowed now — naming when the first one was given, in the platform's language (Chinese)."""
    dispute = staff_dispute(prices=("120.00",))
    customer, owner = dispute.order.customer, dispute.order.merchant.owner
    routes = {
        customer: f"/api/v1/disputes/{dispute.pk}/jury-consent/",
        owner: f"/api/v1/merchant/disputes/{dispute.pk}/jury-consent/",
    }
    for user, url in routes.items():
        assert _client(user).post(url).status_code == 200
    case = JuryCase.objects.get(dispute=dispute)
    assert case.customer_consented_at and case.merchant_consented_at
    at = timezone.localtime(case.customer_consented_at).strftime("%Y-%m-%d %H:%M")
    for user, url in routes.items():
        again = _client(user).post(url)
        assert again.status_code == 409, again.content
        assert again.json()["code"] == "jury_consent_given"
        assert at in again.json()["detail"] and "同意只能作出一次" in again.json()["detail"]
    english = _client(customer).post(routes[customer], HTTP_ACCEPT_LANGUAGE="en")
    assert "You already consented to a public jury on" in english.json()["detail"]
    assert AuditEntry.objects.filter(action="jury.consent_given").count() == 2
    dashboard = client_as(owner).post(f"/merchant/disputes/{dispute.pk}/jury-consent/")
    assert dashboard.status_code == 409


def test_dsp_6_over_500_not_eligible() -> None:
    dispute = staff_dispute(prices=("500.01",))
    response = _client(dispute.order.customer).post(f"/api/v1/disputes/{dispute.pk}/jury-consent/")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "jury_amount_over_limit"
    assert not JuryCase.objects.filter(dispute=dispute).exists()
    # ¥500 itself is small enough
    at_limit = staff_dispute(prices=("500.00",))
    assert (
        _client(at_limit.order.customer).post(f"/api/v1/disputes/{at_limit.pk}/jury-consent/").status_code
        == 200
    )


def test_dsp_6_consent_after_arbitration_started_refused() -> None:
    arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("100.00",)))
    response = _client(dispute.order.customer).post(f"/api/v1/disputes/{dispute.pk}/jury-consent/")
    assert response.status_code == 409 and response.json()["code"] == "jury_consent_closed"


def test_dsp_6_consent_by_only_one_party_goes_to_committee() -> None:
    juror_pool(13)
    committee = arbitrator()
    dispute = dispute_in_arbitration(consented_dispute(parties=(Party.CUSTOMER,)))
    case = JuryCase.objects.get(dispute=dispute)
    assert case.status == JuryCase.Status.REFERRED
    assert not case.jurors.exists()
    assert dispute.status == S.ARBITRATION and dispute.arbitrator_id == committee.pk
    assert Notification.objects.filter(recipient=dispute.order.customer, event="dispute_arbitration").exists()


def test_dsp_6_case_without_consent_is_not_touched_by_the_router() -> None:
    dispute = staff_dispute()
    assert jury_arbitration_router(dispute=dispute) is False
    assert not JuryCase.objects.exists()


# --- the juror's view ---------------------------------------------------------------------------------------


def test_dsp_6_juror_sees_anonymised_file_and_cannot_see_other_cases() -> None:
    juror_pool(13)
    dispute = consented_dispute()
    order = dispute.order
    customer = order.customer
    dispute_evidence_submit(
        dispute=dispute,
        statement=f"我是{customer.name}，电话{order.shipping_phone}，地址{order.shipping_address}，杯子有裂纹",
        actor=customer,
    )
    dispute_evidence_submit(
        dispute=dispute, statement="发货时完好，可致电 138-1234-5678", actor=order.merchant.owner
    )
    dispute = dispute_in_arbitration(dispute)
    case = JuryCase.objects.get(dispute=dispute)
    seat = case.jurors.order_by("pk").first()
    assert seat is not None
    assert Notification.objects.filter(recipient=seat.user, event="jury_drawn").exists()
    assert Notification.objects.filter(event="jury_drawn").count() == 13

    client = _client(seat.user)
    with assert_max_queries(4):  # count, page, the caller's seat: independent of the number of cases
        listing = client.get("/api/v1/jury/cases/")
    assert [c["id"] for c in listing.json()["results"]] == [case.pk]
    response = _client(seat.user).get(f"/api/v1/jury/cases/{case.pk}/")
    assert response.status_code == 200, response.content
    body = response.content.decode()
    for secret in (
        customer.name,
        order.shipping_phone,
        order.shipping_address,
        order.number,
        "138-1234-5678",
        order.merchant.name,
        customer.phone,
    ):
        assert secret not in body, secret
    file = response.json()["case_file"]
    assert [s["party"] for s in file["statements"]] == ["customer", "merchant"]
    assert "杯子有裂纹" in file["statements"][0]["statement"]
    assert file["order"]["lines"][0]["line_total"] == "200.00"
    assert file["refundable_amount"] == "200.00"

    outsider = juror_candidate()  # holds the permission but was not drawn
    assert _client(outsider).get(f"/api/v1/jury/cases/{case.pk}/").status_code == 404
    assert _client(outsider).get("/api/v1/jury/cases/").json()["results"] == []
    assert (
        _client(outsider).post(f"/api/v1/jury/cases/{case.pk}/vote/", {"vote": "no_refund"}).status_code
        == 404
    )
    assert _client(customer).get(f"/api/v1/jury/cases/{case.pk}/").status_code == 404


def test_dsp_6_juror_votes_once_through_the_api() -> None:
    _, case = _convened()
    seat = case.jurors.order_by("pk").first()
    assert seat is not None
    client = _client(seat.user)
    url = f"/api/v1/jury/cases/{case.pk}/vote/"
    assert client.post(url, {"vote": "partial_refund"}, format="json").status_code == 400  # amount missing
    assert (
        client.post(url, {"vote": "partial_refund", "refund_amount": "200.00"}, format="json").status_code
        == 400
    )
    response = client.post(url, {"vote": "partial_refund", "refund_amount": "80.00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["my_vote"]["refund_amount"] == "80.00"
    again = client.post(url, {"vote": "no_refund"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_voted"


# --- the verdict --------------------------------------------------------------------------------------------


def test_dsp_6_13_jurors_7_6_vote_executes_majority() -> None:
    dispute, case = _convened("200.00")
    assert case.jurors.count() == 13 and dispute.arbitrator_id is None
    escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=dispute.order)
    assert ledger_balance(escrow) == Decimal("200.00")

    _vote(case, [(V.NO_REFUND, None)] * 6 + [(V.FULL_REFUND, None)] * 6)
    case.refresh_from_db()
    assert case.status == JuryCase.Status.DELIBERATING  # 12 of 13: the vote is still open
    last = case.jurors.filter(voted_at__isnull=True).get()
    jury_vote_cast(case=case, juror=last.user, vote=V.FULL_REFUND, reasons="裂纹照片可信")

    case.refresh_from_db()
    assert case.status == JuryCase.Status.DECIDED and case.verdict == V.FULL_REFUND
    ruling = Ruling.objects.get(dispute=dispute)
    assert ruling.by_jury and ruling.arbitrator_id is None and ruling.kind == "full_refund"
    assert ruling.refund_amount == Decimal("200.00") and "裂纹照片可信" in ruling.reasons
    assert _fresh(dispute).status == S.RULED
    with pytest.raises(Conflict):  # the jury's verdict is final
        dispute_appeal(dispute=dispute, reason="不服", actor=dispute.order.merchant.owner)

    deadlines_sweep()  # disputes' own execution clock, due at once
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("200.00")
    assert dispute.merchant_lost is True
    assert Refund.objects.filter(order=dispute.order).count() == 1
    assert Refund.objects.get(idempotency_key=f"dispute:{dispute.pk}:ruling").amount == Decimal("200.00")
    assert ledger_balance(escrow) == Decimal("0.00")
    deadlines_sweep()  # nothing moves twice
    assert Refund.objects.filter(order=dispute.order).count() == 1
    call_command("verify_ledger")
    assert AuditEntry.objects.filter(action="jury.decided").exists()


def test_dsp_6_fewer_than_7_votes_goes_to_committee(time_machine: TimeMachineFixture) -> None:
    dispute, case = _convened()
    committee = arbitrator()
    _vote(case, [(V.FULL_REFUND, None)] * 6)
    start = timezone.now()
    time_machine.move_to(start + timedelta(hours=47, minutes=59))
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == JuryCase.Status.DELIBERATING
    time_machine.move_to(start + timedelta(hours=48, minutes=1))
    deadlines_sweep()
    case.refresh_from_db()
    dispute = _fresh(dispute)
    assert case.status == JuryCase.Status.REFERRED and "6" in case.outcome_note
    assert dispute.status == S.ARBITRATION and dispute.arbitrator_id == committee.pk
    assert not Ruling.objects.filter(dispute=dispute).exists()
    assert Notification.objects.filter(recipient=committee, event="dispute_assigned").exists()
    late = case.jurors.filter(voted_at__isnull=True).first()
    assert late is not None
    with pytest.raises(Conflict):
        jury_vote_cast(case=case, juror=late.user, vote=V.NO_REFUND)


def test_dsp_6_seven_votes_at_48h_decide_partial_refund_at_median(time_machine: TimeMachineFixture) -> None:
    dispute, case = _convened("200.00")
    _vote(
        case,
        [(V.PARTIAL_REFUND, a) for a in ("50.00", "60.00", "70.00", "80.00", "90.00")]
        + [(V.NO_REFUND, None)] * 2,
    )
    time_machine.move_to(timezone.now() + timedelta(hours=48, minutes=1))
    deadlines_sweep()
    deadlines_sweep()
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal("70.00")
    assert Ruling.objects.get(dispute=dispute).kind == "partial_refund"


def test_dsp_6_tally_needs_a_majority_of_votes_cast() -> None:
    d = Decimal
    assert jury_tally([(V.FULL_REFUND, None)] * 7 + [(V.NO_REFUND, None)] * 6) == (V.FULL_REFUND, None)
    assert jury_tally([(V.NO_REFUND, None)] * 4 + [(V.FULL_REFUND, None)] * 4) is None  # a tie
    assert (
        jury_tally([(V.NO_REFUND, None)] * 3 + [(V.FULL_REFUND, None)] * 3 + [(V.PARTIAL_REFUND, d("5"))])
        is None
    )
    partial = [(V.PARTIAL_REFUND, d(a)) for a in ("10", "40", "20", "30")] + [(V.NO_REFUND, None)]
    assert jury_tally(partial) == (V.PARTIAL_REFUND, d("20"))


def test_dsp_6_no_majority_goes_to_committee() -> None:
    dispute, case = _convened()
    committee = arbitrator()
    _vote(case, [(V.FULL_REFUND, None)] * 5 + [(V.NO_REFUND, None)] * 4 + [(V.PARTIAL_REFUND, "50.00")] * 4)
    case.refresh_from_db()
    assert case.status == JuryCase.Status.REFERRED
    assert _fresh(dispute).arbitrator_id == committee.pk


def test_dsp_6_withdrawn_dispute_ends_the_vote(time_machine: TimeMachineFixture) -> None:
    from disputes.services.suspension import dispute_withdraw

    dispute, case = _convened()
    dispute_withdraw(dispute=dispute, actor=dispute.order.customer)
    seat = case.jurors.order_by("pk").first()
    assert seat is not None
    with pytest.raises(Conflict):
        jury_vote_cast(case=case, juror=seat.user, vote=V.NO_REFUND)
    time_machine.move_to(timezone.now() + timedelta(hours=48, minutes=1))
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == JuryCase.Status.ENDED
    assert Juror.objects.filter(case=case, voted_at__isnull=False).count() == 0
    assert not Ruling.objects.filter(dispute=dispute).exists()
