"""CAT-4 (issue 20, item 12): the 50 % price-change review is measured against the last reviewed price,
so a price cannot be walked down (or up) in steps that each stay under the ratio.

The attack, through the merchant API: 100 → 51 → 26 → 13.50 → 7.00. Each step is under 50 % of the price
before it; against the last reviewed price the second step (26, 74 % below 100) and, after that price
was approved, the fourth (7.00, 73 % below 26) go to review.
"""

from decimal import Decimal

import pytest
from django.test import Client

from catalog.models import Category, Listing, Sku
from catalog.services.review import listing_approve
from merchants.models import Merchant
from tests.conftest import client_for
from tests.factories.catalog import approved_listing, reviewer

pytestmark = pytest.mark.django_db


def _patch_price(merchant: Merchant, sku: Sku, price: str) -> Listing:
    response = client_for(merchant.owner).patch(
        f"/api/v1/merchant/skus/{sku.pk}/", {"price": price}, format="json"
    )
    assert response.status_code == 200, response.content
    return Listing.objects.get(pk=sku.listing_id)


def test_cat_4_price_walked_down_in_small_steps_goes_to_review(
    merchant: Merchant, category: Category
) -> None:
    listing = approved_listing(merchant=merchant, skus=[{"code": "A", "price": "100.00", "stock": 5}])
    sku = listing.skus.get()
    assert sku.reviewed_price == Decimal("100.00")

    listing = _patch_price(merchant, sku, "51.00")  # 49 % below the reviewed 100: applied at once
    sku.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED and sku.price == Decimal("51.00")
    assert sku.reviewed_price == Decimal("100.00")

    listing = _patch_price(merchant, sku, "26.00")  # 49 % below 51, but 74 % below the reviewed 100
    sku.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW
    assert sku.price == Decimal("51.00")  # the old price stays on sale while the new one is reviewed
    assert listing.candidate_version is not None
    assert listing.candidate_version.proposed_prices == {str(sku.pk): "26.00"}

    listing_approve(listing=listing, actor=reviewer())
    sku.refresh_from_db()
    assert sku.price == Decimal("26.00") and sku.reviewed_price == Decimal("26.00")

    listing = _patch_price(merchant, sku, "13.50")  # 48 % below the reviewed 26: applied
    sku.refresh_from_db()
    assert listing.status == Listing.Status.APPROVED and sku.price == Decimal("13.50")

    listing = _patch_price(merchant, sku, "7.00")  # 48 % below 13.50, 73 % below the reviewed 26
    sku.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW and sku.price == Decimal("13.50")


def test_cat_4_price_walked_up_in_small_steps_goes_to_review(merchant: Merchant, category: Category) -> None:
    listing = approved_listing(merchant=merchant, skus=[{"code": "A", "price": "100.00", "stock": 5}])
    sku = listing.skus.get()
    assert _patch_price(merchant, sku, "149.00").status == Listing.Status.APPROVED
    assert _patch_price(merchant, sku, "220.00").status == Listing.Status.PENDING_REVIEW


def test_cat_4_dashboard_price_step_goes_to_review(merchant: Merchant, category: Category) -> None:
    listing = approved_listing(merchant=merchant, skus=[{"code": "A", "price": "100.00", "stock": 5}])
    sku = listing.skus.get()
    page = Client()
    page.force_login(merchant.owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    for price in ("51.00", "26.00"):
        response = page.post(
            f"/merchant/skus/{sku.pk}/",
            {f"sku{sku.pk}-price": price, f"sku{sku.pk}-stock": "5", "listing": str(listing.pk)},
        )
        assert response.status_code == 302
    listing.refresh_from_db()
    sku.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW and sku.price == Decimal("51.00")
