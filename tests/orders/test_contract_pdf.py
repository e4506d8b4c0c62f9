"""ORD-1: the contract is retrievable by both parties as a PDF rendered from the snapshot at purchase."""

import pytest

from orders.documents import contract_paragraphs
from tests.conftest import client_for
from tests.factories.orders import pending_order
from tests.helpers.pdf import pdf_text

pytestmark = pytest.mark.django_db


def test_ord_1_contract_pdf_reproduces_the_snapshot_for_both_parties() -> None:
    order = pending_order()
    customer = client_for(order.customer)
    by_query = customer.get(f"/api/v1/orders/{order.pk}/contract/?format=pdf")
    by_accept = client_for(order.merchant.owner).get(
        f"/api/v1/orders/{order.pk}/contract/", HTTP_ACCEPT="application/pdf"
    )
    for response in (by_query, by_accept):
        assert response.status_code == 200, response.content[:200]
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    text = pdf_text(by_query.content)
    assert order.number in text
    assert order.merchant.legal_name in text and order.merchant.credit_code in text
    line = order.lines.get()
    assert line.title in text and line.sku_code in text
    # the JSON answer is still there
    assert customer.get(f"/api/v1/orders/{order.pk}/contract/").json()["order"] == order.number


def test_ord_1_contract_pdf_is_the_snapshot_not_todays_data() -> None:
    order = pending_order()
    contract = order.contract
    contract["agreement"] = {
        "version": "2.0",
        "title": "平台服务协议",
        "body": "第一条 商品质量。\n第二条 售后服务。",
    }
    order.contract = contract
    order.save(update_fields=["contract"])
    order.merchant.legal_name = "改名后的公司"  # a later change does not rewrite the contract
    order.merchant.save(update_fields=["legal_name"])

    texts = [text for _style, text in contract_paragraphs(order)]
    joined = "\n".join(texts)
    assert texts[0].endswith(order.number)
    assert contract["merchant"]["legal_name"] in joined and "改名后的公司" not in joined
    assert "2.0" in joined and "第二条 售后服务。" in texts
    assert "7-day no-reason return" in joined and "Ships within (hours): 72" in joined
    pdf = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/contract/?format=pdf").content
    assert "第二条 售后服务。" in pdf_text(pdf)


def test_ord_1_contract_pdf_is_not_for_strangers() -> None:
    order = pending_order()
    stranger = pending_order().customer
    assert client_for(stranger).get(f"/api/v1/orders/{order.pk}/contract/?format=pdf").status_code == 404


def test_ord_1_a_pdf_request_that_fails_answers_json() -> None:
    """Under /api/ an error is JSON even when the caller asked for the PDF (401 signed out, 404 not theirs)."""
    from rest_framework.test import APIClient

    order = pending_order()
    signed_out = APIClient().get(f"/api/v1/orders/{order.pk}/contract/?format=pdf")
    assert signed_out.status_code == 401
    assert signed_out["Content-Type"].startswith("application/json") and "code" in signed_out.json()
    stranger = client_for(pending_order().customer)
    hidden = stranger.get(f"/api/v1/orders/{order.pk}/contract/?format=pdf")
    assert hidden.status_code == 404
    assert hidden["Content-Type"].startswith("application/json") and "code" in hidden.json()
