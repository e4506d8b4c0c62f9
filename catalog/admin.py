"""Operations staff's catalog screens: the review queue (CAT-4) with diffs and banned-term highlights
(CAT-3), listings with bulk takedown (CAT-2), the banned-term list, inspections (CAT-6), IP notices (CAT-7).
Actions call services; the admin writes nothing itself."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from catalog import conf, services
from catalog.models import (
    BannedTerm,
    Favourite,
    Follow,
    Inspection,
    InspectionBatch,
    IpNotice,
    Listing,
    ListingReview,
    Sku,
)
from catalog.prescreen import highlight
from catalog.selectors import review_queue
from platform_core.accounts.models import User
from platform_core.admin_site import action_permission
from platform_core.errors import DomainError


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=500)


def _staff(request: HttpRequest) -> User:
    """The admin only lets staff in, so the request user is a real ``User``."""
    assert isinstance(request.user, User)
    return request.user


def _run(request: HttpRequest, modeladmin: admin.ModelAdmin, fn: Any, ids: list[int], **kwargs: Any) -> None:
    done = 0
    for pk in ids:
        try:
            fn(pk, **kwargs)
            done += 1
        except (DomainError, Exception) as exc:  # report each failure, carry on with the rest
            modeladmin.message_user(request, f"#{pk}: {exc}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, level=messages.SUCCESS)


def time_left(submitted_at: datetime | None) -> str:
    if submitted_at is None:
        return "-"
    left = submitted_at + conf.review_within() - timezone.now()
    minutes = int(abs(left).total_seconds() // 60)
    text = f"{minutes // 60}h {minutes % 60:02d}m"
    return (
        str(_("%(t)s left") % {"t": text})
        if left >= timedelta(0)
        else str(_("overdue by %(t)s") % {"t": text})
    )


@admin.register(ListingReview)
class ListingReviewAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["approve_selected", "reject_selected"]
    list_display = [
        "listing_id",
        "merchant",
        "highlighted_title",
        "submitted_at",
        "time_left",
        "changed",
        "flags",
    ]
    list_select_related = ["listing__merchant"]
    search_fields = ["title", "listing__merchant__name"]
    readonly_fields = ("listing", "number", "category", "submitted_at", "review_diff", "findings_table")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return review_queue()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("catalog.review_listing")

    @admin.display(description=_("merchant"))
    def merchant(self, version: ListingReview) -> str:
        return version.listing.merchant.name

    @admin.display(description=_("title"))
    def highlighted_title(self, version: ListingReview) -> SafeString:
        return highlight(version.title, version.findings, "title")

    @admin.display(description=_("time left (CAT-4)"))
    def time_left(self, version: ListingReview) -> str:
        return time_left(version.submitted_at)

    @admin.display(description=_("changed"))
    def changed(self, version: ListingReview) -> str:
        return ", ".join(version.changed_fields) if version.listing.live_version_id else str(_("new"))

    @admin.display(description=_("flags"))
    def flags(self, version: ListingReview) -> int:
        return len(version.findings)

    @admin.display(description=_("changes against the live version"))
    def review_diff(self, version: ListingReview) -> SafeString:
        live = version.listing.live_version
        rows: list[tuple[str, str, str]] = []
        for field in ("title", "description"):
            new = highlight(getattr(version, field), version.findings, field)
            old = getattr(live, field) if live else ""
            if live is None or field in version.changed_fields:
                rows.append((field, old, new))
        for i, image in enumerate(version.images):
            rows.append(
                (
                    f"images[{i}]",
                    "",
                    format_html(
                        "{} — {}",
                        image.get("url"),
                        highlight(image.get("alt", ""), version.findings, f"images[{i}].alt"),
                    ),
                )
            )
        if "price" in version.changed_fields and live is not None:
            rows.append(
                ("price", f"{live.price_min}–{live.price_max}", f"{version.price_min}–{version.price_max}")
            )
        if "category" in version.changed_fields and live is not None:
            rows.append(("category", str(live.category), str(version.category)))
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><tr><th></th><th>live</th><th>proposed</th></tr>{}</table>", body)

    @admin.display(description=_("pre-screen findings (CAT-3)"))
    def findings_table(self, version: ListingReview) -> SafeString:
        return format_html_join(
            "",
            "<div><mark>{}</mark> in {} ({}) {}</div>",
            ((f["phrase"], f["field"], f["severity"], f.get("reason", "")) for f in version.findings),
        )

    @admin.action(description=_("Approve selected"), permissions=["view"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ListingReview]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda pk: services.listing_approve(listing_id=pk, actor=_staff(request), note=note),
            [v.listing_id for v in queryset],
        )

    @admin.action(description=_("Reject selected (reason required)"), permissions=["view"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ListingReview]) -> None:
        reason = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda pk: services.listing_reject(listing_id=pk, actor=_staff(request), reason=reason),
            [v.listing_id for v in queryset],
        )


class SkuInline(admin.TabularInline):
    model = Sku
    fields = ("code", "attributes", "price", "stock", "is_active", "stock_updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["bulk_takedown"]
    list_display = [
        "id",
        "live_title",
        "merchant",
        "category",
        "kind",
        "status",
        "on_sale",
        "price_min",
        "sales_count",
    ]
    list_filter = ["status", "on_sale", "kind", "category"]
    date_hierarchy = "created_at"
    list_select_related = ["merchant", "category", "live_version"]
    search_fields = ["live_version__title", "merchant__name"]
    readonly_fields = tuple(f.name for f in Listing._meta.fields)
    inlines = [SkuInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("title"))
    def live_title(self, listing: Listing) -> str:
        return listing.live_version.title if listing.live_version else "-"

    has_takedown_permission = action_permission("catalog.takedown_listing")

    @admin.action(description=_("Take down selected (reason required)"), permissions=["takedown"])
    def bulk_takedown(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        reason = request.POST.get("reason", "")
        try:
            done = services.listings_bulk_takedown(
                listing_ids=list(queryset.values_list("pk", flat=True)),
                actor=_staff(request),
                reason=reason,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        self.message_user(request, _("%(n)d listings taken down.") % {"n": len(done)}, level=messages.SUCCESS)


@admin.register(BannedTerm)
class BannedTermAdmin(admin.ModelAdmin):
    list_display = ["phrase", "severity", "reason", "is_active", "created_at"]
    list_editable = ["severity", "is_active"]
    list_filter = ["severity", "is_active"]
    search_fields = ["phrase", "reason"]


class InspectionInline(admin.TabularInline):
    model = Inspection
    fields = ("listing", "risk_weight", "result", "evidence", "inspector", "inspected_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(InspectionBatch)
class InspectionBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "created_by", "size", "note"]
    readonly_fields = ["created_by", "created_at", "size", "note"]
    inlines = [InspectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(IpNotice)
class IpNoticeAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["validate_selected", "dismiss_selected", "dismiss_as_false"]
    list_display = ["id", "listing", "rights_holder", "right_kind", "right_reference", "status", "filed_at"]
    list_filter = ["status", "right_kind", "is_false_notice"]
    search_fields = ["right_reference", "rights_holder__email", "listing__merchant__name"]
    date_hierarchy = "filed_at"
    readonly_fields = tuple(f.name for f in IpNotice._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    has_takedown_permission = action_permission("catalog.takedown_listing")

    @admin.action(
        description=_("Validate: take the listing down and forward to the merchant"), permissions=["takedown"]
    )
    def validate_selected(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda pk: services.ip_notice_validate(notice_id=pk, actor=_staff(request), note=note),
            list(queryset.values_list("pk", flat=True)),
        )

    @admin.action(description=_("Dismiss (incomplete)"), permissions=["takedown"])
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda pk: services.ip_notice_dismiss(notice_id=pk, actor=_staff(request), note=note),
            list(queryset.values_list("pk", flat=True)),
        )

    @admin.action(
        description=_("Dismiss as knowingly false (recorded against the notifier)"), permissions=["takedown"]
    )
    def dismiss_as_false(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda pk: services.ip_notice_dismiss(
                notice_id=pk, actor=_staff(request), note=note, false_notice=True
            ),
            list(queryset.values_list("pk", flat=True)),
        )


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    """USR-1: favourites, read-only (users add and remove them through the API)."""

    list_display = ["user", "listing", "created_at"]
    raw_id_fields = ["user", "listing"]
    search_fields = ["user__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    """USR-1: follows of shops, read-only."""

    list_display = ["user", "merchant", "created_at"]
    raw_id_fields = ["user", "merchant"]
    search_fields = ["user__email", "merchant__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
