"""OpenAPI generation tweaks shared by every app."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import Direction


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
