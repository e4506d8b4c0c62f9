"""Catalog clocks (OPS-1): the 24-hour listing review (CAT-4) and the IP counter-notice window (CAT-7)."""

from catalog.models import IpNotice, Listing
from catalog.services import IP_COUNTER_RULE, REVIEW_RULE, ip_notice_restore, review_overdue_escalate
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(REVIEW_RULE, description="CAT-4: a submitted listing is reviewed within 24 hours")
def listing_review_overdue(listing: Listing) -> None:
    review_overdue_escalate(listing_id=listing.pk)


@deadline_rule(
    IP_COUNTER_RULE, description="CAT-7: restore unless the rights holder shows an action in 15 days"
)
def ip_counter_notice_window_ended(notice: IpNotice) -> None:
    ip_notice_restore(notice_id=notice.pk)
