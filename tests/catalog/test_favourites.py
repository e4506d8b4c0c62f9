"""USR-1: favourite listings and follow shops, with counts; a penalty restricting the permission refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Favourite, Follow, Listing
from merchants.models import Merchant
from platform_core.accounts.services import user_restriction_impose
from tests.conftest import assert_max_queries, client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import approved_listing

pytestmark = pytest.mark.django_db

FAVOURITES = "/api/v1/me/favourites/"
FOLLOWS = "/api/v1/me/follows/"


@pytest.fixture
def listing(merchant: Merchant) -> Listing:
    return approved_listing(merchant=merchant)


def test_usr_1_favourite_and_follow_with_counts(listing: Listing, merchant: Merchant) -> None:
    alice, bob = client_for(CustomerFactory()), client_for(CustomerFactory())
    assert alice.post(FAVOURITES, {"listing": listing.pk}, format="json").json() == {"count": 1}
    assert bob.post(FAVOURITES, {"listing": listing.pk}, format="json").json() == {"count": 2}
    assert bob.post(FAVOURITES, {"listing": listing.pk}, format="json").json() == {"count": 2}  # once only
    assert alice.post(FOLLOWS, {"merchant": merchant.pk}, format="json").json() == {"count": 1}
    assert bob.post(FOLLOWS, {"merchant": merchant.pk}, format="json").json() == {"count": 2}

    detail = alice.get(f"/api/v1/listings/{listing.pk}/").json()
    assert detail["favourite_count"] == 2 and detail["merchant_follower_count"] == 2

    (favourite,) = alice.get(FAVOURITES).json()["results"]
    assert favourite["listing"]["id"] == listing.pk and favourite["favourite_count"] == 2
    (follow,) = alice.get(FOLLOWS).json()["results"]
    assert follow["merchant"]["id"] == merchant.pk and follow["follower_count"] == 2

    assert bob.delete(f"{FAVOURITES}{listing.pk}/").status_code == 204
    assert bob.delete(f"{FOLLOWS}{merchant.pk}/").status_code == 204
    assert bob.delete(f"{FOLLOWS}{merchant.pk}/").status_code == 404
    assert bob.get(FAVOURITES).json()["results"] == [] and bob.get(FOLLOWS).json()["results"] == []
    detail = alice.get(f"/api/v1/listings/{listing.pk}/").json()
    assert detail["favourite_count"] == 1 and detail["merchant_follower_count"] == 1
    assert Favourite.objects.count() == 1 and Follow.objects.count() == 1


def test_usr_1_cannot_favourite_an_invisible_listing(merchant: Merchant) -> None:
    hidden = approved_listing(merchant=merchant)
    Listing.objects.filter(pk=hidden.pk).update(on_sale=False)
    response = client_for(CustomerFactory()).post(FAVOURITES, {"listing": hidden.pk}, format="json")
    assert response.status_code == 404
    assert client_for(CustomerFactory()).post(FOLLOWS, {"merchant": 999999}, format="json").status_code == 404


def test_usr_1_restricted_user_cannot_favourite(listing: Listing, merchant: Merchant) -> None:
    user = CustomerFactory()
    user_restriction_impose(
        user=user,
        permission="favourite",
        reason="批量收藏刷榜",
        actor=None,
        ends_at=timezone.now() + timedelta(days=7),
    )
    client = client_for(user)
    response = client.post(FAVOURITES, {"listing": listing.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_restricted" and "批量收藏刷榜" in response.json()["detail"]
    assert not Favourite.objects.exists()
    # only the restricted permission is affected
    assert client.post(FOLLOWS, {"merchant": merchant.pk}, format="json").status_code == 201


def test_usr_1_favourites_list_query_budget(merchant: Merchant) -> None:
    client = client_for(CustomerFactory())
    for _ in range(2):
        client.post(FAVOURITES, {"listing": approved_listing(merchant=merchant).pk}, format="json")
    with assert_max_queries(6) as few:
        assert len(client.get(FAVOURITES).json()["results"]) == 2
    for _ in range(6):
        client.post(FAVOURITES, {"listing": approved_listing(merchant=merchant).pk}, format="json")
    with assert_max_queries(6) as many:
        assert len(client.get(FAVOURITES).json()["results"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
