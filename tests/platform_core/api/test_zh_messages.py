"""Issue 24: no English in a zh-hans answer — permission refusals, parse errors, field names inside messages
and pre-screen reasons are all in the reader's language."""

import re
from typing import Any

import pytest

from tests.conftest import client_for
from tests.factories.catalog import draft_listing
from tests.factories.orders import shop

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _english_in(body: Any) -> list[str]:
    """English words in the people-facing parts of an error body (``code`` and field keys are for programs)."""
    texts = [str(body.get("detail", ""))]
    for messages in (body.get("errors") or {}).values():
        texts += [str(m) for m in (messages if isinstance(messages, list) else [messages])]
    return [
        word for text in texts for word in ENGLISH_WORD.findall(text) if word not in ("JSON", "SKU", "SKUs")
    ]


def test_issue24_permission_refusals_are_chinese(customer_client):
    response = customer_client.get("/api/v1/merchant/orders/", **ZH)
    assert response.status_code == 403
    assert _english_in(response.json()) == []
    assert response.json()["detail"] == "只有店铺成员可以执行此操作。"


def test_issue24_parse_errors_are_chinese(customer_client):
    response = customer_client.generic(
        "POST", "/api/v1/cart/", b'{"sku": ', content_type="application/json", **ZH
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert _english_in(response.json()) == []


def test_issue24_cat_3_field_names_and_prescreen_reasons_are_chinese():
    merchant = shop()
    owner = client_for(merchant.owner)
    listing = draft_listing(merchant=merchant, description="")
    category = merchant.categories.get()
    response = owner.post(f"/api/v1/merchant/listings/{listing.pk}/submit/", **ZH)
    assert response.status_code == 400, response.content
    body = response.json()
    assert "description" in body["errors"]  # the key stays the field's, for the form
    assert _english_in(body) == []
    assert "描述" in body["errors"]["description"][0]

    screened = owner.post(
        "/api/v1/merchant/listings/prescreen/",
        {
            "title": "保温杯",
            "description": "",
            "category": category.slug,
            "prices": ["0.00"],
        },
        format="json",
        **ZH,
    )
    assert screened.status_code == 200, screened.content
    reasons = [finding["reason"] for finding in screened.json()]
    assert reasons
    assert all(not ENGLISH_WORD.search(reason.replace("SKU", "")) for reason in reasons), reasons
