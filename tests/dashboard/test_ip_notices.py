"""IP notices in the dashboard (CAT-7): the notices against the shop's listings, the counter-notice with
evidence files, the 15-day clock it starts; the refusals."""

from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.clocks import IP_COUNTER_RULE
from catalog.models import IpNotice, Listing
from merchants.models import Merchant, MerchantMember
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from tests.dashboard.conftest import client_as, member_of
from tests.factories.aftersales import PNG
from tests.factories.catalog import ip_notice_taken_down

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

Role = MerchantMember.Role


@pytest.fixture
def notice(make_listing: Callable[..., Listing]) -> IpNotice:
    return ip_notice_taken_down(make_listing())


def _counter(client: Client, notice: IpNotice, **data: object) -> object:
    body = {
        "statement": "我方拥有该商品的合法授权，附授权书。",
        "evidence": [SimpleUploadedFile("licence.png", PNG)],
    }
    return client.post(f"/merchant/ip-notices/{notice.pk}/counter/", body | data)


def test_cat_7_notice_is_listed_and_shown_with_its_proof(owner_client: Client, notice: IpNotice) -> None:
    response = owner_client.get("/merchant/ip-notices/")
    assert response.status_code == 200
    ((row, cd),) = response.context["rows"]
    assert row.pk == notice.pk and cd is None  # no clock before the counter-notice
    detail = owner_client.get(f"/merchant/ip-notices/{notice.pk}/").content.decode()
    assert "TM-20261207" in detail and "保温王" in detail and "不侵权声明" in detail


def test_cat_7_counter_notice_with_evidence_starts_the_15_day_clock(
    owner_client: Client, shop: Merchant, notice: IpNotice
) -> None:
    response = _counter(owner_client, notice)
    assert response.status_code == 302  # type: ignore[attr-defined]
    notice.refresh_from_db()
    assert notice.status == IpNotice.Status.COUNTER_NOTICED
    assert notice.counter_statement.startswith("我方拥有")
    (stored,) = notice.counter_proof
    assert default_storage.exists(stored) and stored.endswith(".png")
    deadline = Deadline.objects.get(rule=IP_COUNTER_RULE, subject_id=str(notice.pk))
    assert deadline.status == Deadline.Status.PENDING
    assert AuditEntry.objects.filter(
        action="ip_notice.counter_noticed", subject_id=str(notice.pk), actor=shop.owner
    ).exists()
    ((_row, cd),) = owner_client.get("/merchant/ip-notices/").context["rows"]
    assert cd["at"] == deadline.due_at and cd["hours"] in (14 * 24 + 23, 15 * 24)  # CAT-7: 15 days
    again = _counter(owner_client, notice)
    assert again.status_code == 400  # type: ignore[attr-defined]


def test_cat_7_a_counter_notice_needs_evidence_by_its_content(owner_client: Client, notice: IpNotice) -> None:
    assert _counter(owner_client, notice, evidence=[]).status_code == 400  # type: ignore[attr-defined]
    fake = SimpleUploadedFile("licence.png", b"MZ\x90\x00 not a picture")
    assert _counter(owner_client, notice, evidence=[fake]).status_code == 400  # type: ignore[attr-defined]
    notice.refresh_from_db()
    assert notice.status == IpNotice.Status.TAKEN_DOWN
    assert not Deadline.objects.filter(rule=IP_COUNTER_RULE).exists()


def test_cat_7_customer_service_reads_but_does_not_answer_and_another_shop_sees_nothing(
    category: object, shop: Merchant, notice: IpNotice
) -> None:
    from tests.factories.catalog import merchant_for

    service = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert service.get(f"/merchant/ip-notices/{notice.pk}/").status_code == 200
    assert _counter(service, notice).status_code == 403  # type: ignore[attr-defined]
    other = client_as(merchant_for(category).owner)
    assert other.get(f"/merchant/ip-notices/{notice.pk}/").status_code == 404
    assert _counter(other, notice).status_code == 404  # type: ignore[attr-defined]
    notice.refresh_from_db()
    assert notice.status == IpNotice.Status.TAKEN_DOWN


def test_cat_7_empty_state(owner_client: Client) -> None:
    response = owner_client.get("/merchant/ip-notices/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert 'class="empty"' in response.content.decode()


def test_cat_7_counter_notice_evidence_downloads_for_the_shop_and_staff_only(
    category: object, shop: Merchant, owner_client: Client, notice: IpNotice
) -> None:
    """CAT-7, SEC-4: the shop's members download the counter-notice's evidence files from the notice's
    page (an attachment under our name, the content type sniffed at upload); another shop, a customer and
    a file number that is not there get the 404 page; staff who may view notices download it in the admin."""
    from tests.factories.accounts import CustomerFactory, StaffFactory
    from tests.factories.catalog import merchant_for
    from tests.helpers.admin_otp import otp_admin_client, with_permissions

    assert _counter(owner_client, notice).status_code == 302  # type: ignore[attr-defined]
    url = f"/merchant/ip-notices/{notice.pk}/evidence/1/"
    assert url in owner_client.get(f"/merchant/ip-notices/{notice.pk}/").content.decode()
    response = owner_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="ip-notice-{notice.pk}-evidence-1.png"'
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    service = client_as(member_of(shop, Role.CUSTOMER_SERVICE))  # any member of the shop reads
    assert service.get(url).status_code == 200
    assert owner_client.get(f"/merchant/ip-notices/{notice.pk}/evidence/2/").status_code == 404
    assert client_as(merchant_for(category).owner).get(url).status_code == 404  # another shop
    assert client_as(CustomerFactory.create()).get(url).status_code == 302  # no shop: onboarding
    admin_url = f"/admin/catalog/ipnotice/{notice.pk}/evidence/1/"
    staff = with_permissions(StaffFactory.create(), "catalog.view_ipnotice")
    admin = otp_admin_client(staff)
    assert admin_url in admin.get(f"/admin/catalog/ipnotice/{notice.pk}/change/").content.decode()
    downloaded = admin.get(admin_url)
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"].startswith("attachment; filename=")
    assert otp_admin_client(StaffFactory.create()).get(admin_url).status_code == 403  # no view permission
    assert admin.get(f"/admin/catalog/ipnotice/{notice.pk}/evidence/2/").status_code == 404
