from typing import Any

import factory

from platform_core.accounts.models import User
from staff.models import Department, SharedCredential, StaffProfile
from tests.factories.accounts import UserFactory


def department(code: str) -> Department:
    """The seeded department (STF-1 departments come from a data migration)."""
    return Department.objects.get(code=code)


class StaffProfileFactory(factory.django.DjangoModelFactory[StaffProfile]):
    """``StaffProfileFactory(department=department("finance"))``: a staff user in that department's role."""

    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, is_staff=True)
    department = factory.LazyFunction(lambda: department(Department.Code.OPERATIONS))
    title = "专员"

    @classmethod
    def _create(cls, model_class: type[StaffProfile], *args: Any, **kwargs: Any) -> StaffProfile:
        profile = super()._create(model_class, *args, **kwargs)
        from django.contrib.auth.models import Group

        profile.user.groups.add(Group.objects.get(name=profile.department.role))
        return profile


def staff_member(code: str = Department.Code.OPERATIONS, **user_fields: Any) -> User:
    return StaffProfileFactory(
        user=UserFactory(is_staff=True, **user_fields), department=department(code)
    ).user


class SharedCredentialFactory(factory.django.DjangoModelFactory[SharedCredential]):
    class Meta:
        model = SharedCredential

    name = factory.Sequence(lambda n: f"vendor console {n}")
    department = factory.LazyFunction(lambda: department(Department.Code.OPERATIONS))
