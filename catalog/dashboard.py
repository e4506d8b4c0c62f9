"""The merchant dashboard's listings pages (CAT-1..CAT-5): list, create and edit with the live pre-screen,
SKUs and stock, images (uploaded, described, reordered and removed; SEC-4), submit for review, delist, and
the bulk stock upload (CSV); the corrections a re-check asks for, with their countdowns (CAT-10).

Thin views over ``catalog.services`` / ``catalog.selectors`` — the same calls the merchant API makes.
"""

import csv
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.dashboard_images import image_forms, images_save, is_image_error, posted_images
from catalog.models import Category, Listing, ListingVersion
from catalog.prescreen import highlight
from catalog.selectors import (
    listing_get_for_merchant,
    listing_list_for_merchant,
    listing_prescreen,
    rechecks_awaiting_correction,
    sku_get_for_merchant,
)
from catalog.services.listings import listing_create, listing_update
from catalog.services.listings import listing_submit as listing_submit_service
from catalog.services.review import listing_delist as listing_delist_service
from catalog.services.skus import sku_stock_bulk_set, sku_update
from merchants.dashboard.base import (
    ALL_ROLES,
    LISTING_EDITORS,
    SERVICE_ERRORS,
    countdown,
    merchant_required,
    not_found,
    page,
    run_action,
    shop_object,
    show_error,
)
from merchants.models import Merchant
from merchants.permissions import merchant_for_request, merchant_role_for_request
from platform_core.accounts.acting import request_user
from platform_core.bounds import BIGINT_MAX, INT32_MAX, Int32FormField, MoneyFormField
from platform_core.errors import NotFound
from platform_core.reports.renderers import text as csv_cell

PAGE_SIZE = 20


class ListingForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Listing.Kind.choices, initial=Listing.Kind.PRODUCT)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    service_area = forms.CharField(label=_("Service area"), max_length=200, required=False)
    service_duration_minutes = forms.IntegerField(
        label=_("Service duration (minutes)"), min_value=1, required=False
    )
    is_non_returnable = forms.BooleanField(
        label=_("Non-returnable (the customer confirms at purchase)"), required=False
    )

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = merchant.categories.order_by("slug")


class SkuForm(forms.Form):
    code = forms.CharField(label=_("SKU code"), max_length=64)
    attributes = forms.CharField(
        label=_("Attributes"), max_length=300, required=False, help_text=_("e.g. colour=black; size=L")
    )
    price = MoneyFormField(label=_("Price (CNY)"))
    stock = Int32FormField(label=_("Stock"), min_value=0)  # SEC: at most 2³¹−1, a 400 not a 500

    def clean_attributes(self) -> dict[str, str]:
        pairs = [
            p for p in self.cleaned_data.get("attributes", "").replace("；", ";").split(";") if p.strip()
        ]
        attributes = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Write attributes as name=value; name=value."))
            attributes[name.strip()] = value.strip()
        return attributes


#: one row to start with; the page adds and removes rows (issue 22: not exactly three), up to 20
SkuFormSet = forms.formset_factory(SkuForm, extra=1, max_num=20, min_num=0)


class SkuEditForm(forms.Form):
    price = MoneyFormField(label=_("Price (CNY)"))
    stock = Int32FormField(label=_("Stock"), min_value=0)  # SEC: at most 2³¹−1, a 400 not a 500


class DelistForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for your records)"), max_length=500, required=False)


class StockUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file with the columns sku_id,stock"))


def _prices(formset: Any) -> list[Decimal]:
    prices = []
    for form in getattr(formset, "forms", []):
        raw = form.data.get(form.add_prefix("price"), "") if form.data else ""
        try:
            value = Decimal(str(raw).strip())
        except ArithmeticError:
            continue
        if value.is_finite():
            prices.append(value)
    return prices


