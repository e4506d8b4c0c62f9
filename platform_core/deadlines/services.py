"""Starting, meeting and enforcing deadlines (OPS-1, OPS-2).

Call ``deadline_start`` / ``deadline_meet`` / ``deadline_cancel`` / ``deadline_extend`` /
``deadline_restart`` inside the transaction that changes the subject's state, after locking the subject:
the deadline row commits or rolls back with it (a transactional outbox). A deadline due within
``DEADLINE_ETA_WINDOW`` also gets an ETA task after commit (the fast path); the beat sweep is the safety
net that finds every due row whatever happened to the broker or the workers.

Exactly once: enforcement locks the subject row, then the deadline row, re-checks that the deadline is
still pending and due, runs the handler in a savepoint and marks the row enforced, all in one transaction;
a second sweeper finds the row no longer pending and does nothing. Subject before deadline is the order a
chapter service uses too (it locks its order, then meets the deadline), so the two never deadlock
(tests/platform_core/deadlines/test_concurrency.py::test_ops_1_meet_racing_the_sweep_…).
"""

import logging
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.registry import rule_get
from platform_core.deadlines.selectors import deadlines_due
from platform_core.errors import Conflict
from platform_core.locking import lock_first
from platform_core.upsert import in_callers_transaction, insert_unless_exists

logger = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=10)
RETRY_MAX = timedelta(hours=1)


class Outcome(StrEnum):
    """What ``deadline_enforce`` did with one row."""

    ENFORCED = "enforced"
    FAILED = "failed"  # the handler raised; retried after a backoff
    CANCELLED = "cancelled"  # the subject no longer exists
    SKIPPED = "skipped"  # not pending, not yet due, or another worker has it


# --- starting and resolving clocks ------------------------------------------------------------------


def deadline_start(
    *,
    rule: str,
    subject: models.Model,
    due_at: datetime | None = None,
    after: timedelta | None = None,
    working_days: int | None = None,
) -> Deadline:
    """OPS-1: start the ``rule`` clock on ``subject``; give exactly one of ``due_at``, ``after``, ``working_days``.

    ``working_days`` counts business days on the platform calendar from now (keeping the time of day).
    Raises ``ValueError`` for an unknown rule or bad arguments (programming errors) and ``Conflict`` if
    this rule's clock is already running on the subject (use ``deadline_extend`` or ``deadline_restart``).
    """
    rule_get(rule)
    now = clock.now()
    due = _due_at(now=now, due_at=due_at, after=after, working_days=working_days)
    subject_type, subject_id = _subject_key(subject)
    deadline = Deadline(
        rule=rule,
        subject_type=subject_type,
        subject_id=subject_id,
        due_at=due,
        started_at=now,
        working_days=working_days,
    )
    # one statement (issue 26): the partial unique index says whether this clock already runs
    if not insert_unless_exists(
        deadline, conflict=["rule", "subject_type", "subject_id"], where="status = 'pending'"
    ):
        raise Conflict(_("This deadline is already running."), code="deadline_running")
    _publish_eta_on_commit(deadline)
    return deadline


def deadline_meet(*, rule: str, subject: models.Model) -> Deadline | None:
    """OPS-1: the subject acted in time (or late, before enforcement); ``None`` if no clock was running.

    One guarded ``UPDATE … WHERE status = 'pending' RETURNING`` (issue 26) instead of ``SELECT … FOR
    UPDATE`` then ``UPDATE``: it takes the same row lock and, after waiting for a sweeper that holds the
    row, re-checks ``pending`` on the row as committed, so a clock enforced meanwhile is not met."""
    rule_get(rule)
    subject_type, subject_id = _subject_key(subject)
    at = clock.now()
    return _update_pending_returning(
        rule=rule,
        subject_type=subject_type,
        subject_id=subject_id,
        values={"status": Deadline.Status.MET, "resolved_at": at, "next_attempt_at": None},
    )


@in_callers_transaction
def deadline_cancel(*, rule: str, subject: models.Model, note: str = "") -> Deadline | None:
    """OPS-1: the clock became moot (order cancelled, request withdrawn); ``None`` if none was running."""
    deadline = _lock_pending(rule=rule, subject=subject)
    if deadline is None:
        return None
    deadline.cancel(at=clock.now(), note=note)
    deadline.save(update_fields=["status", "resolved_at", "next_attempt_at", "last_error"])
    return deadline


@in_callers_transaction
def deadline_extend(*, rule: str, subject: models.Model, by: timedelta) -> Deadline:
    """OPS-1: move the running clock's due time later by ``by``; ``Conflict`` if no clock is running.

    The due time is fixed from then on: a calendar change no longer recounts it (``working_days`` cleared)."""
    if by <= timedelta(0):
        raise ValueError("deadline_extend needs a positive duration")
    deadline = _lock_pending(rule=rule, subject=subject)
    if deadline is None:
        raise Conflict(_("This deadline is not running."), code="deadline_not_running")
    deadline.due_at += by
    deadline.working_days = None
    deadline.save(update_fields=["due_at", "working_days"])
    _publish_eta_on_commit(deadline)
    return deadline


