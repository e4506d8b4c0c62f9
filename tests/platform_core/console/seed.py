"""Seeding the operations console's queues straight through the ORM (the queues only count rows)."""

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from aftersales.clocks import RULE_COMPLAINT_ACK, RULE_COMPLAINT_ANSWER
from aftersales.models import Complaint
from catalog.clocks import REVIEW_RULE
from catalog.models import Category, Inspection, InspectionBatch, IpNotice, Listing, ListingVersion
from disputes.clocks import RULE_MEDIATION_WINDOW, RULE_RULING_DUE
from disputes.models import Dispute
from merchants.clocks import RULE_APPEAL_REVIEW, RULE_APPLICATION_REVIEW
from merchants.models import Merchant, MerchantApplication, Violation, ViolationAppeal
from orders.models import ReconciliationDifference
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from staff.clocks import REVIEW_RULE as PERMISSION_REVIEW_RULE
from staff.models import PermissionApplication
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.merchants import MerchantApplicationFactory, MerchantFactory
from tests.factories.orders import paid_order


def clock(rule: str, subject: models.Model, *, due_at: datetime) -> Deadline:
    return Deadline.objects.create(
        rule=rule,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        started_at=due_at - timedelta(days=1),
        due_at=due_at,
    )


def seed_queues(n: int, *, now: datetime | None = None) -> dict[str, Any]:
    """``n`` open items in each of the cheap queues (and one closed item each that must not count).

    Every open item with a clock gets one; the first item's clock is the earliest: for listing reviews it
    ran out an hour ago (overdue), for the others it runs out in ``i + 1`` days.
    """
    now = now or timezone.now()
    user = cast(User, UserFactory())
    merchant = cast(Merchant, MerchantFactory())
    category = cast(Category, CategoryFactory())
    permission = Permission.objects.get(content_type__app_label="catalog", codename="review_listing")
    out: dict[str, Any] = {"now": now}

    for i in range(n):
        application = MerchantApplicationFactory(
            status=MerchantApplication.Status.SUBMITTED, submitted_at=now
        )
        clock(RULE_APPLICATION_REVIEW, application, due_at=now + timedelta(days=i + 1))
    MerchantApplicationFactory(status=MerchantApplication.Status.APPROVED)

    listings = []
    for i in range(n):
        listing = Listing.objects.create(
            merchant=merchant, category=category, status=Listing.Status.PENDING_REVIEW
        )
        ListingVersion.objects.create(
            listing=listing,
            number=1,
            status=ListingVersion.Status.PENDING,
            category=category,
            title=f"待审商品{i}",
            submitted_at=now - timedelta(days=2),
        )
        due = now - timedelta(hours=1) if i == 0 else now + timedelta(days=i)
        clock(REVIEW_RULE, listing, due_at=due)
        listings.append(listing)
    done = Listing.objects.create(merchant=merchant, category=category, status=Listing.Status.APPROVED)
    ListingVersion.objects.create(
        listing=done, number=1, status=ListingVersion.Status.APPROVED, category=category, title="已审"
    )

    batch = InspectionBatch.objects.create(created_by=user, size=n + 1)
    for listing in listings:
        Inspection.objects.create(batch=batch, listing=listing)
    Inspection.objects.create(batch=batch, listing=done, result=Inspection.Result.PASS, inspected_at=now)

    for listing in listings:
        IpNotice.objects.create(
            listing=listing,
            rights_holder=user,
            right_kind="trademark",
            right_reference="TM1",
            description="x",
        )
    IpNotice.objects.create(
        listing=done,
        rights_holder=user,
        right_kind="trademark",
        right_reference="TM2",
        description="x",
        status=IpNotice.Status.DISMISSED,
    )

    for i in range(n):
        complaint = Complaint.objects.create(
            complainant=user,
            complainant_kind="customer",
            target_kind="platform",
            category="platform_service",
            description="投诉",
        )
        clock(RULE_COMPLAINT_ACK, complaint, due_at=now + timedelta(days=i + 1))
        clock(RULE_COMPLAINT_ANSWER, complaint, due_at=now + timedelta(days=i + 3))
    Complaint.objects.create(
        complainant=user,
        complainant_kind="customer",
        target_kind="platform",
        category="platform_service",
        description="已结",
        status=Complaint.Status.CLOSED,
    )

    for i in range(n):
        application = PermissionApplication.objects.create(
            applicant=UserFactory(), permission=permission, justification="需要"
        )
        clock(PERMISSION_REVIEW_RULE, application, due_at=now + timedelta(days=i + 1))

    for i in range(n):
        violation = Violation.objects.create(
            merchant=merchant, kind="late_shipping", points=2, track="general", source="system"
        )
        appeal = ViolationAppeal.objects.create(violation=violation, statement="申诉", submitted_by=user)
        clock(RULE_APPEAL_REVIEW, appeal, due_at=now + timedelta(days=i + 1))

    order = paid_order()
    for i in range(n):
        stage = Dispute.Status.MEDIATION if i == 0 else Dispute.Status.ARBITRATION
        dispute = Dispute.objects.create(
            order=order, opened_by=user, opener_role="staff", reason="争议", claim_amount=1, status=stage
        )
        rule = RULE_MEDIATION_WINDOW if i == 0 else RULE_RULING_DUE
        clock(rule, dispute, due_at=now + timedelta(days=i + 1))
    Dispute.objects.create(
        order=order,
        opened_by=user,
        opener_role="staff",
        reason="已撤回",
        claim_amount=1,
        status=Dispute.Status.WITHDRAWN,
    )

    for i in range(n):
        ReconciliationDifference.objects.create(
            day=date(2026, 11, 1), provider="sandbox", kind="payment", reference=f"R{i}"
        )
    ReconciliationDifference.objects.create(
        day=date(2026, 11, 1), provider="sandbox", kind="payment", reference="done", status="resolved"
    )
    return out
