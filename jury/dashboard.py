"""The merchant dashboard's part of the public jury (DSP-6): the shop consents that a jury of users, not
the arbitration committee, decides one of its disputes. The dispute page (``disputes/dashboard.py``, below
this app) shows the button while the case is before arbitration; this view calls the service the API's
``/merchant/disputes/{id}/jury-consent/`` calls, which checks the stage and the amount limit."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from disputes.models import Party
from disputes.selectors import dispute_get_for_merchant
from jury.services import jury_consent_give
from merchants.dashboard.base import DISPUTE_PARTIES, SERVICE_ERRORS, merchant_required, not_found, show_error
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_jury_consent(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-6: the shop's consent to the public jury (both parties must consent; giving it twice changes
    nothing)."""
    try:
        dispute = dispute_get_for_merchant(merchant=merchant_for_request(request), dispute_id=dispute_id)
    except NotFound:
        return not_found(request)
    try:
        case = jury_consent_give(dispute=dispute, party=Party.MERCHANT, actor=request_user(request))
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        if case.customer_consented_at is not None:
            messages.success(request, _("Both parties consented: a public jury decides this dispute."))
        else:
            messages.success(
                request, _("Your consent is recorded; the jury decides once the customer consents too.")
            )
    return redirect("merchant:dispute", dispute_id=dispute.pk)
