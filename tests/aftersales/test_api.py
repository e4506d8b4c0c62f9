"""AFS API: the customer's and the merchant's side, end to end through to the money back (sandbox)."""

from decimal import Decimal
from io import StringIO
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from aftersales.models import AfterSalesRequest, Evidence
from aftersales.services.returns import request_return_delivered
from merchants.models import MerchantMember
from orders.models import ProviderSettlementRecord, Refund
from platform_core.accounts.models import User
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, UserFactory
from tests.factories.aftersales import PNG, completed_order, first_line, open_request
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db

RS = AfterSalesRequest.Status


def test_afs_4_end_to_end_return_and_refund_reaches_the_customer() -> None:
    order = completed_order(prices=("120.00",))
    line = first_line(order)
    customer, merchant = client_for(order.customer), client_for(order.merchant.owner)
    refunds_clearing = ledger_account_for(kind=AccountKind.REFUNDS_CLEARING)
    clearing_before = ledger_balance(refunds_clearing)

    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
    created = customer.post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": line.pk,
            "kind": "return_refund",
            "reason_kind": "quality",
            "reason": "杯身有裂纹",
            "amount": "120.00",
            "evidence": [photo],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    request_id = body["id"]
    assert body["status"] == "requested" and body["return_shipping_payer"] == "merchant"
    assert body["clock"]["waiting_for"] == "respond_by"
    assert 0 < body["clock"]["seconds_left"] <= 24 * 3600
    assert len(body["evidence"]) == 1

    listed = merchant.get("/api/v1/merchant/aftersales/")
    assert listed.status_code == 200
    assert listed.json()["results"][0]["clock"]["seconds_left"] > 0  # time left visible to the merchant too

    missing_key = merchant.post(f"/api/v1/merchant/aftersales/{request_id}/approve/")
    assert missing_key.status_code == 400
    approved = merchant.post(
        f"/api/v1/merchant/aftersales/{request_id}/approve/", HTTP_IDEMPOTENCY_KEY="approve-1"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "awaiting_return"

    shipped = customer.post(
        f"/api/v1/aftersales/{request_id}/ship-return/", {"carrier": "ZTO", "tracking_number": "ZT778899"}
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "return_shipped"
    request_return_delivered(request=AfterSalesRequest.objects.get(pk=request_id))  # the carrier's report

    received = merchant.post(
        f"/api/v1/merchant/aftersales/{request_id}/confirm-receipt/", HTTP_IDEMPOTENCY_KEY="receipt-1"
    )
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "refunded"
    replay = merchant.post(
        f"/api/v1/merchant/aftersales/{request_id}/confirm-receipt/", HTTP_IDEMPOTENCY_KEY="receipt-1"
    )
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"

    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("120.00") and refund.status == Refund.Status.SUCCEEDED
    assert refund.idempotency_key == f"aftersales:{request_id}:refund"
    assert ledger_balance(refunds_clearing) - clearing_before == Decimal("120.00")
    assert ProviderSettlementRecord.objects.filter(
        provider="sandbox", kind="refund", reference=refund.refund_no, amount=Decimal("120.00")
    ).exists()
    detail = customer.get(f"/api/v1/aftersales/{request_id}/").json()
    assert detail["refund_no"] == refund.refund_no
    assert [e["action"] for e in detail["events"]][-2:] == ["return_received", "refunded"]
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger OK" in out.getvalue()


def test_afs_1_api_refuses_excluded_category_with_clear_message() -> None:
    from tests.factories.catalog import CategoryFactory

    order = completed_order(category=CategoryFactory(no_reason_return_excluded=True))
    response = client_for(order.customer).post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": first_line(order).pk,
            "kind": "return_refund",
            "reason_kind": "no_reason",
            "reason": "不想要了",
            "amount": "10.00",
        },
        format="json",
    )
    assert response.status_code == 409
    assert "cannot be returned without a reason" in str(response.json())


