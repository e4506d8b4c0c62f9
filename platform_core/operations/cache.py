"""The Redis cache backend that fails open (OPS-2, issue 20 item 8): losing Redis delays work, never refuses
the API.

The cache holds nothing the platform cannot lose: the API's throttle counters (login included) and the
heartbeats. With Redis unreachable, Django's ``RedisCache`` raises on every call and every throttled
request would answer 500. This backend catches the connection errors instead: a read finds nothing, a write
is dropped, the throttle lets the request through, and one warning is logged. After a failure it does not
try Redis again for ``settings.CACHE_REDIS_RETRY_SECONDS`` (a circuit breaker: a dead Redis costs one
connect timeout per process per interval, not one per request). ``/readyz`` pings Redis directly
(``ping``) and reports it down (503) while ``/healthz`` stays up.

Only connection and timeout errors fail open; any other Redis error is a bug and raises.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")


class FailOpenRedisCache(RedisCache):
    """``RedisCache`` whose reads and writes degrade to "nothing cached" while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0  # monotonic time before which Redis is not tried again

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except UNREACHABLE as exc:
            retry = float(settings.CACHE_REDIS_RETRY_SECONDS)
            self._down_until = time.monotonic() + retry
            logger.warning(
                "Redis cache unreachable during %s (%s: %s); failing open for %.0f s: throttles allow, "
                "reads find nothing, writes are dropped",
                operation,
                type(exc).__name__,
                exc,
                retry,
            )
            return fallback

    def ping(self) -> bool:
        """A round trip to Redis (``/readyz``); raises when it is unreachable, whatever the breaker says."""
        client: Any = getattr(self, "_cache")  # noqa: B009  (RedisCache's client; django-stubs lack it)
        return bool(client.get_client().ping())

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._guard("set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(
            "add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._guard(
            "set_many", lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), []
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(
            "touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard("delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard("delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._guard("clear", lambda: super(FailOpenRedisCache, self).clear(), None)
