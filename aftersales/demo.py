"""Demo after-sales for ``seed_demo`` (issue 24): the demo customer's requests — awaiting the shop's answer,
approved and refunded, refused — and complaints filed, answered by customer service, and closed.

Runs after the orders demo (INSTALLED_APPS order) on the flagship shop's listing, through the services
while time-machine moves the clock back over the last days (``orders.demo.demo_at``), so each request and
complaint carries its real clocks, holds and audit entries. Idempotent: skipped when the demo customer
already has after-sales requests.
"""

from datetime import timedelta

from django.core.management.base import OutputWrapper

from aftersales.models import AfterSalesRequest, Complaint
from aftersales.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_close,
    complaint_file,
)
from aftersales.services.requests import request_approve, request_create, request_refuse
from merchants.models import Merchant
from orders.demo import demo_at, demo_delivered_order, demo_shop_listing
from orders.models import Order
from platform_core import clock
from platform_core.accounts.demo import ADMIN, demo_user
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role

#: the state each demo request is taken to, with how long ago the order was delivered
REQUEST_STATES = (("refunded", 3), ("refused", 2), ("requested", 1))
#: the state each demo complaint is taken to, with how long ago it was filed (days)
COMPLAINT_STATES = (("closed", 4), ("answered", 2), ("filed", 0))


def demo_customer_service() -> User:
    """The customer-service agent (staff, admin sign-in) who answers complaints and mediates disputes."""
    agent = demo_user(
        email="service@demo.local",
        name="演示客服",
        label="customer service",
        signs_in_at=ADMIN,
        is_staff=True,
    )
    user_grant_role(user=agent, role=Role.STAFF_CUSTOMER_SERVICE)
    return User.objects.get(pk=agent.pk)  # a fresh instance: no stale permission cache


def _request(order: Order, state: str) -> AfterSalesRequest:
    line = order.lines.get()
    request = request_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=line.pk,
        kind=AfterSalesRequest.Kind.REFUND_ONLY,
        reason_kind=AfterSalesRequest.ReasonKind.QUALITY,
        reason="演示：包带开线",
        amount=line.line_total,
        actor=order.customer,
    )
    owner = order.merchant.owner
    if state == "refunded":
        request = request_approve(request=request, actor=owner, note="演示：同意退款")
    elif state == "refused":
        request = request_refuse(request=request, reason="演示：照片显示商品完好", actor=owner)
    return request


def _complaint(order: Order, state: str, agent: User) -> Complaint:
    complaint = complaint_file(
        complainant=order.customer,
        target_kind=Complaint.TargetKind.ORDER,
        category=Complaint.Category.SERVICE_ATTITUDE,
        description="演示：客服回复太慢",
        order_id=order.pk,
        actor=order.customer,
    )
    if state in ("answered", "closed"):
        complaint = complaint_acknowledge(complaint=complaint, actor=agent)
        complaint = complaint_answer(
            complaint=complaint, answer="演示：已督促商家改进，感谢反馈。", actor=agent
        )
    if state == "closed":
        complaint = complaint_close(complaint=complaint, actor=order.customer)
    return complaint


def seed(*, stdout: OutputWrapper) -> None:
    customer = User.objects.filter(email="customer@demo.local").first()
    shop = Merchant.objects.filter(owner__email="merchant@demo.local", status=Merchant.Status.ACTIVE).first()
    listing = demo_shop_listing(shop) if shop is not None else None
    agent = demo_customer_service()
    if customer is None or listing is None:
        stdout.write("aftersales demo: no demo customer or demo shop listing; skipped")
        return
    if AfterSalesRequest.objects.filter(customer=customer).exists():
        return
    now = clock.now()
    for n, (state, days) in enumerate(REQUEST_STATES, start=101):
        with demo_at(now - timedelta(days=days)):
            order = demo_delivered_order(customer, listing, n)
        with demo_at(now - timedelta(days=days) + timedelta(hours=days * 6 - 5)):
            _request(order, state)
    for n, (state, days) in enumerate(COMPLAINT_STATES, start=111):
        with demo_at(now - timedelta(days=days + 1)):
            order = demo_delivered_order(customer, listing, n)
        with demo_at(now - timedelta(days=days, hours=2)):
            _complaint(order, state, agent)
    requests = AfterSalesRequest.objects.filter(customer=customer).values_list("status", flat=True)
    complaints = Complaint.objects.filter(complainant=customer).values_list("status", flat=True)
    stdout.write(
        f"aftersales demo: requests {', '.join(sorted(requests))}; complaints {', '.join(sorted(complaints))}"
    )
