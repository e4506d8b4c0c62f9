"""STF-6: the platform's announcements in the seller centre: the list page and the banner of a new one.

The banner shows the newest announcement of the last ``ANNOUNCEMENT_BANNER_DAYS`` days that the member
has not seen; opening the list marks everything up to the newest as seen (kept in the member's session:
decision 033).
"""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from merchants.dashboard.base import ALL_ROLES, Banner, merchant_required, page
from staff.selectors import announcement_banner_annotations, announcement_list_published

#: the session key holding the id of the newest announcement the member has seen
SEEN_KEY = "stf6_announcement_seen"
PAGE_SIZE = 20


@merchant_required(ALL_ROLES)
def announcements(request: HttpRequest) -> HttpResponse:
    """STF-6: the published announcements, newest first; reading the list clears the banner."""
    page_obj = Paginator(announcement_list_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)  # one query, read twice below
    newest = page_obj.object_list[0].pk if page_obj.number == 1 and page_obj.object_list else 0
    if newest > int(request.session.get(SEEN_KEY, 0)):
        request.session[SEEN_KEY] = newest
    return page(request, "merchant/announcements.html", {"page_obj": page_obj})


def announcement_banner_query(request: HttpRequest) -> dict[str, Any]:
    """STF-6: what the banner needs, found with the member's shop (``dashboard_banner_queries``)."""
    return announcement_banner_annotations(read_up_to=int(request.session.get(SEEN_KEY, 0)))


def announcement_banner(request: HttpRequest, values: dict[str, Any]) -> list[Banner]:
    """STF-6: a banner for a new announcement the member has not seen (``dashboard_banners``)."""
    title = values.get("stf6_announcement")
    if title is None:
        return []
    if request.resolver_match is not None and request.resolver_match.url_name == "announcements":
        return []
    return [
        {
            "kind": "announcement",
            "text": _("New platform announcement: %(title)s") % {"title": title},
            "url": reverse("merchant:announcements"),
            "link": _("Read it"),
        }
    ]
