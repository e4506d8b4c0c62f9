"""After-sales in the dashboard: the queue with its 24/48-hour countdowns and filters, a request with its
evidence and timeline, and the merchant's answers through the same services the merchant API calls."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aftersales.models import AfterSalesRequest, Evidence
from aftersales.services.returns import request_return_delivered, request_ship_return
from merchants.models import Merchant, MerchantMember
from orders.selectors.money import order_refunded_amount
from tests.dashboard.conftest import client_as, member_of
from tests.factories.aftersales import PNG, SpecialPeriodFactory

pytestmark = pytest.mark.django_db

RS = AfterSalesRequest.Status
Role = MerchantMember.Role
MakeRequest = Callable[..., AfterSalesRequest]


def _ids(response: object) -> list[int]:
    return [r.pk for r, _cd in response.context["rows"]]  # type: ignore[attr-defined]


def test_afs_3_queue_shows_requests_awaiting_response_with_24_hour_countdown(
    owner_client: Client, make_request: MakeRequest
) -> None:
    waiting = make_request(kind="refund_only", amount="10.00")
    response = owner_client.get("/merchant/aftersales/")
    assert response.status_code == 200
    assert _ids(response) == [waiting.pk]
    (_request, cd) = response.context["rows"][0]
    assert cd["hours"] == 23 and not cd["overdue"]  # 24 h from opening, a moment ago
    html = response.content.decode()
    assert "24 h to respond" in html and "data-countdown" in html


def test_afs_3_special_period_shows_48_hours(owner_client: Client, make_request: MakeRequest) -> None:
    now = timezone.now()
    SpecialPeriodFactory(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    found = make_request(kind="refund_only", amount="10.00")
    assert found.response_hours == 48
    response = owner_client.get("/merchant/aftersales/")
    assert response.context["rows"][0][1]["hours"] == 47
    assert "48 h to respond" in response.content.decode()


def test_afs_6_queue_filters_by_state(owner_client: Client, make_request: MakeRequest) -> None:
    waiting = make_request()
    approved = make_request()
    owner_client.post(f"/merchant/aftersales/{approved.pk}/approve/")
    approved.refresh_from_db()
    assert approved.status == RS.AWAITING_RETURN
    assert _ids(owner_client.get("/merchant/aftersales/?filter=awaiting_response")) == [waiting.pk]
    assert _ids(owner_client.get("/merchant/aftersales/?filter=awaiting_return")) == [approved.pk]
    assert _ids(owner_client.get("/merchant/aftersales/?filter=returned")) == []
    assert _ids(owner_client.get("/merchant/aftersales/?filter=closed")) == []
    assert set(_ids(owner_client.get("/merchant/aftersales/?filter=all"))) == {waiting.pk, approved.pk}


def test_afs_1_request_page_shows_evidence_and_timeline(
    owner_client: Client, make_request: MakeRequest
) -> None:
    found = make_request(reason="杯盖漏水，见照片")
    evidence = Evidence.objects.create(
        request=found,
        file=SimpleUploadedFile("e.png", PNG),
        content_type="image/png",
        size=len(PNG),
        uploaded_by=found.customer,
    )
    response = owner_client.get(f"/merchant/aftersales/{found.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "杯盖漏水，见照片" in html
    assert f"/api/v1/aftersales/evidence/{evidence.pk}/" in html
    assert [e.action for e in response.context["events"]] == ["requested"]
    assert (
        owner_client.get(f"/api/v1/aftersales/evidence/{evidence.pk}/").status_code == 200
    )  # the link opens


def test_afs_4_approving_refund_only_refunds_at_once(owner_client: Client, make_request: MakeRequest) -> None:
    found = make_request(kind="refund_only", amount="10.00")
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/approve/", {"note": "抱歉"})
    assert response.status_code == 302 and response["Location"] == f"/merchant/aftersales/{found.pk}/"
    found.refresh_from_db()
    assert found.status == RS.REFUNDED and found.responded_in_time
    assert order_refunded_amount(order=found.order) == Decimal("10.00")
    page = owner_client.get(response["Location"])
    assert "Request approved." in page.content.decode()
    assert "refunded" in [e.action for e in page.context["events"]]


def test_afs_5_refusal_without_reason_changes_nothing(
    owner_client: Client, make_request: MakeRequest
) -> None:
    found = make_request()
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/refuse/", {"reason": "  "})
    assert response.status_code == 400
    assert response.context["refuse_form"].errors["reason"]
    found.refresh_from_db()
    assert found.status == RS.REQUESTED
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/refuse/", {"reason": "商品无质量问题"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == RS.REFUSED and found.refusal_reason == "商品无质量问题"


def test_afs_4_merchant_confirms_the_returns_receipt_and_the_refund_follows(
    owner_client: Client, make_request: MakeRequest
) -> None:
    found = make_request(kind="return_refund")
    owner_client.post(f"/merchant/aftersales/{found.pk}/approve/")
    request_ship_return(request=found, carrier="SF", tracking_number="SF-RET-1", actor=found.customer)
    request_return_delivered(request=found)
    home = owner_client.get("/merchant/")
    assert f"Confirm receipt of the return of request #{found.pk}" in home.content.decode()
    assert _ids(owner_client.get("/merchant/aftersales/?filter=returned")) == [found.pk]
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/confirm-receipt/")
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == RS.REFUNDED
    assert order_refunded_amount(order=found.order) == found.amount
    assert _ids(owner_client.get("/merchant/aftersales/?filter=closed")) == [found.pk]


def test_afs_4_nothing_to_refund_is_shown_as_a_message(
    owner_client: Client, make_request: MakeRequest
) -> None:
    found = make_request()
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/refund/", follow=True)
    assert "Nothing to refund in this state." in response.content.decode()
    found.refresh_from_db()
    assert found.status == RS.REQUESTED


def test_afs_3_an_action_twice_is_refused_not_repeated(
    owner_client: Client, make_request: MakeRequest
) -> None:
    found = make_request(kind="refund_only", amount="10.00")
    owner_client.post(f"/merchant/aftersales/{found.pk}/approve/")
    response = owner_client.post(f"/merchant/aftersales/{found.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "This is not possible in the current state." in response.content.decode()
    assert order_refunded_amount(order=found.order) == Decimal("10.00")


def test_sec_1_another_shops_request_is_404(make_request: MakeRequest, category: object) -> None:
    from tests.factories.catalog import merchant_for

    found = make_request()
    stranger = client_as(merchant_for(category).owner)
    assert stranger.get(f"/merchant/aftersales/{found.pk}/").status_code == 404
    assert stranger.post(f"/merchant/aftersales/{found.pk}/approve/").status_code == 404
    found.refresh_from_db()
    assert found.status == RS.REQUESTED


@pytest.mark.parametrize(
    ("role", "approve", "refund"),
    [
        (Role.CUSTOMER_SERVICE, True, True),
        (Role.OPERATIONS, True, False),  # operations answers requests but moves no money
        (Role.FINANCE, False, True),  # finance issues refunds but does not answer customers
    ],
)
def test_afs_roles_who_may_answer_and_refund(
    shop: Merchant, make_request: MakeRequest, role: str, approve: bool, refund: bool
) -> None:
    found = make_request()
    client = client_as(member_of(shop, role))
    assert client.get("/merchant/aftersales/").status_code == 200
    assert client.get(f"/merchant/aftersales/{found.pk}/").status_code == 200
    refund_status = client.post(f"/merchant/aftersales/{found.pk}/refund/").status_code
    assert (refund_status != 403) is refund
    approve_status = client.post(f"/merchant/aftersales/{found.pk}/approve/").status_code
    assert (approve_status != 403) is approve
