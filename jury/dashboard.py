"""The merchant dashboard's part of the public jury (DSP-6): the shop consents that a jury of users, not
the arbitration committee, decides one of its disputes. The dispute page (``disputes/dashboard.py``, below
this app) links here; this page shows where the consent stands — the shop's (when, by whom), the
customer's — and, while the case is before arbitration and the shop has not consented, the button. The
button calls the service the API's ``/merchant/disputes/{id}/jury-consent/`` calls, which checks the stage
and the amount limit; a second consent is refused with the date of the first (409)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute, Party
from disputes.selectors import dispute_get_for_merchant
from jury.models import JuryCase
from jury.selectors import jury_case_for_dispute
from jury.services import CONSENT_STATUSES, jury_consent_give
from merchants.dashboard.base import (
    DISPUTE_PARTIES,
    SERVICE_ERRORS,
    merchant_required,
    not_found,
    page,
    show_error,
)
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound


def _jury_page(
    request: HttpRequest, dispute: Dispute, case: JuryCase | None, *, status: int = 200
) -> HttpResponse:
    consented = case is not None and case.merchant_consented_at is not None
    context = {
        "dispute": dispute,
        "case": case,
        "shop_consented": consented,
        "customer_consented": case is not None and case.customer_consented_at is not None,
        "may_consent": not consented and dispute.status in CONSENT_STATUSES,
        "stage_open": dispute.status in CONSENT_STATUSES,
    }
    return page(request, "merchant/disputes/jury.html", context, status=status)


@merchant_required(DISPUTE_PARTIES)
def dispute_jury_consent(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-6: where the consent to a public jury stands (GET); the shop's consent (POST). Both parties
    must consent; the shop consents once."""
    try:
        dispute = dispute_get_for_merchant(merchant=merchant_for_request(request), dispute_id=dispute_id)
    except NotFound:
        return not_found(request)
    case = jury_case_for_dispute(dispute=dispute)
    if request.method != "POST":
        return _jury_page(request, dispute, case)
    if case is not None and case.merchant_consented_at is not None:
        messages.error(
            request,
            _("Your shop already consented to a public jury on %(at)s; consent is given once.")
            % {"at": timezone.localtime(case.merchant_consented_at).strftime("%Y-%m-%d %H:%M")},
        )
        return _jury_page(request, dispute, case, status=409)
    try:
        case = jury_consent_give(dispute=dispute, party=Party.MERCHANT, actor=request_user(request))
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
        return redirect("merchant:dispute-jury-consent", dispute_id=dispute.pk)
    if case.customer_consented_at is not None:
        messages.success(request, _("Both parties consented: a public jury decides this dispute."))
    else:
        messages.success(
            request, _("Your consent is recorded; the jury decides once the customer consents too.")
        )
    return redirect("merchant:dispute-jury-consent", dispute_id=dispute.pk)
