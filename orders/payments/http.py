"""PAY-3 (decision 029): the one HTTP call every gateway client makes, and what can go wrong with it.

Two failures are told apart, because they call for different recoveries:

- ``ProviderUnreachable``: no answer (timeout, connection reset, a 5xx, an answer we cannot verify). The
  request may or may not have reached the provider, so whatever it asked (a refund) is *queried* before it
  is ever sent again;
- ``ProviderRejected``: the provider answered, authentically, "no" (unknown trade, amount too large, …):
  nothing happened there, ``code`` says why.

The standard library's ``urllib`` does the HTTP (no extra dependency; one blocking call per request, run in
a Celery task after the database transaction committed, never inside it).
"""

import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings


class ProviderUnreachable(Exception):
    """No (verifiable) answer: the call's outcome at the provider is unknown; query before re-sending."""


class ProviderRejected(Exception):
    """The provider answered, verifiably, that it did not do what was asked."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def http_call(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str]) -> HttpAnswer:
    """One request; any status below 500 is an answer (the caller reads the provider's error from it),
    no answer or a 5xx is ``ProviderUnreachable``."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 (https/http URL from settings)
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.ORDERS_PAYMENT_HTTP_TIMEOUT_SECONDS
        ) as response:
            return HttpAnswer(
                response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
            )
    except urllib.error.HTTPError as exc:
        answer = HttpAnswer(exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()})
        if exc.code >= 500:
            raise ProviderUnreachable(f"{method} {url}: HTTP {exc.code}") from exc
        return answer
    except (OSError, ValueError) as exc:  # URLError, timeouts, resets, a truncated answer
        raise ProviderUnreachable(f"{method} {url}: {exc!r}") from exc
