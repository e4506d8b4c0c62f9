"""The merchant dashboard's IP notices pages (CAT-7, ECL Art. 42-45): notices against the shop's
listings with their status and the 15-day clock that runs once a counter-notice is forwarded; a notice
with its proof and the counter-notice form (statement and evidence files).

Thin views over ``catalog.selectors`` / ``catalog.services.ip_notices`` — what
``/api/v1/merchant/ip-notices/`` calls. Any member reads; owners and operations answer (as the API). The
counter-notice's evidence files download from the notice's page, for the shop's members only (SEC-4).
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from catalog.clocks import IP_COUNTER_RULE
from catalog.models import IpNotice
from catalog.selectors import ip_notice_counter_evidence, ip_notice_list_for_merchant
from catalog.services.ip_notices import ip_notice_counter
from merchants.dashboard.base import (
    ALL_ROLES,
    LISTING_EDITORS,
    SERVICE_ERRORS,
    MultipleFileField,
    countdown,
    merchant_required,
    not_found,
    page,
    show_error,
)
from merchants.permissions import merchant_for_request, merchant_role_for_request
from platform_core.accounts.acting import request_user
from platform_core.deadlines.selectors import deadline_next_due
from platform_core.uploads import evidence_response

PAGE_SIZE = 20
NS = IpNotice.Status

#: The list's filter tabs: name -> (label, the states shown).
FILTERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "open": (_("Needs attention"), (NS.TAKEN_DOWN, NS.COUNTER_NOTICED)),
    "closed": (_("Closed"), (NS.DISMISSED, NS.UPHELD, NS.RESTORED)),
    "all": (_("All"), ()),
}


class CounterNoticeForm(forms.Form):
    statement = forms.CharField(
        label=_("Counter-notice (不侵权声明): why the listing does not infringe"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    evidence = MultipleFileField(
        label=_("Evidence (PDF, JPEG or PNG): licence, purchase invoices, your own registration"),
        help_text=_("At least one file. The rights holder receives your statement and evidence."),
    )


def _with_clock(queryset: Any) -> Any:
    """Each notice with its running 15-day clock (one query for the whole page)."""
    return queryset.select_related("listing__live_version").annotate(
        due_at=deadline_next_due(IpNotice, rule=IP_COUNTER_RULE)
    )


@merchant_required(ALL_ROLES)
def ip_notices(request: HttpRequest) -> HttpResponse:
    """CAT-7: the notices against the shop's listings, open ones first, with the 15-day clock."""
    current = request.GET.get("filter", "open")
    if current not in FILTERS:
        current = "open"
    queryset = _with_clock(ip_notice_list_for_merchant(merchant=merchant_for_request(request)))
    if FILTERS[current][1]:
        queryset = queryset.filter(status__in=FILTERS[current][1])
    notice_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": notice_page,
        "rows": [(n, countdown(n.due_at)) for n in notice_page.object_list],
        "filters": [(name, label) for name, (label, _states) in FILTERS.items()],
        "current": current,
    }
    return page(request, "merchant/ip_notices/list.html", context)


def _notice_or_none(request: HttpRequest, notice_id: int) -> IpNotice | None:
    """The shop's notice with its clock (one query); ``None`` for another shop's (SEC-1)."""
    queryset = ip_notice_list_for_merchant(merchant=merchant_for_request(request))
    found: IpNotice | None = _with_clock(queryset.filter(pk=notice_id)).first()
    return found


def _notice_page(
    request: HttpRequest, found: IpNotice, *, form: CounterNoticeForm | None = None
) -> HttpResponse:
    context = {
        "notice": found,
        "countdown": countdown(found.due_at),  # type: ignore[attr-defined]
        "may_counter": merchant_role_for_request(request) in LISTING_EDITORS
        and found.status == NS.TAKEN_DOWN,
        "form": form or CounterNoticeForm(),
        "evidence_files": ip_notice_counter_evidence(notice=found),
    }
    return page(request, "merchant/ip_notices/detail.html", context, status=400 if form else 200)


@merchant_required(ALL_ROLES)
def ip_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """CAT-7: one notice: the right claimed, the proof, the counter-notice and the clock."""
    found = _notice_or_none(request, notice_id)
    if found is None:
        return not_found(request)
    return _notice_page(request, found)


@merchant_required(LISTING_EDITORS)
@require_POST
def ip_notice_counter_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    """CAT-7 (ECL Art. 43): file the counter-notice with evidence; it is forwarded to the rights holder
    and the 15-day clock starts."""
    found = _notice_or_none(request, notice_id)
    if found is None:
        return not_found(request)
    form = CounterNoticeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _notice_page(request, found, form=form)
    try:
        ip_notice_counter(
            notice=found,
            merchant=merchant_for_request(request),
            statement=form.cleaned_data["statement"],
            proof=[],
            evidence=form.cleaned_data["evidence"],
            actor=request_user(request),
        )
    except SERVICE_ERRORS as exc:
        show_error(form, exc)
        return _notice_page(request, found, form=form)
    messages.success(
        request, _("Counter-notice filed and forwarded to the rights holder. The 15-day clock has started.")
    )
    return redirect("merchant:ip-notice", notice_id=found.pk)


@merchant_required(ALL_ROLES)
def ip_notice_evidence(request: HttpRequest, notice_id: int, file_number: int) -> HttpResponse:
    """CAT-7, SEC-4: one evidence file of the shop's counter-notice, as an attachment under a name of ours;
    another shop's notice, or a file that is not there, is the same 404."""
    found = _notice_or_none(request, notice_id)
    files = ip_notice_counter_evidence(notice=found) if found is not None else []
    chosen = next((f for f in files if f["number"] == file_number), None)
    if found is None or chosen is None:
        return not_found(request)
    try:
        streamed = evidence_response(chosen, download_name=f"ip-notice-{found.pk}-evidence-{file_number}")
        return cast(
            HttpResponse, streamed
        )  # a streamed attachment; the dashboard's views are typed HttpResponse
    except Http404:  # the row names a file the storage lost
        return not_found(request)
