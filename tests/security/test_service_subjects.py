"""SEC-1 (decision 018): a service takes its subject as an object but re-reads it under its lock and
decides on that row, never on the caller's copy; USR-1: a favourite, a follow or a like can be taken
back after the listing, shop or review is no longer visible, and only by the user who made it."""

import pytest

from catalog.models import Favourite, Follow, Listing
from catalog.services.assisted import listing_stock_confirm
from catalog.services.review import listing_delist
from fieldwork.models import ServiceAssignment
from fieldwork.services import assignment_problem_record
from merchants.models import Merchant
from orders.models import Order, Review, ReviewLike
from orders.services.fulfilment import order_ship
from platform_core.errors import NotFound
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for
from tests.factories.fieldwork import coordinator, paid_service_order
from tests.factories.orders import completed_order, pay, pending_order, review_for

pytestmark = pytest.mark.django_db


def test_sec_1_listing_service_scopes_on_the_locked_row_not_the_callers_copy() -> None:
    category = CategoryFactory()
    owner, other = merchant_for(category), merchant_for(category)
    listing = approved_listing(merchant=owner)
    forged = Listing.objects.get(pk=listing.pk)
    forged.merchant_id = other.pk  # the caller's copy claims the other shop owns it
    with pytest.raises(NotFound):
        listing_stock_confirm(listing=forged, merchant=other, actor=other.owner)
    listing.refresh_from_db()
    assert listing.stock_confirmed_at is None


def test_sec_1_order_service_decides_on_the_locked_row_not_the_callers_copy() -> None:
    order = pending_order()
    stale = Order.objects.get(pk=order.pk)  # read while still waiting for payment
    pay(order)
    shipped = order_ship(order=stale, carrier="SF", tracking_number="SF100200300", actor=order.merchant.owner)
    assert shipped.status == Order.Status.SHIPPED  # the paid row decided, not the stale copy
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED


def test_sec_1_assignment_service_checks_the_locked_coordinator_not_the_callers_copy() -> None:
    own = coordinator()
    assignment = ServiceAssignment.objects.get(order=paid_service_order())
    assert assignment.coordinator == own
    intruder = coordinator("外区")
    forged = ServiceAssignment.objects.get(pk=assignment.pk)
    forged.coordinator = intruder  # the caller's copy claims the intruder follows it
    with pytest.raises(NotFound):
        assignment_problem_record(assignment=forged, note="客户不在家", actor=intruder.user)
    assert ServiceAssignment.objects.get(pk=assignment.pk).problem_notes == ""


def test_usr_1_favourite_follow_and_like_taken_back_after_they_are_no_longer_visible() -> None:
    merchant = merchant_for(CategoryFactory())
    listing = approved_listing(merchant=merchant)
    fan, stranger = client_for(CustomerFactory()), client_for(CustomerFactory())
    assert fan.post("/api/v1/me/favourites/", {"listing": listing.pk}, format="json").status_code == 201
    assert fan.post("/api/v1/me/follows/", {"merchant": merchant.pk}, format="json").status_code == 201
    listing_delist(listing=listing, actor=merchant.owner, reason="", source=Listing.DelistSource.MERCHANT)
    Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.CLOSED)

    # nobody else can take them back (404, the same message as "not yours")
    assert stranger.delete(f"/api/v1/me/favourites/{listing.pk}/").status_code == 404
    assert stranger.delete(f"/api/v1/me/follows/{merchant.pk}/").status_code == 404
    assert (
        Favourite.objects.filter(listing=listing).count()
        == Follow.objects.filter(merchant=merchant).count()
        == 1
    )

    assert fan.delete(f"/api/v1/me/favourites/{listing.pk}/").status_code == 204
    assert fan.delete(f"/api/v1/me/follows/{merchant.pk}/").status_code == 204
    assert fan.delete(f"/api/v1/me/favourites/{listing.pk}/").status_code == 404
    assert fan.delete(f"/api/v1/me/follows/{merchant.pk}/").status_code == 404
    assert not Favourite.objects.exists() and not Follow.objects.exists()

    review = review_for(completed_order())
    url = f"/api/v1/reviews/{review.pk}/like/"
    assert fan.post(url).status_code == 200
    Review.objects.filter(pk=review.pk).update(
        status=Review.Status.HIDDEN, hidden_reason=Review.HideReason.ABUSE
    )
    assert fan.post(url).status_code == 404  # a hidden review is not liked
    assert stranger.delete(url).status_code == 404
    assert fan.delete(url).json() == {"review": review.pk, "liked": False, "like_count": 0}
    assert fan.delete(url).status_code == 404
    assert not ReviewLike.objects.exists()
