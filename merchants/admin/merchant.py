"""Staff admin: merchants by status (MER-8), their members and status history."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from merchants.admin.applications import ApplicationDocumentInline
from merchants.admin.base import (
    MEMBER_FIELDS,
    MERCHANT_DOCUMENT_FIELDS,
    PROTECTED_MERCHANT_FIELDS,
    STATUS_CHANGE_FIELDS,
    DepositPaymentForm,
    ReadOnlyAdmin,
    ReasonForm,
    ServiceTransitionsMixin,
)
from merchants.models import (
    Merchant,
    MerchantMember,
    MerchantStatusChange,
)
from merchants.selectors.standing import merchant_deposit_balance, merchant_required_deposit
from merchants.services.deposits import merchant_deposit_credit
from merchants.services.lifecycle import (
    merchant_ban,
    merchant_close,
    merchant_reinstate,
    merchant_restrict,
    merchant_suspend,
    merchant_unrestrict,
)
from platform_core.accounts.acting import request_user
from platform_core.admin_site import TaskLinksMixin, admin_form_page
from platform_core.errors import DomainError


class MemberInline(admin.TabularInline):
    model = MerchantMember
    extra = 0
    fields = MEMBER_FIELDS
    readonly_fields = MEMBER_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = MerchantStatusChange
    extra = 0
    fields = STATUS_CHANGE_FIELDS
    readonly_fields = STATUS_CHANGE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MerchantDocumentInline(ApplicationDocumentInline):
    fk_name = "merchant"
    fields = MERCHANT_DOCUMENT_FIELDS
    readonly_fields = MERCHANT_DOCUMENT_FIELDS


def _staff(service: Callable[..., Any]) -> Callable[[Any, HttpRequest, dict[str, Any]], Any]:
    return lambda obj, request, data: service(
        merchant=obj, cause=Merchant.Cause.STAFF, reason=data["reason"], actor=request_user(request)
    )


@admin.register(Merchant)
class MerchantAdmin(TaskLinksMixin, ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-8: merchants by status; staff restrict, suspend, reinstate, close or ban with a reason."""

    list_display = ["name", "legal_name", "credit_code", "status", "is_self_operated", "activated_at"]
    list_filter = ["status", "is_self_operated"]
    date_hierarchy = "created_at"
    search_fields = ["name", "legal_name", "credit_code", "owner__email", "owner__phone"]
    # Issue 21: nothing here is free text. Registered information changes through MER-6a's reported and
    # verified changes, the credit score and grade are computed (REP-3), the status through the buttons
    # below (MER-8), categories through an application (MER-1, MER-5): each a service with its audit row.
    fields = PROTECTED_MERCHANT_FIELDS
    readonly_fields = [*PROTECTED_MERCHANT_FIELDS, "deposit"]
    inlines = [MemberInline, MerchantDocumentInline, StatusChangeInline]
    fsm_forms = dict.fromkeys(("restrict", "unrestrict", "suspend", "reinstate", "close", "ban"), ReasonForm)
    transition_services = {
        "restrict": _staff(merchant_restrict),
        "unrestrict": _staff(merchant_unrestrict),
        "suspend": _staff(merchant_suspend),
        "reinstate": _staff(merchant_reinstate),
        "close": lambda obj, request, data: merchant_close(
            merchant=obj, reason=data["reason"], actor=request_user(request)
        ),
        "ban": lambda obj, request, data: merchant_ban(
            merchant=obj, reason=data["reason"], actor=request_user(request)
        ),
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # MER-1, MER-2: a merchant is admitted from an approved application

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # MER-10: identity records are kept

    def task_links(self, request: HttpRequest, obj: Any) -> list[tuple[str, Any, dict[str, Any]]]:
        """VIO-1 (issue 21): "record a violation" from the merchant itself, for staff who may record one."""
        return [("merchants.Violation", _("Record a violation"), {"merchant": obj.pk})]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing is edited here (every field is read-only): saving the page's stale copy would overwrite
        what a service changed meanwhile (a credit recompute, a verified change)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The inlines are read-only too."""

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:merchant_id>/deposit/",
                self.admin_site.admin_view(self.deposit_view),
                name="merchants_merchant_deposit",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("deposit (MER-5)"))
    def deposit(self, merchant: Merchant) -> str:
        return format_html(
            '{} / {} CNY · <a href="{}">{}</a>',
            merchant_deposit_balance(merchant=merchant),
            merchant_required_deposit(merchant=merchant),
            reverse("admin:merchants_merchant_deposit", args=[merchant.pk]),
            _("record a deposit payment"),
        )

    def deposit_view(self, request: HttpRequest, merchant_id: int) -> HttpResponse:
        """MER-5: staff record a confirmed deposit payment until the payment gateway does it itself."""
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None or not self.has_change_permission(request, merchant):
            raise PermissionDenied
        form = DepositPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reference = form.cleaned_data["payment_reference"]
            try:
                merchant_deposit_credit(
                    merchant=merchant,
                    amount=form.cleaned_data["amount"],
                    payment_reference=reference,
                    idempotency_key=f"merchant-deposit:{merchant.pk}:{reference}",
                    actor=request_user(request),
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Deposit payment recorded."), level=messages.SUCCESS)
                return redirect("admin:merchants_merchant_change", object_id=merchant.pk)
        return admin_form_page(self, request, obj=merchant, label=_("Record a deposit payment"), form=form)


@admin.register(MerchantStatusChange)
class MerchantStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "from_status", "to_status", "cause", "actor", "at"]
    list_filter = ["to_status", "cause"]
    search_fields = ["merchant__name", "reason"]
