"""The API's default throttle (decision 049); SEC-3: throttles of the sign-in paths, and of rejected provider callbacks (PAY-3). All key on the client address as DRF computes it with
``NUM_PROXIES`` (only our load balancers' hops of ``X-Forwarded-For`` are trusted) or on the account."""

import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

if TYPE_CHECKING:  # DRF's APIView imports the default throttle classes, this module among them
    from rest_framework.views import APIView


class RequestRateThrottle(SimpleRateThrottle):
    """The API's default throttle (issue 26, decision 049): an anonymous request counts against the ``anon``
    rate of its client address, a signed-in one against the ``user`` rate of its account — DRF's
    ``AnonRateThrottle`` and ``UserRateThrottle`` in one class and, on Redis, one round trip.

    DRF's pair cost two round trips per throttle (read the pickled history, write it back) and four for an
    anonymous request, which both counted by address. Here the history is a Redis sorted set updated in one
    pipelined transaction (``FailOpenRedisCache.sliding_window_add``): the same sliding window, and as in
    DRF a refused request is taken back out (a second round trip, on refusals only) and ``Retry-After`` is
    computed the same way. An anonymous request is no longer also counted against the ``user`` rate by
    address: the ``anon`` rate is the lower one. Another cache backend (locmem, embedded mode) keeps DRF's
    read-and-write history under the same scopes. Fails open with Redis, as every cache call does."""

    cache_format = "throttlez_%(scope)s_%(ident)s"  # not DRF's keys: those hold pickled lists

    def __init__(self) -> None:  # the scope (and so the rate) depends on the request
        self._window: tuple[int, float | None] | None = None

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.scope, ident = "user", str(user.pk)
        else:
            self.scope, ident = "anon", self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: "APIView") -> bool:
        self.key = self.get_cache_key(request, view)
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        allowed, duration = self.parse_rate(self.rate)
        self.num_requests, self.duration = int(allowed or 0), int(duration or 60)
        add: Any = getattr(self.cache, "sliding_window_add", None)
        if add is None:
            return bool(super().allow_request(request, view))
        self.now = self.timer()
        member = f"{self.now!r}:{secrets.token_hex(4)}"
        window = add(self.key, now=self.now, duration=self.duration, member=member)
        if window is None:  # Redis unreachable: fail open
            return True
        count, oldest = window
        if count <= self.num_requests:
            return True
        remove: Any = getattr(self.cache, "sliding_window_remove")  # noqa: B009  (FailOpenRedisCache's)
        remove(self.key, member)
        self._window = (count - 1, oldest)
        return False

    def wait(self) -> float | None:
        if self._window is None:
            return super().wait()
        held, oldest = self._window
        remaining = self.duration - (self.now - oldest) if oldest is not None else self.duration
        available = self.num_requests - held + 1
        return None if available <= 0 else remaining / float(available)


class LoginRateThrottle(AnonRateThrottle):
    """SEC-3: sign-in attempts per client IP, on top of django-axes' per-account lockout."""

    scope = "login"


class SecondFactorRateThrottle(UserRateThrottle):
    """SEC-3: second-factor codes per account (at the sign-in rate), on top of django-otp's own slowdown."""

    scope = "login"


class RejectedCallbackThrottle(SimpleRateThrottle):
    """PAY-3, ORD-5 (issue 26): a provider's or carrier's callbacks are never throttled as an anonymous
    client. A payment provider sends its notifications from a few addresses at whatever rate its customers
    pay; the anonymous per-IP limit answered 429 at ~2 a second and the payments waited for the provider's
    retries. Callbacks prove who sent them by their signature, so only *rejected* callbacks (400: bad
    signature, unknown trade, wrong amount) count, per client address: a sender of signed callbacks is never
    refused, and after ``API_CALLBACK_REJECTIONS_PER_MINUTE`` rejections in a minute a flood from one address
    is answered 429 before its signature is checked or anything is written (the rejected-callback log rows
    stop there too). The views call ``record_rejection`` on each 400."""

    scope = "callback_rejected"
    duration = 60

    def get_rate(self) -> str:
        return f"{settings.API_CALLBACK_REJECTIONS_PER_MINUTE}/min"

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request: Request, view: "APIView") -> list[float]:
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        history: list[float] = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        self.history = history
        return history

    def allow_request(self, request: Request, view: "APIView") -> bool:
        # Reads the count only: an accepted callback adds nothing to it.
        allowed, duration = self.parse_rate(self.get_rate())
        self.num_requests, self.duration = int(allowed or 0), int(duration or 60)
        return len(self._history(request, view)) < self.num_requests

    def record_rejection(self, request: Request, view: "APIView") -> None:
        history = self._history(request, view)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)
