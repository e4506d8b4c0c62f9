"""The merchant dashboard's members page: the owner adds and removes staff accounts."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants.dashboard.base import OWNER_ONLY, SERVICE_ERRORS, Role, merchant_required, page, show_error
from merchants.permissions import merchant_for_request
from merchants.selectors.members import member_list_for_merchant
from merchants.services.members import merchant_member_invite, merchant_member_remove
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
            merchant_member_invite(merchant=merchant, actor=request_user(request), **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("merchant:members")
    context = {"members": list(member_list_for_merchant(merchant=merchant)), "form": form}
    return page(request, "merchant/members.html", context, status=400 if form.errors else 200)


@merchant_required(OWNER_ONLY)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = member_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=member_id).first()
    if member is None:
        return page(request, "merchant/404.html", status=404)
    try:
        merchant_member_remove(member=member, actor=request_user(request))
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        messages.success(request, _("Member removed."))
    return redirect("merchant:members")
