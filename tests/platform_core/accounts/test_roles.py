import pytest
from django.contrib.auth.models import Group

from platform_core.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_stf_1_every_role_exists_as_a_group_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