def _findings(data: Any, merchant: Merchant) -> dict[str, Any]:
    """CAT-3: pre-screen the text as typed; the phrases found come back highlighted in place."""
    title, description = data.get("title", ""), data.get("description", "")
    images = posted_images(data)
    category = (
        merchant.categories.filter(pk=data.get("category") or 0).first() if data.get("category") else None
    )
    formset = SkuFormSet(data, prefix="skus") if "skus-TOTAL_FORMS" in data else None
    findings = [
        f.as_dict() | {"field_label": f.field_label, "reason_label": f.reason_label}
        for f in listing_prescreen(
            title=title,
            description=description,
            image_alts=[str(i.get("alt") or "") for i in images],
            images=images,
            category=category,
            prices=_prices(formset),
        )
    ]
    return {
        "findings": findings,
        "title_html": highlight(title, findings, "title"),
        "description_html": highlight(description, findings, "description"),
        "blocking": any(f["severity"] in ("hard", "missing") for f in findings),
        "checked": True,
    }


def _sku_form(sku: Any) -> SkuEditForm:
    """The row's inputs sit in table cells; they belong to the row's own form through ``form=``."""
    form = SkuEditForm(initial={"price": sku.price, "stock": sku.stock}, prefix=f"sku{sku.pk}")
    for field in form.fields.values():
        field.widget.attrs["form"] = f"sku-form-{sku.pk}"
    return form


def _current_version(listing: Listing) -> ListingVersion | None:
    return listing.candidate_version or listing.live_version


# --- pages ---------------------------------------------------------------------------------------------


@merchant_required(ALL_ROLES)
def listings(request: HttpRequest) -> HttpResponse:
    """CAT-2: the shop's listings with their review state (filter by state)."""
    merchant = merchant_for_request(request)
    status = request.GET.get("status", "")
    queryset = listing_list_for_merchant(merchant=merchant)
    if status in Listing.Status.values:
        queryset = queryset.filter(status=status)
    listing_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": listing_page,
        "rows": [(listing, _current_version(listing)) for listing in listing_page.object_list],
        "status": status,
        "statuses": Listing.Status.choices,
        "may_edit": merchant_role_for_request(request) in LISTING_EDITORS,
        "rechecks": _rechecks(merchant),
    }
    return page(request, "merchant/listings/list.html", context)


def _rechecks(merchant: Merchant, listing: Listing | None = None) -> list[tuple[Any, Any]]:
    """CAT-10: the re-checks waiting for this shop's correction, each with its countdown."""
    return [
        (recheck, countdown(recheck.correction_due))
        for recheck in rechecks_awaiting_correction(merchant=merchant, listing=listing)
    ]


@merchant_required(LISTING_EDITORS)
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest) -> HttpResponse:
    """CAT-1: a new draft with its SKUs; "Check text" pre-screens without saving (works without JS)."""
    merchant = merchant_for_request(request)
    form = ListingForm(request.POST or None, merchant=merchant)
    formset = SkuFormSet(request.POST or None, prefix="skus")
    image_rows, new_images = image_forms(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "formset": formset,
        "image_rows": image_rows,
        "new_images": new_images,
    }
    if request.method == "POST":
        context["prescreen"] = _findings(request.POST, merchant)
        valid = [f.is_valid() for f in (form, formset, image_rows, new_images)]
        if "_check" not in request.POST and all(valid):
            skus = [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]
            data = form.cleaned_data
            try:
                images = images_save(request, merchant, image_rows, new_images)
                listing = listing_create(
                    merchant=merchant,
                    category=data["category"],
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    images=images,
                    skus=skus,
                    service_area=data["service_area"],
                    service_duration_minutes=data["service_duration_minutes"],
                    is_non_returnable=data["is_non_returnable"],
                    actor=request_user(request),
                )
            except SERVICE_ERRORS as exc:
                show_error(new_images if is_image_error(exc) else form, exc)
            else:
                messages.success(request, _("Draft saved. Submit it for review when it is ready."))
                return redirect("merchant:listing", listing_id=listing.pk)
    return page(request, "merchant/listings/form.html", context)


@merchant_required(ALL_ROLES)
@require_POST
def listing_prescreen_check(request: HttpRequest) -> HttpResponse:
    """CAT-3 (htmx): the pre-screen panel for the text being typed."""
    return page(
        request,
        "merchant/listings/_prescreen.html",
        {"prescreen": _findings(request.POST, merchant_for_request(request))},
    )


