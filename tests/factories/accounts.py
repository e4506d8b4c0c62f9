from typing import Any

import factory
from django.contrib.auth.models import Group

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(role=Role.AUDITOR)`` puts the user in that role's group."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(DEFAULT_PASSWORD)
    role: str | None = None

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        role = kwargs.pop("role", None)
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER


class StaffFactory(UserFactory):
    is_staff = True
    role = Role.STAFF_OPERATIONS
