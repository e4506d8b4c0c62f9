"""What the accounts app plugs into other modules (imported at start-up; ``platform_core.hooks``)."""

from django.contrib.auth.signals import user_logged_in

from platform_core.accounts.middleware import session_mark_seen
from platform_core.org.permissions import Audience, Level, permission_register

user_logged_in.connect(session_mark_seen, dispatch_uid="accounts.session_mark_seen")

# STF-1, STF-4: editing users in the admin can make anyone a superuser, so it is an administrator right.
for _codename, _text in (
    ("add_user", "Create user accounts in the admin"),
    ("change_user", "Edit user accounts, their groups and permissions in the admin"),
    ("delete_user", "Delete user accounts in the admin"),
):
    permission_register(
        f"accounts.{_codename}",
        level=Level.ADVANCED,
        audience=Audience.STAFF,
        description=_text,
        is_admin_right=True,
    )
permission_register(
    "accounts.view_user",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="See user accounts in the admin (contact details are masked without view_personal_data)",
)
