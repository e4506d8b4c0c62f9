"""The staff chapter in the admin: departments, applications, training (``staff``), permission grants
(``grants``, STF-3) and STF-9 discipline (``discipline``); importing the modules registers their model
admins."""

from staff.admin import discipline, grants, staff  # noqa: F401
