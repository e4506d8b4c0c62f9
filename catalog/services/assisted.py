"""CAT-9: assisted listing (operations staff list on behalf of a partner merchant)."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.clocks import STOCK_CONFIRM_RULE
from catalog.models import Listing, ListingAssist
from catalog.services._common import (
    _notify_merchant,
    _notify_operations,
    _require_perm,
    _stock_confirmed,
    listing_lock,
)
from catalog.services.listings import listing_create, listing_update
from merchants.models import Merchant
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_start
from platform_core.errors import Conflict, NotFound


def _assist_record(listing: Listing, *, staff: User, action: str, note: str) -> ListingAssist:
    step = ListingAssist.objects.create(listing=listing, staff=staff, action=action, note=note)
    if action != ListingAssist.Action.STOCK_CONFIRMED:
        listing.assisted_by, listing.assisted_at = staff, step.at
        listing.save(update_fields=["assisted_by", "assisted_at"])
    return step


@transaction.atomic
def listing_create_assisted(*, merchant: Merchant, staff: User, note: str = "", **fields: Any) -> Listing:
    """CAT-9: operations staff create a draft listing (text, images, SKUs) for a partner merchant.

    The listing is the merchant's, recorded as assisted by ``staff``; the partner is told and may
    correct it like any of its drafts. Its stock figures are the staff member's until the partner
    confirms them: the 7-day ``catalog.assisted_stock_confirm`` clock starts now.
    """
    _require_perm(staff, "catalog.assist_listing")
    if merchant.status in (Merchant.Status.CLOSED, Merchant.Status.BANNED):
        raise Conflict(_("This merchant no longer trades."), code="merchant_not_trading")
    listing = listing_create(merchant=merchant, actor=staff, **fields)
    listing = listing_lock(listing_id=listing.pk)
    _assist_record(listing, staff=staff, action=ListingAssist.Action.CREATED, note=note)
    deadline_start(
        rule=STOCK_CONFIRM_RULE, subject=listing, after=settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN
    )
    audit_record(
        actor=staff,
        action="listing.assisted_created",
        subject=listing,
        after={"merchant": merchant.pk, "assisted_by": staff.pk},
        reason=note,
    )
    _notify_merchant(
        listing,
        event="listing_assisted",
        title=_("Operations listed an offer for you"),
        body=_(
            "Listing #%(id)s was created for you by the platform's operations staff. Check its text and "
            "confirm its stock figures."
        )
        % {"id": listing.pk},
    )
    return listing


@transaction.atomic
def listing_update_assisted(*, listing: Listing, staff: User, note: str = "", **changes: Any) -> Listing:
    """CAT-9: operations staff edit a partner's listing for it (the normal edit rules apply: a reviewed
    field of an approved listing goes back to review). Recorded as assisted; the partner is told."""
    _require_perm(staff, "catalog.assist_listing")
    listing = listing_lock(listing_id=listing.pk)
    listing = listing_update(listing=listing, actor=staff, **changes)
    _assist_record(listing, staff=staff, action=ListingAssist.Action.EDITED, note=note)
    audit_record(
        actor=staff,
        action="listing.assisted_edited",
        subject=listing,
        after={"fields": sorted(changes), "assisted_by": staff.pk},
        reason=note,
    )
    _notify_merchant(
        listing,
        event="listing_assisted",
        title=_("Operations edited your listing"),
        body=_("Listing #%(id)s was edited for you by the platform's operations staff.") % {"id": listing.pk},
    )
    return listing


@transaction.atomic
def listing_stock_confirm(
    *, listing: Listing, actor: User, merchant: Merchant | None = None, note: str = ""
) -> Listing:
    """CAT-9: the partner confirms its listing's stock figures as they stand (``merchant`` given; another
    merchant's listing is ``NotFound``), or operations staff confirm them after checking with the partner
    (``catalog.assist_listing``; recorded as an assisting step)."""
    if merchant is None:
        _require_perm(actor, "catalog.assist_listing")
    listing = listing_lock(listing_id=listing.pk)
    if merchant is not None and listing.merchant_id != merchant.pk:
        raise NotFound(_("No such listing."))
    if merchant is None:
        _assist_record(listing, staff=actor, action=ListingAssist.Action.STOCK_CONFIRMED, note=note)
    _stock_confirmed(listing, actor=actor)
    return listing


@transaction.atomic
def assisted_stock_prompt(*, listing: Listing) -> Listing:
    """CAT-9: an assisted listing's stock went 7 days unconfirmed: operations are prompted to check with
    the partner (the system acts, no actor); the listing waits in the operations work queue."""
    listing = listing_lock(listing_id=listing.pk)
    listing.stock_prompted_at = clock.now()
    listing.save(update_fields=["stock_prompted_at"])
    _notify_operations(
        event="assisted_stock_unconfirmed",
        title=_("Assisted listing: stock not confirmed"),
        body=_(
            "The stock figures of assisted listing #%(id)s (%(merchant)s) have not been confirmed for "
            "%(days)s days. Check them with the partner."
        )
        % {
            "id": listing.pk,
            "merchant": listing.merchant.name,
            "days": settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN.days,
        },
        subject=listing,
    )
    audit_record(actor=None, action="listing.stock_check_prompted", subject=listing)
    return listing
