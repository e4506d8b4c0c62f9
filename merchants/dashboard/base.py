"""The merchant dashboard's shared page plumbing, imported by every app's dashboard pages.

``merchant_required`` admits members of a shop in the roles a page allows (403 page otherwise); the role
sets say who may open what (the after-sales, complaints and disputes pages admit the roles the merchant
API admits, ``merchants.permissions``); ``page`` renders with the shop, the role and the navigation;
``show_error`` puts a service's domain error on the form it came from; ``home_action_sources`` is the
hook through which other apps put what needs action on the home page.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from merchants.models import (
    Merchant,
    MerchantMember,
)
from merchants.permissions import (
    AFTERSALES_REFUNDERS,
    AFTERSALES_RESPONDERS,
    DISPUTANTS,
    merchant_member_set,
)
from merchants.selectors.members import merchant_for_member
from platform_core import clock
from platform_core.accounts.acting import request_user
from platform_core.errors import DomainError
from platform_core.hooks import Hook

Role = MerchantMember.Role

#: Who may open which part of the dashboard (a page outside a member's role answers 403).
ALL_ROLES = frozenset(Role.values)
LISTING_EDITORS = frozenset({Role.OWNER, Role.OPERATIONS})
APPELLANTS = frozenset({Role.OWNER, Role.OPERATIONS})
ORDER_SHIPPERS = frozenset({Role.OWNER, Role.OPERATIONS})
MONEY_ROLES = frozenset({Role.OWNER, Role.FINANCE})
OWNER_ONLY = frozenset({Role.OWNER})
#: after-sales: everyone who answers a request or refunds one sees the queue (AFS-3, AFS-4)
AFTERSALES_VIEWERS = frozenset(AFTERSALES_RESPONDERS) | frozenset(AFTERSALES_REFUNDERS)
AFTERSALES_ANSWERERS = frozenset(AFTERSALES_RESPONDERS)
AFTERSALES_PAYERS = frozenset(AFTERSALES_REFUNDERS)
COMPLAINANTS = frozenset(AFTERSALES_RESPONDERS)
DISPUTE_PARTIES = frozenset(DISPUTANTS)

View = Callable[..., HttpResponse]


# --- shared plumbing (used by catalog/dashboard.py and orders/dashboard.py) ------------------------------


def nav_items(role: str) -> list[dict[str, str]]:
    """The navigation a member sees: only the pages the role may open."""
    items = [
        ("home", _("Home"), ALL_ROLES),
        ("listings", _("Listings"), ALL_ROLES),
        ("orders", _("Orders"), ALL_ROLES),
        ("aftersales", _("After-sales"), AFTERSALES_VIEWERS),
        ("complaints", _("Complaints"), COMPLAINANTS),
        ("disputes", _("Disputes"), DISPUTE_PARTIES),
        ("money", _("Money"), MONEY_ROLES),
        ("standing", _("Standing"), ALL_ROLES),
        ("members", _("Members"), OWNER_ONLY),
        # issue 22: the shop's own paperwork, reachable from every page (not only from a banner)
        ("reverification", _("Re-verification"), ALL_ROLES),
        ("agreement", _("Agreement"), ALL_ROLES),
        ("onboarding", _("Opening your shop"), OWNER_ONLY),
    ]
    return [{"name": name, "label": str(label)} for name, label, roles in items if role in roles]


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kw: Any
) -> HttpResponse:
    """Render a dashboard page with the shop, the member's role and the navigation."""
    role = getattr(request, "merchant_role", "")
    base = {
        "merchant": getattr(request, "merchant", None),
        "role": role,
        "role_label": Role(role).label if role else "",
        "nav": nav_items(role) if role else [],
    }
    return render(request, template, base | (context or {}), **kw)


def merchant_required(roles: Iterable[str] = ALL_ROLES) -> Callable[[View], View]:
    """Admit a signed-in member of a trading or onboarding shop whose role is in ``roles``.

    Anonymous visitors go to the merchant sign-in; people without a shop go to onboarding; a member
    whose role does not allow the page gets a 403 page (e.g. customer service on the money pages).
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("merchant:login"))
            found = merchant_for_member(user=request_user(request))
            if found is None:
                return redirect("merchant:onboarding")
            merchant_member_set(request, merchant=found[0], role=found[1])
            if found[1] not in allowed:
                return page(request, "merchant/403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def signed_in_required(view: View) -> View:
    """Onboarding pages: any signed-in person (the shop may not exist yet)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("merchant:login"))
        found = merchant_for_member(user=request_user(request))
        if found is not None:
            merchant_member_set(request, merchant=found[0], role=found[1])
        return view(request, *args, **kwargs)

    return wrapped


def show_error(form: forms.Form | None, exc: Exception, request: HttpRequest | None = None) -> None:
    """Put a service's error on the form: field errors on their fields, the rest at the top."""
    if isinstance(exc, ValidationError):
        field_errors: dict[str, Any] = exc.message_dict if hasattr(exc, "error_dict") else {}
        general = [] if field_errors else list(exc.messages)
    elif isinstance(exc, DomainError):
        field_errors, general = dict(exc.errors), [exc.message]
    else:  # TransitionNotAllowed: the object is not in a state that allows this
        field_errors, general = {}, [str(_("This is not possible in the current state."))]
    for name, errors in field_errors.items():
        texts = errors if isinstance(errors, list) else [errors]
        if form is not None and name in form.fields:
            for text in texts:
                form.add_error(name, str(text))
        else:
            general.extend(f"{name}: {text}" for text in texts)
    for text in dict.fromkeys(general):
        if form is not None:
            form.add_error(None, text)
        elif request is not None:
            messages.error(request, text)


SERVICE_ERRORS = (DomainError, ValidationError, TransitionNotAllowed)


def not_found(request: HttpRequest) -> HttpResponse:
    """Another shop's object, or none: the same 404 page (SEC-1)."""
    return page(request, "merchant/404.html", status=404)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (evidence photos); the service checks each one's content (SEC-4)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def countdown(due: datetime | None) -> dict[str, Any] | None:
    """A deadline as the templates show it: the time, what is left, and whether it is close or past."""
    if due is None:
        return None
    left = due - clock.now()
    seconds = int(left.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    return {
        "at": due,
        "overdue": seconds < 0,
        "urgent": 0 <= seconds < 12 * 3600,
        "hours": hours,
        "minutes": rest // 60,
    }


# --- home: what other apps' pages add to the home page's actions ------------------------------------


home_action_sources = Hook[Callable[[HttpRequest, Merchant], list[dict[str, Any]]]](
    "merchants.home_action_sources",
    doc=(
        "The merchant dashboard's home page: what needs action in another app's pages, as dicts "
        '{"due": datetime | None, "kind": str, "title": str, "url": str} (the page sorts every action '
        "by due time, the most urgent first)."
    ),
)