def _listing_or_404(request: HttpRequest, listing_id: int) -> Listing | None:
    return shop_object(request, listing_get_for_merchant, listing_id=listing_id)


def _edit_form_initial(listing: Listing, version: ListingVersion | None) -> dict[str, Any]:
    return {
        "category": version.category_id if version else listing.category_id,
        "kind": listing.kind,
        "title": version.title if version else "",
        "description": version.description if version else "",
        "images": list(version.images) if version else [],
        "service_area": listing.service_area,
        "service_duration_minutes": listing.service_duration_minutes,
        "is_non_returnable": listing.is_non_returnable,
    }


@merchant_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def listing_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    """CAT-1, CAT-2: the listing's text, review state and reviewer's note; edit it; SKUs and stock."""
    merchant = merchant_for_request(request)
    listing = _listing_or_404(request, listing_id)
    if listing is None:
        return not_found(request)
    may_edit = merchant_role_for_request(request) in LISTING_EDITORS
    latest = listing.versions.select_related("category").order_by("-number").first()
    version = _current_version(listing) or latest
    posted = request.POST if request.method == "POST" else None
    form = ListingForm(posted, merchant=merchant, initial=_edit_form_initial(listing, version))
    image_rows, new_images = image_forms(
        posted, request.FILES if posted is not None else None, version.images if version else []
    )
    context: dict[str, Any] = {
        "image_rows": image_rows,
        "new_images": new_images,
        "listing": listing,
        "version": version,
        "latest": latest,
        "may_edit": may_edit,
        "rechecks": _rechecks(merchant, listing),
    }
    if request.method == "GET" and may_edit:
        # CAT-3 (issue 22): a saved draft with a banned phrase shows it on opening, before any typing. The
        # text only (the category's own required fields are checked as the merchant types and on submit):
        # the page keeps its query budget.
        context["prescreen"] = _findings(_edit_form_initial(listing, version) | {"category": ""}, merchant)
    if request.method == "POST":
        if not may_edit:
            return page(request, "merchant/403.html", status=403)
        context["prescreen"] = _findings(request.POST, merchant)
        valid = [f.is_valid() for f in (form, image_rows, new_images)]
        if "_check" not in request.POST and all(valid):
            data = form.cleaned_data
            try:
                images = images_save(request, merchant, image_rows, new_images)
                listing_update(
                    listing=listing,
                    actor=request_user(request),
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    images=images,
                    service_area=data["service_area"],
                    service_duration_minutes=data["service_duration_minutes"],
                    is_non_returnable=data["is_non_returnable"],
                )
            except SERVICE_ERRORS as exc:
                show_error(new_images if is_image_error(exc) else form, exc)
            else:
                messages.success(request, _("Listing saved."))
                return redirect("merchant:listing", listing_id=listing.pk)
    context |= {
        "form": form,
        "sku_rows": [(sku, _sku_form(sku)) for sku in listing.skus.all()],
        "delist_form": DelistForm(),
        "findings_reviewed": (latest.findings if latest else []),
    }
    return page(request, "merchant/listings/detail.html", context)


@merchant_required(LISTING_EDITORS)
@require_POST
def listing_submit(request: HttpRequest, listing_id: int) -> HttpResponse:
    """CAT-2, CAT-3: send the draft for review; a blocking pre-screen finding is shown with its field."""
    listing = _listing_or_404(request, listing_id)
    if listing is None:
        return not_found(request)
    return run_action(
        request,
        lambda: listing_submit_service(listing=listing, actor=request_user(request)),
        success=_("Submitted for review. Listings are reviewed within 24 hours."),
        redirect_to="merchant:listing",
        listing_id=listing_id,
    )


