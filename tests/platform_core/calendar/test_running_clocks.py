"""Decision 048 (OPS-1 with MER-2's working days): a change of the business calendar in the admin moves the
running working-day clocks whose window holds the changed day, in the same transaction, audited, and the
success message says how many moved. Clocks already due or fired, clocks whose window does not hold the day
and clocks with a fixed due time keep theirs."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from merchants.clocks import RULE_APPLICATION_REVIEW
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.calendar.models import Holiday
from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, Deadline
from platform_core.deadlines.services import Outcome, deadline_enforce, deadline_start
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantApplicationFactory
from tests.helpers.admin_otp import otp_admin_client

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/admin/business_calendar/holiday/"
WEDNESDAY = datetime(2028, 3, 1, 10, 0, tzinfo=SHANGHAI)  # no holiday in the calendar that week
NOW = datetime(2028, 3, 6, 10, 0, tzinfo=SHANGHAI)  # the Monday after


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2028, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _second_factor(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


@pytest.fixture
def clocks(time_machine: Any) -> dict[str, Deadline]:
    """Clocks started on Wednesday 1 March 2028 (and one on Friday 3 March), seen on Monday 6 March."""
    time_machine.move_to(WEDNESDAY, tick=False)
    found = {
        # MER-2: an application reviewed within 5 working days: Thu, Fri, Mon, Tue, Wed 8 March
        "running": deadline_start(
            rule=RULE_APPLICATION_REVIEW, subject=MerchantApplicationFactory.create(), working_days=5
        ),
        "fixed": deadline_start(rule=CANARY_RULE, subject=Canary.objects.create(), after=timedelta(days=7)),
        "fired": deadline_start(rule=CANARY_RULE, subject=Canary.objects.create(), working_days=2),
        "due": deadline_start(rule=CANARY_RULE, subject=Canary.objects.create(), working_days=2),
    }
    time_machine.move_to(_at(3, 9), tick=False)
    found["later"] = deadline_start(rule=CANARY_RULE, subject=Canary.objects.create(), working_days=2)
    time_machine.move_to(NOW, tick=False)
    assert deadline_enforce(deadline_id=found["fired"].pk) is Outcome.ENFORCED
    for deadline in found.values():
        deadline.refresh_from_db()
    assert found["running"].due_at == _at(8) and found["running"].working_days == 5
    assert found["fired"].status == "enforced" and found["due"].status == "pending"
    return found


def _dues(clocks: dict[str, Deadline]) -> dict[str, tuple[datetime, str]]:
    return {name: (deadline.due_at, deadline.status) for name, deadline in _reloaded(clocks).items()}


def _reloaded(clocks: dict[str, Deadline]) -> dict[str, Deadline]:
    return {name: Deadline.objects.get(pk=deadline.pk) for name, deadline in clocks.items()}


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def operator() -> Client:
    user: User = UserFactory.create(is_staff=True, is_superuser=True)
    return otp_admin_client(user)


def test_ops_1_mer_2_adding_a_holiday_moves_running_working_day_deadlines(
    clocks: dict[str, Deadline], operator: Client
) -> None:
    before = _dues(clocks)
    added = operator.post(f"{URL}add/", {"date": "2028-03-03", "kind": "holiday", "name": "平台休息日"})
    assert added.status_code == 302
    holiday = Holiday.objects.get(date="2028-03-03")

    after = _dues(clocks)
    assert after["running"] == (_at(9), "pending")  # Thu, Mon, Tue, Wed, Thu 9 March
    # already fired, due but not yet swept, started on the day itself, or with a fixed due time: unmoved
    assert {name: after[name] for name in ("fired", "due", "later", "fixed")} == {
        name: before[name] for name in ("fired", "due", "later", "fixed")
    }
    assert after["fired"][1] == "enforced" and after["due"][1] == "pending"
    assert any("1 running working-day deadline moved" in message for message in _messages(added))

    entry = AuditEntry.objects.get(action="calendar.deadlines_moved", subject_id=str(holiday.pk))
    assert entry.after is not None and entry.after["moved"] == 1
    (moved,) = entry.after["deadlines"]
    assert moved["id"] == clocks["running"].pk and moved["rule"] == RULE_APPLICATION_REVIEW
    assert datetime.fromisoformat(moved["due_before"]) == _at(8)
    assert datetime.fromisoformat(moved["due_after"]) == _at(9)


def test_ops_1_mer_2_removing_a_holiday_moves_running_working_day_deadlines_back(
    clocks: dict[str, Deadline], operator: Client
) -> None:
    before = _dues(clocks)
    assert (
        operator.post(
            f"{URL}add/", {"date": "2028-03-03", "kind": "holiday", "name": "平台休息日"}
        ).status_code
        == 302
    )
    holiday = Holiday.objects.get(date="2028-03-03")
    assert _dues(clocks)["running"][0] == _at(9)

    removed = operator.post(f"{URL}{holiday.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    assert _dues(clocks) == before  # back to Wednesday 8 March; the others never moved
    assert any("1 running working-day deadline moved" in message for message in _messages(removed))
    entries = AuditEntry.objects.filter(action="calendar.deadlines_moved", subject_id=str(holiday.pk))
    assert [entry.after["moved"] for entry in entries.order_by("pk") if entry.after] == [1, 1]


def test_ops_1_mer_2_a_change_outside_every_running_window_moves_no_clock(
    clocks: dict[str, Deadline], operator: Client
) -> None:
    before = _dues(clocks)
    added = operator.post(f"{URL}add/", {"date": "2028-03-10", "kind": "holiday", "name": "平台休息日"})
    assert added.status_code == 302
    assert _dues(clocks) == before
    assert any("0 running working-day deadlines moved" in message for message in _messages(added))
    assert not AuditEntry.objects.filter(action="calendar.deadlines_moved").exists()


def test_ops_1_mer_2_a_make_up_working_day_brings_running_deadlines_forward(
    clocks: dict[str, Deadline], operator: Client
) -> None:
    # Saturday 4 March becomes a working day: Thu, Fri, Sat, Mon, Tue 7 March
    added = operator.post(f"{URL}add/", {"date": "2028-03-04", "kind": "workday", "name": "调休"})
    assert added.status_code == 302
    assert _dues(clocks)["running"] == (_at(7), "pending")
