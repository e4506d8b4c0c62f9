"""Customer account API: register, obtain a token, log out, who am I, privacy settings (USR-1),
delete my account (USR-4)."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.accounts.authentication import SecondFactorTokenAuthentication
from platform_core.accounts.deletion import user_account_delete
from platform_core.accounts.models import PrivacySettings, User
from platform_core.accounts.selectors import privacy_settings_for, user_needs_second_factor
from platform_core.accounts.services import (
    login_failures_reset,
    privacy_settings_update,
    user_register_quietly,
    user_second_factor_verify,
    user_token_issue,
    user_tokens_revoke_all,
)
from platform_core.api.idempotency import idempotent
from platform_core.api.throttles import LoginRateThrottle, SecondFactorRateThrottle
from platform_core.errors import InvalidInput


class UserOutputSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name", "phone", "email", "date_joined", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(g.name for g in user.groups.all())


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    user = UserOutputSerializer()
    second_factor_required = serializers.BooleanField(
        help_text="SEC-3: a staff or auditor account: the token serves only after POST /auth/otp/verify/."
    )


class RegisterApi(APIView):
    """Sign up. The answer is the same whether or not the mobile number or email address is already
    registered (202, no token: sign in at /auth/login/ with the password), so that sign-up reveals
    nothing about who has an account; invalid input still gets 400 with field messages. With an
    ``Idempotency-Key`` the stored replay holds this answer only, never a secret (issue 20 item 9)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
        email = serializers.EmailField(required=False, allow_blank=True)
        name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(
        summary=gettext_lazy("Register"),
        description=gettext_lazy(
            "Sign up as a customer; the answer is the same whether or not the mobile number or e-mail address is already registered."
        ),
        tags=["accounts"],
        request=InputSerializer,
        responses={202: inline_serializer("RegisterAccepted", {"detail": serializers.CharField()})},
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_register_quietly(
            phone=data.validated_data.get("phone") or None,
            email=data.validated_data.get("email") or None,
            name=data.validated_data.get("name", ""),
            password=data.validated_data["password"],
        )
        return Response(
            {
                "detail": _(
                    "If this mobile number or email address can be registered, the account is ready: "
                    "sign in with it and your password."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )


class LoginApi(APIView):
    """Sign in; the answer carries the token once (never stored by ``Idempotency-Key``: not idempotent).
    SEC-3: failures are counted per account whatever spelling is typed, and lock it (429)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginRateThrottle]

    class InputSerializer(serializers.Serializer):
        login = serializers.CharField(max_length=254, help_text="Mobile number or email address.")
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(
        summary=gettext_lazy("Sign in"),
        description=gettext_lazy(
            "Sign in with mobile number or e-mail and password; the answer carries the API token once."
        ),
        tags=["accounts"],
        request=InputSerializer,
        responses={200: TokenOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["login"], password=data.validated_data["password"]
        )
        if user is None:
            raise InvalidInput(
                _("Wrong mobile number/email or password."),
                code="invalid_credentials",
                errors={"login": [_("Wrong mobile number/email or password.")]},
            )
        assert isinstance(user, User)
        login_failures_reset(user=user)
        token, clear = user_token_issue(user=user)
        return Response(
            TokenOutputSerializer(
                {
                    "token": clear,
                    "expiry": token.expiry,
                    "user": user,
                    "second_factor_required": user_needs_second_factor(user),
                }
            ).data
        )


class SecondFactorVerifyApi(APIView):
    """SEC-3 (decision 020): a staff or auditor account proves its second factor with the current code of
    its authenticator app (a confirmed TOTP device, set up in the admin). The token in use (or the session)
    is then verified and reaches staff powers; until then every other API view refuses it (403,
    ``second_factor_required``). A wrong code: 400; django-otp slows down repeated wrong codes."""

    second_factor_exempt = True
    throttle_classes = [SecondFactorRateThrottle]

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=16, help_text="The 6-digit code of the authenticator app.")

    @extend_schema(
        summary=gettext_lazy("Verify the second factor"),
        description=gettext_lazy(
            "A staff or auditor account proves its second factor with the current one-time code (SEC-3)."
        ),
        tags=["accounts"],
        request=InputSerializer,
        responses={200: inline_serializer("SecondFactorVerified", {"verified": serializers.BooleanField()})},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, AuthToken) else None
        device = user_second_factor_verify(user=request.user, code=data.validated_data["code"], token=token)
        if token is None:  # signed in by session: the session has passed OTP from now on
            otp_login(request._request, device)
        return Response({"verified": True})


class LogoutApi(APIView):
    second_factor_exempt = True
    authentication_classes = [SecondFactorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Sign out"),
        description=gettext_lazy("Revoke the token of this request."),
        tags=["accounts"],
        request=None,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        request.auth.delete()  # this token only
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    second_factor_exempt = True
    authentication_classes = [SecondFactorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Sign out everywhere"),
        description=gettext_lazy("Revoke every token of the caller."),
        tags=["accounts"],
        request=None,
        responses={200: inline_serializer("LogoutAll", {"revoked": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        return Response({"revoked": user_tokens_revoke_all(user=request.user)})


class MeApi(APIView):
    second_factor_exempt = True  # who am I: also for a staff account before its second factor

    @extend_schema(
        summary=gettext_lazy("Get my account"),
        description=gettext_lazy("The caller's account: id, names and roles."),
        tags=["me"],
        responses={200: UserOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)


class PrivacySettingsOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrivacySettings
        fields = ["show_purchase_history", "allow_follow", "personalised_recommendations"]


class PrivacySettingsApi(APIView):
    """USR-1, USR-2: my privacy settings; options beyond the defaults need an advanced permission."""

    class InputSerializer(serializers.Serializer):
        show_purchase_history = serializers.BooleanField(required=False)
        allow_follow = serializers.BooleanField(
            required=False, help_text="Refusing followers is beyond the defaults (needs the permission)."
        )
        personalised_recommendations = serializers.BooleanField(required=False)

    @extend_schema(
        summary=gettext_lazy("Get my privacy settings"),
        description=gettext_lazy("The caller's privacy settings (USR-1, USR-2)."),
        tags=["me"],
        responses={200: PrivacySettingsOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        return Response(PrivacySettingsOutputSerializer(privacy_settings_for(user=request.user)).data)

    @extend_schema(
        summary=gettext_lazy("Change my privacy settings"),
        description=gettext_lazy(
            "Change privacy settings; options beyond the defaults need an advanced permission (USR-1, USR-2)."
        ),
        tags=["me"],
        request=InputSerializer,
        responses={200: PrivacySettingsOutputSerializer},
    )
    def patch(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settings = privacy_settings_update(
            user=request.user, changes=dict(data.validated_data), actor=request.user
        )
        return Response(PrivacySettingsOutputSerializer(settings).data)


class AccountDeleteApi(APIView):
    """USR-4: delete my account (password confirmation). 409 with the reasons while an order, after-sales
    request or dispute is open; otherwise personal data is anonymised and every session ends.
    """

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(
        summary=gettext_lazy("Delete my account"),
        description=gettext_lazy(
            "Delete the account after password confirmation; 409 with the reasons while an order, after-sales request or complaint is open (USR-4)."
        ),
        tags=["me"],
        request=InputSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_account_delete(user=request.user, password=data.validated_data["password"], actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
