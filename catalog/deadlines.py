"""Catalog clocks (OPS-1): the 24-hour listing review (CAT-4), the IP counter-notice window (CAT-7),
the 7-day stock confirmation of assisted listings (CAT-9) and the 3-day correction after a re-check found
an error (CAT-10)."""

from catalog.clocks import IP_COUNTER_RULE, RECHECK_RULE, REVIEW_RULE, STOCK_CONFIRM_RULE
from catalog.models import IpNotice, Listing, ListingRecheck
from catalog.services.assisted import assisted_stock_prompt
from catalog.services.ip_notices import ip_notice_restore
from catalog.services.rechecks import recheck_correction_overdue
from catalog.services.review import review_overdue_escalate
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(REVIEW_RULE, description="CAT-4: a submitted listing is reviewed within 24 hours")
def listing_review_overdue(listing: Listing) -> None:
    review_overdue_escalate(listing=listing)


@deadline_rule(
    IP_COUNTER_RULE, description="CAT-7: restore unless the rights holder shows an action in 15 days"
)
def ip_counter_notice_window_ended(notice: IpNotice) -> None:
    ip_notice_restore(notice=notice)


@deadline_rule(
    STOCK_CONFIRM_RULE,
    description="CAT-9: an assisted listing's stock unconfirmed for 7 days prompts operations to check",
)
def assisted_stock_unconfirmed(listing: Listing) -> None:
    assisted_stock_prompt(listing=listing)


@deadline_rule(
    RECHECK_RULE,
    description="CAT-10: an error a re-check found is corrected within 3 days or the listing goes off sale",
)
def recheck_correction_overdue_handler(recheck: ListingRecheck) -> None:
    recheck_correction_overdue(recheck=recheck)
