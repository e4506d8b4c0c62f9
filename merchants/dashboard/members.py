"""The merchant dashboard's members page: the owner invites staff accounts (they join when they accept,
SEC issue 20), withdraws open invitations and removes members."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants.dashboard.base import (
    OWNER_ONLY,
    SERVICE_ERRORS,
    Role,
    merchant_required,
    not_found,
    page,
    run_action,
    show_error,
)
from merchants.models import MerchantMember
from merchants.permissions import merchant_for_request
from merchants.selectors.members import invitation_list_for_merchant, member_list_for_merchant
from merchants.services.members import (
    merchant_invitation_revoke,
    merchant_member_invite,
    merchant_member_remove,
)
from platform_core.accounts.acting import request_user

# --- members ------------------------------------------------------------------------------------------


class InviteForm(forms.Form):
    login = forms.CharField(label=_("Their mobile number or email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.OWNER])


@merchant_required(OWNER_ONLY)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """The owner adds staff accounts with a role (they must have registered first) and removes them."""
    merchant = merchant_for_request(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = merchant_member_invite(
                merchant=merchant, actor=request_user(request), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            if isinstance(result, MerchantMember):
                messages.success(request, _("Role changed."))
            else:
                messages.success(
                    request, _("Invitation sent. They join the shop's staff when they accept it.")
                )
            return redirect("merchant:members")
    context = {
        "members": list(member_list_for_merchant(merchant=merchant)),
        "invitations": list(invitation_list_for_merchant(merchant=merchant)),
        "form": form,
    }
    return page(request, "merchant/members.html", context, status=400 if form.errors else 200)


@merchant_required(OWNER_ONLY)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = member_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=member_id).first()
    if member is None:
        return not_found(request)
    return run_action(
        request,
        lambda: merchant_member_remove(member=member, actor=request_user(request)),
        success=_("Member removed."),
        redirect_to="merchant:members",
    )


@merchant_required(OWNER_ONLY)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """The owner withdraws an invitation not yet answered."""
    invitation = (
        invitation_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=invitation_id).first()
    )
    if invitation is None:
        return not_found(request)
    return run_action(
        request,
        lambda: merchant_invitation_revoke(invitation=invitation, actor=request_user(request)),
        success=_("Invitation withdrawn."),
        redirect_to="merchant:members",
    )
