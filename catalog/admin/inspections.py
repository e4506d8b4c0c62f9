"""CAT-6 in the admin (issue 21): the inspectors' list of inspections (open ones first), a page to create a
sampling batch (size, category, risk-weighted or uniform) and a page to record a result with its findings and
evidence file. A failure delists the listing and records a violation, in ``inspection_record``; the admin
only collects the input (permission ``catalog.inspect_listing``, checked here and again by the services)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.admin._common import _staff
from catalog.models import Category, Inspection
from catalog.services.inspections import inspection_batch_create, inspection_record
from platform_core.admin_site import (
    ViewOnlyMixin,
    evidence_download,
    evidence_link,
    service_form_page,
    service_form_run,
)

INSPECT = "catalog.inspect_listing"


class InspectionStateFilter(admin.SimpleListFilter):
    title = _("inspection state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Not inspected yet")), ("recorded", _("Result recorded"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "open":
            return queryset.filter(result="")
        if self.value() == "recorded":
            return queryset.exclude(result="")
        return queryset


class BatchForm(forms.Form):
    size = forms.IntegerField(
        label=_("Number of listings"),
        min_value=1,
        max_value=500,
        initial=20,
        help_text=_("How many listings on sale to draw for inspection (1 to 500)."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("slug"),
        required=False,
        empty_label=_("All categories"),
        help_text=_("Only listings of this category and the categories below it; empty: every category."),
    )
    risk_weighted = forms.BooleanField(
        label=_("Weight by risk"),
        required=False,
        initial=True,
        help_text=_(
            "Listings of new merchants, merchants with a low credit grade and listings with recent "
            "complaints are drawn more often. Untick for a uniform random sample."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Why this batch (e.g. the monthly round, a campaign); kept with the batch."),
    )


class RecordForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=Inspection.Result.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label=_("Findings"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        help_text=_(
            "What the inspector found; required for a failure (the merchant sees it with the violation)."
        ),
    )
    evidence = forms.FileField(
        label=_("Evidence file (PDF, PNG or JPEG)"),
        required=False,
        help_text=_("The inspection report or photos; checked by content."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == Inspection.Result.FAIL and not data.get("findings", "").strip():
            self.add_error("findings", _("Say what was found: a failed inspection needs its findings."))
        return data


@admin.register(Inspection)
class InspectionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """CAT-6: inspections, open ones first; a batch is created and a result recorded on their own pages."""

    list_display = [
        "id",
        "batch",
        "listing",
        "merchant",
        "risk_weight",
        "result",
        "inspector",
        "inspected_at",
        "record_link",
    ]
    list_filter = [InspectionStateFilter, "result", "batch__trigger"]
    list_select_related = ["batch", "listing__merchant", "inspector"]
    search_fields = ["listing__merchant__name", "listing__live_version__title"]
    ordering = ["inspected_at", "-pk"]
    readonly_fields = (
        "batch",
        "listing",
        "risk_weight",
        "result",
        "evidence",
        "evidence_link",
        "inspector",
        "inspected_at",
    )
    fields = readonly_fields
    change_list_template = "admin/catalog/inspection/change_list.html"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(INSPECT) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(INSPECT) or super().has_module_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return super().changelist_view(
            request, {"may_inspect": request.user.has_perm(INSPECT), **(extra_context or {})}
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "create-batch/",
                self.admin_site.admin_view(self.create_batch_view),
                name="catalog_inspection_create_batch",
            ),
            path(
                "<int:inspection_id>/record/",
                self.admin_site.admin_view(self.record_view),
                name="catalog_inspection_record",
            ),
            path(
                "<int:inspection_id>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="catalog_inspection_evidence",
            ),
        ]
        return [*own, *super().get_urls()]

    @admin.display(description=_("merchant"))
    def merchant(self, inspection: Inspection) -> str:
        return str(inspection.listing.merchant.name)

    @admin.display(description=_("record the result"))
    def record_link(self, inspection: Inspection) -> str:
        if inspection.result:
            return "-"
        url = reverse("admin:catalog_inspection_record", args=[inspection.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record the result"))

    @admin.display(description=_("evidence file"))
    def evidence_link(self, inspection: Inspection) -> str:
        return evidence_link(inspection, "admin:catalog_inspection_evidence")

    def create_batch_view(self, request: HttpRequest) -> HttpResponse:
        """CAT-6: draw a sampling batch of listings on sale (``inspection_batch_create``, audited)."""
        if not request.user.has_perm(INSPECT):
            raise PermissionDenied
        form = BatchForm(request.POST or None)
        batch = service_form_run(
            request,
            form,
            lambda data: inspection_batch_create(
                size=data["size"],
                category=data["category"],
                risk_weighted=data["risk_weighted"],
                note=data["note"],
                actor=_staff(request),
            ),
        )
        if batch is not None:
            self.message_user(
                request,
                _("Sampling batch #%(id)s created: %(n)d listings to inspect.")
                % {"id": batch.pk, "n": batch.size},
                level=messages.SUCCESS,
            )
            url = reverse("admin:catalog_inspection_changelist")
            return redirect(f"{url}?state=open&batch__id__exact={batch.pk}")
        return service_form_page(
            self,
            request,
            title=_("Create a sampling batch (CAT-6)"),
            form=form,
            notice=_(
                "Listings on sale are drawn at random for quality inspection (抽检). Each drawn listing "
                "appears in the list of open inspections, where its result is recorded."
            ),
            submit_label=_("Create the batch"),
        )

    def record_view(self, request: HttpRequest, inspection_id: int) -> HttpResponse:
        """CAT-6: record pass or fail with findings and evidence (``inspection_record``: a failure delists
        the listing and records a ``failed_inspection`` violation, VIO-1)."""
        if not request.user.has_perm(INSPECT):
            raise PermissionDenied
        inspection = get_object_or_404(
            Inspection.objects.select_related("listing__merchant"), pk=inspection_id
        )
        form = RecordForm(request.POST or None, request.FILES or None)
        recorded = service_form_run(
            request,
            form,
            lambda data: inspection_record(
                inspection=inspection,
                result=data["result"],
                evidence={"findings": data["findings"].strip()} if data["findings"].strip() else {},
                evidence_file=data["evidence"],
                actor=_staff(request),
            ),
        )
        if recorded is not None:
            text = (
                _("Inspection #%(id)s failed: the listing is taken off sale and a violation recorded.")
                if recorded.result == Inspection.Result.FAIL
                else _("Inspection #%(id)s passed.")
            )
            self.message_user(request, text % {"id": recorded.pk}, level=messages.SUCCESS)
            return redirect(f"{reverse('admin:catalog_inspection_changelist')}?state=open")
        return service_form_page(
            self,
            request,
            title=_("Record the inspection result"),
            form=form,
            subject=_("Listing #%(listing)s of %(merchant)s (inspection #%(id)s)")
            % {
                "listing": inspection.listing_id,
                "merchant": inspection.listing.merchant.name,
                "id": inspection.pk,
            },
            notice=_(
                "A failed inspection takes the listing off sale at once and records a “failed inspection” "
                "violation against the merchant, who is told and may appeal (VIO-4)."
            ),
            submit_label=_("Record the result"),
        )

    def evidence_view(self, request: HttpRequest, inspection_id: int) -> HttpResponseBase:
        """SEC-4: the inspection's evidence file, to those who may see inspections."""
        return evidence_download(self, request, inspection_id)
