"""REP-3: the credit score and grade, its documented formula, history and where it is shown."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient
from time_machine import TimeMachineFixture

from merchants.models import Merchant, MerchantCreditSnapshot
from merchants.selectors.credit import credit_compute, merchant_credit_grade
from merchants.selectors.figures import RatingBucket
from merchants.services.credit import merchant_credit_recompute
from merchants.services.violations import violation_record
from merchants.tasks import recompute_credit_task
from tests.factories.merchants import FakeStandingSources, MerchantFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
TODAY = date(2026, 6, 30)

#: The worked example of docs/credit-formula.md, "Worked example".
EXAMPLE_FIGURES = {
    "orders": 250,
    "shipments": 200,
    "shipments_late": 6,
    "aftersales_requests": 20,
    "aftersales_responded_in_time": 18,
    "complaints": 5,
    "disputes_lost": 1,
}
EXAMPLE_RATINGS = [
    RatingBucket(day=TODAY, count=2, description_sum=10, service_sum=9, logistics_sum=8),
    RatingBucket(day=TODAY - timedelta(days=90), count=1, description_sum=3, service_sum=4, logistics_sum=2),
    RatingBucket(day=TODAY - timedelta(days=200), count=5, description_sum=5, service_sum=5, logistics_sum=5),
]
EXAMPLE_COMPONENTS = {
    "ratings": "80.00",
    "on_time_shipping": "97.00",
    "aftersales_response": "90.00",
    "complaints": "60.00",
    "dispute_losses": "80.00",
    "violations": "87.50",
}


def test_rep_3_worked_example_matches_docs() -> None:
    result = credit_compute(
        figures={k: Decimal(v) for k, v in EXAMPLE_FIGURES.items()},
        buckets=EXAMPLE_RATINGS,
        points=6,
        today=TODAY,
    )
    assert {name: c["value"] for name, c in result["components"].items()} == EXAMPLE_COMPONENTS
    assert result["score"] == Decimal("83.18")
    assert (result["grade"], result["grade_name"]) == (4, "四星")


def test_rep_3_worked_example_through_the_registered_sources(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 6, 30, 12, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    other = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = EXAMPLE_FIGURES
        sources.ratings[merchant.pk] = EXAMPLE_RATINGS
        violation_record(merchant=merchant, kind="false_listing", evidence={}, source="staff")  # 6 points
        snapshot = merchant_credit_recompute(merchant=merchant)
        other_snapshot = merchant_credit_recompute(merchant=other)
    assert snapshot.score == Decimal("83.18") and snapshot.grade == 4
    assert {name: c["value"] for name, c in snapshot.components.items()} == EXAMPLE_COMPONENTS
    assert snapshot.components["on_time_shipping"]["basis"] == "97.00"
    merchant.refresh_from_db()
    assert (merchant.credit_score, merchant.credit_grade) == (Decimal("83.18"), 4)
    assert merchant_credit_grade(merchant) == 4
    # A merchant without data gets the neutral value for every component but violations.
    assert other_snapshot.score == Decimal("74.50") and other_snapshot.grade == 3
    _, since, until = sources.calls[0]
    assert until - since == timedelta(days=180)


def test_rep_3_ratings_weigh_less_as_they_age() -> None:
    fresh_bad = [RatingBucket(day=TODAY, count=1, description_sum=1, service_sum=1, logistics_sum=1)]
    old_good = [
        RatingBucket(
            day=TODAY - timedelta(days=150), count=1, description_sum=5, service_sum=5, logistics_sum=5
        )
    ]
    result = credit_compute(figures={}, buckets=fresh_bad + old_good, points=0, today=TODAY)
    # weights 1 and 1/6: (1×1 + 5/6) / (7/6) = 11/7 → (11/7 − 1) / 4 × 100 = 14.29
    assert result["components"]["ratings"]["value"] == "14.29"


def test_rep_3_default_grade_before_first_computation() -> None:
    merchant = MerchantFactory.create()
    assert merchant.credit_grade is None
    assert merchant_credit_grade(merchant) == 3


def test_rep_3_a_violation_recomputes_the_credit_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    merchant = MerchantFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        violation_record(merchant=merchant, kind="prohibited_item", evidence={}, source="inspection")
    snapshot = MerchantCreditSnapshot.objects.get(merchant=merchant)
    assert snapshot.trigger == MerchantCreditSnapshot.Trigger.EVENT
    assert snapshot.components["violations"]["value"] == "75.00"  # 12 points of 48
    merchant.refresh_from_db()
    assert merchant.credit_score == snapshot.score


def test_rep_3_nightly_once_a_day_and_twelve_months_kept(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2025, 1, 9, 2, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    MerchantFactory.create(status=Merchant.Status.CLOSED)
    assert recompute_credit_task() == 1
    time_machine.move_to(datetime(2026, 1, 10, 2, 0, tzinfo=SHANGHAI), tick=False)
    assert recompute_credit_task() == 1
    assert recompute_credit_task() == 1  # the same night again: nothing new
    snapshots = MerchantCreditSnapshot.objects.filter(merchant=merchant)
    assert snapshots.count() == 1  # the one from 2025-01-09 is past the 12-month history
    assert timezone.localtime(snapshots.get().computed_at).date() == date(2026, 1, 10)


def test_rep_3_profile_shows_grade_components_and_history(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    for month in (4, 5, 6):
        time_machine.move_to(datetime(2026, month, 15, 2, 0, tzinfo=SHANGHAI), tick=False)
        merchant_credit_recompute(merchant=merchant, trigger=MerchantCreditSnapshot.Trigger.NIGHTLY)
        merchant_credit_recompute(merchant=merchant)  # same month: the history shows the last one
    body = APIClient().get(f"/api/v1/merchants/{merchant.pk}/").json()
    assert body["credit_grade"] == 3
    assert body["credit"]["grade_name"] == "三星"
    assert set(body["credit"]["components"]) == set(EXAMPLE_COMPONENTS)
    assert body["credit"]["components"]["ratings"]["weight"] == "0.35"
    assert [h["computed_at"][:7] for h in body["credit_history"]] == ["2026-04", "2026-05", "2026-06"]
