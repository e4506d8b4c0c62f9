"""CAT-10: the re-check screen — listings on sale sampled back into review; the reviewer records the
outcome, which the services act on (the admin writes nothing itself)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.admin._common import ReasonActionForm, ReviewerQueueAdmin, _run, _staff, time_to
from catalog.models import ListingRecheck
from catalog.services.rechecks import recheck_record_error, recheck_record_ok


@admin.register(ListingRecheck)
class ListingRecheckAdmin(ReviewerQueueAdmin):
    """CAT-10: listings on sale sampled back into review; the reviewer records "no error" or the error
    found (the note, required, goes to the merchant, who has 3 days to submit a correction)."""

    action_form = ReasonActionForm
    actions = ["record_ok", "record_error"]
    list_display = [
        "id",
        "listing",
        "merchant",
        "live_title",
        "risk_weight",
        "opened_at",
        "status",
        "correction_left",
    ]
    list_filter = ["status"]
    list_select_related = ["listing__merchant", "listing__live_version"]
    search_fields = ["listing__live_version__title", "listing__merchant__name"]
    readonly_fields = [
        "listing",
        "version",
        "risk_weight",
        "status",
        "opened_at",
        "reviewer",
        "reviewed_at",
        "error_note",
        "correction_due",
        "corrected_version",
        "closed_at",
    ]

    @admin.display(description=_("title"))
    def live_title(self, recheck: ListingRecheck) -> str:
        live = recheck.listing.live_version
        return live.title if live else "-"

    @admin.display(description=_("correction due (CAT-10)"))
    def correction_left(self, recheck: ListingRecheck) -> str:
        if recheck.status != ListingRecheck.Status.ERROR_FOUND or recheck.correction_due is None:
            return "-"
        return time_to(recheck.correction_due)

    @admin.action(description=_("Record: no error found"), permissions=["view"])
    def record_ok(self, request: HttpRequest, queryset: QuerySet[ListingRecheck]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda recheck: recheck_record_ok(recheck=recheck, actor=_staff(request), note=note),
            list(queryset),
        )

    @admin.action(description=_("Record: error found (note for the merchant required)"), permissions=["view"])
    def record_error(self, request: HttpRequest, queryset: QuerySet[ListingRecheck]) -> None:
        note = request.POST.get("reason", "")
        _run(
            request,
            self,
            lambda recheck: recheck_record_error(recheck=recheck, actor=_staff(request), note=note),
            list(queryset),
        )
