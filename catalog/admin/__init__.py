"""Operations staff's catalog screens: the review queue (CAT-4) with diffs and banned-term highlights
(CAT-3), listings with bulk takedown (CAT-2), assisted listing for partner merchants (CAT-9), the
banned-term list and inspections (CAT-6) in ``listings``; IP notices (CAT-7) and the counter-notice's
evidence files in ``ip_notices``; re-checks of listings on sale (CAT-10) in ``rechecks``; the inspectors'
batch, list and result pages (CAT-6, issue 21) in ``inspections``; the category tree (issue 21) in
``categories``. Importing the sub-modules here lets admin autodiscovery find them.
"""

from catalog.admin import categories, inspections, ip_notices, listings, rechecks  # noqa: F401
