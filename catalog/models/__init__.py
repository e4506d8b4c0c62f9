"""The catalog: categories, listings and their reviewed versions, SKUs and stock, the banned-term list,
quality inspections, IP notices, re-checks of listings on sale (CAT-1 … CAT-10) and the shops' stored
listing images (SEC-4).

Models hold fields, constraints and transitions only; every write goes through ``catalog.services``.

One module per part of the domain; this package imports every model (in the order they were always
registered), so ``catalog.models.Listing`` and ``from catalog.models import Listing`` keep working.
"""

# In the order the models were always registered in (the app registry keeps it), not sorted:
# isort: off
from catalog.models.listings import (
    BannedTerm,
    Category,
    Listing,
    ListingAssist,
    ListingReview,
    ListingVersion,
    Sku,
)
from catalog.models.oversight import Inspection, InspectionBatch, IpNotice, ListingRecheck
from catalog.models.follows import Favourite, Follow
from catalog.models.images import ListingImage
# isort: on

__all__ = [
    "BannedTerm",
    "Category",
    "Favourite",
    "Follow",
    "Inspection",
    "InspectionBatch",
    "IpNotice",
    "Listing",
    "ListingAssist",
    "ListingImage",
    "ListingRecheck",
    "ListingReview",
    "ListingVersion",
    "Sku",
]
