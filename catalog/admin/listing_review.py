"""The listing review queue (CAT-4: oldest first, with the time left) and the review page of one listing
version (issue 21): the whole listing as submitted — title, description, category, price range, every SKU,
the images with their alt texts, the service fields — the pre-screen findings highlighted (CAT-3) and,
when a version is on sale, a field-by-field diff against it; Approve and Reject on the page itself, each
calling the review service (which checks the permission and the four eyes of CAT-9, and writes the audit
row), then on to the next listing waiting ("approve and next"). A version no longer waiting shows why,
and a decision on it answers 409 with the reason; the admin writes nothing itself."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.admin._common import ReasonActionForm, ReviewerQueueAdmin, _run, _staff, time_left
from catalog.models import Category, ListingReview, ListingVersion, Sku
from catalog.prescreen import FIELD_LABELS, HARD, MISSING, PRICE, SOFT, Finding, highlight
from catalog.selectors import review_queue, review_queue_next, review_version
from catalog.services.review import listing_approve, listing_reject
from platform_core.errors import DomainError

#: issue 21 (decisions 040, 047): the reasons a reviewer picks from, stored as their code; on the form "other"
#: asks for the details
REJECT_REASONS: list[tuple[str, Any]] = [
    (code, _("Other (explain below)") if code == ListingVersion.RejectReason.OTHER else label)
    for code, label in ListingVersion.RejectReason.choices
]

SEVERITY_LABELS = {
    HARD: _("Banned term (blocks submission)"),
    SOFT: _("Term for the reviewer to judge"),
    MISSING: _("Required field missing"),
    PRICE: _("Implausible price"),
}

CATEGORY_LABEL = pgettext_lazy("listing field", "Category")
PRICE_RANGE_LABEL = pgettext_lazy("listing field", "Price range")


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the record (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for rejection"), choices=[("", _("Choose a reason")), *REJECT_REASONS]
    )
    detail = forms.CharField(
        label=_("Details for the merchant"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=800,
        required=False,
        help_text=_("What to correct; required for “Other”. The merchant reads it with the reason."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not data.get("detail", "").strip():
            self.add_error("detail", _("Say what is wrong: the merchant reads it."))
        return data


@dataclass(frozen=True)
class DiffRow:
    label: Any
    old: str
    new: str
    changed: bool


@dataclass(frozen=True)
class SkuRow:
    code: str
    spec: str
    price: Decimal
    proposed: Decimal | None
    reviewed_price: Decimal | None
    stock: int
    is_active: bool

    @property
    def changed(self) -> bool:
        """A price waiting for this review, or one changed (under the review ratio) since the last review."""
        moved = self.reviewed_price is not None and self.price != self.reviewed_price
        return self.proposed is not None or moved


def _paragraphs(text: str) -> SafeString:
    """Plain text as escaped paragraphs."""
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308  escaped by linebreaks


def _highlighted_paragraphs(text: str, findings: list[Any], field: str) -> SafeString:
    """``text`` with its findings marked (``highlight`` escapes the text), as paragraphs."""
    return mark_safe(linebreaks(highlight(text, findings, field)))  # noqa: S308  escaped by highlight


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"¥{value.quantize(Decimal('0.01'))}"


def _price_range(low: Decimal | None, high: Decimal | None) -> str:
    return _money(low) if low == high else f"{_money(low)} – {_money(high)}"


def _category_path(category: Category) -> str:
    return f"{category.parent} / {category}" if category.parent_id else str(category)


def _spec(attributes: Any) -> str:
    if not isinstance(attributes, dict) or not attributes:
        return "-"
    return "，".join(f"{key}：{value}" for key, value in attributes.items())


def _images_text(images: list[Any]) -> str:
    alts = [str(image.get("alt", "")) or "-" for image in images if isinstance(image, dict)]
    return gettext("%(n)d: %(alts)s") % {"n": len(alts), "alts": "；".join(alts)} if alts else "-"


def _findings(version: ListingVersion) -> list[dict[str, Any]]:
    rows = []
    for raw in version.findings:
        finding = Finding(
            phrase=str(raw.get("phrase", "")),
            field=str(raw.get("field", "")),
            severity=str(raw.get("severity", "")),
            position=int(raw.get("position", -1)),
            reason=str(raw.get("reason", "")),
        )
        rows.append(
            {
                "field": finding.field_label,
                "phrase": finding.phrase,
                "severity": SEVERITY_LABELS.get(finding.severity, finding.severity),
                "reason": finding.reason_label,
                "blocks": finding.blocks,
            }
        )
    return rows


def _sku_rows(version: ListingVersion, skus: list[Sku]) -> list[SkuRow]:
    proposed = {int(sku_id): Decimal(price) for sku_id, price in version.proposed_prices.items()}
    return [
        SkuRow(
            code=sku.code,
            spec=_spec(sku.attributes),
            price=sku.price,
            proposed=proposed.get(sku.pk),
            reviewed_price=sku.reviewed_price,
            stock=sku.stock,
            is_active=sku.is_active,
        )
        for sku in skus
    ]


def _diff(version: ListingVersion, live: ListingVersion, skus: list[SkuRow]) -> list[DiffRow]:
    """Every reviewed field, old (on sale) beside new (submitted), in the reader's language; each SKU whose
    price waits for this review is a row of its own."""
    findings = version.findings
    rows = [
        DiffRow(
            FIELD_LABELS["title"],
            live.title,
            highlight(version.title, findings, "title"),
            live.title != version.title,
        ),
        DiffRow(
            FIELD_LABELS["description"],
            _paragraphs(live.description),
            _highlighted_paragraphs(version.description, findings, "description"),
            live.description != version.description,
        ),
        DiffRow(
            FIELD_LABELS["images"],
            _images_text(live.images),
            _images_text(version.images),
            live.images != version.images,
        ),
        DiffRow(
            CATEGORY_LABEL,
            _category_path(live.category),
            _category_path(version.category),
            live.category_id != version.category_id,
        ),
        DiffRow(
            PRICE_RANGE_LABEL,
            _price_range(live.price_min, live.price_max),
            _price_range(version.price_min, version.price_max),
            (live.price_min, live.price_max) != (version.price_min, version.price_max),
        ),
    ]
    for sku in skus:
        if sku.proposed is not None:
            label = gettext("Price of SKU %(code)s") % {"code": sku.code}
            rows.append(DiffRow(label, _money(sku.price), _money(sku.proposed), sku.proposed != sku.price))
    return rows


@admin.register(ListingReview)
class ListingReviewAdmin(ReviewerQueueAdmin):
    action_form = ReasonActionForm
    actions = ["approve_selected", "reject_selected"]
    list_display = [
        "listing_number",
        "merchant",
        "highlighted_title",
        "submitted_at",
        "time_left",
        "changed",
        "flags",
    ]
    list_select_related = ["listing__merchant"]
    search_fields = ["title", "listing__merchant__name"]
    change_list_template = "admin/catalog/listingreview/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return review_queue()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The queue, with a button to the oldest version waiting that this reviewer may decide on."""
        first = (
            review_queue_next(after=None, reviewer=request.user)
            if self.has_view_permission(request)
            else None
        )
        return super().changelist_view(request, {"first_to_review": first, **(extra_context or {})})

    @admin.display(description=_("Listing"), ordering="listing_id")
    def listing_number(self, version: ListingReview) -> int:
        return int(version.listing_id)

    @admin.display(description=_("title"))
    def highlighted_title(self, version: ListingReview) -> SafeString:
        return highlight(version.title, version.findings, "title")

    @admin.display(description=_("time left (CAT-4)"))
    def time_left(self, version: ListingReview) -> str:
        return time_left(version.submitted_at)

    @admin.display(description=_("changed"))
    def changed(self, version: ListingReview) -> str:
        if not version.listing.live_version_id:
            return str(_("new"))
        labels = {**FIELD_LABELS, "category": CATEGORY_LABEL}
        return "，".join(str(labels.get(name, name)) for name in version.changed_fields)

    @admin.display(description=_("flags"))
    def flags(self, version: ListingReview) -> int:
        return len(version.findings)

    # --- the review page ------------------------------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """CAT-4, issue 21: the review page of version ``object_id``; a POST is the decision on it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = review_version(version_id=int(object_id)) if object_id.isdigit() else None
        if version is None:
            raise Http404
        approve_form, reject_form = ApproveForm(prefix="approve"), RejectForm(prefix="reject")
        if request.method != "POST":
            return self._review_page(request, version, approve_form, reject_form)
        actor = _staff(request)
        if "_approve" in request.POST:
            approve_form = ApproveForm(request.POST, prefix="approve")
            if not approve_form.is_valid():
                return self._review_page(request, version, approve_form, reject_form, status=400)
            note = approve_form.cleaned_data["note"]

            def decide() -> Any:
                return listing_approve(listing=version.listing, actor=actor, note=note, version_id=version.pk)

            done = _("Listing #%(id)s approved: version %(number)s is on sale.")
        elif "_reject" in request.POST:
            reject_form = RejectForm(request.POST, prefix="reject")
            if not reject_form.is_valid():
                return self._review_page(request, version, approve_form, reject_form, status=400)
            code, detail = reject_form.cleaned_data["reason"], reject_form.cleaned_data["detail"]

            def decide() -> Any:
                return listing_reject(
                    listing=version.listing, actor=actor, code=code, reason=detail, version_id=version.pk
                )

            done = _("Listing #%(id)s rejected: the merchant is told the reason.")
        else:
            return self._review_page(request, version, approve_form, reject_form, status=400)
        try:
            decide()
        except DomainError as exc:
            # 409 when the version is no longer waiting (decided by someone else, withdrawn, replaced);
            # 403 for the four eyes of CAT-9; the page says why, with the version as it stands now
            current = review_version(version_id=version.pk) or version
            return self._review_page(
                request, current, approve_form, reject_form, status=exc.status, error=exc.message
            )
        self.message_user(
            request, done % {"id": version.listing_id, "number": version.number}, messages.SUCCESS
        )
        return self._to_next(request, version)

    def _to_next(self, request: HttpRequest, version: ListingVersion) -> HttpResponse:
        """CAT-4, "approve and next": on to the oldest listing still waiting, or back to the empty queue."""
        following = review_queue_next(after=version, reviewer=request.user)
        if following is None:
            self.message_user(request, _("No other listing is waiting for review."), messages.INFO)
            return redirect("admin:catalog_listingreview_changelist")
        return redirect("admin:catalog_listingreview_change", object_id=following.pk)

    def _review_page(
        self,
        request: HttpRequest,
        version: ListingVersion,
        approve_form: ApproveForm,
        reject_form: RejectForm,
        *,
        status: int = 200,
        error: str = "",
    ) -> TemplateResponse:
        listing = version.listing
        live = listing.live_version
        skus = _sku_rows(version, list(listing.skus.all()))
        pending = (
            version.status == ListingVersion.Status.PENDING and listing.candidate_version_id == version.pk
        )
        images = [
            {
                "url": image.get("url", ""),
                "alt": highlight(str(image.get("alt", "")), version.findings, f"images[{i}].alt"),
            }
            for i, image in enumerate(version.images)
            if isinstance(image, dict)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Review listing #%(id)s, version %(number)s")
            % {"id": listing.pk, "number": version.number},
            "version": version,
            "listing": listing,
            "pending": pending,
            "status_label": version.get_status_display(),
            "time_left": time_left(version.submitted_at) if pending else "",
            "title_html": highlight(version.title, version.findings, "title"),
            "description_html": _highlighted_paragraphs(version.description, version.findings, "description"),
            "category_path": _category_path(version.category),
            "price_range": _price_range(version.price_min, version.price_max),
            "images": images,
            "skus": skus,
            "findings": _findings(version),
            "live": live if live is not None and live.pk != version.pk else None,
            "diff": _diff(version, live, skus) if live is not None and live.pk != version.pk else [],
            "approve_form": approve_form,
            "reject_form": reject_form,
            "error": error,
            "queue_url": reverse("admin:catalog_listingreview_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/listingreview/review.html", context, status=status)

    # --- the queue's bulk decisions (the same services, for a reviewer who has read each page) --------------

    @admin.action(description=_("Approve selected"), permissions=["view"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ListingReview]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda listing: listing_approve(listing=listing, actor=_staff(request), note=note),
            [v.listing for v in queryset.select_related("listing")],
        )

    @admin.action(description=_("Reject selected (reason required)"), permissions=["view"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ListingReview]) -> None:
        reason = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda listing: listing_reject(listing=listing, actor=_staff(request), reason=reason),
            [v.listing for v in queryset.select_related("listing")],
        )
