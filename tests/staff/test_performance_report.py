"""STF-7: monthly staff performance from the system's own records, with the month's best staff and teams."""

from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models

from aftersales.clocks import RULE_COMPLAINT_ANSWER
from aftersales.models import Complaint, ComplaintStep
from catalog.clocks import REVIEW_RULE
from catalog.models import Category, Listing, ListingVersion
from merchants.clocks import RULE_APPLICATION_REVIEW
from merchants.models import MerchantApplication
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.reports.registry import ReportFilters, monthly_sections, report_get
from staff.clocks import REVIEW_RULE as PERMISSION_REVIEW_RULE
from staff.models import Department, PermissionApplication
from staff.reports import staff_performance, staff_performance_rows, staff_performance_summary
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.merchants import MerchantApplicationFactory, MerchantFactory
from tests.factories.staff import staff_member

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OCTOBER = ReportFilters(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


def clock(rule: str, subject: models.Model, *, started: datetime, hours: int, status: str) -> None:
    Deadline.objects.create(
        rule=rule,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        started_at=started,
        due_at=started + timedelta(hours=hours),
        status=status,
        resolved_at=started + timedelta(hours=hours),
    )


class Seed:
    def __init__(self) -> None:
        self.merchant = MerchantFactory()
        self.category = cast(Category, CategoryFactory())

    def listing_review(self, reviewer: User, *, submitted: datetime, after_hours: int) -> None:
        """A version reviewed ``after_hours`` after submission; the clock runs 48 hours."""
        listing = Listing.objects.create(merchant=self.merchant, category=self.category, status="approved")
        ListingVersion.objects.create(
            listing=listing,
            number=1,
            status=ListingVersion.Status.APPROVED,
            category=self.category,
            title="商品",
            submitted_at=submitted,
            reviewed_at=submitted + timedelta(hours=after_hours),
            reviewer=reviewer,
        )
        met = after_hours <= 48
        clock(REVIEW_RULE, listing, started=submitted, hours=48, status="met" if met else "enforced")

    def application_review(self, reviewer: User, *, submitted: datetime, after_hours: int) -> None:
        application = MerchantApplicationFactory(
            status=MerchantApplication.Status.APPROVED,
            submitted_at=submitted,
            decided_at=submitted + timedelta(hours=after_hours),
            reviewer=reviewer,
        )
        clock(RULE_APPLICATION_REVIEW, application, started=submitted, hours=120, status="met")

    def complaint_answer(self, handler: User, *, filed: datetime, after_hours: int) -> None:
        customer = cast(User, UserFactory())
        complaint = Complaint.objects.create(
            complainant=customer,
            complainant_kind="customer",
            target_kind="platform",
            category="platform_service",
            description="投诉",
            status=Complaint.Status.ANSWERED,
            created_at=filed,
        )
        ComplaintStep.objects.create(
            complaint=complaint, action="answered", actor=handler, at=filed + timedelta(hours=after_hours)
        )
        on_time = after_hours <= 72
        clock(
            RULE_COMPLAINT_ANSWER, complaint, started=filed, hours=72, status="met" if on_time else "enforced"
        )

    def permission_review(self, reviewer: User, *, submitted: datetime, after_hours: int) -> None:
        permission = Permission.objects.filter(content_type__app_label="catalog").order_by("pk")[
            PermissionApplication.objects.count()
        ]
        application = PermissionApplication.objects.create(
            applicant=UserFactory(),
            permission=permission,
            justification="需要",
            status=PermissionApplication.Status.APPROVED,
            submitted_at=submitted,
            decided_at=submitted + timedelta(hours=after_hours),
            reviewer=reviewer,
        )
        clock(PERMISSION_REVIEW_RULE, application, started=submitted, hours=120, status="met")


def test_stf_7_monthly_performance_totals_and_best_staff() -> None:
    alice = staff_member(Department.Code.OPERATIONS, name="Alice Wang")
    bob = staff_member(Department.Code.OPERATIONS, name="Bob Li")
    carol = staff_member(Department.Code.CUSTOMER_SERVICE, name="Carol Zhao")
    seed = Seed()
    # Alice: 3 listing reviews in time, 1 late; 1 merchant application in time
    for day in (2, 5, 9):
        seed.listing_review(alice, submitted=at(day), after_hours=20)
    seed.listing_review(alice, submitted=at(12), after_hours=60)
    seed.application_review(alice, submitted=at(14), after_hours=30)
    # Bob: 1 listing review in time, 2 late
    seed.listing_review(bob, submitted=at(3), after_hours=10)
    seed.listing_review(bob, submitted=at(6), after_hours=50)
    seed.listing_review(bob, submitted=at(20), after_hours=70)
    # Carol: 2 complaints answered in time, 1 late; 1 permission application in time
    seed.complaint_answer(carol, filed=at(4), after_hours=5)
    seed.complaint_answer(carol, filed=at(8), after_hours=30)
    seed.complaint_answer(carol, filed=at(15), after_hours=80)
    seed.permission_review(carol, submitted=at(16), after_hours=24)
    # outside October: not counted
    seed.listing_review(alice, submitted=at(5, month=9), after_hours=5)
    seed.listing_review(bob, submitted=at(2, month=11), after_hours=5)
    # submitted on 31 Oct late evening, reviewed on 1 Nov: November's work
    seed.listing_review(bob, submitted=at(31, hour=22), after_hours=5)

    definition = report_get("staff_performance")
    rows = {row["user_id"]: row for row in staff_performance_rows(OCTOBER)}
    assert set(rows) == {alice.pk, bob.pk, carol.pk}

    a, b, c = rows[alice.pk], rows[bob.pk], rows[carol.pk]
    assert (a["listing_reviews"], a["listing_reviews_on_time"], a["listing_reviews_late"]) == (4, 3, 1)
    assert (a["merchant_applications"], a["merchant_applications_on_time"]) == (1, 1)
    assert (a["done"], a["on_time"], a["late"]) == (5, 4, 1)
    assert (b["listing_reviews"], b["listing_reviews_on_time"], b["listing_reviews_late"]) == (3, 1, 2)
    assert (b["done"], b["on_time"], b["late"]) == (3, 1, 2)
    assert (c["complaints"], c["complaints_on_time"], c["complaints_late"]) == (3, 2, 1)
    assert (c["permission_applications"], c["permission_applications_on_time"]) == (1, 1)
    assert (c["done"], c["on_time"], c["late"]) == (4, 3, 1)
    assert a["department"] == b["department"] == "operations"
    assert c["department"] == "customer_service"

    start = datetime(2026, 10, 1, tzinfo=SH)
    figures = staff_performance(since=start, until=datetime(2026, 11, 1, tzinfo=SH))
    listing_total = figures.total("listing_reviews")
    assert (listing_total.done, listing_total.on_time, listing_total.late) == (7, 4, 3)
    # the month's best: Alice (4 on time) before Carol (3, 1 late) before Bob (1)
    assert [p.user_id for p in figures.best_staff()] == [alice.pk, carol.pk, bob.pk]
    assert [p.user_id for p in figures.best_staff(1)] == [alice.pk]
    # teams: operations 5 on time (Alice 4 + Bob 1), customer service 3
    teams = {t.department: t for t in figures.teams}
    assert (teams["operations"].on_time, teams["operations"].late) == (5, 3)
    assert (teams["customer_service"].on_time, teams["customer_service"].late) == (3, 1)
    assert [t.department for t in figures.best_teams()] == ["operations", "customer_service"]

    # the PDF summary and the monthly compliance section say the same
    assert definition.summary is not None
    summary = {str(k): v for k, v in definition.summary(OCTOBER)}
    assert summary["Listing reviews"] == "7 (4 on time, 3 late)"
    assert summary["Complaints answered"] == "3 (2 on time, 1 late)"
    assert summary["Best staff (items on time)"].startswith("A**** W***: 4")
    assert summary["Best teams (items on time)"] == "operations: 5; customer_service: 3"
    assert "pdf" in definition.formats
    section = dict(monthly_sections())["staff_performance"](start, datetime(2026, 11, 1, tzinfo=SH))
    assert {str(k): v for k, v in section.rows}["Listing reviews"] == "7 (4 on time, 3 late)"


def test_stf_7_empty_month_has_no_best_staff() -> None:
    figures = staff_performance(
        since=datetime(2026, 10, 1, tzinfo=SH), until=datetime(2026, 11, 1, tzinfo=SH)
    )
    assert figures.people == [] and figures.best_staff() == [] and figures.best_teams() == []
    summary = {str(k): v for k, v in staff_performance_summary(OCTOBER)}
    assert summary["Best staff (items on time)"] == "—"
