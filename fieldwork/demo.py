"""Demo field work for ``seed_demo`` (ORD-9): a care-service partner institution (合作机构) with elder-care
services, a field coordinator covering its area, and the demo customer's service orders in every state
(assigned, scheduled, in service, completed).

Runs after the merchants demo (INSTALLED_APPS order) and goes through the services: the partner applies
and is approved, its services are reviewed, the orders are checked out and paid in the sandbox, so the
coordinator is assigned by the same payment hook as in production. Idempotent: skipped when the
partner exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.management.base import OutputWrapper

from catalog.models import Category
from catalog.services.listings import listing_create, listing_submit
from catalog.services.review import listing_approve
from fieldwork.models import CoverageArea, FieldCoordinator, ServiceAssignment
from fieldwork.services import assignment_complete, assignment_schedule, assignment_start
from merchants.demo import _application, _code
from merchants.models import Merchant, PlatformAgreement
from merchants.services.agreements import agreement_accept
from merchants.services.applications import application_approve, application_submit
from merchants.services.deposits import merchant_deposit_credit
from orders.models import CartItem
from orders.payments.sandbox import sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.payments import order_pay_start, payment_callback_receive
from platform_core import clock
from platform_core.accounts.demo import ADMIN, DASHBOARD, demo_account_note, demo_user
from platform_core.accounts.models import User
from staff.models import Department, StaffProfile
from staff.services.profiles import staff_profile_create

PARTNER = "演示康养服务中心"
PARTNER_CODE = 200
AREA = "北京市朝阳区"
SERVICES = (
    ("上门助浴 2小时", "专业护理员上门为行动不便的老人助浴，含防滑垫与护理用品。", "168.00", 120),
    ("居家陪护 半天", "护理员上门陪护老人四小时：陪聊、协助进餐、测量血压。", "220.00", 240),
)
# the state each demo service order is taken to, in order
ORDER_STATES = ("assigned", "scheduled", "in_service", "completed")


def _care_category() -> Category:
    category, _ = Category.objects.get_or_create(
        slug="demo-elder-care",
        defaults={
            "name": "居家养老服务",
            "name_en": "Elder care at home",
            "is_service": True,
            "deposit_amount": Decimal("2000.00"),
            "required_listing_fields": ["service_area", "service_duration_minutes"],
        },
    )
    return category


def _partner(reviewer: User, category: Category) -> Merchant:
    owner = demo_user(email="partner@demo.local", name=PARTNER, label=PARTNER, signs_in_at=DASHBOARD)
    application = _application(PARTNER_CODE, PARTNER, owner, [category])
    application = application_submit(application=application, actor=owner)
    application = application_approve(
        application=application, reason="演示：合作机构资质齐全", actor=reviewer
    )
    merchant = application.merchant
    assert merchant is not None
    agreement = PlatformAgreement.objects.order_by("effective_at").first()
    if agreement is not None:
        agreement_accept(merchant=merchant, agreement=agreement, actor=owner, ip="127.0.0.1")
    merchant_deposit_credit(
        merchant=merchant,
        amount=category.deposit_amount,
        payment_reference="DEMO-CARE-DEPOSIT",
        idempotency_key="demo:fieldwork:partner-deposit",
        actor=None,
    )
    merchant.refresh_from_db()
    return merchant


def _coordinator(reviewer: User) -> FieldCoordinator:
    user = demo_user(
        email="coordinator@demo.local", name="演示外勤", label="field coordinator", signs_in_at=ADMIN
    )
    if not StaffProfile.objects.filter(user=user).exists():
        staff_profile_create(
            user=user,
            department=Department.objects.get(code=Department.Code.OPERATIONS),
            title="外勤专员",
            actor=reviewer,
        )
    coordinator, _ = FieldCoordinator.objects.get_or_create(user=user, defaults={"display_name": "王师傅"})
    CoverageArea.objects.get_or_create(coordinator=coordinator, area=AREA)
    return coordinator


def _paid_service_order(customer: User, sku_id: int) -> ServiceAssignment:
    cart_item_add(customer=customer, sku_id=sku_id, quantity=1, actor=customer)
    (order,) = order_checkout(
        customer=customer,
        shipping_name=customer.name or "演示顾客",
        shipping_phone=customer.phone or "13800138000",
        shipping_address="北京市朝阳区建国路88号3号楼1201",
        actor=customer,
    )
    payment = order_pay_start(order=order, provider="sandbox", actor=customer)
    headers, body = sandbox_complete(payment)
    payment_callback_receive(provider="sandbox", headers=headers, body=body)
    return ServiceAssignment.objects.get(order=order)


def seed(*, stdout: OutputWrapper) -> None:
    reviewer = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    customer = User.objects.filter(email="customer@demo.local").first()
    if reviewer is None or customer is None:
        stdout.write("fieldwork demo: no superuser or demo customer; skipped")
        return
    if Merchant.objects.filter(credit_code=_code(PARTNER_CODE)).exists():
        demo_account_note(label=PARTNER, email="partner@demo.local", signs_in_at=DASHBOARD)
        demo_account_note(label="field coordinator", email="coordinator@demo.local", signs_in_at=ADMIN)
        return
    category = _care_category()
    partner = _partner(reviewer, category)
    listings = []
    for title, description, price, minutes in SERVICES:
        listing = listing_create(
            merchant=partner,
            category=category,
            title=title,
            description=description,
            images=[{"url": "https://img.example.com/care.jpg", "alt": title}],
            skus=[{"code": f"CARE-{minutes}", "price": price, "stock": 1000, "attributes": {}}],
            kind="service",
            service_area=AREA,
            service_duration_minutes=minutes,
            actor=partner.owner,
        )
        listing_submit(listing=listing, actor=partner.owner)
        listings.append(listing_approve(listing=listing, actor=reviewer, note="演示：服务信息完整"))
    coordinator = _coordinator(reviewer)
    stdout.write(f"fieldwork demo: partner {PARTNER}, coordinator {coordinator.user.email} ({AREA})")

    if CartItem.objects.filter(cart__customer=customer).exists():  # checkout would take those too
        stdout.write("fieldwork demo: the demo customer's cart is not empty; no service orders made")
        return
    for n, state in enumerate(ORDER_STATES):
        sku = listings[n % len(listings)].skus.get()
        assignment = _paid_service_order(customer, sku.pk)
        actor = coordinator.user
        if state in ("scheduled", "in_service", "completed"):
            visit = clock.now() + timedelta(days=n + 1)
            assignment_schedule(assignment=assignment, appointment_at=visit, actor=actor)
        if state in ("in_service", "completed"):
            assignment_start(assignment=assignment, actor=actor)
        if state == "completed":
            assignment_complete(assignment=assignment, actor=actor)
        stdout.write(f"fieldwork demo: service order {assignment.order.number} ({state})")
