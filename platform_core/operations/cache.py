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
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")


class _ReusedClientCache(RedisCacheClient):
    """Django's Redis cache client builds a new ``redis.Redis`` (copying its ~200 response callbacks) for
    every call; one per connection pool is enough — it is thread-safe and holds no connection itself
    (issue 26, decision 049: ~0.3 ms of CPU per cache call)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        base: Any = super()
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = base.get_client(key, write=write)
        return client


class FailOpenRedisCache(RedisCache):
    """``RedisCache`` whose reads and writes degrade to "nothing cached" while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientCache
        self._down_until = 0.0  # monotonic time before which Redis is not tried again

    def sliding_window_add(
        self, key: str, *, now: float, duration: float, member: str
    ) -> tuple[int, float | None] | None:
        """Issue 26 (decision 049): the API throttle's sliding-window log in one round trip. Drops the
        entries older than ``duration``, adds ``member`` at ``now`` and answers how many entries the
        window holds (this one included) and the oldest one's time — or ``None`` (allow) while Redis is
        unreachable. ``sliding_window_remove`` takes a refused request back out."""
        full_key = self.make_and_validate_key(key)

        def call() -> tuple[int, float | None]:
            client: Any = getattr(self, "_cache")  # noqa: B009
            pipe = client.get_client(full_key, write=True).pipeline(transaction=True)
            pipe.zremrangebyscore(full_key, "-inf", now - duration)
            pipe.zadd(full_key, {member: now})
            pipe.zcard(full_key)
            pipe.zrange(full_key, 0, 0, withscores=True)
            pipe.expire(full_key, max(1, int(duration + 1)))
            _removed, _added, count, oldest, _expires = pipe.execute()
            return int(count), float(oldest[0][1]) if oldest else None

        return self._guard("sliding_window_add", call, None)

    def sliding_window_remove(self, key: str, member: str) -> None:
        full_key = self.make_and_validate_key(key)
        client: Any = getattr(self, "_cache")  # noqa: B009
        self._guard(
            "sliding_window_remove",
            lambda: client.get_client(full_key, write=True).zrem(full_key, member),
            None,
        )

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
