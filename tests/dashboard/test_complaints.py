"""Complaints in the dashboard: those about the shop with their status and history, and one filed by the
shop (CMP-1, CMP-2)."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.models import Complaint
from merchants.models import Merchant, MerchantMember
from orders.models import Order
from orders.selectors.money import order_holds_open
from tests.dashboard.conftest import client_as, member_of
from tests.factories.aftersales import PNG, file_complaint

pytestmark = pytest.mark.django_db

Role = MerchantMember.Role


def test_cmp_2_complaint_about_the_shop_is_listed_with_its_clock_and_history(
    owner_client: Client, make_completed_order: Callable[..., Order]
) -> None:
    order = make_completed_order()
    complaint = file_complaint(complainant=order.customer, order=order, description="客服一直不回复")
    response = owner_client.get("/merchant/complaints/")
    assert response.status_code == 200
    ((row, cd),) = response.context["rows"]
    assert row.pk == complaint.pk and cd["hours"] == 23  # CMP-2: acknowledged within 24 hours
    detail = owner_client.get(f"/merchant/complaints/{complaint.pk}/")
    assert detail.status_code == 200
    assert [s.action for s in detail.context["steps"]] == ["filed"]
    html = detail.content.decode()
    assert "客服一直不回复" in html and order.number in html
    assert str(order.customer.phone) not in html  # who complained is not shown


def test_cmp_1_merchant_files_a_complaint_about_its_order_with_evidence(
    owner_client: Client, shop: Merchant, make_completed_order: Callable[..., Order]
) -> None:
    order = make_completed_order()
    response = owner_client.post(
        "/merchant/complaints/",
        {
            "target_kind": "order",
            "order_number": order.number,
            "category": "other",
            "description": "买家恶意差评并索要额外赔偿",
            "evidence": [SimpleUploadedFile("chat.png", PNG)],
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(order=order)
    assert complaint.complainant_kind == Complaint.ComplainantKind.MERCHANT
    assert complaint.complainant_merchant == shop
    assert complaint.evidence.count() == 1
    assert response["Location"] == f"/merchant/complaints/{complaint.pk}/"
    assert any(h.reason.startswith("Complaint") or "投诉" in h.reason for h in order_holds_open(order=order))
    listed = owner_client.get("/merchant/complaints/").content.decode()
    assert "filed by you" in listed


def test_cmp_1_merchant_files_a_complaint_about_the_platform(owner_client: Client) -> None:
    response = owner_client.post(
        "/merchant/complaints/",
        {"target_kind": "platform", "category": "platform_service", "description": "结算延迟"},
    )
    assert response.status_code == 302
    assert Complaint.objects.get().target_kind == Complaint.TargetKind.PLATFORM


def test_cmp_1_an_order_number_of_another_shop_is_refused(owner_client: Client, category: object) -> None:
    from tests.factories.aftersales import completed_order

    foreign = completed_order()
    response = owner_client.post(
        "/merchant/complaints/",
        {"target_kind": "order", "order_number": foreign.number, "category": "other", "description": "x"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["order_number"]
    assert not Complaint.objects.exists()


def test_cmp_2_another_shops_complaint_is_404(
    owner_client: Client, make_completed_order: Callable[..., Order]
) -> None:
    from tests.factories.aftersales import completed_order

    foreign = completed_order()
    complaint = file_complaint(complainant=foreign.customer, order=foreign)
    assert owner_client.get(f"/merchant/complaints/{complaint.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.CUSTOMER_SERVICE, 200), (Role.OPERATIONS, 200), (Role.FINANCE, 403)]
)
def test_cmp_complaints_page_roles(shop: Merchant, role: str, expected: int) -> None:
    assert client_as(member_of(shop, role)).get("/merchant/complaints/").status_code == expected
