"""The staff chapter in the admin: departments, applications, grants, training (``staff``) and STF-9 discipline
(``discipline``); importing the modules registers their model admins."""

from staff.admin import discipline, staff  # noqa: F401
