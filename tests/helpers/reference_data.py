"""Reference rows that data migrations create (role groups, PRC holidays).

A ``transactional_db`` test ends by flushing every table, data-migration rows included; the tests after
it would then run without roles or holidays. ``ensure_reference_data`` puts them back, through the very
functions the migrations run, so there is one source for them.
"""

import importlib

from django.apps import apps
from django.db import connection

_roles = importlib.import_module("platform_core.accounts.migrations.0002_roles")
_holidays = importlib.import_module("platform_core.calendar.migrations.0002_seed_prc_holidays")


def ensure_reference_data() -> None:
    _roles.create_roles(apps, connection.schema_editor)
    Holiday = apps.get_model("business_calendar", "Holiday")
    if not Holiday.objects.exists():
        _holidays.seed(apps, connection.schema_editor)
