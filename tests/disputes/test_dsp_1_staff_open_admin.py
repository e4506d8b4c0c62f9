"""DSP-1 through the admin (issue 21): dispute staff, signed in with the second factor, open a dispute on the
platform's own motion; the order's escrow is held (PAY-6) and both parties are told; staff without the
dispute permissions get 403."""

import pytest

from disputes.models import Dispute
from orders.selectors.money import order_holds_open
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.notifications.models import Notification
from tests.factories.accounts import StaffFactory
from tests.factories.disputes import completed_order, mediator
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

pytestmark = pytest.mark.django_db

ADD = "/admin/disputes/dispute/add/"


@pytest.fixture(autouse=True)
def _second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def test_dsp_1_staff_open_a_dispute_on_their_own_motion_in_admin() -> None:
    order = completed_order(prices=("120.00",))
    staff = mediator()
    client = admin_signed_in(staff)

    page = client.get(f"{ADD}?order={order.number}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and order.number in page.content.decode()

    unknown = client.post(ADD, {"order": "NO-SUCH-ORDER", "reason": "平台巡查发现问题"})
    assert unknown.status_code == 200 and not Dispute.objects.exists()
    too_much = client.post(ADD, {"order": order.number, "reason": "平台巡查", "claim_amount": "999.00"})
    assert too_much.status_code == 200 and not Dispute.objects.exists()

    response = client.post(ADD, {"order": order.number, "reason": "平台巡查发现商品与描述严重不符"})
    assert response.status_code == 302, response.content.decode()[:2000]
    dispute = Dispute.objects.get(order=order)
    assert (dispute.opener_role, dispute.opened_by, dispute.status) == ("staff", staff, "evidence")
    assert [h.pk for h in order_holds_open(order=order)] == [dispute.hold_id]
    assert AuditEntry.objects.filter(
        action="dispute.opened", subject_id=str(dispute.pk), actor=staff
    ).exists()
    told = set(Notification.objects.filter(event="dispute_opened").values_list("recipient_id", flat=True))
    assert told == {order.customer_id, order.merchant.owner_id}
    assert client.get(f"/admin/disputes/dispute/{dispute.pk}/change/").status_code == 200


def test_dsp_1_staff_without_the_dispute_right_get_403_in_admin() -> None:
    order = completed_order(prices=("50.00",))
    finance = admin_signed_in(StaffFactory(role=Role.STAFF_FINANCE))
    assert finance.get(ADD).status_code == 403
    assert finance.post(ADD, {"order": order.number, "reason": "x"}).status_code == 403
    assert not Dispute.objects.exists()
    assert not order_holds_open(order=order).exists()
