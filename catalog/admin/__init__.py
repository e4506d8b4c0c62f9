"""Operations staff's catalog screens: the review queue (CAT-4) with diffs and banned-term highlights
(CAT-3), listings with bulk takedown (CAT-2), assisted listing for partner merchants (CAT-9), inspections
(CAT-6), IP notices (CAT-7) in ``listings``; the banned-term list (CAT-3, issue 21) in ``banned_terms``;
re-checks of listings on sale (CAT-10) in ``rechecks``; the inspectors' batch, list and result pages (CAT-6, issue 21) in ``inspections``; the category tree (issue 21) in ``categories``. Importing the sub-modules here lets admin autodiscovery find them.
"""

from catalog.admin import banned_terms, categories, inspections, listings, rechecks  # noqa: F401
