"""VIO-5: penalties are published within 1 working day of taking effect, while in force."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from time_machine import TimeMachineFixture

from merchants.models import Merchant, Penalty
from merchants.services.penalties import penalty_lift
from merchants.services.violations import violation_record
from platform_core.calendar.services import add_working_days
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden
from tests.factories.merchants import ComplianceReviewerFactory, MerchantFactory
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


def penalise(merchant: Merchant) -> Penalty:
    for n in range(4):
        violation_record(merchant=merchant, kind="late_shipment", evidence={"order": n}, source="system")
    return merchant.penalties.get(measure="listing_restriction")


def public_list() -> list[dict]:
    response = APIClient().get("/api/v1/penalties/")
    assert response.status_code == 200
    return response.json()["results"]


def test_vio_5_penalty_in_public_list_within_one_working_day(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 13, 16, 0, tzinfo=SHANGHAI), tick=False)  # a Friday
    merchant = MerchantFactory.create(name="违规小店")
    penalty = penalise(merchant)
    deadline = add_working_days(penalty.starts_at, 1)
    assert timezone.localtime(deadline).date().isoformat() == "2026-03-16"  # the next Monday

    time_machine.move_to(deadline + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    [row] = public_list()
    assert row["shop_name"] == "违规小店"
    assert row["violation_kind"] == "late_shipment"
    assert row["measure"] == "listing_restriction"
    assert row["starts_at"] and row["ends_at"]
    penalty.refresh_from_db()
    assert penalty.published_at is not None and penalty.published_at <= deadline + timedelta(seconds=1)

    profile = APIClient().get(f"/api/v1/merchants/{merchant.pk}/").json()
    assert [p["measure"] for p in profile["penalties_in_force"]] == ["listing_restriction"]


def test_vio_5_public_list_keeps_only_penalties_in_force(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    penalty = penalise(merchant)
    time_machine.move_to(timezone.now() + timedelta(days=3))
    deadlines_sweep()
    assert len(public_list()) == 1
    assert penalty.ends_at is not None
    time_machine.move_to(penalty.ends_at + timedelta(seconds=1))
    deadlines_sweep()
    assert public_list() == []
    assert APIClient().get(f"/api/v1/merchants/{merchant.pk}/").json()["penalties_in_force"] == []


def test_vio_5_penalty_lifted_before_publication_is_never_published(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    penalty = penalise(merchant)
    with pytest.raises(Forbidden):
        penalty_lift(penalty=penalty, reason=Penalty.LiftReason.STAFF, note="mine", actor=merchant.owner)
    penalty_lift(
        penalty=penalty,
        reason=Penalty.LiftReason.STAFF,
        note="recorded in error",
        actor=ComplianceReviewerFactory.create(),
    )
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    time_machine.move_to(timezone.now() + timedelta(days=5))
    deadlines_sweep()
    penalty.refresh_from_db()
    assert penalty.published_at is None
    assert public_list() == []


def test_vio_5_public_list_query_budget() -> None:
    for _ in range(3):
        penalise(MerchantFactory.create())
    Penalty.objects.update(published_at=timezone.now())
    with assert_max_queries(2):  # count + page
        assert len(public_list()) == 3
