"""OpenAPI generation shared by every app (issue 24: the schema says exactly what the server does).

Generic, so that a new route is documented the same way without anyone remembering to:

- every operation lists the error answers it can give, all in the one ``Error`` shape
  (``platform_core.api.schema_errors``);
- a handler wrapped in ``@idempotent`` declares the ``Idempotency-Key`` header (required or not, as the
  decorator enforces it);
- a view that declares ``pagination_class`` documents its GET list answers as the page envelope (and
  ``PagePagination`` refuses to serve a page for a view that does not declare it);
- money (a ``DecimalField``) is not negative unless the field allows it (``min_value`` below zero), so
  generated examples show realistic amounts;
- summaries and descriptions come only from ``@extend_schema`` (translatable, ``gettext_lazy``), never
  from docstrings: a missing one fails ``tests/platform_core/api/test_schema_contract.py``.
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from platform_core.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from platform_core.api.schema_errors import STATUS_DESCRIPTIONS, ErrorSerializer, error_codes

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IDEMPOTENCY_DESCRIPTION = gettext_lazy(
    "A key you choose (e.g. a UUID), at most 255 characters, one per operation you mean: the same key and "
    "body again answer the first response (header Idempotent-Replayed: true); the same key with another "
    "body is a 422."
)


class SecondFactorTokenScheme(KnoxTokenScheme):
    """The API's token authentication (SEC-3: knox's, plus the staff second factor) in the schema."""

    target_class = "platform_core.accounts.authentication.SecondFactorTokenAuthentication"


class SecondFactorSessionScheme(SessionScheme):
    """The API's session authentication (SEC-3: DRF's, plus the staff second factor) in the schema."""

    target_class = "platform_core.accounts.authentication.SecondFactorSessionAuthentication"


def handler_idempotency(view: Any, method: str) -> str | None:
    """``"required"``/``"optional"`` if the view's handler for ``method`` is wrapped in ``@idempotent``."""
    handler = getattr(view, method.lower(), None)
    return getattr(handler, "idempotency_key", None)


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after the view that holds them, and documents what every view enforces.

    Our views keep their ``InputSerializer`` / ``OutputSerializer`` inside the view class (style.md);
    without this every one of them would be the component "Input", and the schema would be wrong.
    ``RegisterApi.InputSerializer`` becomes ``RegisterInput``.
    """

    def get_serializer_name(self, serializer: Any, direction: Direction) -> str:
        view, *inner = serializer.__class__.__qualname__.split(".")
        if not inner:
            return str(super().get_serializer_name(serializer, direction))
        return view.removesuffix("Api").removesuffix("View") + "".join(
            n.removesuffix("Serializer") for n in inner
        )

    # --- text: only what @extend_schema says (translatable); docstrings are for developers ------------

    def get_description(self) -> str:  # type: ignore[override]
        return ""

    def get_summary(self) -> str | None:
        return None

    # --- request bodies: JSON, or multipart where files are sent ---------------------------------------

    def map_parsers(self) -> list[str]:
        """One request content type per operation, so a generated client builds one body.

        The views also parse form bodies (DRF's defaults); the schema documents what a client should send:
        JSON, or ``multipart/form-data`` for a request with files."""
        media_types: list[str] = list(super().map_parsers())
        if self._request_has_files():
            preference = ["multipart/form-data", "application/json"]
        else:
            preference = ["application/json", "multipart/form-data", "application/x-www-form-urlencoded"]
        chosen = [media_type for media_type in preference if media_type in media_types]
        return chosen[:1] or media_types

    def _request_has_files(self) -> bool:
        serializer = self.get_request_serializer()
        if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
            serializer = serializer()
        fields = getattr(serializer, "fields", None)
        if not fields:
            return False
        for field in fields.values():
            child = getattr(field, "child", None)
            if isinstance(field, serializers.FileField) or isinstance(child, serializers.FileField):
                return True
        return False

    # --- headers a handler enforces ------------------------------------------------------------------

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        idempotency = handler_idempotency(self.view, self.method)
        if idempotency:
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=idempotency == "required",
                    description=IDEMPOTENCY_DESCRIPTION,
                )
            )
        return parameters

    # --- money: not negative unless the field says so ---------------------------------------------------

    def _map_serializer_field(
        self, field: Any, direction: Direction, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField):
            min_value = field.min_value
            signed = min_value is not None and Decimal(min_value) < 0
            pattern = schema.get("pattern")
            if not signed and isinstance(pattern, str) and pattern.startswith("^-?"):
                schema["pattern"] = "^" + pattern.removeprefix("^-?")
            if not signed and schema.get("format") == "decimal" and field.decimal_places == 2:
                schema.setdefault("example", "128.00")
        return schema

    # --- the error answers ------------------------------------------------------------------------------

    def _error_statuses(self) -> list[int]:
        view = self.view
        unsafe = self.method in UNSAFE_METHODS
        authenticates = bool(getattr(view, "authentication_classes", []))
        open_to_all = all(isinstance(permission, AllowAny) for permission in view.get_permissions())
        takes_any_body = any(parser.media_type == "*/*" for parser in view.get_parsers())
        has_query = any(
            isinstance(p, dict) and p.get("in") in ("query", "header") for p in self._get_parameters()
        )
        statuses: set[int] = set()
        if unsafe or has_query:
            statuses.add(400)
        if authenticates:
            statuses.add(401)
            if not open_to_all or unsafe:
                statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        if unsafe and not open_to_all:
            statuses.update({409, 422})
        if handler_idempotency(view, self.method):
            statuses.update({400, 422})
        if unsafe and self.method != "DELETE":
            statuses.add(413)
            if not takes_any_body:
                statuses.add(415)
        if getattr(view, "throttle_classes", []):
            statuses.add(429)
        return sorted(statuses)

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        component = self.resolve_serializer(ErrorSerializer, "response")
        assert isinstance(component, ResolvedComponent)
        codes = error_codes()
        for status in self._error_statuses():
            if str(status) in responses and responses[str(status)].get("content"):
                continue
            listed = ", ".join(f"`{code}`" for code in codes.get(status, []))
            responses[str(status)] = {
                "description": f"{STATUS_DESCRIPTIONS[status]} `code`: {listed}",
                "content": {"application/json": {"schema": component.ref}},
            }
        return dict(sorted(responses.items()))
