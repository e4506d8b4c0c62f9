"""Staff admin: re-verification and reported changes (MER-6, MER-6a)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from merchants.admin.base import (
    NoteForm,
    ServiceTransitionsMixin,
)
from merchants.models import (
    MerchantChange,
    Reverification,
)
from merchants.services.changes import merchant_change_reject, merchant_change_verify
from merchants.services.reverification import reverification_pass, reverification_return
from platform_core.accounts.acting import request_user


@admin.register(Reverification)
class ReverificationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-6: open re-verifications; staff pass or return them."""

    list_display = ["merchant", "status", "opened_at", "submitted_at", "passed_at", "reviewer"]
    list_filter = ["status"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    date_hierarchy = "opened_at"
    readonly_fields = ["merchant", "opened_at", "submitted_at", "passed_at", "reviewer", "note"]
    fsm_forms = {"pass_": NoteForm, "return_to_merchant": NoteForm}
    transition_services = {
        "pass_": lambda obj, request, data: reverification_pass(
            reverification=obj, note=data["note"], actor=request_user(request)
        ),
        "return_to_merchant": lambda obj, request, data: reverification_return(
            reverification=obj, note=data["note"], actor=request_user(request)
        ),
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MerchantChange)
class MerchantChangeAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-6a: reported changes, verified within 7 working days."""

    list_display = ["merchant", "status", "reported_at", "verified_at", "verified_by"]
    list_filter = ["status"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    date_hierarchy = "reported_at"
    readonly_fields = [
        "merchant",
        "changes",
        "reported_by",
        "reported_at",
        "verified_by",
        "verified_at",
        "note",
    ]
    fsm_forms = {"verify": NoteForm, "reject": NoteForm}
    transition_services = {
        "verify": lambda obj, request, data: merchant_change_verify(
            change=obj, note=data["note"], actor=request_user(request)
        ),
        "reject": lambda obj, request, data: merchant_change_reject(
            change=obj, note=data["note"], actor=request_user(request)
        ),
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
