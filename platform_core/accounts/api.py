"""Customer account API: register, obtain a token, log out, who am I, privacy settings (USR-1),
delete my account (USR-4)."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.accounts.models import PrivacySettings, User
from platform_core.accounts.selectors import privacy_settings_for
from platform_core.accounts.services import (
    privacy_settings_update,
    user_account_delete,
    user_register,
    user_token_issue,
    user_tokens_revoke_all,
)
from platform_core.api.idempotency import idempotent
from platform_core.api.throttles import LoginRateThrottle
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


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
        email = serializers.EmailField(required=False, allow_blank=True)
        name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(request=InputSerializer, responses={201: TokenOutputSerializer}, tags=["accounts"])
    @idempotent()
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(
            phone=data.validated_data.get("phone") or None,
            email=data.validated_data.get("email") or None,
            name=data.validated_data.get("name", ""),
            password=data.validated_data["password"],
        )
        token, clear = user_token_issue(user=user)
        return Response(
            TokenOutputSerializer({"token": clear, "expiry": token.expiry, "user": user}).data,
            status=status.HTTP_201_CREATED,
        )


class LoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginRateThrottle]

    class InputSerializer(serializers.Serializer):
        login = serializers.CharField(max_length=254, help_text="Mobile number or email address.")
        password = serializers.CharField(write_only=True, max_length=128)

    @extend_schema(request=InputSerializer, responses={200: TokenOutputSerializer}, tags=["accounts"])
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
        token, clear = user_token_issue(user=user)
        return Response(TokenOutputSerializer({"token": clear, "expiry": token.expiry, "user": user}).data)


class LogoutApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        request.auth.delete()  # this token only
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("LogoutAll", {"revoked": serializers.IntegerField()})},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        return Response({"revoked": user_tokens_revoke_all(user=request.user)})


class MeApi(APIView):
    @extend_schema(responses={200: UserOutputSerializer}, tags=["accounts"])
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

    @extend_schema(responses={200: PrivacySettingsOutputSerializer}, tags=["me"])
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        return Response(PrivacySettingsOutputSerializer(privacy_settings_for(user=request.user)).data)

    @extend_schema(request=InputSerializer, responses={200: PrivacySettingsOutputSerializer}, tags=["me"])
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

    @extend_schema(request=InputSerializer, responses={204: None}, tags=["me"])
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_account_delete(user=request.user, password=data.validated_data["password"], actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
