"""Timelines: what happened to a row (an order, a request, a complaint, a dispute, an assignment), who did
it and when — and the audit entry (AUD-1) of the same step, written together by ``timeline_record``.

A chapter's event model subclasses ``TimelineEvent`` (or ``StatusTimelineEvent`` when each step moves the
subject between statuses) and adds its own foreign key to the subject, its text column (``reason`` or
``note``, named by ``text_field``) and whatever else it records. The tables and columns are the
chapters' own; only the shared columns and the writer live here.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record


class TimelineEvent(models.Model):
    """One step in a timeline: when, by whom (``None``: the system) and what. Append-only."""

    #: the column that holds the step's free text (the reason given, or a note)
    text_field: ClassVar[str] = "reason"
    #: the chapter's actions as a person reads them (``action`` -> translatable label); pages show
    #: ``action_label``, never the code (issue 22: no "placed → pending_payment" in the Chinese interface)
    action_labels: ClassVar[Mapping[str, Any]] = {}
    #: the subject's statuses as a person reads them (``status`` -> label: the status field's choices)
    status_labels: ClassVar[Mapping[str, Any]] = {}

    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)

    class Meta:
        abstract = True

    @property
    def action_label(self) -> str:
        """The step as a person reads it; an action named after a status reads as that status."""
        return str(self.action_labels.get(self.action) or self.status_labels.get(self.action, self.action))


class StatusTimelineEvent(TimelineEvent):
    """A step that moves the subject from one status to another (both blank when it does not)."""

    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def to_status_label(self) -> str:
        return str(self.status_labels.get(self.to_status, self.to_status))


E = TypeVar("E", bound=TimelineEvent)


def timeline_record(
    model: type[E],
    *,
    subject: models.Model,
    actor: User | None,
    action: str,
    audit_action: str,
    from_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    audit_before: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
    **columns: Any,
) -> E:
    """AUD-1: append one step to ``subject``'s timeline and write its audit entry, in the caller's
    transaction.

    The row gets ``actor``, ``action``, ``reason`` (in the model's ``text_field``), ``columns`` (the
    foreign key to the subject and any other column), and — when the model has them — ``from_status``
    and the subject's current status as ``to_status``, and ``data``. The audit entry is
    ``audit_action`` on ``subject``: before, the old status (``audit_before`` instead when given);
    after, the current status and ``data`` (``audit_after`` instead when given); ``reason`` as its reason.
    """
    status = getattr(subject, "status", "")
    row: dict[str, Any] = {"actor": actor, "action": action, model.text_field: reason, **columns}
    names = {field.name for field in model._meta.concrete_fields}
    if "from_status" in names:
        row |= {"from_status": from_status, "to_status": status}
    if "data" in names:
        row["data"] = data or {}
    event = model(**row)  # written with its audit entry, in one statement (issue 26)
    if audit_before is None and from_status:
        audit_before = {"status": from_status}
    if audit_after is None:
        audit_after = {"status": status, **(data or {})}
    audit_record(
        actor=actor,
        action=audit_action,
        subject=subject,
        before=audit_before,
        after=audit_after,
        reason=reason,
        together_with=[event],
    )
    return event
