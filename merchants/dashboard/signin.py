"""The merchant dashboard: sign-in, sign-out and sign-up."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from merchants.dashboard.base import SERVICE_ERRORS, page, show_error
from platform_core.accounts.services import user_register_quietly
from platform_core.api.throttles import LoginRateThrottle

#: SEC-3: what a client over the per-address limit is told (the API answers 429 with DRF's words)
TOO_MANY_ATTEMPTS = _("Too many attempts from your network. Wait a minute and try again.")


def attempts_exceeded(request: HttpRequest) -> bool:
    """SEC-3: sign-in and sign-up posts of the seller centre count against the same per-client-address
    limit as the API's sign-in (``API_THROTTLE_LOGIN``, ``NUM_PROXIES`` hops trusted), on top of
    django-axes' per-account lockout: one address cannot create accounts or try passwords in bulk."""
    return request.method == "POST" and not LoginRateThrottle().allow_request(request, None)  # type: ignore[arg-type]


# --- sign-in, sign-up -------------------------------------------------------------------------------------


class MerchantLoginView(LoginView):
    template_name = "merchant/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if attempts_exceeded(request):
            # an unbound form: validating the posted one would try the password (and count it)
            form = self._dressed(self.get_form_class()(request))
            messages.error(request, TOO_MANY_ATTEMPTS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("merchant:home")

    def get_form(self, form_class: Any = None) -> Any:
        return self._dressed(super().get_form(form_class))

    @staticmethod
    def _dressed(form: Any) -> Any:
        form.fields["username"].label = _("Mobile number or email")
        form.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        return form


class MerchantLogoutView(LogoutView):
    next_page = "merchant:login"


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )


# Issue 20 (low): the one answer to a valid sign-up, new or taken contact alike; the API's words
# (``accounts.api.RegisterApi``), so the two interfaces say the same and share the translation
SIGNUP_ANSWER = _(
    "If this mobile number or email address can be registered, the account is ready: "
    "sign in with it and your password."
)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Create the account a shop is applied for with; the person then signs in and goes on to the
    application.

    Issue 20 (low): the answer never tells whether the mobile number or email address already has an
    account. A valid form, taken or new, goes to the sign-in page with the same message and signs no one in
    (``user_register_quietly`` creates nothing for a taken contact, after the same password hashing work).
    Invalid input (a malformed number, a weak password) is still shown on its fields.
    """
    if request.user.is_authenticated:
        return redirect("merchant:onboarding")
    if attempts_exceeded(request):
        messages.error(request, TOO_MANY_ATTEMPTS)
        return page(request, "merchant/register.html", {"form": RegisterForm()}, status=429)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_register_quietly(
                password=form.cleaned_data["password"],
                phone=form.cleaned_data["phone"] or None,
                email=form.cleaned_data["email"] or None,
                name=form.cleaned_data["name"],
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.info(request, SIGNUP_ANSWER)
            return redirect("merchant:login")
    return page(request, "merchant/register.html", {"form": form})
