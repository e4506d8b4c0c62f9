"""Operations staff's catalog screens: listings with bulk takedown (CAT-2), assisted listing for partner
merchants (CAT-9), inspection batches (CAT-6) in ``listings``; the review queue and the review page of a
listing with its diff, Approve and Reject (CAT-3, CAT-4, issue 21) in ``listing_review``; the banned-term
list (CAT-3, issue 21) in ``banned_terms``; IP notices (CAT-7) and the counter-notice's evidence files in
``ip_notices``; re-checks of listings on sale (CAT-10) in ``rechecks``; the inspectors' batch, list and
result pages (CAT-6, issue 21) in ``inspections``; the category tree (issue 21) in ``categories``; helpers
they share in ``_common``. Importing the sub-modules here lets admin autodiscovery find them.
"""

from catalog.admin import (  # noqa: F401
    banned_terms,
    categories,
    inspections,
    ip_notices,
    listing_review,
    listings,
    rechecks,
)
