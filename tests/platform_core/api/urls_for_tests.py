"""Test-only views that exercise the API glue (idempotency, error mapping) through real HTTP handling."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.api.idempotency import idempotent
from platform_core.errors import Conflict, NotFound


class CreateGroupApi(APIView):
    """A side effect to count: each executed request creates one Group."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150)

    @idempotent(required=True)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = Group.objects.create(name=f"{data.validated_data['name']}-{Group.objects.count()}")
        return Response({"id": group.pk, "name": group.name}, status=201)


class ErrorsApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request: Request, kind: str) -> Response:
        if kind == "notfound":
            raise NotFound("No such order.")
        if kind == "conflict":
            raise Conflict("Escrow is held.", code="escrow_held")
        if kind == "django-validation":
            raise ValidationError({"amount": ["Must be positive."]})
        raise RuntimeError("boom")


urlpatterns = [
    path("", include("platform_core.urls")),
    path("test/groups/", CreateGroupApi.as_view(), name="test-create-group"),
    path("test/errors/<str:kind>/", ErrorsApi.as_view(), name="test-errors"),
]
