"""The registry of work queues (issue 12, AUD-2): the operations console shows the queues that need people.

The kernel never imports a chapter app, so each app declares its queues in ``<app>/queues.py``, imported
at start-up by ``ConsoleConfig.ready`` (like ``reports.py`` and ``deadlines.py``)::

    from platform_core.console.queues import deadline_oldest_due, work_queue

    @work_queue(
        "merchants.applications",
        title=_("Merchant applications awaiting review"),
        permission=("merchants.review_merchantapplication", "merchants.view_merchantapplication"),
        url="admin:merchants_merchantapplication_changelist?status__in=submitted,under_review",
    )
    def applications_awaiting_review() -> QueueFigures:
        count = MerchantApplication.objects.filter(status__in=[...]).count()
        return count, deadline_oldest_due("merchants.application_review")

A queue's source returns ``(count, oldest_due_at or None)`` for its open items in one or two queries
(never a query per row): the console renders within a fixed query budget however long the queues are.
``oldest_due_at`` is the earliest deadline among the open items (``deadline_oldest_due``: the minimum
``due_at`` of the rule's pending ``Deadline`` rows, one aggregate query), ``None`` when the queue has no
clock.

``permission`` is one permission or several (any one of them shows the queue): the people who work the
queue and those who may only look at it (auditors hold every ``view_*`` permission, AUD-2).
``url`` is a URL name (reversed; ``?query`` kept) or a path: the filtered changelist.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Min
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.deadlines.models import Deadline

QueueFigures = tuple[int, datetime | None]
QueueSource = Callable[[], QueueFigures]
Q = TypeVar("Q", bound=QueueSource)

_QUEUES: dict[str, "WorkQueue"] = {}


@dataclass(frozen=True)
class WorkQueue:
    code: str
    title: Any  # str or a lazy translation
    permissions: tuple[str, ...]
    url: str
    source: QueueSource
    order: int = 100

    def visible_to(self, user: Any) -> bool:
        """Any one of the queue's permissions shows it (``has_perm`` caches: no query per queue)."""
        if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
            return False
        return any(user.has_perm(permission) for permission in self.permissions)

    def href(self) -> str:
        """The filtered changelist: ``url`` reversed when it is a URL name, the query string kept."""
        if self.url.startswith("/"):
            return self.url
        name, sep, query = self.url.partition("?")
        try:
            path = reverse(name)
        except NoReverseMatch:
            return ""
        return f"{path}{sep}{query}"


@dataclass(frozen=True)
class QueueState:
    """One queue as the console shows it, at ``now``."""

    queue: WorkQueue
    count: int
    oldest_due_at: datetime | None
    now: datetime

    @property
    def code(self) -> str:
        return self.queue.code

    @property
    def title(self) -> Any:
        return self.queue.title

    @property
    def href(self) -> str:
        return self.queue.href()

    @property
    def time_left(self) -> timedelta | None:
        """Until the oldest item's deadline; negative when overdue; ``None`` without a clock."""
        if self.oldest_due_at is None:
            return None
        return self.oldest_due_at - self.now

    @property
    def is_overdue(self) -> bool:
        left = self.time_left
        return left is not None and left < timedelta(0)

    @property
    def time_left_text(self) -> str:
        left = self.time_left
        if left is None:
            return ""
        return duration_text(abs(left))


def duration_text(delta: timedelta) -> str:
    """``2 天 3 小时``, ``5 小时 10 分钟``, ``12 分钟`` (``2 d 3 h`` in English): a coarse length of time, in
    the reader's language and in the same words as the admin's "time left" columns (issue 21)."""
    minutes = int(delta.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return str(_("%(days)d d %(hours)d h") % {"days": days, "hours": hours})
    if hours:
        return str(_("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins})
    return str(_("%(minutes)d min") % {"minutes": mins})


def work_queue_register(queue: WorkQueue) -> WorkQueue:
    """Add ``queue`` to the registry; the same code from another function is an error."""
    if not queue.permissions:
        raise ValueError(f"work queue {queue.code!r} needs at least one permission")
    existing = _QUEUES.get(queue.code)
    if existing is not None and _qualified(existing.source) != _qualified(queue.source):
        raise ValueError(f"work queue {queue.code!r} is already registered by {_qualified(existing.source)}")
    _QUEUES[queue.code] = queue
    return queue


def work_queue(
    code: str, *, title: Any, permission: str | Iterable[str], url: str, order: int = 100
) -> Callable[[Q], Q]:
    """Decorator form of ``work_queue_register``: the decorated function returns ``(count, oldest_due_at)``."""
    permissions = (permission,) if isinstance(permission, str) else tuple(permission)

    def register(source: Q) -> Q:
        work_queue_register(
            WorkQueue(code=code, title=title, permissions=permissions, url=url, source=source, order=order)
        )
        return source

    return register


def work_queues_all() -> list[WorkQueue]:
    return sorted(_QUEUES.values(), key=lambda q: (q.order, q.code))


def work_queues_for(user: Any) -> list[WorkQueue]:
    """The queues ``user`` may work (or, as an auditor, look at), in console order."""
    return [queue for queue in work_queues_all() if queue.visible_to(user)]


def work_queue_states(user: Any, *, now: datetime | None = None) -> list[QueueState]:
    """The console's figures: each visible queue's count and oldest deadline (one or two queries each)."""
    now = now or clock.now()
    states = []
    for queue in work_queues_for(user):
        count, oldest_due_at = queue.source()
        states.append(QueueState(queue=queue, count=count, oldest_due_at=oldest_due_at, now=now))
    return states


def deadline_oldest_due(*rules: str) -> datetime | None:
    """The earliest ``due_at`` among the pending deadlines of ``rules``: one aggregate query."""
    result: datetime | None = Deadline.objects.filter(
        rule__in=rules, status=Deadline.Status.PENDING
    ).aggregate(oldest=Min("due_at"))["oldest"]
    return result


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
