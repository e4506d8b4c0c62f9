"""SEC (issue 20, item 11): bounded JSON input for the whole API (decision 022).

``BoundedJSONParser`` is DRF's default parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``) and the one
every view that names its parsers uses. A body nested deeper than ``API_JSON_MAX_DEPTH`` (objects and
arrays) is a 400 before the decoder recurses into it, so 5,000 ``[`` never reach ``RecursionError``
(a 500); non-finite numbers (``NaN``, ``Infinity``), which JSON does not have, are refused too. The raw
size of a JSON body is capped before parsing by ``platform_core.api.middleware.BodySizeLimitMiddleware``.
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when the JSON text ``raw`` nests objects/arrays deeper than ``limit`` (strings skipped).

    A linear scan of the bytes, no recursion: it runs before the decoder does."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a nesting limit and no ``NaN``/``Infinity`` (always a 400, never a 500)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        if json_depth_exceeds(raw, settings.API_JSON_MAX_DEPTH):
            raise ParseError(
                _("JSON parse error - nested deeper than %(n)d levels.") % {"n": settings.API_JSON_MAX_DEPTH}
            )
        try:
            return json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:  # issue 24: the position, in the reader's language
            raise ParseError(
                _("JSON parse error - not valid JSON at line %(line)d, column %(column)d.")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        except (ValueError, RecursionError) as exc:  # NaN/Infinity, undecodable bytes, too deep
            raise ParseError(_("JSON parse error - a value is not allowed in JSON.")) from exc
