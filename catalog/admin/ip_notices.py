"""Operations staff's IP notice screen (CAT-7, ECL Art. 42-45): validate (take the listing down and
forward the notice), dismiss (incomplete, or knowingly false), and the counter-notice's evidence files the
shop uploaded, downloaded by staff who may view notices (SEC-4). Actions call services."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from catalog.admin._common import ReasonActionForm, _run, _staff
from catalog.models import IpNotice
from catalog.selectors import ip_notice_counter_evidence
from catalog.services.ip_notices import ip_notice_dismiss, ip_notice_validate
from platform_core.admin_site import action_permission
from platform_core.uploads import evidence_response


@admin.register(IpNotice)
class IpNoticeAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ["validate_selected", "dismiss_selected", "dismiss_as_false"]
    list_display = ["id", "listing", "rights_holder", "right_kind", "right_reference", "status", "filed_at"]
    list_filter = ["status", "right_kind", "is_false_notice"]
    search_fields = ["right_reference", "rights_holder__email", "listing__merchant__name"]
    date_hierarchy = "filed_at"
    readonly_fields = (*(f.name for f in IpNotice._meta.fields), "counter_evidence")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    has_takedown_permission = action_permission("catalog.takedown_listing")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:notice_id>/evidence/<int:file_number>/",
                self.admin_site.admin_view(self.evidence_view),
                name="catalog_ipnotice_evidence",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("counter-notice evidence files"))
    def counter_evidence(self, notice: IpNotice) -> str:
        files = ip_notice_counter_evidence(notice=notice)
        if not files:
            return "-"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} {}</a>',
            (
                (
                    reverse("admin:catalog_ipnotice_evidence", args=[notice.pk, f["number"]]),
                    _("Download"),
                    f["number"],
                )
                for f in files
            ),
        )

    def evidence_view(self, request: HttpRequest, notice_id: int, file_number: int) -> FileResponse:
        """CAT-7, SEC-4: one evidence file of a counter-notice, to staff who may view notices."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        notice = get_object_or_404(IpNotice, pk=notice_id)
        chosen = next(
            (f for f in ip_notice_counter_evidence(notice=notice) if f["number"] == file_number), None
        )
        if chosen is None:
            raise Http404
        return evidence_response(chosen, download_name=f"ip-notice-{notice.pk}-evidence-{file_number}")

    @admin.action(
        description=_("Validate: take the listing down and forward to the merchant"), permissions=["takedown"]
    )
    def validate_selected(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda notice: ip_notice_validate(notice=notice, actor=_staff(request), note=note),
            list(queryset),
        )

    @admin.action(description=_("Dismiss (incomplete)"), permissions=["takedown"])
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda notice: ip_notice_dismiss(notice=notice, actor=_staff(request), note=note),
            list(queryset),
        )

    @admin.action(
        description=_("Dismiss as knowingly false (recorded against the notifier)"), permissions=["takedown"]
    )
    def dismiss_as_false(self, request: HttpRequest, queryset: QuerySet[IpNotice]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda notice: ip_notice_dismiss(
                notice=notice, actor=_staff(request), note=note, false_notice=True
            ),
            list(queryset),
        )
