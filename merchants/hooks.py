"""What the merchants chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from merchants import demo
from merchants.dashboard.base import dashboard_banner_queries, dashboard_banners
from merchants.dashboard.closure import closure_banner, closure_banner_query
from merchants.dashboard.onboarding import agreement_banner, agreement_banner_query
from merchants.services.lifecycle import owner_shops_deletion_reasons
from platform_core.accounts.deletion import account_deletion_checks
from platform_core.accounts.management.commands.seed_demo import demo_seeders
from platform_core.org.permissions import Audience, Level, permission_register

# STF-1: the chapter's custom permissions (its default add/change/delete/view follow the registry's rule).
permission_register(
    "merchants.review_merchantapplication",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Approve or reject merchant applications (MER, STF-1)",
)
permission_register(
    "merchants.decide_violationappeal",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Decide merchants' appeals against violations (VIO-4)",
)

# MER-4: the seller centre announces a new agreement version (during its notice) on every page.
dashboard_banner_queries.register(agreement_banner_query)
dashboard_banners.register(agreement_banner)
# MER-8: while a closure request waits for finance, every page says so.
dashboard_banner_queries.register(closure_banner_query)
dashboard_banners.register(closure_banner)

# USR-4, MER-8: the owner of a shop not yet closed, or of one still holding money, is not deleted.
account_deletion_checks.register(owner_shops_deletion_reasons)

# The demo shop of merchant@demo.local (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
