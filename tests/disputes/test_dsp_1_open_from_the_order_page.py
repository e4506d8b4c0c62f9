"""DSP-1, VIO-1 through the admin (issue 21: "opening a dispute or recording a violation from the order or
merchant page itself"): the order's page offers "发起纠纷" to the DSP-1 add page with the order filled in,
the merchant's page "记录违规" to the VIO-1 add page with the merchant chosen; each only to staff who may do
it."""

import re

import pytest
from django.contrib.auth.models import Permission

from platform_core.accounts.roles import Role
from tests.factories.accounts import StaffFactory
from tests.factories.disputes import completed_order, mediator
from tests.factories.merchants import MerchantFactory
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def _links(html: str, label: str) -> list[str]:
    return re.findall(rf'<a href="([^"]+)" class="addlink">{label}</a>', html)


def _may_view(user, codename: str):
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_dsp_1_open_a_dispute_from_the_order_page_in_admin() -> None:
    order = completed_order(prices=("80.00",))
    page = admin_signed_in(_may_view(mediator(), "view_order")).get(
        f"/admin/orders/order/{order.pk}/change/", **ZH
    )
    assert page.status_code == 200
    (link,) = _links(page.content.decode(), "发起纠纷")
    assert link == f"/admin/disputes/dispute/add/?order={order.number}"
    form = admin_signed_in(mediator()).get(link, **ZH).content.decode()
    assert f'name="order" value="{order.number}"' in form

    finance = _may_view(StaffFactory(role=Role.STAFF_FINANCE), "view_order")
    other = admin_signed_in(finance).get(f"/admin/orders/order/{order.pk}/change/", **ZH)
    assert other.status_code == 200 and not _links(other.content.decode(), "发起纠纷")


def test_vio_1_record_a_violation_from_the_merchant_page_in_admin() -> None:
    merchant = MerchantFactory.create()
    officer = _may_view(StaffFactory.create(role=Role.STAFF_COMPLIANCE), "view_merchant")
    page = admin_signed_in(officer).get(f"/admin/merchants/merchant/{merchant.pk}/change/", **ZH)
    assert page.status_code == 200
    (link,) = _links(page.content.decode(), "记录违规")
    assert link == f"/admin/merchants/violation/add/?merchant={merchant.pk}"
    form = admin_signed_in(officer).get(link, **ZH).content.decode()
    assert re.search(rf'<option value="{merchant.pk}" selected>', form)

    finance = _may_view(StaffFactory(role=Role.STAFF_FINANCE), "view_merchant")
    other = admin_signed_in(finance).get(f"/admin/merchants/merchant/{merchant.pk}/change/", **ZH)
    assert other.status_code == 200 and not _links(other.content.decode(), "记录违规")
