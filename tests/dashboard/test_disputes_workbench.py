"""DSP-4, DSP-6 (issue 22): the shop's side of a dispute in the seller centre beyond evidence and
proposals: appeal a ruling within its window, confirm a returned item's receipt (the refund executes), and
consent to the public jury. Each button calls the service the merchant API calls."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from disputes.models import Appeal, Dispute, DisputeReturn
from disputes.services.arbitration import dispute_rule
from disputes.services.evidence import dispute_evidence_window_closed
from disputes.services.mediation import dispute_propose, proposal_answer
from disputes.services.returns import dispute_return_ship
from jury.models import JuryCase
from platform_core.audit.models import AuditEntry
from tests.factories.disputes import arbitrator, dispute_in_arbitration, mediator

pytestmark = pytest.mark.django_db

S = Dispute.Status


def _fresh(dispute: Dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def test_dsp_4_the_shop_appeals_a_ruling_once_within_its_window(
    owner_client: Client, make_dispute: Callable[[], Dispute]
) -> None:
    committee = arbitrator()
    dispute = dispute_in_arbitration(make_dispute())
    dispute_rule(dispute=dispute, kind="full_refund", reasons="商品与描述不符", actor=committee)
    [arbitrator() for _ in range(3)]  # the appeal panel
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    assert f"/merchant/disputes/{dispute.pk}/appeal/" in page
    owner_client.post(f"/merchant/disputes/{dispute.pk}/appeal/", {"reason": "顾客寄回的是另一件商品"})
    assert _fresh(dispute).status == S.APPEALED
    appeal = Appeal.objects.get(dispute=dispute)
    assert appeal.party == "merchant" and appeal.reason == "顾客寄回的是另一件商品"
    assert AuditEntry.objects.filter(action="dispute.appealed", subject_id=str(dispute.pk)).exists()
    owner_client.post(f"/merchant/disputes/{dispute.pk}/appeal/", {"reason": "再次上诉"})
    assert Appeal.objects.filter(dispute=dispute).count() == 1  # once only
    assert (
        f"/merchant/disputes/{dispute.pk}/appeal/"
        not in owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    )


def test_dsp_4_the_shop_confirms_the_returned_item_and_the_refund_executes(
    owner_client: Client, make_dispute: Callable[[], Dispute]
) -> None:
    dispute = make_dispute()
    dispute_evidence_window_closed(dispute=_fresh(dispute))
    amount = dispute.order.total
    proposal = dispute_propose(dispute=dispute, refund_amount=amount, return_required=True, actor=mediator())
    proposal_answer(proposal=proposal, accept=True, actor=dispute.order.customer)
    proposal_answer(proposal=proposal, accept=True, actor=dispute.order.merchant.owner)
    url = f"/merchant/disputes/{dispute.pk}/return-received/"
    owner_client.post(url)  # not shipped back yet: nothing happens
    assert DisputeReturn.objects.get(dispute=dispute).status == DisputeReturn.Status.AWAITING_SHIPMENT
    dispute_return_ship(dispute=dispute, carrier="ZTO", tracking_number="ZTO42", actor=dispute.order.customer)
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    assert url in page and "ZTO42" in page
    owner_client.post(url)
    case = DisputeReturn.objects.get(dispute=dispute)
    assert case.status == DisputeReturn.Status.RECEIVED and not case.received_automatically
    dispute = _fresh(dispute)
    assert dispute.status == S.CLOSED and dispute.refunded_amount == Decimal(amount)
    assert AuditEntry.objects.filter(action="dispute.return_received", subject_id=str(dispute.pk)).exists()


def test_dsp_6_the_shop_consents_to_the_public_jury(
    owner_client: Client, make_dispute: Callable[[], Dispute]
) -> None:
    dispute = make_dispute()
    url = f"/merchant/disputes/{dispute.pk}/jury-consent/"
    assert url in owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    owner_client.post(url)
    case = JuryCase.objects.get(dispute=dispute)
    assert case.merchant_consented_at is not None and case.customer_consented_at is None
    assert AuditEntry.objects.filter(action="jury.consent_given").exists()


def test_dsp_6_the_jury_page_shows_the_shops_consent_and_refuses_a_second(
    owner_client: Client, make_dispute: Callable[[], Dispute]
) -> None:
    """DSP-6: the page says whether (and when) the shop consented; a second consent is refused (409) with
    the date of the first, and changes nothing."""
    dispute = make_dispute()
    url = f"/merchant/disputes/{dispute.pk}/jury-consent/"
    before = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert before.status_code == 200 and before.context["may_consent"]
    assert "尚未同意" in before.content.decode() and 'method="post"' in before.content.decode()
    assert owner_client.post(url).status_code == 302
    case = JuryCase.objects.get(dispute=dispute)
    after = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    at = timezone.localtime(case.merchant_consented_at).strftime("%Y-%m-%d %H:%M")
    assert f"已于 {at} 同意" in after and f'action="{url}"' not in after  # no button a second time
    again = owner_client.post(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert again.status_code == 409 and f"贵店已于 {at} 同意" in again.content.decode()
    case.refresh_from_db()
    assert timezone.localtime(case.merchant_consented_at).strftime("%Y-%m-%d %H:%M") == at
    assert AuditEntry.objects.filter(action="jury.consent_given").count() == 1


def test_dsp_1_the_shop_may_open_a_dispute_only_where_the_rules_let_it(
    owner_client: Client, shop: Any, category: Any, make_completed_order: Callable[[], Any]
) -> None:
    """DSP-1: "open a dispute" shows on an order only with an unresolved complaint and no open dispute;
    elsewhere the form says why and a POST is refused (409); another shop's order is a 404; a file that
    is not a PDF/JPEG/PNG by content opens nothing (400); the opening is the service's (audited, held)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dashboard.conftest import client_as, member_of
    from tests.factories.aftersales import PNG, file_complaint
    from tests.factories.catalog import merchant_for

    order = make_completed_order()
    url = f"/merchant/orders/{order.pk}/dispute/"
    body = {"reason": "顾客的投诉与事实不符"}
    assert (
        'data-testid="open-dispute"' not in owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    )
    assert 'data-testid="no-dispute"' in owner_client.get(url).content.decode()
    complaint = file_complaint(complainant=order.customer, order=order)
    assert owner_client.post(url, body).status_code == 400  # the complaint is not chosen: nothing opens
    assert url in owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    assert client_as(merchant_for(category).owner).get(url).status_code == 404
    assert client_as(member_of(shop, "finance")).get(url).status_code == 403  # not party to disputes
    fake = SimpleUploadedFile("签收.png", b"MZ\x90\x00 not a picture")
    bad = owner_client.post(url, body | {"complaint": complaint.pk, "evidence_files": [fake]})
    assert bad.status_code == 400 and not Dispute.objects.filter(order=order).exists()
    ok = owner_client.post(
        url, body | {"complaint": complaint.pk, "evidence_files": [SimpleUploadedFile("签收.png", PNG)]}
    )
    assert ok.status_code == 302
    dispute = Dispute.objects.get(order=order)
    assert dispute.complaint_id == complaint.pk and dispute.opener_role == Dispute.OpenerRole.MERCHANT
    assert dispute.hold is not None and dispute.evidence.get().files.count() == 1  # PAY-6, DSP-2
    again = owner_client.post(url, body | {"complaint": complaint.pk})
    assert again.status_code == 409 and Dispute.objects.filter(order=order).count() == 1
    assert (
        'data-testid="open-dispute"' not in owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    )
