"""The staff chapter in the admin, one module per topic: departments, profiles, applications, announcements and
identity verification (``staff``), permission grants (``grants``, STF-3), shared credentials and their rotation
(``credentials``, STF-5), users' restrictions and privacy settings (``accounts``), training (``training``,
STF-8) and STF-9 discipline (``discipline``); ``_common`` holds what they share. Importing the modules
registers their model admins."""

from staff.admin import accounts, credentials, discipline, grants, staff, training  # noqa: F401
