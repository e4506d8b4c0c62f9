"""Customer reviews and their moderation in the admin (REP-1, REP-2)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from merchants.admin.base import ServiceTransitionsMixin
from orders.admin._common import ReasonActionForm, _run, _staff
from orders.models import (
    Review,
    ReviewFlag,
    ReviewPhoto,
)
from orders.selectors.reviews import MODERATE_REVIEW_PERMISSION, review_flag_queue
from orders.services.reviews import review_flags_dismiss, review_hide
from platform_core.admin_site import ViewOnlyInline

# --- REP-2: reviews and their moderation --------------------------------------------------------------


class HideReviewForm(forms.Form):
    """REP-2: a review is hidden only for a listed reason; the note says what was found."""

    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *Review.HideReason.choices])
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=500, required=False)


class ReviewFlagInline(ViewOnlyInline):
    model = ReviewFlag
    fields = ["signal", "details", "status", "created_at", "resolved_at", "resolved_by", "resolution_note"]
    readonly_fields = [
        "signal",
        "details",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution_note",
    ]


class ReviewPhotoInline(ViewOnlyInline):
    model = ReviewPhoto
    fields = ["photo_link", "content_type", "size", "follow_up", "created_at"]
    readonly_fields = ["photo_link", "content_type", "size", "follow_up", "created_at"]

    @admin.display(description=_("photo"))
    def photo_link(self, photo: ReviewPhoto) -> SafeString:
        return format_html('<a href="{}">{}</a>', reverse("review-photo", args=[photo.pk]), _("open"))


class ReviewFlaggedFilter(admin.SimpleListFilter):
    title = _("fake-review flags")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open flags")), ("any", _("Ever flagged")), ("none", _("Never flagged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Review]) -> QuerySet[Review]:
        if self.value() == "open":
            return queryset.filter(pk__in=review_flag_queue().values("pk"))
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        if self.value() == "none":
            return queryset.filter(flags__isnull=True)
        return queryset


@admin.register(Review)
class ReviewAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """REP-2: reviews are never edited or deleted here; staff hide one with a listed reason (the "hide"
    button) or dismiss its fake-review flags (action), each recorded in the audit log."""

    action_form = ReasonActionForm
    list_display = [
        "id",
        "created_at",
        "merchant",
        "order_line",
        "rating",
        "description_rating",
        "service_rating",
        "logistics_rating",
        "status",
        "hidden_reason",
        "open_flags",
    ]
    list_filter = [ReviewFlaggedFilter, "rating", "status", "hidden_reason", "flags__signal", "anonymous"]
    search_fields = ["order__number", "merchant__name", "order_line__title", "text"]
    list_select_related = ["merchant", "order_line"]
    inlines = [ReviewPhotoInline, ReviewFlagInline]
    readonly_fields = [
        "order_line",
        "order",
        "merchant",
        "listing",
        "customer",
        "rating",
        "description_rating",
        "service_rating",
        "logistics_rating",
        "text",
        "anonymous",
        "created_at",
        "follow_up_text",
        "followed_up_at",
        "reply_text",
        "replied_at",
        "replied_by",
        "hidden_reason",
        "hidden_note",
        "hidden_at",
        "hidden_by",
    ]
    exclude = ["device_fingerprint"]
    actions = ["dismiss_flags"]
    fsm_forms = {"hide": HideReviewForm}
    transition_services = {
        "hide": lambda obj, request, data: review_hide(
            review=obj, reason=data.get("reason", ""), note=data.get("note", ""), actor=_staff(request)
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        open_flags = Count("flags", filter=Q(flags__status=ReviewFlag.Status.OPEN))
        return super().get_queryset(request).annotate(open_flag_count=open_flags)

    @admin.display(description=_("open flags"), ordering="open_flag_count")
    def open_flags(self, review: Review) -> int:
        return int(getattr(review, "open_flag_count", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # REP-2: never deleted (the database refuses it too)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_REVIEW_PERMISSION)

    @admin.action(description=_("Dismiss open fake-review flags (genuine)"), permissions=["moderate"])
    def dismiss_flags(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda review, reason: review_flags_dismiss(review=review, note=reason, actor=_staff(request)),
            label="review",
        )
