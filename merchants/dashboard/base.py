"""The merchant dashboard's shared page plumbing, imported by every app's dashboard pages.

``merchant_required`` admits members of a shop in the roles a page allows (403 page otherwise); the role
sets say who may open what (the after-sales, complaints and disputes pages admit the roles the merchant
API admits, ``merchants.permissions``); ``page`` renders with the shop, the role and the navigation;
``show_error`` puts a service's domain error on the form it came from, ``run_action`` is the tail of a POST
action without a form (the service, its error or success as a message, the redirect) and ``shop_object``
the shop's object or ``None`` (→ ``not_found``); ``home_action_sources`` is the
hook through which other apps put what needs action on the home page, ``order_action_sources`` the one
through which they offer actions on an order's page (and the after-sales pages of that order).
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
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
    merchant_for_request,
    merchant_member_set,
)
from merchants.permissions import (
    ORDER_SHIPPERS as _ORDER_SHIPPERS,
)
from merchants.selectors.members import membership_for_member
from platform_core import clock
from platform_core.accounts.acting import request_user
from platform_core.errors import DomainError, NotFound
from platform_core.hooks import Hook
from platform_core.notifications.selectors import notification_unread_count_subquery

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Role = MerchantMember.Role

#: Who may open which part of the dashboard (a page outside a member's role answers 403).
ALL_ROLES = frozenset(Role.values)
LISTING_EDITORS = frozenset({Role.OWNER, Role.OPERATIONS})
APPELLANTS = frozenset({Role.OWNER, Role.OPERATIONS})
ORDER_SHIPPERS = frozenset(_ORDER_SHIPPERS)
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
        ("conversations", _("Messages"), AFTERSALES_ANSWERERS),
        ("reviews", _("Reviews"), ALL_ROLES),
        ("ip-notices", _("IP notices"), ALL_ROLES),
        ("disputes", _("Disputes"), DISPUTE_PARTIES),
        ("money", _("Money"), MONEY_ROLES),
        ("standing", _("Standing"), ALL_ROLES),
        ("announcements", _("Announcements"), ALL_ROLES),
        ("members", _("Members"), OWNER_ONLY),
        ("changes", _("Change reports"), ALL_ROLES),
        # issue 22: the shop's own paperwork, reachable from every page (not only from a banner)
        ("reverification", _("Re-verification"), ALL_ROLES),
        ("agreement", _("Agreement"), ALL_ROLES),
        ("onboarding", _("Opening your shop"), OWNER_ONLY),
    ]
    return [{"name": name, "label": str(label)} for name, label, roles in items if role in roles]


Banner = dict[str, str]

dashboard_banner_queries = Hook[Callable[[HttpRequest], dict[str, Any]]](
    "merchants.dashboard_banner_queries",
    doc=(
        "STF-6, MER-4: what the seller centre's banners need to know, as named subqueries on the member's "
        'membership row (``OuterRef("merchant_id")`` is the shop); they ride along in the query that finds '
        "the member's shop, so the banners cost no query of their own (the pages' query budget). Names are "
        "prefixed with the rule, e.g. ``stf6_announcement``."
    ),
)
dashboard_banners = Hook[Callable[[HttpRequest, dict[str, Any]], list[Banner]]](
    "merchants.dashboard_banners",
    doc=(
        "STF-6, MER-4: the banners at the top of every seller-centre page (a new announcement, a new "
        'agreement version), as dicts {"kind", "text", "url", "link"}, from the values the '
        "``dashboard_banner_queries`` subqueries found; no queries."
    ),
)


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kw: Any
) -> HttpResponse:
    """Render a dashboard page with the shop, the member's role, the navigation, the banners and the
    member's unread notifications (all counted with the membership: no query of their own)."""
    role = getattr(request, "merchant_role", "")
    values = getattr(request, "merchant_banner_values", None)
    banners = (
        [b for render in dashboard_banners for b in render(request, values)] if values is not None else []
    )
    base = {
        "merchant": getattr(request, "merchant", None),
        "role": role,
        "role_label": Role(role).label if role else "",
        "nav": nav_items(role) if role else [],
        "banners": banners,
        "unread_notifications": getattr(request, "unread_notifications", 0),
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
            membership = _member_attach(request)
            if membership is None:
                return redirect("merchant:onboarding")
            if membership.role not in allowed:
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
        _member_attach(request, banners=False)  # onboarding pages show their own calls to action
        return view(request, *args, **kwargs)

    return wrapped


def _member_attach(request: HttpRequest, *, banners: bool = True) -> MerchantMember | None:
    """The signed-in person's membership (or None), read in one query with what the page's header shows
    — the banners' values (``dashboard_banner_queries``) and the unread notifications (decision 035) —
    and set on the request."""
    queries: dict[str, Any] = {"unread_notifications": notification_unread_count_subquery(OuterRef("user"))}
    for query in dashboard_banner_queries if banners else ():
        queries.update(query(request))
    membership = membership_for_member(user=request_user(request), annotations=queries)
    if membership is None:
        return None
    merchant_member_set(request, merchant=membership.merchant, role=membership.role)
    if banners:
        request.merchant_banner_values = {name: getattr(membership, name) for name in queries}  # type: ignore[attr-defined]
    request.unread_notifications = membership.unread_notifications  # type: ignore[attr-defined]
    return membership


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

T = TypeVar("T")


def run_action(
    request: HttpRequest,
    perform: Callable[[], T],
    *,
    success: "StrOrPromise | Callable[[T], StrOrPromise] | None" = None,
    redirect_to: str,
    **url_kwargs: Any,
) -> HttpResponse:
    """A seller-centre POST action without a form to show again: run the service (``perform``); its domain
    error becomes a message on the next page (``show_error``), else ``success`` does (a text, or made from
    the service's result; none: no message); either way back to the page ``redirect_to`` names."""
    try:
        result = perform()
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        if success is not None:
            messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to, **url_kwargs)


