"""The merchant dashboard's reviews pages (REP-1, REP-2): the shop's reviews with their ratings, the
shop's one reply, and a report of an abusive review to the moderators.

Thin views over ``orders.selectors.reviews`` / ``orders.services.reviews`` — what
``/api/v1/merchant/reviews/`` calls. A hidden review shows only that it is hidden and why (REP-2); the
reviewer's name is masked as on the listing page.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from merchants.dashboard.base import (
    ALL_ROLES,
    SERVICE_ERRORS,
    merchant_required,
    not_found,
    page,
    shop_object,
    show_error,
)
from merchants.permissions import REVIEW_ANSWERERS as _REVIEW_ANSWERERS
from merchants.permissions import merchant_for_request, merchant_role_for_request
from orders.models import Review, ReviewFlag
from orders.selectors.reviews import review_get_for_merchant, review_list_for_merchant
from orders.services.reviews import review_reply, review_report
from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, mask_phone

PAGE_SIZE = 20
#: who answers and reports reviews: the roles that talk to customers (the API admits the same)
REVIEW_ANSWERERS = frozenset(_REVIEW_ANSWERERS)

#: The list's filter tabs: name -> (label, replied filter).
FILTERS: dict[str, tuple[Any, bool | None]] = {
    "unreplied": (_("Not yet answered"), False),
    "replied": (_("Answered"), True),
    "all": (_("All"), None),
}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply (shown under the review; one reply only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Review.HideReason.choices)
    note = forms.CharField(
        label=_("What is wrong with the review (the moderators read this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
    )


def reviewer_name(review: Review) -> str:
    """The reviewer as the listing page shows them: masked, or 匿名."""
    if review.anonymous:
        return str(_("Anonymous"))
    return mask_name(review.customer.name) or mask_phone(review.customer.phone) or str(_("Customer"))


@merchant_required(ALL_ROLES)
def reviews(request: HttpRequest) -> HttpResponse:
    """REP-1: the shop's reviews, newest first, with the item and seller ratings; filter by answered
    and by rating."""
    current = request.GET.get("filter", "unreplied")
    if current not in FILTERS:
        current = "unreplied"
    rating = request.GET.get("rating", "")
    queryset = review_list_for_merchant(
        merchant=merchant_for_request(request),
        replied=FILTERS[current][1],
        rating=int(rating) if rating in {"1", "2", "3", "4", "5"} else None,
    ).select_related("order", "listing__live_version")
    review_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": review_page,
        "rows": [(r, reviewer_name(r)) for r in review_page.object_list],
        "filters": [(name, label) for name, (label, _replied) in FILTERS.items()],
        "current": current,
        "rating": rating,
        "ratings": ["5", "4", "3", "2", "1"],
    }
    return page(request, "merchant/reviews/list.html", context)


def _review_or_none(request: HttpRequest, review_id: int) -> Review | None:
    return shop_object(request, review_get_for_merchant, review_id=review_id)


def _review_page(
    request: HttpRequest, found: Review, *, forms_: dict[str, forms.Form] | None = None
) -> HttpResponse:
    answers = merchant_role_for_request(request) in REVIEW_ANSWERERS
    reported = found.flags.filter(signal=ReviewFlag.Signal.MERCHANT_REPORT).first()
    context = {
        "review": found,
        "reviewer": reviewer_name(found),
        "photos": list(found.photos.all()),
        "reported": reported,
        "may_reply": answers and found.replied_at is None and found.status == Review.Status.VISIBLE,
        "may_report": answers and reported is None and found.status == Review.Status.VISIBLE,
        "reply_form": ReplyForm(),
        "report_form": ReportForm(),
    } | (forms_ or {})
    return page(request, "merchant/reviews/detail.html", context, status=400 if forms_ else 200)


@merchant_required(ALL_ROLES)
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """REP-1, REP-2: one review with its ratings, photos, follow-up and the shop's reply."""
    found = _review_or_none(request, review_id)
    if found is None:
        return not_found(request)
    return _review_page(request, found)


def _act(request: HttpRequest, review_id: int, form_class: Any, form_name: str, act: Any, done: Any) -> Any:
    found = _review_or_none(request, review_id)
    if found is None:
        return not_found(request)
    form = form_class(request.POST)
    if not form.is_valid():
        return _review_page(request, found, forms_={form_name: form})
    try:
        act(found, merchant_for_request(request), request_user(request), form.cleaned_data)
    except SERVICE_ERRORS as exc:
        show_error(form, exc)
        return _review_page(request, found, forms_={form_name: form})
    messages.success(request, done)
    return redirect("merchant:review", review_id=found.pk)


@merchant_required(REVIEW_ANSWERERS)
@require_POST
def review_reply_view(request: HttpRequest, review_id: int) -> HttpResponse:
    """REP-1: the shop's one reply; the customer is told."""
    return _act(
        request,
        review_id,
        ReplyForm,
        "reply_form",
        lambda found, merchant, actor, data: review_reply(
            merchant=merchant, review=found, text=data["text"], actor=actor
        ),
        _("Reply published."),
    )


@merchant_required(REVIEW_ANSWERERS)
@require_POST
def review_report_view(request: HttpRequest, review_id: int) -> HttpResponse:
    """REP-2: report an abusive review with a reason; the moderators decide whether to hide it."""
    return _act(
        request,
        review_id,
        ReportForm,
        "report_form",
        lambda found, merchant, actor, data: review_report(
            merchant=merchant, review=found, reason=data["reason"], note=data["note"], actor=actor
        ),
        _("Review reported to the moderators."),
    )
