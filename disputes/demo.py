"""Demo disputes for ``seed_demo`` (issue 24): one case of the demo customer's in each stage — collecting
evidence, in mediation, in arbitration, ruled, appealed to a panel, and closed (ruled and executed).

Each case starts as a real one: the order is delivered, the customer's quality claim is refused by the shop
and escalated (DSP-1), and time-machine moves the clock (``orders.demo.demo_at``) so the deadline sweep
closes the evidence and mediation windows (DSP-2, DSP-2a), the committee assigns an arbitrator (DSP-3) and
an unappealed ruling executes (DSP-4). Four demo arbitrators sit on the committee (an appeal panel needs
three besides the case's own). Idempotent: skipped when the demo customer already has disputes.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import OutputWrapper

from aftersales.demo import demo_customer_service
from aftersales.services.requests import request_create, request_escalate, request_refuse
from disputes.models import Dispute
from disputes.services.appeal import dispute_appeal
from disputes.services.arbitration import dispute_rule
from disputes.services.evidence import dispute_evidence_submit
from merchants.models import Merchant
from orders.demo import demo_at, demo_delivered_order, demo_shop_listing
from orders.models import Order
from platform_core import clock
from platform_core.accounts.demo import ADMIN, demo_user
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role
from platform_core.deadlines.services import deadlines_sweep

ARBITRATORS = 4
#: (stage, days ago the case was opened); the stage is reached through the clocks and the steps below
CASES = (
    ("closed", 12),
    ("arbitration", 8),
    ("ruled", 8),
    ("appealed", 8),
    ("mediation", 4),
    ("evidence", 1),
)


def _arbitrators() -> None:
    for n in range(1, ARBITRATORS + 1):
        user = demo_user(
            email=f"arbitrator-{n}@demo.local",
            name=f"演示仲裁员{n}",
            label=f"arbitrator {n}",
            signs_in_at=ADMIN,
            is_staff=True,
        )
        user_grant_role(user=user, role=Role.STAFF_ARBITRATION)


def _open(order: Order) -> Dispute:
    line = order.lines.get()
    request = request_create(
        customer=order.customer,
        order_id=order.pk,
        line_id=line.pk,
        kind="refund_only",
        reason_kind="quality",
        reason="演示：收到时包身有污渍",
        amount=line.line_total,
        actor=order.customer,
    )
    request_refuse(request=request, reason="演示：发货前已检查，商品完好", actor=order.merchant.owner)
    request_escalate(request=request, reason="演示：污渍明显，照片为证", actor=order.customer)
    dispute = Dispute.objects.get(aftersales_request=request)
    dispute_evidence_submit(dispute=dispute, statement="演示：收到时包身即有污渍", actor=order.customer)
    return dispute


def _rule(dispute: Dispute, when: datetime) -> None:
    with demo_at(when):
        dispute = Dispute.objects.get(pk=dispute.pk)
        arbitrator = dispute.arbitrator  # assigned by the committee when mediation ended (DSP-3)
        assert arbitrator is not None
        amount = (dispute.claim_amount / 2).quantize(Decimal("0.01"))
        dispute_rule(
            dispute=dispute,
            kind="partial_refund",
            refund_amount=amount,
            reasons="演示：污渍可清洗，退一半",
            actor=arbitrator,
        )


def seed(*, stdout: OutputWrapper) -> None:
    customer = User.objects.filter(email="customer@demo.local").first()
    shop = Merchant.objects.filter(owner__email="merchant@demo.local", status=Merchant.Status.ACTIVE).first()
    listing = demo_shop_listing(shop) if shop is not None else None
    demo_customer_service()
    _arbitrators()
    if customer is None or listing is None:
        stdout.write("disputes demo: no demo customer or demo shop listing; skipped")
        return
    if Dispute.objects.filter(order__customer=customer).exists():
        return
    now = clock.now()
    cases: dict[str, Dispute] = {}
    for n, (stage, days) in enumerate(CASES, start=121):
        if stage == "mediation":  # in time order: the closed case was ruled before this one opened
            _rule(cases["closed"], now - timedelta(days=5))
        with demo_at(now - timedelta(days=days)):
            cases[stage] = _open(demo_delivered_order(customer, listing, n))
    _rule(cases["ruled"], now - timedelta(days=1))
    _rule(cases["appealed"], now - timedelta(days=1))
    with demo_at(now - timedelta(hours=12)):
        dispute_appeal(dispute=cases["appealed"], reason="演示：有新的照片证据", actor=customer)
    deadlines_sweep()  # the closed case's appeal window ran out: its ruling executes (DSP-4)
    deadlines_sweep()
    stages = Dispute.objects.filter(order__customer=customer).values_list("status", flat=True)
    stdout.write(f"disputes demo: cases {', '.join(sorted(stages))}")
