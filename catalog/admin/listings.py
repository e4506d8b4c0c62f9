"""Operations staff's catalog screens: listings with bulk takedown (CAT-2), assisted listing for partner
merchants (CAT-9), inspection batches (CAT-6), favourites and follows. The review queue and the review page
of a listing (CAT-3, CAT-4) are in ``listing_review``; the banned-term list (CAT-3) in ``banned_terms``; IP
notices (CAT-7) in ``ip_notices``. Actions call services; the admin writes nothing itself."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from catalog.admin._common import ReasonActionForm, _run, _staff
from catalog.models import (
    Category,
    Favourite,
    Follow,
    Inspection,
    InspectionBatch,
    Listing,
    ListingAssist,
    Sku,
)
from catalog.services.assisted import listing_create_assisted, listing_stock_confirm, listing_update_assisted
from catalog.services.review import listings_bulk_takedown
from merchants.models import Merchant
from platform_core.admin_site import action_permission
from platform_core.errors import DomainError


class SkuInline(admin.TabularInline):
    model = Sku
    fields = ("code", "attributes", "price", "stock", "is_active", "stock_updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


ASSIST_PERMISSION = "catalog.assist_listing"


class AssistedListingForm(forms.Form):
    """CAT-9: what operations staff fill in for a partner merchant (the edit form drops the fields that
    only a new listing has: merchant, kind, SKUs)."""

    merchant = forms.ModelChoiceField(
        label=_("Partner merchant"),
        queryset=Merchant.objects.exclude(status__in=[Merchant.Status.CLOSED, Merchant.Status.BANNED]),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("slug"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Listing.Kind.choices, initial=Listing.Kind.PRODUCT)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    image_url = forms.URLField(label=_("Photo URL"), required=False, assume_scheme="https")
    image_alt = forms.CharField(label=_("Photo description (alt text)"), max_length=200, required=False)
    service_area = forms.CharField(label=_("Service area"), max_length=200, required=False)
    service_duration_minutes = forms.IntegerField(
        label=_("Service duration (minutes)"), min_value=1, required=False
    )
    is_non_returnable = forms.BooleanField(label=_("Non-returnable"), required=False)
    skus = forms.CharField(
        label=_("SKUs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: code; price; stock; attribute=value, attribute=value"),
    )
    note = forms.CharField(label=_("Note (what the partner supplied)"), max_length=500, required=False)

    NEW_ONLY = ("merchant", "kind", "skus")

    def __init__(self, *args: Any, listing: Listing | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if listing is not None:
            for name in self.NEW_ONLY:
                del self.fields[name]

    def clean_skus(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["skus"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            try:
                code, price, stock = parts[0], Decimal(parts[1]), int(parts[2])
            except (IndexError, ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)d: write code; price; stock.") % {"n": number}
                ) from None
            attributes = dict(
                pair.split("=", 1) for pair in (parts[3].split(",") if len(parts) > 3 else []) if "=" in pair
            )
            rows.append(
                {
                    "code": code,
                    "price": price,
                    "stock": stock,
                    "attributes": {k.strip(): v.strip() for k, v in attributes.items()},
                }
            )
        if not rows:
            raise forms.ValidationError(_("At least one SKU."))
        return rows

    def listing_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        url = data.get("image_url")
        fields = {
            "category": data["category"],
            "title": data["title"],
            "description": data.get("description", ""),
            "images": [{"url": url, "alt": data.get("image_alt", "")}] if url else [],
            "service_area": data.get("service_area", ""),
            "service_duration_minutes": data.get("service_duration_minutes"),
            "is_non_returnable": data.get("is_non_returnable", False),
        }
        if "kind" in data:
            fields["kind"] = data["kind"]
        if "skus" in data:
            fields["skus"] = data["skus"]
        return fields


class ListingAssistInline(admin.TabularInline):
    model = ListingAssist
    fields = ("at", "staff", "action", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("assisted by operations (CAT-9)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the assisting history is part of the listing: whoever may see the listing sees it
        return request.user.has_perm("catalog.view_listing")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["bulk_takedown", "confirm_stock"]
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
        "assisted_by",
        "stock_confirmed_at",
    ]
    list_filter = [
        "status",
        "on_sale",
        "kind",
        "category",
        ("assisted_at", admin.EmptyFieldListFilter),
        ("stock_prompted_at", admin.EmptyFieldListFilter),
    ]
    date_hierarchy = "created_at"
    list_select_related = ["merchant", "category", "live_version", "assisted_by"]
    search_fields = ["live_version__title", "merchant__name", "assisted_by__name", "assisted_by__email"]
    readonly_fields = (*(f.name for f in Listing._meta.fields), "assist_link")
    inlines = [SkuInline, ListingAssistInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # "Add" is the assisted listing (CAT-9): merchants list through their dashboard or API
        return request.user.has_perm(ASSIST_PERMISSION)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_assist_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ASSIST_PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:listing_id>/assist/",
                self.admin_site.admin_view(self.assist_edit_view),
                name="catalog_listing_assist",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("title"))
    def live_title(self, listing: Listing) -> str:
        return listing.live_version.title if listing.live_version else "-"

    @admin.display(description=_("edit for the partner (CAT-9)"))
    def assist_link(self, listing: Listing) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalog_listing_assist", args=[listing.pk]),
            _("Edit on behalf of the merchant"),
        )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """CAT-9: create a listing with its SKUs for a chosen partner merchant (recorded as assisted)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AssistedListingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                listing = listing_create_assisted(
                    merchant=form.cleaned_data["merchant"],
                    staff=_staff(request),
                    note=form.cleaned_data.get("note", ""),
                    **form.listing_fields(),
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Listing created for the merchant."), level=messages.SUCCESS)
                return redirect("admin:catalog_listing_change", object_id=listing.pk)
        return self._assist_form(request, form, _("Create a listing for a partner merchant"), None)

    def assist_edit_view(self, request: HttpRequest, listing_id: int) -> HttpResponse:
        """CAT-9: edit a partner's listing on its behalf (reviewed fields go back to review as usual)."""
        listing = (
            Listing.objects.select_related("live_version", "candidate_version").filter(pk=listing_id).first()
        )
        if listing is None or not self.has_assist_permission(request):
            raise PermissionDenied
        version = listing.candidate_version or listing.live_version
        image = version.images[0] if version and version.images else {}
        initial = {
            "category": version.category_id if version else listing.category_id,
            "title": version.title if version else "",
            "description": version.description if version else "",
            "image_url": image.get("url", ""),
            "image_alt": image.get("alt", ""),
            "service_area": listing.service_area,
            "service_duration_minutes": listing.service_duration_minutes,
            "is_non_returnable": listing.is_non_returnable,
        }
        form = AssistedListingForm(request.POST or None, initial=initial, listing=listing)
        if request.method == "POST" and form.is_valid():
            changed = set(form.changed_data)
            if changed & {"image_url", "image_alt"}:
                changed.add("images")
            changes = {k: v for k, v in form.listing_fields().items() if k in changed}
            try:
                listing_update_assisted(
                    listing=listing,
                    staff=_staff(request),
                    note=form.cleaned_data.get("note", ""),
                    **changes,
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Listing edited for the merchant."), level=messages.SUCCESS)
                return redirect("admin:catalog_listing_change", object_id=listing.pk)
        return self._assist_form(request, form, _("Edit on behalf of the merchant"), listing)

    def _assist_form(
        self, request: HttpRequest, form: forms.Form, title: Any, listing: Listing | None
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/catalog/listing_assist.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "original": listing,
                "form": form,
            },
        )

    has_takedown_permission = action_permission("catalog.takedown_listing")

    @admin.action(description=_("Take down selected (reason required)"), permissions=["takedown"])
    def bulk_takedown(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        reason = request.POST.get("reason", "")
        try:
            done = listings_bulk_takedown(
                listing_ids=list(queryset.values_list("pk", flat=True)),
                actor=_staff(request),
                reason=reason,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        self.message_user(request, _("%(n)d listings taken down.") % {"n": len(done)}, level=messages.SUCCESS)

    @admin.action(description=_("Confirm stock (checked with the partner; CAT-9)"), permissions=["assist"])
    def confirm_stock(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda listing: listing_stock_confirm(listing=listing, actor=_staff(request), note=note),
            list(queryset),
        )


class InspectionInline(admin.TabularInline):
    model = Inspection
    fields = ("listing", "risk_weight", "result", "evidence", "inspector", "inspected_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(InspectionBatch)
class InspectionBatchAdmin(admin.ModelAdmin):
    list_display, list_filter = ["id", "created_at", "created_by", "trigger", "size", "note"], ["trigger"]
    readonly_fields = ["created_by", "created_at", "trigger", "size", "note"]
    inlines = [InspectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


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
