"""The merchant dashboard's home page: what needs action now, the most urgent first."""

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.dashboard.base import ALL_ROLES, countdown, home_action_sources, merchant_required, page
from merchants.models import Reverification
from merchants.permissions import merchant_for_request
from merchants.policies import CREDIT_GRADE_NAMES
from merchants.selectors.documents import (
    document_list_expiring_for_merchant,
    reverification_open_for_merchant,
)
from merchants.selectors.standing import agreement_pending_for_merchant
from platform_core import clock


@merchant_required(ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """What needs action now, the most urgent first (orders to ship, after-sales requests and disputes
    waiting for the shop, expiring documents, re-verification, the agreement); the credit grade."""
    merchant = merchant_for_request(request)
    actions: list[dict[str, Any]] = []
    current = agreement_pending_for_merchant(merchant=merchant)
    if current is not None:
        actions.append(
            {
                "due": current.effective_at,
                "kind": "agreement",
                "title": _("Accept the platform service agreement %(version)s")
                % {"version": current.version},
                "url": reverse("merchant:agreement"),
            }
        )
    for document in document_list_expiring_for_merchant(merchant=merchant):
        assert document.valid_until is not None
        due = timezone.make_aware(
            datetime.combine(document.valid_until + timedelta(days=1), datetime.min.time())
        )
        actions.append(
            {
                "due": due,
                "kind": "document",
                "title": _("%(document)s expires on %(date)s: upload the renewed one")
                % {"document": document, "date": document.valid_until},
                "url": reverse("merchant:onboarding"),
            }
        )
    reverification = reverification_open_for_merchant(merchant=merchant)
    if reverification is not None and reverification.status == Reverification.Status.OPEN:
        actions.append(
            {
                "due": reverification.due_at,  # type: ignore[attr-defined]
                "kind": "reverification",
                "title": _("Re-verification is due: resubmit your current documents"),
                "url": reverse("merchant:reverification"),
            }
        )
    for source in home_action_sources:
        actions.extend(source(request, merchant))
    far = clock.now() + timedelta(days=3650)
    actions.sort(key=lambda a: a["due"] or far)
    for action in actions:
        action["countdown"] = countdown(action["due"])
    context = {
        "actions": actions,
        "grade_name": CREDIT_GRADE_NAMES.get(merchant.credit_grade or 0, ""),
        "reverification": reverification,
    }
    return page(request, "merchant/home.html", context)
