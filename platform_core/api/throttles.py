from rest_framework.throttling import AnonRateThrottle


class LoginRateThrottle(AnonRateThrottle):
    """SEC-3: sign-in attempts per client IP, on top of django-axes' per-account lockout."""

    scope = "login"
