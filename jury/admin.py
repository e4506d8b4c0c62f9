"""The public jury in the admin (DSP-6): cases with consents, the draw, the jurors and their votes, and
the outcome — read-only: consent, votes and the verdict are written only by ``jury.services``."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jury.models import Juror, JuryCase
from platform_core.accounts.models import User
from platform_core.admin_site import PersonalDataAdmin, ViewOnlyMixin, personal_shown
from platform_core.reports.masks import mask_person


def person_shown(user: User | None) -> str:
    """SEC-2: a juror or a consenting party (customers, members of a shop) masked without
    ``staff.view_personal_data``."""
    return personal_shown(str(user) if user is not None else "", mask_person)


class JurorInline(ViewOnlyMixin, admin.TabularInline):
    model = Juror
    extra = 0
    fields = ("user_shown", "drawn_at", "vote", "refund_amount", "reasons", "voted_at")
    readonly_fields = fields

    @admin.display(description=_("juror"))
    def user_shown(self, seat: Juror) -> str:
        return person_shown(seat.user)


@admin.register(JuryCase)
class JuryCaseAdmin(ViewOnlyMixin, PersonalDataAdmin):
    list_display = (
        "id",
        "dispute",
        "status",
        "customer_consented_at",
        "merchant_consented_at",
        "vote_due_at",
        "votes_cast",
        "verdict",
        "refund_amount",
    )
    list_filter = ("status", "verdict")
    search_fields = ("dispute__id", "dispute__order__number")
    list_select_related = ("dispute",)
    date_hierarchy = "created_at"
    inlines = (JurorInline,)
    readonly_fields = (
        "dispute",
        "status",
        "customer_consented_at",
        "customer_consented_by_shown",
        "merchant_consented_at",
        "merchant_consented_by_shown",
        "convened_at",
        "vote_due_at",
        "closed_at",
        "verdict",
        "refund_amount",
        "outcome_note",
        "created_at",
    )
    fields = readonly_fields
    personal_data_fields = ("customer_consented_by", "merchant_consented_by")

    @admin.display(description=_("customer consented by"))
    def customer_consented_by_shown(self, obj: JuryCase) -> str:
        return person_shown(obj.customer_consented_by)

    @admin.display(description=_("merchant consented by"))
    def merchant_consented_by_shown(self, obj: JuryCase) -> str:
        return person_shown(obj.merchant_consented_by)

    @admin.display(description=_("votes cast"))
    def votes_cast(self, obj: JuryCase) -> str:
        seats = obj.jurors.all()
        return f"{sum(1 for s in seats if s.has_voted)}/{len(seats)}"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("jurors")


@admin.register(Juror)
class JurorAdmin(ViewOnlyMixin, PersonalDataAdmin):
    list_display = ("id", "case", "user_shown", "drawn_at", "vote", "refund_amount", "voted_at")
    list_filter = ("vote",)
    search_fields = ("user__email", "user__phone", "case__dispute__id")
    personal_search_fields = ("user__email", "user__phone")  # SEC-2
    personal_data_fields = ("user",)
    list_select_related = ("case", "user")
    readonly_fields = ("case", "user_shown", "drawn_at", "vote", "refund_amount", "reasons", "voted_at")
    fields = readonly_fields

    @admin.display(description=_("juror"))
    def user_shown(self, seat: Juror) -> str:
        return person_shown(seat.user)
