"""Working-day arithmetic on the business calendar (rules.md preamble: "working days").

A working day is a Monday-to-Friday that is not a ``holiday`` row, or a weekend day that is a
``workday`` row (调休). Each call reads the rows it needs in one query (a year holds about 35 of them),
so every process sees an edit made in the admin at once; there is no per-process cache to go stale.
"""

from datetime import date, datetime, timedelta
from typing import Any, overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_core.accounts.models import User
from platform_core.audit.services import audit_record, audited_delete, audited_save
from platform_core.calendar.models import Holiday
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.registry import rule_get
from platform_core.deadlines.services import deadlines_recount_working_days
from platform_core.errors import InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify

_WEEKEND = frozenset({5, 6})
_BEIJING = ZoneInfo("Asia/Shanghai")


def _overrides(first: date, last: date) -> dict[date, str]:
    """The ``Holiday`` rows between two dates (inclusive), as date -> kind."""
    return dict(Holiday.objects.filter(date__range=(first, last)).values_list("date", "kind"))


def _is_working(day: date, overrides: dict[date, str]) -> bool:
    kind = overrides.get(day)
    if kind is not None:
        return kind == Holiday.Kind.WORKDAY
    return day.weekday() not in _WEEKEND


def _calendar_date(value: date) -> date:
    """The date a value falls on in the platform's time zone (Asia/Shanghai)."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError("Working-day arithmetic needs a timezone-aware datetime.")
        return timezone.localtime(value).date()
    return value


def is_working_day(d: date) -> bool:
    """True on Monday to Friday unless it is a public holiday, and on a make-up working day (调休)."""
    day = _calendar_date(d)
    return _is_working(day, _overrides(day, day))


@overload
def add_working_days(start: datetime, n: int) -> datetime: ...


@overload
def add_working_days(start: date, n: int) -> date: ...


def add_working_days(start: date | datetime, n: int) -> date | datetime:
    """The point ``n`` working days after ``start``: the n-th working day after its date.

    A datetime keeps its time of day, taken in the platform's time zone: Friday 10:00 + 1 is Monday
    10:00 when Monday is a working day; the result is in Asia/Shanghai time. Days are counted after
    ``start``'s date whether or not that date is itself a working day, so Saturday + 1 is also Monday.
    ``n == 0`` returns ``start`` unchanged.
    """
    if n < 0:
        raise ValueError("n must be zero or more working days.")
    if n == 0:
        return start
    day = _calendar_date(start)
    remaining = n
    while True:
        # Read a window comfortably wider than n working days (the longest PRC break is 9 days off in a
        # row); read the next window in the rare case the first runs out.
        window_end = day + timedelta(days=2 * remaining + 14)
        overrides = _overrides(day + timedelta(days=1), window_end)
        while day < window_end:
            day += timedelta(days=1)
            if _is_working(day, overrides):
                remaining -= 1
                if remaining == 0:
                    if isinstance(start, datetime):
                        local = timezone.localtime(start)
                        return local.replace(year=day.year, month=day.month, day=day.day)
                    return day


def working_days_between(a: date, b: date) -> int:
    """The number of working days after ``a`` up to and including ``b`` (negative if ``b`` is earlier).

    So for a working day ``b``: ``add_working_days(a, working_days_between(a, b)) == b``.
    """
    first, last = _calendar_date(a), _calendar_date(b)
    if last < first:
        return -working_days_between(last, first)
    overrides = _overrides(first + timedelta(days=1), last)
    return sum(
        1
        for offset in range(1, (last - first).days + 1)
        if _is_working(first + timedelta(days=offset), overrides)
    )


# --- keeping the calendar (issue 21: in the admin, audited) ----------------------------------------------

HOLIDAY_FIELDS = ("date", "kind", "name")


def _holiday_check(data: dict[str, Any]) -> None:
    """A holiday row marks a weekday off, a make-up row a weekend day worked: any other row changes nothing."""
    day, kind = data.get("date"), data.get("kind")
    if not isinstance(day, date):
        return  # the model's checks report it
    if kind == Holiday.Kind.HOLIDAY and day.weekday() in _WEEKEND:
        raise InvalidInput(
            _("A weekend day is already off."),
            errors={"date": [_("A public holiday row is for a weekday (Monday to Friday).")]},
        )
    if kind == Holiday.Kind.WORKDAY and day.weekday() not in _WEEKEND:
        raise InvalidInput(
            _("A weekday is already a working day."),
            errors={"date": [_("A make-up working day (调休) row is for a Saturday or a Sunday.")]},
        )


@transaction.atomic
def holiday_save(*, holiday: Holiday | None, data: dict[str, Any], actor: User) -> tuple[Holiday, int]:
    """Add a day to the business calendar (``holiday`` None) or change one; ``data`` holds ``HOLIDAY_FIELDS``.

    Working days are read from these rows on every call, so the change moves every working-day clock started
    from now on (OPS-1), and in the same transaction the running ones whose window holds the day (decision
    048). Audited; returns the row and how many running clocks moved."""
    _holiday_check(data)
    days = {data["date"]} if holiday is None else {data["date"], lock(Holiday, holiday.pk).date}
    row = audited_save(
        model=Holiday,
        obj=holiday,
        data=data,
        fields=HOLIDAY_FIELDS,
        actor=actor,
        entity="calendar.holiday",
    )
    return row, _running_clocks_recount(holiday=row, days=days, actor=actor)


@transaction.atomic
def holiday_delete(*, holiday: Holiday, actor: User) -> int:
    """Take a day out of the business calendar (entered by mistake); the audit entry keeps what it was. The
    running working-day clocks over that day move back (decision 048); returns how many moved."""
    day = lock(Holiday, holiday.pk).date
    audited_delete(obj=holiday, fields=HOLIDAY_FIELDS, actor=actor, entity="calendar.holiday")
    return _running_clocks_recount(holiday=holiday, days={day}, actor=actor)


def _running_clocks_recount(*, holiday: Holiday, days: set[date], actor: User) -> int:
    """OPS-1, decision 048: recompute the running working-day clocks the change of ``days`` moves; one audit
    entry for the calendar change lists each clock that moved (rule, subject, due time before and after)."""
    moved = deadlines_recount_working_days(days=days)
    if moved:
        audit_record(
            actor=actor,
            action="calendar.deadlines_moved",
            subject=holiday,
            after={
                "days": sorted(days),
                "moved": len(moved),
                "deadlines": [
                    {
                        "id": deadline.pk,
                        "rule": deadline.rule,
                        "subject": f"{deadline.subject_type_id}:{deadline.subject_id}",
                        "due_before": before,
                        "due_after": deadline.due_at,
                    }
                    for deadline, before in moved
                ],
            },
        )
        _moved_clocks_notify(moved=[deadline for deadline, _before in moved])
    return len(moved)


def _moved_clocks_notify(*, moved: list[Deadline]) -> int:
    """Decision 048 (s9): everyone a moved clock's rule names (``deadline_rule(parties=…)``: who waits for the
    review and who owes it, where known) hears once per calendar change, in one notification listing each of
    their clocks with its new due time in Beijing time, in the platform's language (Chinese first: the change
    is made in a staff member's session for other people). Returns how many people were told."""
    items: dict[int, tuple[User, list[str]]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for deadline in moved:
            rule = rule_get(deadline.rule)
            if rule.parties is None:
                continue
            subject = deadline.subject
            if subject is None:  # its row is gone: nobody to name
                continue
            line = _("%(what)s (%(subject)s): now due %(due)s (Beijing time)") % {
                "what": rule.label or rule.description,
                "subject": subject,
                "due": deadline.due_at.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M"),
            }
            for person in rule.parties(subject):
                if person is not None and person.is_active:
                    items.setdefault(person.pk, (person, []))[1].append(line)
        for person, lines in items.values():
            notify(
                recipient=person,
                event="deadlines_moved",
                title=_("A change of the working-day calendar moved your due dates"),
                body="\n".join(
                    [_("The platform's working-day calendar changed; these due times moved:"), *lines]
                ),
            )
    return len(items)