def shop_object(request: HttpRequest, get: Callable[..., T], **ids: Any) -> T | None:
    """The member's shop's object by its ``*_get_for_merchant`` selector ``get``; ``None`` for another
    shop's or none (the page answers ``not_found``, SEC-1)."""
    try:
        return get(merchant=merchant_for_request(request), **ids)
    except NotFound:
        return None


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


order_action_queries = Hook[Callable[[HttpRequest, Any], dict[str, Any]]](
    "merchants.order_action_queries",
    doc=(
        "DSP-1 (issue 22): what an app above orders needs to know to offer an action on the order's page "
        "and its after-sales requests' pages, as named subqueries on the order (the second argument, an "
        "``OuterRef`` to the order's id); they ride along in the query that reads the order (or the "
        "request), so the actions cost no query of their own. Names are prefixed with the rule "
        "(``dsp1_openable``); an empty dict when the member's role has nothing to do."
    ),
)
order_action_sources = Hook[Callable[[HttpRequest, int, dict[str, Any]], list[dict[str, Any]]]](
    "merchants.order_action_sources",
    doc=(
        "DSP-1 (issue 22): the actions an app above orders offers on the order (its id), from the values "
        "its ``order_action_queries`` subqueries found, as dicts "
        '{"label": str, "url": str, "testid": str}, only those the role and the rules allow now; no queries.'
    ),
)


def order_action_annotations(request: HttpRequest, order_ref: Any) -> dict[str, Any]:
    """The subqueries of every ``order_action_queries`` source, to annotate the order's (or the request's)
    row with; ``order_ref`` is the ``OuterRef`` to the order's id in that query."""
    annotations: dict[str, Any] = {}
    for query in order_action_queries:
        annotations.update(query(request, order_ref))
    return annotations


def order_actions(
    request: HttpRequest, order_id: int, row: Any, annotations: dict[str, Any]
) -> list[dict[str, Any]]:
    """The actions other apps offer on the shop's order ``order_id`` (``order_action_sources``), from the
    values ``row`` (read with ``annotations``) carries."""
    values = {name: getattr(row, name) for name in annotations}
    return [action for source in order_action_sources for action in source(request, order_id, values)]
