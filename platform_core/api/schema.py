"""OpenAPI generation tweaks shared by every app."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import Direction


class SecondFactorTokenScheme(KnoxTokenScheme):
    """The API's token authentication (SEC-3: knox's, plus the staff second factor) in the schema."""

    target_class = "platform_core.accounts.authentication.SecondFactorTokenAuthentication"


class SecondFactorSessionScheme(SessionScheme):
    """The API's session authentication (SEC-3: DRF's, plus the staff second factor) in the schema."""

    target_class = "platform_core.accounts.authentication.SecondFactorSessionAuthentication"


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after the view that holds them.

    Our views keep their ``InputSerializer`` / ``OutputSerializer`` inside the view class (style.md);
    without this every one of them would be the component "Input", and the schema would be wrong.
    ``RegisterApi.InputSerializer`` becomes ``RegisterInput``.
    """

    def get_serializer_name(self, serializer: Any, direction: Direction) -> str:
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if not outer:
            return str(super().get_serializer_name(serializer, direction))
        outer = outer.split(".")[-1].removesuffix("Api").removesuffix("View")
        return outer + inner.removesuffix("Serializer")
