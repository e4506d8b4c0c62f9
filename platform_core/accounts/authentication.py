"""SEC-3 (decision 020): the API's authentication, with the staff second factor on every way in.

A staff or auditor account (``selectors.user_needs_second_factor``) is refused by every API view — 403,
``second_factor_required`` — until it has passed its second factor: with a token, the token must have been
verified at ``POST /api/v1/auth/otp/verify/`` (a ``TokenSecondFactor`` row); with a session (the admin's,
the seller centre's, the browsable API's), the session must have passed OTP (django-otp's
``request.user.is_verified()``). Customers and merchants' members are never asked. A view that must stay
open to an unverified staff account (the verification itself, logging out, who am I) says
``second_factor_exempt = True``.
"""

import binascii
from hmac import compare_digest
from typing import Any

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from platform_core import clock
from platform_core.accounts.selectors import (
    token_second_factor_passed,
    tokens_for_authentication,
    user_needs_second_factor,
)


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = _(
        "Staff accounts need a second factor: send the code of your authenticator app to "
        "/api/v1/auth/otp/verify/ first."
    )
    default_code = "second_factor_required"


def _exempt(request: Request) -> bool:
    view = (request.parser_context or {}).get("view")
    return bool(getattr(view, "second_factor_exempt", False))


class SecondFactorTokenAuthentication(TokenAuthentication):
    """knox's token authentication; a staff account's token serves only once second-factor verified.

    Issue 26: one query per request. knox reads the token with its user, then every token of that user (to
    delete the expired ones); the second-factor check then read the user's roles and the token's
    ``TokenSecondFactor``. Here one query reads the token, its user, its second factor and whether the user
    holds a staff or auditor role (``selectors.tokens_for_authentication``). An expired token is deleted
    when it is used, as knox does; the user's other expired tokens are not swept on every request (they
    authenticate nothing, and go when used, at logout-all or with the account's password change).
    """

    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        message = _("Invalid token.")
        text = token.decode("utf-8")
        for auth_token in tokens_for_authentication(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(message) from exc
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < clock.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                break
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def authenticate(self, request: Request) -> tuple[Any, AuthToken] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        needs = user_needs_second_factor(user) and not _exempt(request)
        if needs and not token_second_factor_passed(token=token):
            raise SecondFactorRequired()
        return user, token


class SecondFactorSessionAuthentication(SessionAuthentication):
    """DRF's session authentication; a staff account's session serves only once it has passed OTP."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if user_needs_second_factor(user) and not _exempt(request):
            is_verified = getattr(user, "is_verified", None)  # django-otp's OTPMiddleware adds it
            if not (callable(is_verified) and is_verified()):
                raise SecondFactorRequired()
        return result
