"""The merchant dashboard's notifications centre: every in-app notification the platform sent the
signed-in member (orders to ship, customer messages, reviews answered, IP notices, reviews of changes…),
newest first, with mark read (one, or all).

Thin views over ``platform_core.notifications`` — the selectors and services ``/api/v1/notifications/``
uses; a member sees only their own notifications (SEC-1). The header's unread badge is counted by
``merchants.dashboard.base.page`` in one query.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from merchants.dashboard.base import merchant_required, not_found, page
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound
from platform_core.notifications.selectors import notification_list_for_user
from platform_core.notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 30
FILTERS = {"unread": _("Unread"), "all": _("All")}


@merchant_required()
def notifications(request: HttpRequest) -> HttpResponse:
    """The member's in-app notifications, unread ones first by default."""
    current = request.GET.get("filter", "all")
    if current not in FILTERS:
        current = "all"
    queryset = notification_list_for_user(user=request_user(request), unread_only=current == "unread")
    notification_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": notification_page,
        "rows": list(notification_page.object_list),
        "filters": list(FILTERS.items()),
        "current": current,
    }
    return page(request, "merchant/notifications/list.html", context)


@merchant_required()
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the member's own notifications read (404 for anyone else's, SEC-1)."""
    try:
        notification_mark_read(notification_id=notification_id, actor=request_user(request))
    except NotFound:
        return not_found(request)
    messages.success(request, _("Notification marked read."))
    return redirect("merchant:notifications")


@merchant_required()
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the member read."""
    marked = notifications_mark_all_read(actor=request_user(request))
    messages.success(request, _("%(n)d notifications marked read.") % {"n": marked})
    return redirect("merchant:notifications")
