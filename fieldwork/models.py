"""Field work (外勤): the coordinators who follow service orders to completion, and their assignments (ORD-9).

A paid service order gets one ``ServiceAssignment`` (its current coordinator and progress); every change
of hands or progress appends a ``ServiceAssignmentEvent``. The order's own status (ORD-2: ``paid →
scheduled → in_service → completed``) stays the truth of the order; the assignment mirrors it for the
coordinator's queue and adds who is responsible. Writes go through ``fieldwork.services``.
"""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from orders.models import Order
from platform_core import clock
from platform_core.timeline import TimelineEvent

MANAGE_PERMISSION = "fieldwork.manage_assignments"


class FieldCoordinator(models.Model):
    """ORD-9: an operations staff member who takes service orders in the areas listed for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_coordinator",
        verbose_name=_("staff user"),
    )
    display_name = models.CharField(
        _("name shown to customers"),
        max_length=50,
        blank=True,
        help_text=_("e.g. 王师傅; the user's name when empty."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Round robin (ORD-9): a logical clock; the candidate with the lowest value gets the next order and
    # moves past every other candidate. Deterministic even when two payments share a timestamp.
    last_assigned_tick = models.PositiveBigIntegerField(_("round-robin position"), default=0, editable=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("field coordinator")
        verbose_name_plural = _("field coordinators")
        ordering = ["pk"]
        permissions = [(MANAGE_PERMISSION.split(".")[1], "Assign and reassign service orders (ORD-9)")]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        return self.display_name or self.user.name or str(self.user)


class CoverageArea(models.Model):
    """ORD-9: a service area a coordinator covers, matched exactly against ``Listing.service_area``."""

    coordinator = models.ForeignKey(FieldCoordinator, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(_("service area"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("coverage area")
        verbose_name_plural = _("coverage areas")
        ordering = ["coordinator_id", "area"]
        constraints = [
            models.UniqueConstraint(fields=["coordinator", "area"], name="coverage_area_once"),
        ]

    def __str__(self) -> str:
        return self.area


class ServiceAssignment(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """ORD-9: who follows a paid service order, and how far it got."""

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("No coordinator (with operations)")
        ASSIGNED = "assigned", _("Assigned, to schedule")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_SERVICE = "in_service", _("Visit in progress")
        COMPLETED = "completed", _("Completed")

    OPEN_STATUSES = (Status.UNASSIGNED, Status.ASSIGNED, Status.SCHEDULED, Status.IN_SERVICE)

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="service_assignment")
    coordinator = models.ForeignKey(
        FieldCoordinator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("coordinator"),
    )
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNASSIGNED, protected=True
    )
    # Denormalised from the order for the queue's ordering (unscheduled first, by payment time).
    paid_at = models.DateTimeField(_("paid at"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    problem_notes = models.TextField(_("open problem"), blank=True)
    problem_reported_at = models.DateTimeField(_("problem reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service assignment")
        verbose_name_plural = _("service assignments")
        ordering = [models.F("appointment_at").asc(nulls_first=True), "paid_at", "pk"]
        indexes = [
            models.Index(
                fields=["coordinator", "status", "appointment_at", "paid_at"],
                name="assignment_queue_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unassigned") | Q(coordinator__isnull=False),
                name="assignment_has_coordinator",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(order)s → %(coordinator)s") % {
            "order": self.order,
            "coordinator": self.coordinator or "—",
        }

    # ORD-2/ORD-9 progress: transitions change only this row ------------------------------------------

    @transition(field=status, source=Status.UNASSIGNED, target=Status.ASSIGNED)
    def assign(self, *, coordinator: FieldCoordinator, at: Any) -> None:
        self.coordinator, self.assigned_at = coordinator, at

    @transition(field=status, source=Status.ASSIGNED, target=Status.SCHEDULED)
    def schedule(self, *, appointment_at: Any) -> None:
        self.appointment_at = appointment_at

    @transition(field=status, source=Status.SCHEDULED, target=Status.IN_SERVICE)
    def start(self) -> None:
        self.started_at = clock.now()

    @transition(field=status, source=Status.IN_SERVICE, target=Status.COMPLETED)
    def complete(self) -> None:
        self.completed_at = clock.now()
        self.problem_notes, self.problem_reported_at = "", None


class ServiceAssignmentEvent(TimelineEvent):
    """ORD-9: the assignment's history: who had the order when, and what happened. Append-only."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("No coordinator for the area")
        REASSIGNED = "reassigned", _("Reassigned")
        SCHEDULED = "scheduled", _("Appointment confirmed")
        STARTED = "started", _("Visit started")
        COMPLETED = "completed", _("Visit done")
        PROBLEM = "problem", _("Problem recorded")
        ESCALATED = "escalated", _("Escalated to the operations head")

    #: what the customer is shown of the history (problems and internal escalations stay internal)
    CUSTOMER_ACTIONS = (
        Action.ASSIGNED,
        Action.REASSIGNED,
        Action.SCHEDULED,
        Action.STARTED,
        Action.COMPLETED,
    )

    text_field = "note"

    assignment = models.ForeignKey(ServiceAssignment, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    coordinator = models.ForeignKey(
        FieldCoordinator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment events")
        ordering = ["assignment_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(
                name="assignment_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return gettext("Assignment #%(assignment)s: %(action)s") % {
            "assignment": self.assignment_id,
            "action": self.get_action_display(),
        }
