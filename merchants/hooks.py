"""What the merchants chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from merchants import demo
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

# The demo shop of merchant@demo.local (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
