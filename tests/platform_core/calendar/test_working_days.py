"""The business calendar: weekends, PRC public holidays and make-up working days (调休).

Expected dates are the State Council's 2026 arrangement as shipped in chinesecalendar 1.11:
Spring Festival Feb 15 (Sun) - Feb 23 (Mon) off, Feb 14 (Sat) and Feb 28 (Sat) worked;
Mid-Autumn Sep 25 (Fri) off; National Day Oct 1 (Thu) - Oct 7 (Wed) off, Sep 20 (Sun) and Oct 10 (Sat) worked.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from platform_core.calendar.models import Holiday
from platform_core.calendar.services import add_working_days, is_working_day, working_days_between
from tests.factories.calendar import HolidayFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_calendar_seed_stores_only_exceptions_to_the_weekday_rule() -> None:
    rows = list(Holiday.objects.filter(date__year=2026))
    assert all(r.date.weekday() < 5 for r in rows if r.kind == Holiday.Kind.HOLIDAY)
    assert all(r.date.weekday() >= 5 for r in rows if r.kind == Holiday.Kind.WORKDAY)
    workdays = sorted(r.date for r in rows if r.kind == Holiday.Kind.WORKDAY)
    assert workdays == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "国庆节 (National Day)"
    assert Holiday.objects.filter(date__year=2025).exists()


def test_calendar_is_working_day_around_national_day_2026() -> None:
    assert is_working_day(date(2026, 9, 30))  # Wednesday
    assert not is_working_day(date(2026, 10, 1))  # Thursday, National Day
    assert not is_working_day(date(2026, 10, 5))  # Monday inside the break
    assert is_working_day(date(2026, 10, 8))  # Thursday, back to work
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up day
    assert is_working_day(date(2026, 9, 20))  # Sunday, make-up day
    assert not is_working_day(date(2026, 10, 11))  # plain Sunday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # the whole break is skipped
        (date(2026, 9, 30), 2, date(2026, 10, 9)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # the make-up Saturday counts
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # starting inside the break
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # Mid-Autumn Friday off
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Friday + 1 = the make-up Sunday
    ],
)
def test_calendar_add_working_days_across_national_day_2026(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday + 1 = the make-up Saturday
        (date(2026, 2, 13), 2, date(2026, 2, 24)),  # then the nine days off
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 20), 5, date(2026, 2, 28)),  # 24, 25, 26, 27 and the make-up Saturday 28
    ],
)
def test_calendar_add_working_days_across_spring_festival_2026(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_calendar_working_days_between() -> None:
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3  # 8, 9, 10
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 1)) == 0
    start = date(2026, 9, 30)
    assert add_working_days(start, working_days_between(start, date(2026, 10, 12))) == date(2026, 10, 12)


def test_calendar_datetime_keeps_its_time_of_day() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    assert add_working_days(friday, 1) == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)

    # 17:00 UTC on Sep 30 is already 01:00 on National Day in Shanghai: the calendar date is Oct 1.
    late_utc = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    result = add_working_days(late_utc, 1)
    assert result == datetime(2026, 10, 8, 1, 0, tzinfo=SHANGHAI)
    assert result.utcoffset() == timedelta(hours=8)


def test_calendar_zero_negative_and_naive() -> None:
    moment = datetime(2026, 10, 3, 12, 0, tzinfo=SHANGHAI)
    assert add_working_days(moment, 0) is moment
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 10, 3), -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 10, 3, 12, 0), 1)


def test_calendar_reads_the_table_once_per_call(django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(1):
        assert add_working_days(date(2026, 1, 1), 100) > date(2026, 5, 1)
    with django_assert_max_num_queries(1):
        working_days_between(date(2025, 1, 1), date(2026, 12, 31))


def test_calendar_long_spans_read_more_windows_and_stay_right() -> None:
    # 250 working days in 2026: every weekday minus 19 weekday holidays plus 6 make-up days.
    weekdays_2026 = sum(1 for d in range(365) if (date(2026, 1, 1) + timedelta(days=d)).weekday() < 5)
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == weekdays_2026 - 19 + 6
    assert add_working_days(date(2025, 12, 31), weekdays_2026 - 19 + 6) == date(2026, 12, 31)


def test_calendar_admin_added_holiday_changes_the_result(admin_client) -> None:
    monday = date(2026, 11, 30)
    assert add_working_days(monday, 1) == date(2026, 12, 1)

    response = admin_client.post(
        reverse("admin:business_calendar_holiday_add"),
        {"date": "2026-12-01", "kind": Holiday.Kind.HOLIDAY, "name": "Platform day off"},
    )
    assert response.status_code == 302
    assert not is_working_day(date(2026, 12, 1))
    assert add_working_days(monday, 1) == date(2026, 12, 2)

    HolidayFactory(date=date(2026, 12, 5), kind=Holiday.Kind.WORKDAY)  # a Saturday worked
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)


def test_calendar_admin_filters_by_kind_and_year(admin_client) -> None:
    url = reverse("admin:business_calendar_holiday_changelist")
    response = admin_client.get(url, {"year": "2026", "kind": "workday"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 6
    response = admin_client.get(url, {"q": "国庆节"})
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
