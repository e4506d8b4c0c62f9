"""The platform's one clock (issue 24, decision 026): every production read of "now" goes through here.

``now()`` is ``django.utils.timezone.now()`` — exactly that, in production and wherever
``PLATFORM_TEST_CLOCK_ENABLED`` is off. In a demo or staging deployment that turns the test clock on, it
adds the sandbox clock's offset: one database row (``platform_core.sandbox.TestClock``) that web, worker
and beat all read, each keeping what it read for ``PLATFORM_TEST_CLOCK_CACHE_SECONDS``. Staff advance it
(``POST /api/v1/sandbox/clock/advance``, the admin's "Test clock" page); it never goes back. The deploy
check refuses a production process with the clock on (``platform.E105``).

Tests move the time with time-machine, which moves ``timezone.now()`` and therefore ``now()``.

ruff's ``banned-api`` (``pyproject.toml``) refuses ``timezone.now``, ``timezone.localdate``,
``datetime.now`` and ``date.today`` in production code: a new read of the time comes here. Operational
wall-clock readings that must not follow the test clock (heartbeats, backups' file names, session idle
time) say so with a ``noqa: TID251`` and a reason.
"""

import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

_ZERO = timedelta(0)
#: (monotonic time read, offset) — this process's copy of the shared offset
_cached: tuple[float, timedelta] | None = None


def now() -> datetime:
    """The current time, aware (UTC): ``timezone.now()`` plus the test clock's offset where it is on."""
    current = timezone.now()  # noqa: TID251  (the one place that reads Django's clock)
    if not settings.PLATFORM_TEST_CLOCK_ENABLED:
        return current
    return current + offset()


def real_now() -> datetime:
    """The real time, whatever the test clock says: for readings that must not follow it (the sandbox
    clock's own arithmetic, heartbeats, backup file names, session idle time)."""
    return timezone.now()  # noqa: TID251  (the one place that reads Django's clock)


def localtime() -> datetime:
    """``now()`` in the platform's time zone (``TIME_ZONE``)."""
    return timezone.localtime(now())


def localdate() -> date:
    """Today's date in the platform's time zone, on the platform's clock."""
    return localtime().date()


def offset() -> timedelta:
    """How far the test clock is ahead of the real time (zero when it is off or was never advanced)."""
    global _cached
    if not settings.PLATFORM_TEST_CLOCK_ENABLED:
        return _ZERO
    read_at = time.monotonic()
    if _cached is not None and read_at - _cached[0] < settings.PLATFORM_TEST_CLOCK_CACHE_SECONDS:
        return _cached[1]
    from django.apps import apps

    model = apps.get_model("sandbox", "TestClock")
    try:
        with transaction.atomic():  # a savepoint: a missing table (before migrate) spoils no transaction
            seconds = model.objects.filter(pk=1).values_list("offset_seconds", flat=True).first()
    except DatabaseError:
        return _ZERO
    value = timedelta(seconds=seconds or 0)
    _cached = (read_at, value)
    return value


def offset_remember(value: timedelta) -> None:
    """This process now knows the offset is ``value`` (the sandbox clock's advance, after writing it)."""
    global _cached
    _cached = (time.monotonic(), value)


def offset_forget() -> None:
    """Read the offset from the database next time (tests; a transaction that wrote it rolled back)."""
    global _cached
    _cached = None
