"""Sign in with a mainland mobile number or an email address, whichever the person registered with."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from platform_core.accounts.models import User


class PhoneOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        login = username or kwargs.get("email") or kwargs.get("phone")
        if not login or password is None:
            return None
        try:
            user = User.objects.get_by_login(login)
        except User.DoesNotExist:
            User().set_password(password)  # same work either way: no timing oracle for who is registered
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
