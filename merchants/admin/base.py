"""What the merchants admin pages share: the transition buttons that run services, the reason and
note forms, the review-due column and filter, and the read-only admin (``ServiceTransitionsMixin`` is
used by other apps' admin pages too).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin

from platform_core import clock
from platform_core.admin_site import ViewOnlyMixin
from platform_core.deadlines.models import Deadline
from platform_core.errors import DomainError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class DepositPaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=2000)


#: Issue 21: a transition's button says what it does (not ``start_review``), in the reader's language
TRANSITION_LABELS = {
    "approve": pgettext_lazy("admin transition", "Approve"),
    "ban": pgettext_lazy("admin transition", "Ban permanently"),
    "close": pgettext_lazy("admin transition", "Close"),
    "hide": pgettext_lazy("admin transition", "Hide"),
    "pass_": pgettext_lazy("admin transition", "Pass"),
    "reinstate": pgettext_lazy("admin transition", "Reinstate"),
    "reject": pgettext_lazy("admin transition", "Reject"),
    "restrict": pgettext_lazy("admin transition", "Restrict"),
    "return_to_merchant": pgettext_lazy("admin transition", "Return to the merchant"),
    "start_review": pgettext_lazy("admin transition", "Start review"),
    "suspend": pgettext_lazy("admin transition", "Suspend"),
    "unrestrict": pgettext_lazy("admin transition", "Lift the restriction"),
    "verify": pgettext_lazy("admin transition", "Verify"),
}


class ServiceTransitionsMixin(FSMAdminMixin):
    """Route each transition button to a service ``(obj, request, form data) -> None``."""

    fsm_fields = ["status"]
    transition_services: dict[str, Callable[[Any, HttpRequest, dict[str, Any]], Any]] = {}

    def is_fsm_transition_visible(self, transition: Any) -> bool:
        return transition.name in self.transition_services

    @staticmethod
    def get_fsm_block_label(fsm_field_name: str) -> str:
        return str(_("Change the status"))

    def get_fsm_label(self, transition: Any) -> str:
        label = transition.custom.get("label") or TRANSITION_LABELS.get(transition.name, transition.name)
        return str(label)

    def get_help_text(self, transition: Any) -> str:
        """Issue 21: a transition without help says nothing (the reason form printed "None")."""
        return str(transition.custom.get("help_text") or "")

    def _apply_fsm_transition(
        self, *, obj: Any, transition_name: str, request: HttpRequest, kwargs: Any = None
    ) -> bool:
        service = self.transition_services.get(transition_name)
        if service is None:
            self.message_user(request, _("This action is not available here."), level=messages.ERROR)
            return False
        try:
            service(obj, request, dict(kwargs or {}))
        except (DomainError, TransitionNotAllowed) as exc:
            self.message_user(request, str(getattr(exc, "message", exc)), level=messages.ERROR)
            return False
        self.message_user(request, _("Done."), level=messages.SUCCESS)
        return True


def _pending_due(rule: str, model: type) -> Subquery:
    return Subquery(
        Deadline.objects.filter(
            rule=rule,
            subject_type=ContentType.objects.get_for_model(model),
            subject_id=Cast(OuterRef("pk"), CharField()),
            status=Deadline.Status.PENDING,
        ).values("due_at")[:1]
    )


def _time_left(due: datetime | None) -> str:
    if due is None:
        return "—"
    left = due - clock.now()
    if left.total_seconds() < 0:
        return str(_("overdue by %(hours)d h") % {"hours": -left.total_seconds() // 3600})
    return str(_("%(days)d d %(hours)d h") % {"days": left.days, "hours": left.seconds // 3600})


class DueFilter(admin.SimpleListFilter):
    title = _("review due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("24h", _("Within 24 hours")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        now = clock.now()
        if self.value() == "overdue":
            return queryset.filter(review_due__lt=now)
        if self.value() == "24h":
            return queryset.filter(review_due__gte=now, review_due__lt=now + timedelta(hours=24))
        if self.value() == "later":
            return queryset.filter(review_due__gte=now + timedelta(hours=24))
        return queryset


DOCUMENT_FIELDS: tuple[str, ...] = (
    "kind",
    "number",
    "issuer",
    "valid_from",
    "valid_until",
    "content_type",
    "superseded_at",
    "open_file",
)
MERCHANT_DOCUMENT_FIELDS: tuple[str, ...] = (*DOCUMENT_FIELDS[:-1], "expired_at", "open_file")
MEMBER_FIELDS: tuple[str, ...] = ("user", "role", "is_active", "created_at")
#: Issue 21: the merchant's fields a rule computes or governs, read-only in every admin (MER-1, MER-6a: the
#: registered information; MER-8: status and its causes; REP-3: credit; MER-9: self-operated; MER-5: categories)
PROTECTED_MERCHANT_FIELDS: tuple[str, ...] = (
    "name",
    "owner",
    "is_self_operated",
    "legal_name",
    "credit_code",
    "legal_representative",
    "registered_address",
    "contact_phone",
    "contact_email",
    "categories",
    "status",
    "status_reason",
    "restriction_causes",
    "suspension_causes",
    "credit_score",
    "credit_grade",
    "created_at",
    "activated_at",
    "closed_at",
)
STATUS_CHANGE_FIELDS: tuple[str, ...] = ("at", "from_status", "to_status", "cause", "actor", "reason")


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Rows people look at and services change (``ViewOnlyMixin``)."""
