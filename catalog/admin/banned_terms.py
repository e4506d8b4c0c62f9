"""CAT-3: the banned-term list the pre-screen uses (hard terms block submission, soft ones are flagged for
the reviewer of CAT-4). Every addition and change goes through ``banned_term_save`` and its audit row;
a term is retired (``is_active``), never deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from catalog.models import BannedTerm
from catalog.services.banned_terms import BANNED_TERM_FIELDS, banned_term_save
from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin


@admin.register(BannedTerm)
class BannedTermAdmin(ServiceAdmin):
    list_display = ["phrase", "severity", "reason", "is_active", "created_at"]
    list_filter = ["severity", "is_active"]
    search_fields = ["phrase", "reason"]
    fields = BANNED_TERM_FIELDS

    def create(self, request: HttpRequest, data: dict[str, Any]) -> BannedTerm:
        return banned_term_save(term=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: BannedTerm, data: dict[str, Any]) -> BannedTerm:
        return banned_term_save(term=obj, data=data, actor=request_user(request))
