"""The merchant dashboard's standing page (REP-3, VIO-1..VIO-6): credit, KPIs, violations, penalties."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from merchants.dashboard.base import (
    ALL_ROLES,
    APPELLANTS,
    merchant_required,
    not_found,
    page,
    run_action,
)
from merchants.permissions import (
    merchant_for_request,
    merchant_role_for_request,
)
from merchants.policies import CREDIT_GRADE_NAMES, kpi_format, kpi_label, kpi_policy, violation_kind_label
from merchants.selectors.credit import credit_history_for_merchant, credit_latest_for_merchant
from merchants.selectors.kpis import kpi_latest_for_merchant
from merchants.selectors.standing import merchant_money_policy
from merchants.selectors.violations import (
    penalty_list_for_merchant,
    violation_get_for_merchant,
    violation_list_for_merchant,
)
from merchants.services.appeals import violation_appeal_submit
from platform_core.accounts.acting import request_user
from platform_core.errors import DomainError

# --- standing: credit, KPIs, violations and penalties -----------------------------------------------


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why the violation should be voided"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


@merchant_required(ALL_ROLES)
def standing(request: HttpRequest) -> HttpResponse:
    """REP-3, VIO-1..VIO-6: the credit grade with its components and history and what it means for the
    required deposit and the payout delay (the grade policy), KPIs against their
    thresholds, the violations of the past year (appeal within 7 days) and the penalties in force."""
    merchant = merchant_for_request(request)
    policies = kpi_policy()
    kpis = []
    for kpi in kpi_latest_for_merchant(merchant=merchant):
        policy = policies.get(kpi.kpi)
        kpis.append(
            {
                "kpi": kpi,
                "label": kpi_label(kpi.kpi),
                "value": kpi_format(kpi.kpi, kpi.value),
                "warning": kpi_format(kpi.kpi, policy.warning) if policy else "—",
                "limit": kpi_format(kpi.kpi, policy.limit) if policy else "—",
            }
        )
    history = credit_history_for_merchant(merchant=merchant)
    context = {
        # the history's last snapshot is the latest (one query fewer); none in the window: ask
        "credit": history[-1] if history else credit_latest_for_merchant(merchant=merchant),
        "grade_names": CREDIT_GRADE_NAMES,
        "money": merchant_money_policy(merchant=merchant),  # REP-3: why this deposit and payout delay
        "history": history,
        "kpis": kpis,
        "violations": [
            {"violation": v, "kind": violation_kind_label(v.kind)}
            for v in violation_list_for_merchant(merchant=merchant)
        ],
        "penalties": list(penalty_list_for_merchant(merchant=merchant)),
        "may_appeal": merchant_role_for_request(request) in APPELLANTS,
        "appeal_form": AppealForm(),
    }
    return page(request, "merchant/standing.html", context)


@merchant_required(APPELLANTS)
@require_POST
def violation_appeal(request: HttpRequest, violation_id: int) -> HttpResponse:
    """VIO-4: appeal a violation with a statement (the service enforces the 7-day window)."""
    merchant = merchant_for_request(request)
    try:
        violation = violation_get_for_merchant(merchant=merchant, violation_id=violation_id)
    except DomainError:
        return not_found(request)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the violation should be voided."))
        return redirect("merchant:standing")
    return run_action(
        request,
        lambda: violation_appeal_submit(
            violation=violation,
            statement=form.cleaned_data["statement"],
            evidence={},
            actor=request_user(request),
        ),
        success=_("Appeal submitted. Staff decide within 5 working days."),
        redirect_to="merchant:standing",
    )
