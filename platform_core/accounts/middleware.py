"""Sessions end when idle (issue 20, low): ``SESSION_IDLE_TIMEOUT`` after the last request of a signed-in
session it is flushed, whatever its absolute age (``SESSION_COOKIE_AGE``). Sessions serve the admin, the
seller centre and the browsable API; the apps use tokens, which expire on their own (decision 002)."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

#: the session key holding the time (epoch seconds) of the session's last request
LAST_SEEN_KEY = "_last_seen"
#: the last-seen time is rewritten at most this often (a session write per request would be waste)
TOUCH_EVERY_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    """After ``AuthenticationMiddleware`` (and django-otp's): an idle signed-in session is signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            now = time.time()
            last_seen = session.get(LAST_SEEN_KEY)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if isinstance(last_seen, int | float) and now - last_seen > idle:
                logout(request)  # flushes the session; the request goes on as anonymous
            elif not isinstance(last_seen, int | float) or now - last_seen >= TOUCH_EVERY_SECONDS:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def session_mark_seen(*, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver (``accounts/hooks.py``): a new session starts its idle clock at sign-in."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN_KEY] = time.time()