@merchant_required(LISTING_EDITORS)
@require_POST
def listing_delist(request: HttpRequest, listing_id: int) -> HttpResponse:
    """CAT-2: take a listing off sale (it comes back only through review)."""
    listing = _listing_or_404(request, listing_id)
    if listing is None:
        return not_found(request)
    form = DelistForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: listing_delist_service(
            listing=listing, actor=request_user(request), reason=reason, source="merchant"
        ),
        success=_("The listing is off sale."),
        redirect_to="merchant:listing",
        listing_id=listing_id,
    )


@merchant_required(LISTING_EDITORS)
@require_POST
def sku_edit(request: HttpRequest, sku_id: int) -> HttpResponse:
    """CAT-1, CAT-5: change a SKU's price or stock (a price change over 50 % goes to review)."""
    merchant = merchant_for_request(request)
    try:
        sku_get_for_merchant(merchant=merchant, sku_id=sku_id)  # SEC-1: 404 before anything else
    except NotFound:
        return not_found(request)
    form = SkuEditForm(request.POST, prefix=f"sku{sku_id}")
    listing_id = request.POST.get("listing")
    if form.is_valid():
        try:
            sku = sku_update(
                sku_id=sku_id, merchant=merchant, actor=request_user(request), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_error(None, exc, request)
        else:
            messages.success(request, _("SKU %(code)s saved.") % {"code": sku.code})
            listing_id = str(sku.listing_id)
    else:
        messages.error(request, _("Enter a positive price and a whole stock figure."))
    if listing_id and listing_id.isdigit():
        return redirect("merchant:listing", listing_id=int(listing_id))
    return redirect("merchant:listings")


@merchant_required(LISTING_EDITORS)
@require_http_methods(["GET", "POST"])
def stock_upload(request: HttpRequest) -> HttpResponse:
    """CAT-5: set stock for many SKUs from a CSV (sku_id,stock), all or nothing."""
    form = StockUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        items, problems = _parse_stock_csv(form.cleaned_data["file"])
        if problems:
            for problem in problems:
                form.add_error("file", problem)
        else:
            try:
                skus = sku_stock_bulk_set(
                    merchant=merchant_for_request(request), items=items, actor=request_user(request)
                )
            except SERVICE_ERRORS as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Stock set for %(count)d SKUs.") % {"count": len(skus)})
                return redirect("merchant:listings")
    return page(
        request, "merchant/listings/stock_upload.html", {"form": form}, status=400 if form.errors else 200
    )


def _parse_stock_csv(file: Any) -> tuple[list[dict[str, int]], list[str]]:
    text = file.read().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"sku_id", "stock"} <= {f.strip() for f in reader.fieldnames}:
        return [], [str(_("The first line must name the columns sku_id and stock."))]
    items: list[dict[str, int]] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("sku_id") and not row.get("stock"):
            continue
        try:
            sku_id, stock = int(row["sku_id"]), int(row["stock"])
            if not (1 <= sku_id <= BIGINT_MAX and 0 <= stock <= INT32_MAX):  # SEC: the columns' bounds
                raise ValueError(row)
            items.append({"sku_id": sku_id, "stock": stock})
        except ValueError:
            problems.append(
                str(_("Line %(line)d: sku_id and stock must be whole numbers.") % {"line": number})
            )
    if not items and not problems:
        problems.append(str(_("The file has no rows.")))
    return items, problems


@merchant_required(ALL_ROLES)
def stock_download(request: HttpRequest) -> HttpResponse:
    """CAT-5: the shop's SKUs with their stock, as the CSV the upload takes back."""
    listings_qs = listing_list_for_merchant(merchant=merchant_for_request(request))

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(["sku_id", "stock", "listing_id", "code", "title"])
        for listing in listings_qs.iterator(chunk_size=200):
            version = _current_version(listing)
            for sku in listing.skus.all():
                # SEC (issue 20): a code or title starting =, +, -, @, tab or CR is no spreadsheet formula
                yield writer.writerow(
                    [
                        sku.pk,
                        sku.stock,
                        listing.pk,
                        csv_cell(sku.code),
                        csv_cell(version.title if version else ""),
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stock.csv"'
    return response  # type: ignore[return-value]  # streamed; the decorator passes it through