@in_callers_transaction
def deadline_restart(
    *,
    rule: str,
    subject: models.Model,
    due_at: datetime | None = None,
    after: timedelta | None = None,
    working_days: int | None = None,
) -> Deadline:
    """OPS-1: cancel the running ``rule`` clock on ``subject`` (if any) and start a new one."""
    deadline_cancel(rule=rule, subject=subject, note="restarted")
    return deadline_start(rule=rule, subject=subject, due_at=due_at, after=after, working_days=working_days)


def deadlines_recount_working_days(*, days: Collection[date]) -> list[tuple[Deadline, datetime]]:
    """OPS-1, decision 048: the business calendar changed on ``days``: recompute the due time of every running
    working-day clock whose window (after its start's date, up to its due date) holds one of them, from its
    start and its count of working days. Call it in the calendar change's transaction, after the change.

    Clocks already due are left alone (the sweep acts on them as they stand), as are clocks with a fixed due
    time. Returns each clock that moved with its former due time (the rows are locked and saved)."""
    from platform_core.calendar.services import add_working_days  # the calendar app is built alongside

    windows = Q()
    for day in set(days):
        midnight = timezone.make_aware(datetime.combine(day, time.min))  # in the platform's time zone
        windows |= Q(started_at__lt=midnight, due_at__gte=midnight)
    if not windows:
        return []
    running = (
        Deadline.objects.filter(windows, status=Deadline.Status.PENDING, working_days__isnull=False)
        .filter(due_at__gt=clock.now())
        .order_by("pk")
    )
    moved = []
    for deadline in running.select_for_update():
        assert deadline.working_days is not None
        due = add_working_days(timezone.localtime(deadline.started_at), deadline.working_days)
        if due != deadline.due_at:
            moved.append((deadline, deadline.due_at))
            deadline.due_at = due
    Deadline.objects.bulk_update([deadline for deadline, _before in moved], ["due_at"])
    for deadline, _before in moved:
        _publish_eta_on_commit(deadline)
    return moved


# --- enforcing ----------------------------------------------------------------------------------------


def deadlines_sweep(*, now: datetime | None = None, limit: int | None = None) -> int:
    """OPS-1, OPS-2: enforce every pending deadline due at ``now`` (default: the current time).

    Claims due rows in batches of ``DEADLINE_SWEEP_BATCH`` (oldest first, skipping rows other workers
    hold) and enforces each in its own transaction. Safe to run concurrently and repeatedly. Returns
    how many deadlines this call enforced; stops after ``limit`` rows if given.
    """
    cutoff = now or clock.now()
    enforced = handled = 0
    while limit is None or handled < limit:
        size = (
            settings.DEADLINE_SWEEP_BATCH
            if limit is None
            else min(settings.DEADLINE_SWEEP_BATCH, limit - handled)
        )
        ids = deadline_ids_claim_due(now=cutoff, size=size)
        progressed = False
        for deadline_id in ids:
            outcome = deadline_enforce(deadline_id=deadline_id, now=cutoff)
            if outcome is not Outcome.SKIPPED:
                progressed = True
                handled += 1
            enforced += outcome is Outcome.ENFORCED
        # A short batch means the backlog is empty; a batch others took entirely means they are on it.
        if len(ids) < size or not progressed:
            break
    if enforced:
        logger.info("deadlines sweep enforced %d deadline(s)", enforced)
    return enforced


def deadline_ids_claim_due(*, now: datetime, size: int) -> list[int]:
    """The ids of up to ``size`` due pending deadlines nobody else holds, oldest due first.

    Reads the partial index on pending rows' ``due_at``, so the cost follows the number of due rows, not
    the table size (bench/deadlines_claim.py). The locks end with this short transaction: each row is
    locked again, and re-checked, by ``deadline_enforce``.
    """
    with transaction.atomic():
        return list(
            deadlines_due(now=now).select_for_update(skip_locked=True).values_list("pk", flat=True)[:size]
        )


