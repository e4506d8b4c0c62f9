"""STF-4: at most STAFF_ADMIN_CAP administrators; STF-6: only publishers publish announcements."""

import pytest

from platform_core.accounts.models import User
from platform_core.errors import Conflict, Forbidden
from staff.models import Announcement
from staff.selectors import administrator_list
from staff.services.announcements import announcement_publish
from staff.services.grants import permission_grant, permission_revoke
from tests.factories.accounts import UserFactory
from tests.factories.staff import staff_member
from tests.staff.conftest import give, perm

pytestmark = pytest.mark.django_db


def make_admin(by: User) -> User:
    person = staff_member("technology")
    permission_grant(user=person, permission=perm("staff.platform_administrator"), reason="on call", actor=by)
    return person


def test_stf_4_sixth_administrator_refused(reviewer):
    UserFactory(is_superuser=True, is_staff=True)  # a superuser counts
    grants_by = reviewer
    admins = [make_admin(grants_by) for _ in range(4)]
    assert administrator_list().count() == 5

    sixth = staff_member("technology")
    with pytest.raises(Conflict, match="cap is 5") as refused:
        permission_grant(
            user=sixth, permission=perm("staff.platform_administrator"), reason="x", actor=grants_by
        )
    assert refused.value.code == "admin_cap_reached"
    assert not User.objects.get(pk=sixth.pk).has_perm("staff.platform_administrator")
    # another admin right counts against the same cap
    with pytest.raises(Conflict):
        permission_grant(user=sixth, permission=perm("accounts.change_user"), reason="x", actor=grants_by)

    # an existing administrator may receive another admin right: the number of people does not grow
    permission_grant(user=admins[0], permission=perm("accounts.change_user"), reason="x", actor=grants_by)

    # when one steps down, the sixth may be appointed
    from staff.models import PermissionGrant

    permission_revoke(
        grant=PermissionGrant.objects.filter(user=admins[1]).get(), reason="rotation", actor=grants_by
    )
    permission_grant(user=sixth, permission=perm("staff.platform_administrator"), reason="x", actor=grants_by)
    assert administrator_list().count() == 5


def test_stf_4_cap_is_a_setting(reviewer, settings):
    settings.STAFF_ADMIN_CAP = 1
    make_admin(reviewer)
    with pytest.raises(Conflict, match="cap is 1"):
        make_admin(reviewer)


def test_stf_4_admin_rights_held_through_a_group_count(reviewer, settings):
    from django.contrib.auth.models import Group

    settings.STAFF_ADMIN_CAP = 1
    group = Group.objects.create(name="legacy admins")
    group.permissions.add(perm("accounts.change_user"))
    staff_member("technology").groups.add(group)
    with pytest.raises(Conflict):
        make_admin(reviewer)


def test_stf_6_only_publishers_publish_announcements():
    writer = staff_member("marketing")
    with pytest.raises(Forbidden):
        announcement_publish(title="Holiday shipping", body="...", actor=writer)
    assert not Announcement.objects.exists()
    writer = give(writer, "staff.publish_announcement")
    announcement = announcement_publish(
        title="Holiday shipping", body="Carriers pause 1-7 Oct.", actor=writer
    )
    assert announcement.published_by == writer and announcement.published_at is not None
