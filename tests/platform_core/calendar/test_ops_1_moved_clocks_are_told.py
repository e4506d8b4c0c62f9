"""Decision 048 (addendum s9), OPS-1 with MER-2's working days: the people a running clock concerns
hear once per calendar change that moved it, one notification each listing their moved clocks with the new
due time in Beijing time, Chinese first. Through the admin, with the second factor."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from merchants.clocks import RULE_APPLICATION_REVIEW
from platform_core.calendar.models import Holiday
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadline_start
from platform_core.notifications.models import Notification
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantApplicationFactory
from tests.helpers.admin_otp import otp_admin_client

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/admin/business_calendar/holiday/"
EVENT = "deadlines_moved"


@pytest.fixture
def started(settings: Any, time_machine: Any) -> dict[str, Any]:
    """On Wednesday 1 March 2028: two applications of one applicant and one of another (MER-2, 5 working
    days: due Wednesday 8 March 10:00), no reviewer assigned yet. Seen on Monday 6 March."""
    settings.STAFF_REQUIRE_OTP = True
    time_machine.move_to(datetime(2028, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False)
    busy, other = UserFactory.create(), UserFactory.create()
    applications = [MerchantApplicationFactory.create(applicant=a) for a in (busy, busy, other)]
    for application in applications:
        deadline_start(rule=RULE_APPLICATION_REVIEW, subject=application, working_days=5)
    time_machine.move_to(datetime(2028, 3, 6, 10, 0, tzinfo=SHANGHAI), tick=False)
    operator = otp_admin_client(UserFactory.create(is_staff=True, is_superuser=True))
    return {"busy": busy, "other": other, "applications": applications, "operator": operator}


def _told(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=EVENT).order_by("pk"))


def test_ops_1_mer_2_each_person_whose_clocks_moved_is_told_once_with_the_new_due_times(
    started: dict[str, Any],
) -> None:
    operator, busy, other = started["operator"], started["busy"], started["other"]
    first, second, third = started["applications"]
    added = operator.post(f"{URL}add/", {"date": "2028-03-03", "kind": "holiday", "name": "平台休息日"})
    assert added.status_code == 302
    assert set(Deadline.objects.values_list("due_at", flat=True)) == {
        datetime(2028, 3, 9, 10, 0, tzinfo=SHANGHAI)
    }

    (note,) = _told(busy)  # one notification for the change, both of the applicant's clocks in it
    assert (
        note.channel == "inapp" and note.title == "A change of the working-day calendar moved your due dates"
    )
    lines = note.body.splitlines()
    assert lines[1:] == [
        f"Review of the merchant application ({application}): now due 2028-03-09 10:00 (Beijing time)"
        for application in (first, second)
    ]
    (note,) = _told(other)
    assert str(third) in note.body and "2028-03-09 10:00" in note.body
    assert Notification.objects.filter(event=EVENT).count() == 2  # nobody else (the operator, a reviewer)

    # the next change (the holiday taken out again) is told again, with the due time moved back
    holiday = Holiday.objects.get(date="2028-03-03")
    removed = operator.post(f"{URL}{holiday.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    assert [n.body.count("2028-03-08 10:00") for n in _told(busy)] == [0, 2]
    assert len(_told(other)) == 2

    # a change outside every running window moves nothing and tells nobody
    operator.post(f"{URL}add/", {"date": "2028-03-20", "kind": "holiday", "name": "平台休息日"})
    assert Notification.objects.filter(event=EVENT).count() == 4


def test_ops_1_mer_2_the_applicant_is_told_in_chinese_first(
    started: dict[str, Any], platform_default_language: str
) -> None:
    started["operator"].post(f"{URL}add/", {"date": "2028-03-03", "kind": "holiday", "name": "平台休息日"})
    (note,) = _told(started["other"])
    assert note.title == "工作日日历调整，您的截止时间已变更"
    assert "商家入驻申请的审核" in note.body and "截止时间改为 2028-03-09 10:00（北京时间）" in note.body
