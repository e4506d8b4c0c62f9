"""SEC-3: throttles of the sign-in paths. Both key on the client address as DRF computes it with
``NUM_PROXIES`` (only our load balancers' hops of ``X-Forwarded-For`` are trusted) or on the account."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class LoginRateThrottle(AnonRateThrottle):
    """SEC-3: sign-in attempts per client IP, on top of django-axes' per-account lockout."""

    scope = "login"


class SecondFactorRateThrottle(UserRateThrottle):
    """SEC-3: second-factor codes per account (at the sign-in rate), on top of django-otp's own slowdown."""

    scope = "login"
