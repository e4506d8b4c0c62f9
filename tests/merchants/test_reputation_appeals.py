"""VIO-4: appeals within 7 days, decided within 5 working days; overturning voids the points."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from time_machine import TimeMachineFixture

from merchants.models import Merchant, Penalty, Violation, ViolationAppeal
from merchants.services.appeals import violation_appeal_decide, violation_appeal_submit
from merchants.services.violations import violation_record
from platform_core.calendar.services import add_working_days
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, Forbidden, Unprocessable
from platform_core.notifications.models import Notification
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import ComplianceReviewerFactory, MerchantFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


def restricted_merchant() -> tuple[Merchant, list[Violation]]:
    merchant = MerchantFactory.create()
    violations = [
        violation_record(merchant=merchant, kind="late_shipment", evidence={"order": n}, source="system")
        for n in range(4)
    ]
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    return merchant, violations


def test_vio_4_successful_appeal_lifts_the_restriction() -> None:
    merchant, violations = restricted_merchant()
    reviewer = ComplianceReviewerFactory.create()
    appeal = violation_appeal_submit(
        violation=violations[-1],
        statement="The carrier scanned the parcel on time; see the pickup record.",
        evidence={"pickup_scan": "SF123"},
        actor=merchant.owner,
    )
    penalty = merchant.penalties.get(measure="listing_restriction")
    appeal = violation_appeal_decide(
        appeal=appeal, overturn=True, reason="Pickup scan confirmed.", actor=reviewer
    )

    assert appeal.status == ViolationAppeal.Status.OVERTURNED
    merchant.refresh_from_db()
    penalty.refresh_from_db()
    violations[-1].refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert merchant.restriction_causes == []
    assert violations[-1].voided_at is not None
    assert (penalty.lifted_reason, penalty.overturned) == (Penalty.LiftReason.APPEAL, True)
    assert (
        Deadline.objects.get(rule="merchants.penalty_end", subject_id=str(penalty.pk)).status == "cancelled"
    )
    assert Deadline.objects.get(rule="merchants.appeal_review", subject_id=str(appeal.pk)).status == "met"
    assert Notification.objects.filter(
        recipient=merchant.owner, event="merchant_violation_appeal_overturned"
    ).exists()

    # The threshold is no longer reached, so it may trigger again this year.
    violation_record(merchant=merchant, kind="late_shipment", evidence={}, source="system")
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert merchant.penalties.filter(threshold=12, overturned=False, lifted_at__isnull=True).count() == 1


def test_vio_4_appeal_after_7_days_refused(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant, violations = restricted_merchant()
    time_machine.move_to(violations[0].created_at + timedelta(days=7, minutes=1), tick=False)
    with pytest.raises(Unprocessable) as excinfo:
        violation_appeal_submit(violation=violations[0], statement="late", evidence={}, actor=merchant.owner)
    assert excinfo.value.code == "appeal_period_over"
    assert "7 days" in str(excinfo.value.message) and "2026-03-18" in str(excinfo.value.message)
    assert not ViolationAppeal.objects.exists()


def test_vio_4_appeal_on_the_seventh_day_accepted(time_machine: TimeMachineFixture) -> None:
    merchant, violations = restricted_merchant()
    time_machine.move_to(violations[0].created_at + timedelta(days=7, minutes=-1))
    appeal = violation_appeal_submit(
        violation=violations[0], statement="ok", evidence={}, actor=merchant.owner
    )
    assert appeal.status == ViolationAppeal.Status.SUBMITTED


def test_vio_4_upheld_appeal_keeps_the_penalty() -> None:
    merchant, violations = restricted_merchant()
    appeal = violation_appeal_submit(
        violation=violations[0], statement="no", evidence={}, actor=merchant.owner
    )
    violation_appeal_decide(
        appeal=appeal, overturn=False, reason="Shipped 3 days late.", actor=ComplianceReviewerFactory.create()
    )
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert Violation.objects.filter(voided_at__isnull=False).count() == 0


def test_vio_4_one_appeal_per_violation_and_only_reviewers_decide() -> None:
    merchant, violations = restricted_merchant()
    appeal = violation_appeal_submit(
        violation=violations[0], statement="a", evidence={}, actor=merchant.owner
    )
    with pytest.raises(Conflict):
        violation_appeal_submit(violation=violations[0], statement="b", evidence={}, actor=merchant.owner)
    with pytest.raises(Forbidden):
        violation_appeal_decide(appeal=appeal, overturn=True, reason="x", actor=StaffFactory.create())
    with pytest.raises(Forbidden):
        violation_appeal_submit(
            violation=violations[1], statement="c", evidence={}, actor=StaffFactory.create()
        )


def test_vio_4_undecided_after_5_working_days_tells_compliance(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant, violations = restricted_merchant()
    compliance = ComplianceReviewerFactory.create()
    appeal = violation_appeal_submit(
        violation=violations[0], statement="a", evidence={}, actor=merchant.owner
    )
    due = add_working_days(appeal.submitted_at, 5)
    assert timezone.localtime(due).date().isoformat() == "2026-03-18"

    time_machine.move_to(due - timedelta(minutes=1), tick=False)
    deadlines_sweep()
    assert not Notification.objects.filter(event="merchant_appeal_review_overdue").exists()
    time_machine.move_to(due + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    assert (
        Notification.objects.filter(recipient=compliance, event="merchant_appeal_review_overdue").count() == 1
    )
    deadlines_sweep()
    assert Notification.objects.filter(event="merchant_appeal_review_overdue").count() == 1


def test_vio_4_merchant_appeals_through_the_api() -> None:
    merchant, violations = restricted_merchant()
    client = APIClient()
    client.force_authenticate(merchant.owner)
    response = client.post(
        f"/api/v1/merchant/violations/{violations[0].pk}/appeal/",
        {"statement": "Not late", "evidence": {"scan": "x"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    other = MerchantFactory.create()
    client.force_authenticate(other.owner)
    assert (
        client.post(
            f"/api/v1/merchant/violations/{violations[1].pk}/appeal/", {"statement": "x"}, format="json"
        ).status_code
        == 404
    )
