"""SEC-3: throttles of the sign-in paths, and of rejected provider callbacks (PAY-3). All key on the client address as DRF computes it with
``NUM_PROXIES`` (only our load balancers' hops of ``X-Forwarded-For`` are trusted) or on the account."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle
from rest_framework.views import APIView


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

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request: Request, view: APIView) -> list[float]:
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        history: list[float] = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        self.history = history
        return history

    def allow_request(self, request: Request, view: APIView) -> bool:
        # Reads the count only: an accepted callback adds nothing to it.
        allowed, duration = self.parse_rate(self.get_rate())
        self.num_requests, self.duration = int(allowed or 0), int(duration or 60)
        return len(self._history(request, view)) < self.num_requests

    def record_rejection(self, request: Request, view: APIView) -> None:
        history = self._history(request, view)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)
