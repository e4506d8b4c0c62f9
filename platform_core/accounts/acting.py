"""The acting user of a request, typed: every interface (API view, admin, dashboard) resolves it here."""

from typing import Any, cast

from platform_core.accounts.models import User


def request_user(request: Any) -> User:
    """The authenticated caller (the permission classes, the admin or the login decorator have already
    required a login)."""
    return cast(User, request.user)
