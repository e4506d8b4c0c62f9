"""The merchant dashboard's part of the public jury (DSP-6): the shop consents that a jury of users, not
the arbitration committee, decides one of its disputes. The dispute page (``disputes/dashboard.py``, below
this app) links here; this page shows where the consent stands — the shop's (when, by whom), the
customer's — and, while the case is before arbitration and the shop has not consented, the button. The
button calls the service the API's ``/merchant/disputes/{id}/jury-consent/`` calls, which checks the stage
and the amount limit; a second consent is refused with the date of the first (409)."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute, Party
from disputes.selectors import dispute_get_for_merchant
from jury.models import JuryCase
from jury.selectors import jury_case_for_dispute
from jury.services import CONSENT_STATUSES, jury_consent_give
from merchants.dashboard.base import (
    DISPUTE_PARTIES,
    merchant_required,
    not_found,
    page,
    run_action,
    shop_object,
)
from platform_core.accounts.acting import request_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    dispute = shop_object(request, dispute_get_for_merchant, dispute_id=dispute_id)
    if dispute is None:
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
    return run_action(
        request,
        lambda: jury_consent_give(dispute=dispute, party=Party.MERCHANT, actor=request_user(request)),
        success=_consent_recorded,
        redirect_to="merchant:dispute-jury-consent",
        dispute_id=dispute.pk,
    )


def _consent_recorded(case: JuryCase) -> "StrOrPromise":
    if case.customer_consented_at is not None:
        return _("Both parties consented: a public jury decides this dispute.")
    return _("Your consent is recorded; the jury decides once the customer consents too.")
