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


def resident_id(*, region: str = "110105", born: str = "19900307", sequence: str = "123") -> str:
    """A valid 18-digit resident ID number (its ISO 7064 MOD 11-2 check character computed)."""
    from platform_core.accounts.validators import resident_id_check_char

    first17 = f"{region}{born}{sequence}"
    return first17 + resident_id_check_char(first17)


def identity(**kwargs: str) -> dict[str, str]:
    """The real-identity fields of a user's application (USR-2)."""
    return {"real_name": "张三", "id_number": resident_id(**kwargs)}
