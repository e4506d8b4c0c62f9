"""VIO-2, VIO-3: points accumulate per year in two tracks; thresholds impose penalties that lift themselves."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings
from time_machine import TimeMachineFixture

from merchants.models import Merchant, MerchantStatusChange, Penalty
from merchants.services.lifecycle import merchant_restrict
from merchants.services.violations import violation_record
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


def record(merchant: Merchant, kind: str, times: int = 1) -> None:
    for n in range(times):
        violation_record(merchant=merchant, kind=kind, evidence={"n": n}, source="system")


def test_vio_2_twelve_general_points_start_listing_restriction_and_it_ends_on_its_date(
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    record(merchant, "late_shipment", times=3)  # 9 general points: a warning at 6, nothing more
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert list(merchant.penalties.values_list("measure", flat=True)) == ["warning"]

    record(merchant, "late_shipment")  # 12 general points
    merchant.refresh_from_db()
    penalty = merchant.penalties.get(measure=Penalty.Measure.LISTING_RESTRICTION)
    assert merchant.status == Merchant.Status.RESTRICTED
    assert merchant.restriction_causes == [Merchant.Cause.VIOLATION]
    assert merchant.may_take_orders  # a listing restriction still trades
    assert (penalty.track, penalty.threshold, penalty.year) == ("general", 12, 2026)
    assert penalty.ends_at == penalty.starts_at + timedelta(days=7)
    assert penalty.violations.count() == 4
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_penalty_imposed").exists()

    time_machine.move_to(penalty.ends_at - timedelta(minutes=1), tick=False)
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED

    time_machine.move_to(penalty.ends_at + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    merchant.refresh_from_db()
    penalty.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert merchant.restriction_causes == []
    assert penalty.lifted_reason == Penalty.LiftReason.EXPIRED
    last_change = MerchantStatusChange.objects.filter(merchant=merchant).last()
    assert last_change is not None and last_change.actor is None  # no human action
    assert (last_change.to_status, last_change.cause) == ("active", "violation")
    deadlines_sweep()  # idempotent
    assert merchant.penalties.filter(lifted_at__isnull=True).exclude(measure="warning").count() == 0


def test_vio_2_threshold_triggers_once_per_year_per_track(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    record(merchant, "late_shipment", times=4)  # 12 → listing restriction
    time_machine.move_to(datetime(2026, 3, 19, 10, 0, tzinfo=SHANGHAI), tick=False)
    deadlines_sweep()
    record(merchant, "late_shipment", times=3)  # 21: no threshold crossed again
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert merchant.penalties.filter(threshold=12).count() == 1

    # A new calendar year counts from zero.
    time_machine.move_to(datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    record(merchant, "late_shipment", times=4)
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert merchant.penalties.filter(threshold=12, year=2027, measure="listing_restriction").count() == 1


def test_vio_2_tracks_count_separately() -> None:
    merchant = MerchantFactory.create()
    record(merchant, "late_shipment", times=3)  # 9 general
    record(merchant, "ip_infringement")  # 12 serious
    merchant.refresh_from_db()
    [penalty] = merchant.penalties.exclude(measure="warning")
    assert (penalty.track, penalty.threshold, penalty.measure) == ("serious", 12, "listing_restriction")


def test_vio_2_twenty_four_points_restrict_trading() -> None:
    merchant = MerchantFactory.create()
    record(merchant, "prohibited_item", times=2)  # 24 serious
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert Merchant.Cause.TRADING_RESTRICTION in merchant.restriction_causes
    assert not merchant.may_take_orders


def test_vio_2_forty_eight_serious_points_ban(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    record(merchant, "prohibited_item", times=3)  # 36: suspended
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.SUSPENDED
    assert merchant.suspension_causes == [Merchant.Cause.VIOLATION]
    record(merchant, "prohibited_item")  # 48: banned
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.BANNED
    ban = merchant.penalties.get(measure="ban")
    assert ban.ends_at is None and ban.is_in_force()
    assert not Deadline.objects.filter(rule="merchants.penalty_end", subject_id=str(ban.pk)).exists()


def test_vio_2_thresholds_are_policy_data_and_a_jump_applies_the_highest(settings: Settings) -> None:
    settings.MERCHANT_PENALTY_THRESHOLDS = (
        ("general", 3, "warning", 0),
        ("general", 6, "suspension", 3),
    )
    merchant = MerchantFactory.create()
    record(merchant, "false_listing")  # 0 → 6 crosses both
    merchant.refresh_from_db()
    assert list(merchant.penalties.values_list("measure", flat=True)) == ["suspension"]
    assert merchant.status == Merchant.Status.SUSPENDED


def test_vio_3_lifting_a_penalty_keeps_other_causes(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    merchant_restrict(merchant=merchant, cause=Merchant.Cause.AGREEMENT, reason="agreement", actor=None)
    record(merchant, "late_shipment", times=4)
    penalty = merchant.penalties.get(measure="listing_restriction")
    assert penalty.ends_at is not None
    time_machine.move_to(penalty.ends_at + timedelta(seconds=1))
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert merchant.restriction_causes == [Merchant.Cause.AGREEMENT]


def test_vio_3_suspension_ends_back_to_trading(time_machine: TimeMachineFixture) -> None:
    merchant = MerchantFactory.create()
    record(merchant, "prohibited_item", times=3)  # 12, 24, 36: three penalties in force
    suspension = merchant.penalties.get(measure="suspension")
    assert suspension.ends_at is not None
    time_machine.move_to(suspension.ends_at + timedelta(seconds=1))
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE  # the shorter restrictions ended before
    assert merchant.restriction_causes == [] and merchant.suspension_causes == []
    assert not merchant.penalties.filter(lifted_at__isnull=True).exists()


def test_vio_2_a_shop_that_left_keeps_points_but_gets_no_penalty() -> None:
    merchant = MerchantFactory.create(status=Merchant.Status.CLOSED)
    record(merchant, "prohibited_item")
    assert merchant.violations.count() == 1
    assert not merchant.penalties.exists()


def test_vio_2_general_track_default_ladder_and_21_day_suspension(time_machine: TimeMachineFixture) -> None:
    """The general track's defaults: 6 warning, 12 listing 7 d, 24 trading 14 d, 36 suspension 21 d, 48 ban."""
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    record(merchant, "false_listing", times=8)  # 6 general points each: 6, 12, ..., 48
    ladder = {
        p.threshold: (p.track, p.measure, None if p.ends_at is None else p.ends_at - p.starts_at)
        for p in merchant.penalties.all()
    }
    assert ladder == {
        6: ("general", "warning", timedelta(0)),
        12: ("general", "listing_restriction", timedelta(days=7)),
        24: ("general", "trading_restriction", timedelta(days=14)),
        36: ("general", "suspension", timedelta(days=21)),
        48: ("general", "ban", None),
    }


def test_vio_2_general_suspension_lasts_21_days(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    record(merchant, "false_listing", times=6)  # 36 general points: suspension
    merchant.refresh_from_db()
    suspension = merchant.penalties.get(measure=Penalty.Measure.SUSPENSION)
    assert (suspension.track, suspension.threshold) == ("general", 36)
    assert merchant.status == Merchant.Status.SUSPENDED
    assert suspension.ends_at == suspension.starts_at + timedelta(days=21)

    time_machine.move_to(suspension.starts_at + timedelta(days=21) - timedelta(minutes=1), tick=False)
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.SUSPENDED  # not yet: still suspended just before day 21

    time_machine.move_to(suspension.starts_at + timedelta(days=21, seconds=1), tick=False)
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
