"""DSP-1, DSP-2, DSP-4 through the customer and merchant APIs; others' disputes are 404."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.models import AfterSalesRequest
from aftersales.services.requests import request_refuse
from disputes.models import Dispute
from disputes.services.evidence import dispute_evidence_window_closed
from disputes.services.mediation import dispute_propose
from orders.models import Refund
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.aftersales import PNG, completed_order, open_request
from tests.factories.disputes import mediator

pytestmark = pytest.mark.django_db


def _refused_request() -> AfterSalesRequest:
    order = completed_order(prices=("100.00",))
    request = open_request(order)
    return request_refuse(request=request, reason="无质量问题", actor=order.merchant.owner)


def test_dsp_1_customer_opens_dispute_on_refused_request_via_api() -> None:
    request = _refused_request()
    customer = client_for(request.customer)
    response = customer.post("/api/v1/disputes/", {"aftersales_request": request.pk, "reason": "确有裂纹"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "evidence" and body["claim_amount"] == "100.00"
    assert body["deadline"]["rule"] == "disputes.evidence_window"
    request.refresh_from_db()
    assert request.status == AfterSalesRequest.Status.ESCALATED
    assert Dispute.objects.get(pk=body["id"]).hold is not None
    assert customer.get("/api/v1/disputes/").json()["count"] == 1


def test_dsp_2_both_sides_see_each_others_evidence_and_strangers_get_404() -> None:
    request = _refused_request()
    customer = client_for(request.customer)
    opened = customer.post(
        "/api/v1/disputes/", {"aftersales_request": request.pk, "reason": "确有裂纹"}
    ).json()
    dispute_id = opened["id"]
    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
    posted = customer.post(
        f"/api/v1/disputes/{dispute_id}/evidence/",
        {"statement": "见照片", "files": [photo]},
        format="multipart",
    )
    assert posted.status_code == 201, posted.content
    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00not an image", content_type="image/png")
    refused = customer.post(
        f"/api/v1/disputes/{dispute_id}/evidence/", {"statement": "x", "files": [fake]}, format="multipart"
    )
    assert refused.status_code == 400
    merchant = client_for(request.order.merchant.owner)
    answered = merchant.post(
        f"/api/v1/merchant/disputes/{dispute_id}/evidence/", {"statement": "发货时完好"}, format="multipart"
    )
    assert answered.status_code == 201, answered.content
    seen_by_customer = customer.get(f"/api/v1/disputes/{dispute_id}/").json()
    seen_by_merchant = merchant.get(f"/api/v1/merchant/disputes/{dispute_id}/").json()
    for seen in (seen_by_customer, seen_by_merchant):
        assert [e["party"] for e in seen["evidence"]] == ["customer", "merchant"]
    file_id = seen_by_customer["evidence"][0]["files"][0]["id"]
    assert merchant.get(f"/api/v1/disputes/files/{file_id}/").status_code == 200
    stranger = client_for(CustomerFactory())
    assert stranger.get(f"/api/v1/disputes/{dispute_id}/").status_code == 404
    assert stranger.get(f"/api/v1/disputes/files/{file_id}/").status_code == 404
    assert stranger.post(f"/api/v1/disputes/{dispute_id}/withdraw/").status_code == 404


def test_dsp_2_both_accept_via_api_settles_and_refunds_once() -> None:
    request = _refused_request()
    customer, merchant = client_for(request.customer), client_for(request.order.merchant.owner)
    dispute_id = customer.post(
        "/api/v1/disputes/", {"aftersales_request": request.pk, "reason": "确有裂纹"}
    ).json()["id"]
    dispute_evidence_window_closed(dispute=Dispute.objects.get(pk=dispute_id))
    proposal = dispute_propose(
        dispute=Dispute.objects.get(pk=dispute_id), refund_amount=Decimal("40.00"), actor=mediator()
    )
    url = f"/api/v1/disputes/{dispute_id}/proposals/{proposal.pk}/accept/"
    assert customer.post(url).status_code == 400  # money-moving: Idempotency-Key required
    assert customer.post(url, HTTP_IDEMPOTENCY_KEY="c-1").status_code == 200
    merchant_url = f"/api/v1/merchant/disputes/{dispute_id}/proposals/{proposal.pk}/accept/"
    done = merchant.post(merchant_url, HTTP_IDEMPOTENCY_KEY="m-1")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "closed" and done.json()["refunded_amount"] == "40.00"
    assert merchant.post(merchant_url, HTTP_IDEMPOTENCY_KEY="m-1").status_code == 200  # replay
    assert Refund.objects.filter(order=request.order).count() == 1
