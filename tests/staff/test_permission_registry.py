"""STF-1: every permission of the platform is classified basic/advanced with an audience."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from platform_core.org.permissions import (
    PROJECT_APP_LABELS,
    REGISTRY,
    Audience,
    Level,
    admin_right_keys,
    permission_spec_for,
    permissions_unclassified,
)

pytestmark = pytest.mark.django_db


def test_stf_1_every_permission_classified():
    permissions = Permission.objects.select_related("content_type").filter(
        content_type__app_label__in=PROJECT_APP_LABELS
    )
    assert permissions.filter(content_type__app_label="staff").exists()  # the walk sees real rows
    missing = permissions_unclassified(permissions)
    assert not missing, (
        "These permissions are not classified basic/advanced (STF-1). Add an entry for each to "
        "the hooks.py of the permission's app, e.g.\n"
        + "\n".join(
            f'permission_register("{key}", level=Level.ADVANCED, audience=Audience.STAFF, description="...")'
            for key in missing
        )
    )


def test_stf_1_registry_names_only_existing_permissions():
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    stale = sorted(set(REGISTRY) - existing)
    assert not stale, f"the permission registry classifies permissions that do not exist: {stale}"


def test_stf_1_custom_permission_unlisted_is_reported():
    content_type = ContentType.objects.get(app_label="staff", model="announcement")
    rogue = Permission.objects.create(
        content_type=content_type, codename="launch_rockets", name="Launch rockets"
    )
    assert permissions_unclassified([rogue]) == ["staff.launch_rockets"]


def test_stf_1_default_permissions_classified_by_rule():
    view = Permission.objects.select_related("content_type").get(
        content_type__app_label="staff", codename="view_department"
    )
    change = Permission.objects.select_related("content_type").get(
        content_type__app_label="staff", codename="change_department"
    )
    view_spec, change_spec = permission_spec_for(view), permission_spec_for(change)
    assert view_spec is not None and view_spec.level == Level.BASIC
    assert change_spec is not None and change_spec.level == Level.ADVANCED


def test_usr_2_user_advanced_permissions_are_for_users():
    for key in (
        "staff.user_jury",
        "staff.user_change_identity",
        "staff.user_delete_own_content",
        "staff.user_privacy_beyond_defaults",
    ):
        spec = REGISTRY[key]
        assert spec.level == Level.ADVANCED and spec.audience == Audience.USER
        assert spec.open_to(is_staff=False) and not spec.open_to(is_staff=True)


def test_admin_right_keys_include_the_platform_administrator_grant():
    assert "staff.platform_administrator" in admin_right_keys()
    assert "accounts.change_user" in admin_right_keys()
