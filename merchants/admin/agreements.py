"""Staff admin: agreements (MER-4, MER-10) and their acceptances."""

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from merchants.admin.base import ReadOnlyAdmin
from merchants.models import (
    AgreementAcceptance,
    PlatformAgreement,
)
from merchants.selectors.standing import agreement_notice_required
from merchants.services.agreements import agreement_publish
from platform_core import clock
from platform_core.accounts.acting import request_user


class AgreementForm(forms.ModelForm):
    class Meta:
        model = PlatformAgreement
        fields = ["version", "title", "body", "effective_at"]

    def clean_effective_at(self) -> datetime:
        """MER-4, SEC (issue 20): a date under the notice period is a form error, not a 500 from the
        service (which refuses it too)."""
        effective_at: datetime = self.cleaned_data["effective_at"]
        if (
            self.instance.pk is None
            and agreement_notice_required()
            and effective_at < clock.now() + settings.MERCHANT_AGREEMENT_NOTICE
        ):
            raise forms.ValidationError(
                _("A new agreement takes effect at least %(days)d days after it is published.")
                % {"days": settings.MERCHANT_AGREEMENT_NOTICE.days}
            )
        return effective_at


@admin.register(PlatformAgreement)
class PlatformAgreementAdmin(admin.ModelAdmin):
    """MER-4, MER-10: publish versions (at least 7 days ahead); never edited or deleted."""

    form = AgreementForm
    list_display = ["version", "title", "published_at", "effective_at"]
    ordering = ["-effective_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["version", "title", "body", "published_at", "effective_at"] if obj else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        # STF-6: publishing a version is publishing a platform rule
        return super().has_add_permission(request) and request.user.has_perm("staff.publish_announcement")

    def save_model(self, request: HttpRequest, obj: PlatformAgreement, form: Any, change: bool) -> None:
        if change:
            return
        published = agreement_publish(
            version=obj.version,
            title=obj.title,
            body=obj.body,
            effective_at=obj.effective_at,
            actor=request_user(request),
        )
        obj.pk, obj.published_at = published.pk, published.published_at

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "agreement", "user", "accepted_at", "ip"]
    list_filter = ["agreement"]
    search_fields = ["merchant__name", "merchant__credit_code"]
