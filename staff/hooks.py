"""What the staff chapter plugs into the kernel (imported at start-up; ``platform_core.hooks``)."""

from merchants.dashboard.base import dashboard_banner_queries, dashboard_banners
from platform_core.accounts.deletion import account_anonymisers
from platform_core.accounts.management.commands.seed_demo import demo_seeders
from platform_core.org.departments import department_head_resolvers
from platform_core.org.permissions import Audience, Level, permission_register, training_checks
from staff import demo
from staff.dashboard import announcement_banner, announcement_banner_query
from staff.selectors import department_head, training_passed_by
from staff.services.account_deletion import staff_anonymise_user

# STF-1: the departments and their heads are staff's; the chapters below ask the kernel for a head.
department_head_resolvers.register(department_head)

# STF-8: permissions that require a training are granted only to people who passed it.
training_checks.register(training_passed_by)

# USR-4: deleting an account withdraws applications, ends grants and erases the real identity.
account_anonymisers.register(staff_anonymise_user)

# STF-6: the seller centre announces a new platform announcement on every page.
dashboard_banner_queries.register(announcement_banner_query)
dashboard_banners.register(announcement_banner)

# STF-1: the chapter's custom permissions (Meta.permissions in staff/models.py).
permission_register(
    "staff.platform_administrator",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Platform administrator: configure the platform and its staff (capped, STF-4)",
    is_admin_right=True,
)
permission_register(
    "staff.review_permission_application",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Staff administration: review permission applications of staff and users (STF-2, USR-2)",
)
permission_register(
    "staff.view_personal_data",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="See names, phones, addresses and ID numbers unmasked; each view is audited (SEC-2)",
    requires_training="personal_data_protection",
)
permission_register(
    "staff.publish_announcement",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Publish platform announcements and rules (STF-6)",
)
permission_register(
    "staff.user_jury",
    level=Level.ADVANCED,
    audience=Audience.USER,
    description="Take part in the public jury (USR-2, DSP-6)",
)
permission_register(
    "staff.user_change_identity",
    level=Level.ADVANCED,
    audience=Audience.USER,
    description="Change verified identity details (USR-2)",
)
permission_register(
    "staff.user_delete_own_content",
    level=Level.ADVANCED,
    audience=Audience.USER,
    description="Delete own content (USR-2)",
)
permission_register(
    "staff.user_privacy_beyond_defaults",
    level=Level.ADVANCED,
    audience=Audience.USER,
    description="Set privacy options beyond the defaults (USR-2)",
)

# Issue 24: the demo staff's profiles and permission applications (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
