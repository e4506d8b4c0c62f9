"""The sandbox clock (issue 24, decision 026): advance the platform's test clock and let time pass.

``test_clock_advance`` moves ``platform_core.clock.now()`` forward the way real time would pass: it stops
at every deadline falling due (OPS-1: the sweep enforces it at its due time, so what the handler starts
— an auto-confirm after shipping, the after-sales window after completion — starts then, not at the end)
and at every midnight on the platform's clock (the daily jobs: PAY-4's payout run), then at the target.
The offset is one database row shared by web, worker and beat; it only ever grows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.hooks import Hook
from platform_core.locking import lock_first
from platform_core.sandbox.models import CLOCK_ID, TestClock

ADVANCE_PERMISSION = "sandbox.advance_test_clock"
#: at most this many stops (deadlines, midnights) in one advance; then the clock jumps to the target
MAX_STOPS = 5000

day_started = Hook[Callable[[date], object]](
    "sandbox.day_started",
    doc=(
        "Decision 026: the test clock passed midnight (platform time) into the given day: run the daily "
        "jobs beat would run that day (PAY-4's payout run). Called outside a transaction, after the "
        "deadlines due by then were enforced; must be idempotent."
    ),
)


@dataclass
class ClockAdvance:
    """What one advance did: the platform time before and after, and what fell due on the way."""

    before: datetime
    after: datetime
    offset: timedelta
    deadlines_enforced: int = 0
    days_started: list[date] = field(default_factory=list)


def test_clock_advance(*, actor: User, hours: int) -> ClockAdvance:
    """Decision 026: move the platform's clock ``hours`` ahead, enforcing on the way everything that
    falls due (deadlines at their due time, the daily jobs at midnight). Audited (``sandbox.clock_advanced``).

    Raises ``Conflict`` when the test clock is off, ``Forbidden`` without ``sandbox.advance_test_clock``
    and ``InvalidInput`` for hours outside 1 … ``PLATFORM_TEST_CLOCK_MAX_HOURS``.
    """
    if not settings.PLATFORM_TEST_CLOCK_ENABLED:
        raise Conflict(
            _("The test clock is off here (PLATFORM_TEST_CLOCK_ENABLED)."), code="test_clock_disabled"
        )
    if not actor.has_perm(ADVANCE_PERMISSION):
        raise Forbidden(_("Only staff allowed to advance the test clock may do this."), code="forbidden")
    limit = settings.PLATFORM_TEST_CLOCK_MAX_HOURS
    if not 1 <= hours <= limit:
        message = _("Advance by 1 to %(limit)s hours.") % {"limit": limit}
        raise InvalidInput(message, code="invalid", errors={"hours": [message]})
    clock.offset_forget()  # another process may have advanced it a moment ago
    start = clock.now()
    target = start + timedelta(hours=hours)
    result = ClockAdvance(before=start, after=start, offset=clock.offset())
    result.deadlines_enforced += deadlines_sweep(now=start)
    for _stop in range(MAX_STOPS):
        current = clock.now()
        stop, is_midnight = _next_stop(after=current, until=target)
        if stop is None:
            break
        _offset_set(platform_time=stop)
        result.deadlines_enforced += deadlines_sweep(now=clock.now())
        if is_midnight:
            day = timezone.localtime(stop).date()
            result.days_started.append(day)
            for job in day_started:
                job(day)
    _offset_set(platform_time=target)
    result.deadlines_enforced += deadlines_sweep(now=clock.now())
    result.after, result.offset = clock.now(), clock.offset()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="sandbox.clock_advanced",
            subject=TestClock.objects.get(pk=CLOCK_ID),
            before={"now": start.isoformat()},
            after={
                "now": result.after.isoformat(),
                "hours": hours,
                "offset_seconds": int(result.offset.total_seconds()),
                "deadlines_enforced": result.deadlines_enforced,
                "days_started": [d.isoformat() for d in result.days_started],
            },
        )
    return result


def _next_stop(*, after: datetime, until: datetime) -> tuple[datetime | None, bool]:
    """The next moment after ``after`` and no later than ``until`` where something falls due: the soonest
    pending deadline, or the next midnight on the platform's clock (``True``), whichever comes first."""
    due = (
        Deadline.objects.filter(status=Deadline.Status.PENDING, due_at__gt=after, due_at__lte=until)
        .aggregate(soonest=Min("due_at"))
        .get("soonest")
    )
    local = timezone.localtime(after)
    midnight = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min))
    moments = [moment for moment in (due, midnight) if moment is not None and moment <= until]
    if not moments:
        return None, False
    stop = min(moments)
    return stop, stop == midnight


@transaction.atomic
def _offset_set(*, platform_time: datetime) -> None:
    """Put the shared offset where ``clock.now()`` reads ``platform_time`` — never back."""
    row = lock_first(TestClock, pk=CLOCK_ID)
    if row is None:
        TestClock.objects.get_or_create(pk=CLOCK_ID)
        row = lock_first(TestClock, pk=CLOCK_ID)
        assert row is not None
    seconds = max(row.offset_seconds, int((platform_time - clock.real_now()).total_seconds()) + 1)
    if seconds != row.offset_seconds:
        row.offset_seconds = seconds
        row.save(update_fields=["offset_seconds"])
    # this process reads the new offset at once (the sweep that follows runs at the new time); the others
    # within PLATFORM_TEST_CLOCK_CACHE_SECONDS
    clock.offset_remember(timedelta(seconds=seconds))
