"""Reference rows that data migrations create (role groups, PRC holidays, departments, courses, …).

A ``transactional_db`` test ends by flushing every table, data-migration rows included; the tests after
it would then run without them. ``ensure_reference_data`` puts them back, through the very functions
the migrations run (all idempotent), so there is one source for them.
"""

import importlib

from django.apps import apps
from django.db import connection

# (migration module, function): every data migration whose rows the code relies on
SEEDERS = [
    ("platform_core.accounts.migrations.0002_roles", "create_roles"),
    ("platform_core.calendar.migrations.0002_seed_prc_holidays", "seed"),
    ("staff.migrations.0002_seed_departments", "seed"),
    ("staff.migrations.0004_seed_training_courses", "seed"),
    ("catalog.migrations.0004_seed_banned_terms", "seed"),
    ("merchants.migrations.0005_r27r_credit_grade_policy", "seed_grade_policy"),
]
# role grants made by data migrations: (migration module holding GRANTS {group: [codenames]}, app label)
GRANTS = [
    ("catalog.migrations.0005_grant_review_permissions", "catalog"),
    ("catalog.migrations.0008_assisted_listing", "catalog"),
    ("orders.migrations.0005_refund_order_permission", "orders"),
    ("disputes.migrations.0002_grant_committee_permissions", "disputes"),
    ("merchants.migrations.0007_s6a_violation_recording", "merchants"),
]


def ensure_reference_data() -> None:
    for module, function in SEEDERS:
        getattr(importlib.import_module(module), function)(apps, connection.schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for module, app_label in GRANTS:
        for group_name, codenames in importlib.import_module(module).GRANTS.items():
            group, _ = Group.objects.get_or_create(name=group_name)
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
