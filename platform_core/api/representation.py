"""Answers from serializers whose fields are built once per process (issue 26, decisions 027 and 049)."""

from functools import cache
from typing import Any

from rest_framework import serializers


@cache
def _representer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    serializer = serializer_class()
    serializer.fields  # noqa: B018 (built here, once, not by the first concurrent answers)
    return serializer


def represent(serializer_class: type[serializers.Serializer], instance: Any) -> dict[str, Any]:
    """What ``serializer_class(instance).data`` answers, from one instance per process whose fields are
    built once (issue 26): a ``ModelSerializer`` builds every field from the model again for each
    instance — most of the cost of the checkout's answer. The representation itself runs per call, so
    the current time zone and language apply as before. Only for output serializers without context
    (the request is not available to their fields)."""
    return dict(_representer(serializer_class).to_representation(instance))
