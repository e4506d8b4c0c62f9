"""USR-1: favourites and follows."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Favourite, Follow, Listing
from catalog.selectors import listing_get_for_customer, merchant_get_followable
from merchants.models import Merchant
from platform_core.accounts.models import BasicPermission, User
from platform_core.accounts.services import basic_permission_require
from platform_core.audit.services import audit_record
from platform_core.errors import NotFound


def _require_basic_permission(user: User, permission: str) -> None:
    basic_permission_require(user=user, permission=permission)


@transaction.atomic
def favourite_add(*, user: User, listing_id: int, actor: User) -> Favourite:
    """USR-1: keep a visible listing among the user's favourites (adding it twice changes nothing)."""
    _require_basic_permission(user, BasicPermission.FAVOURITE)
    listing = listing_get_for_customer(listing_id=listing_id)
    favourite, created = Favourite.objects.get_or_create(user=user, listing=listing)
    if created:
        audit_record(actor=actor, action="favourite.added", subject=favourite, after={"listing": listing.pk})
    return favourite


@transaction.atomic
def favourite_remove(*, user: User, listing: Listing, actor: User) -> None:
    """USR-1: drop a listing from the favourites (always allowed, even while restricted)."""
    deleted, _rows = Favourite.objects.filter(user=user, listing_id=listing.pk).delete()
    if not deleted:
        raise NotFound(_("This listing is not among your favourites."))
    audit_record(actor=actor, action="favourite.removed", subject=user, after={"listing": listing.pk})


@transaction.atomic
def follow_add(*, user: User, merchant_id: int, actor: User) -> Follow:
    """USR-1: follow a trading shop (following it twice changes nothing)."""
    _require_basic_permission(user, BasicPermission.FOLLOW)
    merchant = merchant_get_followable(merchant_id=merchant_id)
    follow, created = Follow.objects.get_or_create(user=user, merchant=merchant)
    if created:
        audit_record(actor=actor, action="follow.added", subject=follow, after={"merchant": merchant.pk})
    return follow


@transaction.atomic
def follow_remove(*, user: User, merchant: Merchant, actor: User) -> None:
    """USR-1: stop following a shop (always allowed)."""
    deleted, _rows = Follow.objects.filter(user=user, merchant_id=merchant.pk).delete()
    if not deleted:
        raise NotFound(_("You do not follow this shop."))
    audit_record(actor=actor, action="follow.removed", subject=user, after={"merchant": merchant.pk})
