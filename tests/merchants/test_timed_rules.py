"""MER-4, MER-6, MER-6a, MER-7, VIO-1: what happens because time passed, enforced by the deadline engine."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from time_machine import TimeMachineFixture

from merchants.models import (
    AgreementAcceptance,
    DocumentKind,
    Merchant,
    QualificationDocument,
    Reverification,
)
from merchants.services.agreements import agreement_accept, agreement_publish
from merchants.services.changes import merchant_change_report, merchant_change_verify
from merchants.services.documents import document_expired_handlers, merchant_document_add
from merchants.services.lifecycle import merchant_activate
from merchants.services.reverification import reverification_pass
from merchants.services.violations import violation_record
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from tests.factories.accounts import StaffFactory
from tests.factories.calendar import HolidayFactory
from tests.factories.merchants import MerchantFactory, PlatformAgreementFactory, pdf_upload

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def reviewer() -> User:
    user = StaffFactory.create()
    user.user_permissions.add(Permission.objects.get(codename="review_merchantapplication"))
    return User.objects.get(pk=user.pk)


# --- MER-4 ---------------------------------------------------------------------------------------------


def publisher() -> User:
    """Staff holding the publishing permission (STF-6)."""
    user: User = StaffFactory.create()
    user.user_permissions.add(Permission.objects.get(codename="publish_announcement"))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached on the instance


def test_stf_6_only_publishers_publish_agreement_versions() -> None:
    with pytest.raises(Forbidden):
        agreement_publish(
            version="2.1",
            title="协议",
            body="…",
            effective_at=timezone.now() + timedelta(days=8),
            actor=StaffFactory.create(),
        )
    assert (
        agreement_publish(
            version="2.1",
            title="协议",
            body="…",
            effective_at=timezone.now() + timedelta(days=8),
            actor=publisher(),
        ).version
        == "2.1"
    )


def test_mer_4_agreement_needs_7_days_notice() -> None:
    merchant = MerchantFactory.create()  # trading under an accepted version: it must be given notice
    agreement_accept(
        merchant=merchant, agreement=PlatformAgreementFactory.create(), actor=merchant.owner, ip=""
    )
    with pytest.raises(InvalidInput) as excinfo:
        agreement_publish(
            version="2.0",
            title="协议",
            body="…",
            effective_at=timezone.now() + timedelta(days=6),
            actor=publisher(),
        )
    assert excinfo.value.code == "agreement_notice_too_short"


def test_mer_4_the_first_agreement_no_merchant_accepted_may_take_effect_at_once() -> None:
    """Issue 21: a new installation publishes its first version and admits merchants the same day."""
    now = timezone.now()
    first = agreement_publish(version="1.0", title="协议", body="…", effective_at=now, actor=publisher())
    assert first.effective_at == now


def test_mer_4_unaccepted_agreement_restricts_on_effective_date(time_machine: TimeMachineFixture) -> None:
    accepting, ignoring = MerchantFactory.create(), MerchantFactory.create()
    effective_at = timezone.now() + timedelta(days=7, minutes=1)
    agreement = agreement_publish(
        version="2.0", title="协议", body="…", effective_at=effective_at, actor=publisher()
    )
    acceptance = agreement_accept(
        merchant=accepting, agreement=agreement, actor=accepting.owner, ip="203.0.113.5"
    )
    assert (acceptance.user, acceptance.ip) == (accepting.owner, "203.0.113.5")

    time_machine.move_to(effective_at - timedelta(minutes=1))
    deadlines_sweep()
    ignoring.refresh_from_db()
    assert ignoring.status == Merchant.Status.ACTIVE

    time_machine.move_to(effective_at + timedelta(seconds=1))
    deadlines_sweep()
    ignoring.refresh_from_db()
    accepting.refresh_from_db()
    assert ignoring.status == Merchant.Status.RESTRICTED
    assert ignoring.restriction_causes == [Merchant.Cause.AGREEMENT]
    assert accepting.status == Merchant.Status.ACTIVE
    deadlines_sweep()  # idempotent
    assert ignoring.status_changes.count() == 1

    # accepting late lifts the restriction, as it was the only cause
    agreement_accept(merchant=ignoring, agreement=agreement, actor=ignoring.owner, ip=None)
    ignoring.refresh_from_db()
    assert ignoring.status == Merchant.Status.ACTIVE


def test_mer_4_only_owner_accepts() -> None:
    merchant = MerchantFactory.create()
    agreement = agreement_publish(
        version="3.0",
        title="协议",
        body="…",
        effective_at=timezone.now() + timedelta(days=8),
        actor=publisher(),
    )
    with pytest.raises(Forbidden):
        agreement_accept(merchant=merchant, agreement=agreement, actor=StaffFactory.create(), ip=None)
    assert not AgreementAcceptance.objects.exists()


# --- MER-6 ---------------------------------------------------------------------------------------------


def test_mer_6_reverification_overdue_suspends(time_machine: TimeMachineFixture, reviewer: User) -> None:
    merchant = MerchantFactory.create(status=Merchant.Status.ONBOARDING)
    merchant = merchant_activate(merchant=merchant, reason="approved", actor=None)
    start = timezone.now()

    time_machine.move_to(start + timedelta(days=180, minutes=-1))
    deadlines_sweep()
    assert not Reverification.objects.filter(merchant=merchant).exists()  # not yet, a minute before 6 months

    time_machine.move_to(start + timedelta(days=180, seconds=1))
    deadlines_sweep()
    reverification = Reverification.objects.get(merchant=merchant)
    assert reverification.status == Reverification.Status.OPEN
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_reverification_due").exists()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE

    time_machine.move_to(start + timedelta(days=210, minutes=-1))
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE  # not yet, a minute before the 30 days' grace ends

    time_machine.move_to(start + timedelta(days=210, seconds=2))
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.SUSPENDED
    assert merchant.suspension_causes == [Merchant.Cause.REVERIFICATION]
    change = merchant.status_changes.last()
    assert change is not None and change.actor is None and change.cause == "reverification"

    # passing re-verification reinstates and starts the next six months
    reverification_pass(reverification=reverification, note="documents current", actor=reviewer)
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert Deadline.objects.filter(
        rule="merchants.reverify_due", subject_id=str(merchant.pk), status=Deadline.Status.PENDING
    ).exists()


def test_mer_6_reverification_passed_in_time_never_suspends(
    time_machine: TimeMachineFixture, reviewer: User
) -> None:
    merchant = merchant_activate(
        merchant=MerchantFactory.create(status=Merchant.Status.ONBOARDING), reason="ok", actor=None
    )
    start = timezone.now()
    time_machine.move_to(start + timedelta(days=181))
    deadlines_sweep()
    reverification_pass(
        reverification=Reverification.objects.get(merchant=merchant), note="ok", actor=reviewer
    )
    time_machine.move_to(start + timedelta(days=215))
    deadlines_sweep()
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE


# --- MER-6a --------------------------------------------------------------------------------------------


def test_mer_6a_reported_change_verified_within_7_working_days(
    reviewer: User, time_machine: TimeMachineFixture
) -> None:
    # Reported on a Friday morning before a Tuesday off: the 7th working day is Wednesday 16th, not
    # Friday 11th (7 calendar days).
    HolidayFactory.create(date=date(2030, 1, 8))
    time_machine.move_to(datetime(2030, 1, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    merchant = MerchantFactory.create()
    change = merchant_change_report(
        merchant=merchant, changes={"registered_address": "上海市浦东新区1号"}, actor=merchant.owner
    )
    deadline = Deadline.objects.get(rule="merchants.change_verify", subject_id=str(change.pk))
    assert deadline.due_at == datetime(2030, 1, 16, 10, 0, tzinfo=SHANGHAI)
    merchant_change_verify(change=change, note="licence checked", actor=reviewer)
    merchant.refresh_from_db()
    deadline.refresh_from_db()
    assert merchant.registered_address == "上海市浦东新区1号"
    assert deadline.status == Deadline.Status.MET


def test_mer_6a_only_registered_fields_may_change() -> None:
    merchant = MerchantFactory.create()
    with pytest.raises(InvalidInput):
        merchant_change_report(merchant=merchant, changes={"credit_code": "X"}, actor=merchant.owner)


# --- MER-7 ---------------------------------------------------------------------------------------------


@pytest.fixture
def suspended_listings() -> Iterator[list[tuple[int, str]]]:
    """A stand-in for catalog: records which (merchant, document kind) it was told to suspend."""
    calls: list[tuple[int, str]] = []

    def handler(*, merchant: Merchant, document_kind: str, document: QualificationDocument) -> None:
        calls.append((merchant.pk, document_kind))

    with document_expired_handlers.registered(handler):
        yield calls


def _upload(merchant: Merchant, kind: str, valid_until_days: int) -> QualificationDocument:
    return merchant_document_add(
        merchant=merchant,
        kind=kind,
        number="SP-1",
        issuer="市场监督管理局",
        valid_from=timezone.localdate() - timedelta(days=300),
        valid_until=timezone.localdate() + timedelta(days=valid_until_days),
        file=pdf_upload(),
        actor=merchant.owner,
    )


def test_mer_7_document_expiry_warns_then_suspends_listings_needing_it(
    time_machine: TimeMachineFixture, suspended_listings: list[tuple[int, str]]
) -> None:
    merchant = MerchantFactory.create()
    food = _upload(merchant, DocumentKind.FOOD_LICENCE, valid_until_days=40)
    _upload(merchant, DocumentKind.MEDICAL_DEVICE_LICENCE, valid_until_days=400)
    valid_until = food.valid_until
    assert valid_until is not None
    today = timezone.localdate()

    def warnings() -> int:
        return Notification.objects.filter(
            recipient=merchant.owner, event="merchant_document_expiring"
        ).count()

    time_machine.move_to(timezone.now() + timedelta(days=11))  # 29 days left
    deadlines_sweep()
    assert warnings() == 1
    time_machine.move_to(timezone.now() + timedelta(days=23))  # 6 days left
    deadlines_sweep()
    assert warnings() == 2
    assert suspended_listings == []

    # still valid on its last day, expired the day after
    time_machine.move_to(timezone.make_aware(datetime.combine(valid_until, time.min)) + timedelta(hours=12))
    deadlines_sweep()
    assert suspended_listings == []
    time_machine.move_to(
        timezone.make_aware(datetime.combine(valid_until + timedelta(days=1), time.min))
        + timedelta(minutes=1)
    )
    deadlines_sweep()
    assert suspended_listings == [(merchant.pk, DocumentKind.FOOD_LICENCE)]
    deadlines_sweep()
    assert suspended_listings == [(merchant.pk, DocumentKind.FOOD_LICENCE)]
    food.refresh_from_db()
    assert food.expired_at is not None
    assert (valid_until - today).days == 40


def test_mer_7_renewed_document_cancels_expiry(
    time_machine: TimeMachineFixture, suspended_listings: list[tuple[int, str]]
) -> None:
    merchant = MerchantFactory.create()
    old = _upload(merchant, DocumentKind.FOOD_LICENCE, valid_until_days=10)
    _upload(merchant, DocumentKind.FOOD_LICENCE, valid_until_days=800)
    old.refresh_from_db()
    assert old.superseded_at is not None
    time_machine.move_to(timezone.now() + timedelta(days=12))
    deadlines_sweep()
    assert suspended_listings == []


# --- VIO-1 ---------------------------------------------------------------------------------------------


def test_vio_1_violation_points_and_track_from_policy() -> None:
    merchant = MerchantFactory.create()
    violation = violation_record(
        merchant=merchant, kind="fake_reviews", evidence={"reviews": [1, 2]}, source="inspection"
    )
    assert (violation.points, violation.track, violation.source) == (12, "serious", "inspection")
    assert violation.evidence == {"reviews": [1, 2]}
    with pytest.raises(InvalidInput):
        violation_record(merchant=merchant, kind="being_rude", evidence={}, source="staff")
