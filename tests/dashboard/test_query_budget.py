"""Every dashboard page renders in under 10 queries, whether it lists 5 rows or 50."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.models import AfterSalesRequest, Complaint, QuickReply
from catalog.models import IpNotice, Listing
from disputes.models import Dispute
from disputes.services.evidence import dispute_evidence_submit
from merchants.models import Merchant
from merchants.services.closure import merchant_closure_request
from merchants.services.reverification import reverification_open
from orders.models import Order, PayoutStatement
from orders.services.settlement import order_escrow_hold
from staff.models import Announcement
from tests.dashboard.conftest import member_of
from tests.factories.accounts import UserFactory
from tests.factories.aftersales import file_complaint
from tests.factories.merchants import PlatformAgreementFactory
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db

BUDGET = 9  # "under 10", including the session, the user and the membership


def _render(client: Client, path: str) -> int:
    with assert_max_queries(BUDGET) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def _budget_holds(client: Client, paths: list[str], grow: Callable[[], None]) -> None:
    for path in paths:  # process-wide caches (content types) fill once per process, not per request
        client.get(path)
    small = {path: _render(client, path) for path in paths}
    grow()
    large = {path: _render(client, path) for path in paths}
    assert large == small  # the count does not depend on the number of rows


def test_listing_pages_query_budget(owner_client: Client, make_listing: Callable[..., Listing]) -> None:
    listings = [make_listing() for _ in range(5)]
    paths = [
        "/merchant/listings/",
        "/merchant/listings/?status=approved",
        f"/merchant/listings/{listings[0].pk}/",
        "/merchant/listings/new/",
        "/merchant/listings/stock/",
    ]
    _budget_holds(owner_client, paths, lambda: [make_listing() for _ in range(45)])


def test_order_pages_query_budget(owner_client: Client, make_paid_order: Callable[..., Order]) -> None:
    orders = [make_paid_order() for _ in range(5)]
    paths = [
        "/merchant/",
        "/merchant/orders/",
        "/merchant/orders/?filter=all",
        "/merchant/orders/?filter=all&q=2026",
        f"/merchant/orders/{orders[0].pk}/",
        f"/merchant/orders/{orders[0].pk}/packing-slip/",
        "/merchant/orders/ship/",
    ]

    def grow() -> None:
        for _ in range(45):
            order = make_paid_order()
            order_escrow_hold(order=order, reason="售后处理中", subject=order)

    _budget_holds(owner_client, paths, grow)


def test_money_page_query_budget(
    owner_client: Client, shop: Merchant, make_paid_order: Callable[..., Order]
) -> None:
    def statements(start: int, n: int) -> None:
        for i in range(start, start + n):
            PayoutStatement.objects.create(
                merchant=shop, period=date(2026, 1, 1) + timedelta(days=i), net=Decimal("1.00")
            )

    for order in [make_paid_order() for _ in range(3)]:
        order_escrow_hold(order=order, reason="投诉处理中", subject=order)
    statements(0, 5)
    _budget_holds(
        owner_client, ["/merchant/money/", "/merchant/money/payout-account/"], lambda: statements(5, 45)
    )


def test_members_and_onboarding_pages_query_budget(owner_client: Client, shop: Merchant) -> None:
    for _ in range(5):
        member_of(shop, "operations")
    paths = [
        "/merchant/members/",
        "/merchant/onboarding/",
        "/merchant/agreement/",
        "/merchant/announcements/",
        "/merchant/security/authenticator/",
    ]
    _budget_holds(owner_client, paths, lambda: [member_of(shop, "finance") for _ in range(45)])


def test_banners_and_announcements_query_budget(owner_client: Client, shop: Merchant) -> None:
    """STF-6, MER-4, MER-8: the banners (a new announcement, a new agreement version, a closure request
    waiting) cost no query of their own: they ride along in the membership query."""
    now = timezone.now()
    PlatformAgreementFactory(
        version="2026.12", published_at=now - timedelta(days=1), effective_at=now + timedelta(days=6)
    )
    publisher = UserFactory.create(is_staff=True)

    def publish(n: int) -> None:
        for i in range(n):
            Announcement.objects.create(title=f"公告 {i}", body="正文", published_by=publisher)

    publish(5)
    merchant_closure_request(merchant=shop, reason="停业", actor=shop.owner)  # MER-8: its banner too
    paths = [
        "/merchant/",
        "/merchant/money/",
        "/merchant/money/closure/",
        "/merchant/agreement/",
    ]
    first = owner_client.get("/merchant/").content.decode()
    for kind in ("announcement", "agreement", "closure"):  # the banners measured are there
        assert f'data-testid="banner-{kind}"' in first
    _budget_holds(owner_client, paths, lambda: publish(45))
    # the list: reading it marks the new ones as seen (one session write), then it costs what it did
    owner_client.get("/merchant/announcements/")
    small = _render(owner_client, "/merchant/announcements/")
    publish(45)
    owner_client.get("/merchant/announcements/")
    assert _render(owner_client, "/merchant/announcements/") == small


def test_aftersales_and_complaint_pages_query_budget(
    owner_client: Client,
    make_request: Callable[..., AfterSalesRequest],
    make_paid_order: Callable[..., Order],
) -> None:
    PlatformAgreementFactory(version="2026.12")  # the home page also asks for it (the worst case)
    make_paid_order()
    requests = [make_request() for _ in range(3)]
    for found in requests:
        file_complaint(complainant=found.customer, order=found.order)
    complaint = Complaint.objects.filter(merchant=requests[0].merchant).first()
    assert complaint is not None
    paths = [
        "/merchant/",
        "/merchant/home/sales/",
        f"/merchant/orders/{requests[0].order_id}/",  # DSP-1: "open a dispute" offered (one query)
        f"/merchant/orders/{requests[0].order_id}/dispute/",  # DSP-1: the form
        "/merchant/aftersales/",
        "/merchant/aftersales/?filter=all",
        "/merchant/aftersales/policy/",
        f"/merchant/aftersales/{requests[0].pk}/",
        "/merchant/complaints/",
        f"/merchant/complaints/{complaint.pk}/",
    ]

    def grow() -> None:
        for _ in range(12):
            found = make_request()
            file_complaint(complainant=found.customer, order=found.order)

    _budget_holds(owner_client, paths, grow)


def test_dispute_and_reverification_pages_query_budget(
    owner_client: Client, shop: Merchant, make_dispute: Callable[[], Dispute]
) -> None:
    disputes = [make_dispute() for _ in range(2)]
    for dispute in disputes:
        dispute_evidence_submit(dispute=dispute, statement="证据", actor=dispute.order.customer)
    reverification_open(merchant=shop)
    paths = [
        "/merchant/",
        "/merchant/disputes/",
        "/merchant/disputes/?filter=all",
        f"/merchant/disputes/{disputes[0].pk}/",
        f"/merchant/disputes/{disputes[0].pk}/jury-consent/",  # DSP-6: where the consent stands
        "/merchant/reverification/",
    ]

    def grow() -> None:
        for _ in range(8):
            dispute = make_dispute()
            dispute_evidence_submit(dispute=dispute, statement="证据", actor=dispute.order.customer)
        dispute_evidence_submit(dispute=disputes[0], statement="更多证据", actor=disputes[0].order.customer)

    _budget_holds(owner_client, paths, grow)


def test_messages_reviews_notices_changes_and_notifications_pages_query_budget(
    owner_client: Client,
    shop: Merchant,
    make_listing: Callable[..., Listing],
    make_completed_order: Callable[..., Order],
) -> None:
    """Issue 22: messages (MSG-1), reviews (REP-1), IP notices (CAT-7), change reports (MER-6a) and the
    notifications centre, however many rows."""
    from aftersales.services.conversations import conversation_start, message_post
    from aftersales.services.quick_replies import quick_replies_seed_defaults
    from merchants.services.changes import merchant_change_report
    from platform_core.notifications.services import notify
    from tests.factories.accounts import CustomerFactory
    from tests.factories.catalog import ip_notice_taken_down
    from tests.factories.orders import review_for

    listing = make_listing()

    def add(n: int) -> None:
        for _ in range(n):
            customer = CustomerFactory.create()
            conversation = conversation_start(
                customer=customer, kind="presale", text="在吗？", listing_id=listing.pk, actor=customer
            )
            message_post(conversation=conversation, sender=customer, text="电话13912345678", actor=customer)
            review_for(make_completed_order())
            ip_notice_taken_down(make_listing(), rights_holder=customer)
            merchant_change_report(
                merchant=shop, changes={"contact_email": "a@example.com"}, actor=shop.owner
            )
            notify(recipient=shop.owner, event="x", title="通知", body="正文")

    add(2)
    conversation = shop.conversations.first()
    review = shop.reviews.first()
    notice = IpNotice.objects.filter(listing__merchant=shop).first()
    assert conversation is not None and review is not None and notice is not None
    paths = [
        "/merchant/messages/",
        "/merchant/messages/?filter=all",
        f"/merchant/messages/{conversation.pk}/",
        "/merchant/reviews/?filter=all",
        f"/merchant/reviews/{review.pk}/",
        "/merchant/ip-notices/?filter=all",
        f"/merchant/ip-notices/{notice.pk}/",
        "/merchant/changes/",
        "/merchant/notifications/",
        "/merchant/messages/quick-replies/",  # MSG-1: the shop's quick replies
        f"/merchant/messages/quick-replies/{quick_replies_seed_defaults(merchant=shop)[0].pk}/",
    ]

    def grow() -> None:
        add(8)
        for i in range(20):
            QuickReply.objects.create(merchant=shop, title=f"短语{i}", text="您好", position=100 + i)

    _budget_holds(owner_client, paths, grow)


def test_standing_page_query_budget(owner_client: Client, shop: Merchant) -> None:
    """VIO-6, REP-3: the standing page (KPIs of the latest day in one query, the latest credit snapshot
    from the history) stays within the budget, whatever the number of KPIs, snapshots and violations."""
    from merchants.services.credit import merchant_credit_recompute
    from merchants.services.kpis import merchant_kpis_compute
    from merchants.services.violations import violation_record
    from platform_core import clock

    merchant_kpis_compute(merchant=shop, day=clock.localdate())
    merchant_credit_recompute(merchant=shop)
    violation_record(merchant=shop, kind="late_shipment", evidence={}, source="system")

    def grow() -> None:
        for _ in range(5):
            violation_record(merchant=shop, kind="late_shipment", evidence={}, source="system")
        merchant_credit_recompute(merchant=shop)

    def render() -> int:
        # the issue's limit, 10: one over the house budget (the grade policy, the categories' deposit and
        # the deposit balance are three reads of their own; decision 036)
        with assert_max_queries(10) as ctx:
            assert owner_client.get("/merchant/standing/").status_code == 200
        return len(ctx.captured_queries)

    owner_client.get("/merchant/standing/")
    small = render()
    grow()
    assert render() == small  # the count does not depend on the number of rows
