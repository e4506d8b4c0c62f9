"""Staff admin: the application review queue (MER-2, MER-3) and qualification documents."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from merchants.admin.base import (
    DOCUMENT_FIELDS,
    DueFilter,
    ReadOnlyAdmin,
    ReasonForm,
    ServiceTransitionsMixin,
    _pending_due,
    _time_left,
)
from merchants.clocks import RULE_APPLICATION_REVIEW
from merchants.models import (
    MerchantApplication,
    QualificationDocument,
)
from merchants.services.applications import (
    application_approve,
    application_reject,
    application_request_more_info,
    application_start_review,
)
from platform_core.accounts.acting import request_user


class ApplicationDocumentInline(admin.TabularInline):
    model = QualificationDocument
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = DOCUMENT_FIELDS
    readonly_fields = DOCUMENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def open_file(self, document: QualificationDocument) -> str:
        # SEC-4: served by the permission-checking view, never from MEDIA_URL
        return format_html('<a href="/api/v1/merchant/documents/{}/file/">{}</a>', document.pk, _("open"))


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-2: the review queue, oldest submission first, with the time left and the prior record (MER-3)."""

    list_display = ["shop_name", "credit_code", "status", "submitted_at", "time_left", "reviewer"]
    list_filter = ["status", DueFilter, "submitted_at"]
    search_fields = ["shop_name", "legal_name", "credit_code", "applicant__email", "applicant__phone"]
    ordering = ["submitted_at", "pk"]
    inlines = [ApplicationDocumentInline]
    readonly_fields = [
        "applicant",
        "shop_name",
        "legal_name",
        "credit_code",
        "legal_representative",
        "registered_address",
        "contact_phone",
        "contact_email",
        "categories",
        "created_at",
        "submitted_at",
        "decided_at",
        "reviewer",
        "decision_reason",
        "merchant",
        "prior_record_panel",
    ]
    exclude = ["prior_record"]
    fsm_forms = {"approve": ReasonForm, "reject": ReasonForm, "request_more_info": ReasonForm}
    transition_services = {
        "start_review": lambda obj, request, data: application_start_review(
            application=obj, actor=request_user(request)
        ),
        "approve": lambda obj, request, data: application_approve(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
        "reject": lambda obj, request, data: application_reject(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
        "request_more_info": lambda obj, request, data: application_request_more_info(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[MerchantApplication]:
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer")
            .annotate(review_due=_pending_due(RULE_APPLICATION_REVIEW, MerchantApplication))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applicants apply through the merchant API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("time left"), ordering="review_due")
    def time_left(self, application: MerchantApplication) -> str:
        return _time_left(getattr(application, "review_due", None))

    @admin.display(description=_("prior record (MER-3)"))
    def prior_record_panel(self, application: MerchantApplication) -> str:
        accounts = (application.prior_record or {}).get("accounts", [])
        if not accounts:
            return str(_("No earlier shop with this credit code."))
        return format_html(
            "<table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("shop"),
            _("status"),
            _("violations"),
            _("serious"),
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        reverse("admin:merchants_merchant_change", args=[a["merchant_id"]]),
                        a["merchant_id"],
                        a["name"],
                        a["status"],
                        a["status_reason"],
                        a["violations"],
                        ", ".join(a["serious_violations"]),
                    )
                    for a in accounts
                ),
            ),
        )


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "number", "merchant", "application", "valid_until", "superseded_at", "expired_at"]
    list_filter = ["kind"]
    search_fields = ["number", "merchant__name"]
    exclude = ["file"]