def test_sec_4_evidence_checked_by_content() -> None:
    order = completed_order()
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client_for(order.customer).post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": first_line(order).pk,
            "kind": "refund_only",
            "reason_kind": "quality",
            "reason": "坏了",
            "amount": "10.00",
            "evidence": [fake],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert not AfterSalesRequest.objects.exists() and not Evidence.objects.exists()


def test_sec_4_evidence_file_only_for_the_parties() -> None:
    order = completed_order()
    customer = client_for(order.customer)
    created = customer.post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": first_line(order).pk,
            "kind": "refund_only",
            "reason_kind": "quality",
            "reason": "坏了",
            "amount": "10.00",
            "evidence": [SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )
    evidence_id = created.json()["evidence"][0]["id"]
    url = f"/api/v1/aftersales/evidence/{evidence_id}/"
    assert customer.get(url).status_code == 200
    assert client_for(order.merchant.owner).get(url).status_code == 200
    assert client_for(CustomerFactory()).get(url).status_code == 404


def test_afs_1_customer_and_merchant_scoping_404() -> None:
    order = completed_order()
    request = open_request(order, kind="refund_only", amount="5.00")
    assert client_for(CustomerFactory()).get(f"/api/v1/aftersales/{request.pk}/").status_code == 404
    other = completed_order()
    other_merchant = client_for(other.merchant.owner)
    assert other_merchant.get(f"/api/v1/merchant/aftersales/{request.pk}/").status_code == 404
    assert (
        other_merchant.post(
            f"/api/v1/merchant/aftersales/{request.pk}/approve/", HTTP_IDEMPOTENCY_KEY="x"
        ).status_code
        == 404
    )
    assert client_for(CustomerFactory()).get("/api/v1/merchant/aftersales/").status_code == 403


def test_afs_5_merchant_refusal_requires_reason_and_customer_escalates() -> None:
    order = completed_order()
    request = open_request(order)
    merchant = client_for(order.merchant.owner)
    assert (
        merchant.post(f"/api/v1/merchant/aftersales/{request.pk}/refuse/", {"reason": ""}).status_code == 400
    )
    refused = merchant.post(f"/api/v1/merchant/aftersales/{request.pk}/refuse/", {"reason": "人为损坏"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["clock"]["waiting_for"] == "escalate_until"
    escalated = client_for(order.customer).post(
        f"/api/v1/aftersales/{request.pk}/escalate/", {"reason": "不是人为损坏"}
    )
    assert escalated.status_code == 200 and escalated.json()["escalated_to"] == "dispute"


def test_afs_6_customer_withdraws_via_api_and_cannot_twice() -> None:
    order = completed_order()
    request = open_request(order)
    customer = client_for(order.customer)
    assert customer.post(f"/api/v1/aftersales/{request.pk}/withdraw/").json()["status"] == "withdrawn"
    assert customer.post(f"/api/v1/aftersales/{request.pk}/withdraw/").status_code == 409


def test_merchant_aftersales_list_is_open_to_customer_service_not_finance() -> None:
    order = completed_order()
    open_request(order, kind="refund_only", amount="5.00")
    finance = cast(User, UserFactory())
    MerchantMember.objects.create(merchant=order.merchant, user=finance, role=MerchantMember.Role.FINANCE)
    assert client_for(finance).get("/api/v1/merchant/aftersales/").status_code == 403
    service = cast(User, UserFactory())
    MerchantMember.objects.create(
        merchant=order.merchant, user=service, role=MerchantMember.Role.CUSTOMER_SERVICE
    )
    assert client_for(service).get("/api/v1/merchant/aftersales/").status_code == 200


def test_aftersales_lists_query_budget() -> None:
    order = completed_order(prices=("10.00", "10.00", "10.00"))
    for line in order.lines.all():
        open_request(order, line=line, kind="refund_only", amount="5.00")
    merchant = client_for(order.merchant.owner)
    with assert_max_queries(12):
        response = merchant.get("/api/v1/merchant/aftersales/")
    assert response.status_code == 200 and response.json()["count"] == 3
    with assert_max_queries(12):
        assert client_for(order.customer).get("/api/v1/aftersales/").json()["count"] == 3