def deadline_enforce(*, deadline_id: int, now: datetime | None = None) -> Outcome:
    """OPS-1: run the rule's handler for one due deadline, exactly once, in its own transaction.

    A handler error rolls back the handler's writes; the deadline stays pending with ``attempts``,
    ``last_error`` and a backed-off ``next_attempt_at``. A deleted subject cancels the deadline.
    """
    cutoff = now or clock.now()
    head = Deadline.objects.filter(pk=deadline_id).values("subject_type_id", "subject_id").first()
    if head is None:
        return Outcome.SKIPPED
    model = ContentType.objects.get_for_id(head["subject_type_id"]).model_class()
    with transaction.atomic():
        # Subject first, deadline second: the same lock order as services that meet or cancel.
        subject = None
        if model is not None:
            subject = model._default_manager.select_for_update().filter(pk=head["subject_id"]).first()
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(pk=deadline_id, status=Deadline.Status.PENDING, due_at__lte=cutoff)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
            .first()
        )
        if deadline is None:
            return Outcome.SKIPPED
        if subject is None:
            deadline.cancel(at=clock.now(), note="subject no longer exists")
            deadline.save(update_fields=["status", "resolved_at", "next_attempt_at", "last_error"])
            logger.warning("deadline %s cancelled: its subject no longer exists", deadline_id)
            return Outcome.CANCELLED
        try:
            handler = rule_get(deadline.rule).handler
            with transaction.atomic():
                handler(subject)
        except Exception as exc:
            logger.exception("deadline %s (%s) handler failed", deadline_id, deadline.rule)
            deadline.record_failure(
                at=clock.now(), error=repr(exc)[:4000], backoff=retry_backoff(deadline.attempts + 1)
            )
            deadline.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return Outcome.FAILED
        deadline.enforce(at=clock.now())
        deadline.save(update_fields=["status", "resolved_at", "lateness", "next_attempt_at"])
        return Outcome.ENFORCED


def retry_backoff(attempt: int) -> timedelta:
    """Wait before retry number ``attempt`` (1, 2, …): 10 s, 20 s, 40 s, … capped at one hour."""
    return min(RETRY_BASE * 2 ** max(attempt - 1, 0), RETRY_MAX)


# --- helpers ------------------------------------------------------------------------------------------


def _due_at(
    *, now: datetime, due_at: datetime | None, after: timedelta | None, working_days: int | None
) -> datetime:
    if sum(x is not None for x in (due_at, after, working_days)) != 1:
        raise ValueError("give exactly one of due_at=, after=, working_days=")
    if due_at is not None:
        if timezone.is_naive(due_at):
            raise ValueError("due_at must be timezone-aware")
        return due_at
    if after is not None:
        if after < timedelta(0):
            raise ValueError("after= must not be negative")
        return now + after
    assert working_days is not None
    if working_days < 0:
        raise ValueError("working_days= must not be negative")
    from platform_core.calendar.services import add_working_days  # the calendar app is built alongside

    return add_working_days(timezone.localtime(now), working_days)


def _subject_key(subject: models.Model) -> tuple[ContentType, str]:
    if subject.pk is None:
        raise ValueError("save the subject before using it in a deadline")
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def _pending(*, rule: str, subject_type: ContentType, subject_id: str) -> models.QuerySet[Deadline]:
    return Deadline.objects.filter(
        rule=rule, subject_type=subject_type, subject_id=subject_id, status=Deadline.Status.PENDING
    )


def _update_pending_returning(
    *, rule: str, subject_type: ContentType, subject_id: str, values: dict[str, object]
) -> Deadline | None:
    """Set ``values`` on the pending clock of ``rule`` on the subject and return the row as written, in one
    statement (``UPDATE … RETURNING``, PostgreSQL and SQLite 3.35+); ``None`` if no clock was pending."""
    meta = Deadline._meta
    connection = connections[router.db_for_write(Deadline)]
    quote = connection.ops.quote_name
    assignments, params = [], []
    for name, value in values.items():
        field: Any = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    where: list[tuple[Any, object]] = [
        (meta.get_field(name), value)
        for name, value in (
            ("rule", rule),
            ("subject_type", subject_type.pk),
            ("subject_id", subject_id),
            ("status", Deadline.Status.PENDING),
        )
    ]
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    sql = (
        # quoted names from the model's own metadata; the values are parameters
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {' AND '.join(f'{quote(field.column)} = %s' for field, _ in where)} RETURNING {columns}"
    )
    params += [field.get_db_prep_value(value, connection) for field, value in where]
    found = list(Deadline.objects.raw(sql, params))
    return found[0] if found else None


def _lock_pending(*, rule: str, subject: models.Model) -> Deadline | None:
    rule_get(rule)
    subject_type, subject_id = _subject_key(subject)
    return lock_first(_pending(rule=rule, subject_type=subject_type, subject_id=subject_id))


def _publish_eta_on_commit(deadline: Deadline) -> None:
    if deadline.due_at - clock.now() <= settings.DEADLINE_ETA_WINDOW:
        transaction.on_commit(partial(_publish_eta, deadline.pk, deadline.due_at), robust=True)


def _publish_eta(deadline_id: int, due_at: datetime) -> None:
    """The fast path. A broker error is logged, never raised: the sweep will find the row (OPS-2)."""
    from platform_core.deadlines.tasks import enforce_deadline_task

    try:
        enforce_deadline_task.apply_async(args=(deadline_id,), eta=due_at)
    except Exception:
        logger.warning(
            "deadline %s: ETA task not published; the sweep will enforce it", deadline_id, exc_info=True
        )
