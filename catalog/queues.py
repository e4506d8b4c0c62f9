"""The catalog chapter's work queues in the operations console (issue 12): reviews, re-checks of listings
on sale, inspections, IP notices, assisted listings whose stock needs checking."""

from django.db.models import Count, Min
from django.utils.translation import gettext_lazy as _

from catalog.clocks import REVIEW_RULE
from catalog.models import Inspection, IpNotice, Listing, ListingRecheck, ListingVersion
from platform_core.console.queues import QueueFigures, deadline_oldest_due, work_queue


@work_queue(
    "catalog.listing_reviews",
    title=_("Listing reviews"),
    # the review queue's admin shows itself only to reviewers (catalog.admin.listings.ListingReviewAdmin)
    permission=("catalog.review_listing",),
    url="admin:catalog_listingreview_changelist",
    order=20,
)
def listing_reviews_pending() -> QueueFigures:
    """CAT-2, CAT-4: pending versions; time left from the ``catalog.listing_review`` clock."""
    count = ListingVersion.objects.filter(status=ListingVersion.Status.PENDING).count()
    return count, deadline_oldest_due(REVIEW_RULE)


@work_queue(
    "catalog.rechecks",
    title=_("Listing re-checks"),
    permission=("catalog.review_listing",),
    url="admin:catalog_listingrecheck_changelist?status__exact=open",
    order=25,
)
def listing_rechecks_open() -> QueueFigures:
    """CAT-10: listings on sale sampled back into review and not checked yet (no clock: the 3-day clock
    is the merchant's, once an error is found)."""
    return ListingRecheck.objects.filter(status=ListingRecheck.Status.OPEN).count(), None


@work_queue(
    "catalog.inspections",
    title=_("Inspections pending"),
    permission=("catalog.inspect_listing", "catalog.view_inspectionbatch"),
    url="admin:catalog_inspection_changelist?state=open",
    order=30,
)
def inspections_pending() -> QueueFigures:
    """CAT-6: sampled listings not inspected yet (no clock)."""
    return Inspection.objects.filter(result="").count(), None


@work_queue(
    "catalog.ip_notices",
    title=_("IP notices awaiting validation"),
    permission=("catalog.takedown_listing", "catalog.view_ipnotice"),
    url="admin:catalog_ipnotice_changelist?status__exact=filed",
    order=40,
)
def ip_notices_filed() -> QueueFigures:
    """CAT-7: filed notices staff have not validated or dismissed yet (no clock)."""
    return IpNotice.objects.filter(status=IpNotice.Status.FILED).count(), None


@work_queue(
    "catalog.assisted_stock",
    title=_("Assisted listings: stock to check"),
    permission=("catalog.assist_listing", "catalog.view_listing"),
    url="admin:catalog_listing_changelist?stock_prompted_at__isempty=0",
    order=45,
)
def assisted_stock_unconfirmed() -> QueueFigures:
    """CAT-9: assisted listings whose stock went 7 days unconfirmed (the ``catalog.assisted_stock_confirm``
    clock ran out and prompted operations) and nobody has confirmed since; overdue since the oldest
    prompt."""
    figures = Listing.objects.filter(stock_prompted_at__isnull=False).aggregate(
        n=Count("pk"), oldest=Min("stock_prompted_at")
    )
    return figures["n"], figures["oldest"]
