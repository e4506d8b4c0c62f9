"""Gunicorn's access log, masked (SEC-2, issue 20 low items): named by ``gunicorn.conf.py``
(``logger_class``).

Gunicorn's default access line holds the raw request URI, query string included, and the referer: a
password-reset token, a login or a phone number in a query string would be written to the log in clear. This
logger drops every query string (request line, ``%(q)s``, referer), masks phone numbers, ID numbers and
e-mail addresses left in the path (``platform_core.operations.logs.mask_personal_data``) and never logs the
``Authorization`` or ``Cookie`` headers, whatever ``access_log_format`` asks for.

Gunicorn imports this module in its master before Django is set up, so it imports nothing of Django's at
module level.
"""

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

#: request headers never written, whatever the format names (``%({authorization}i)s`` …)
SECRET_HEADERS = ("authorization", "cookie", "x-csrftoken", "idempotency-key")


def _without_query(value: str) -> str:
    return value.split("?", 1)[0]


class MaskedAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict[str, Any]:
        from platform_core.operations.logs import mask_personal_data

        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = mask_personal_data(_without_query(str(environ.get("PATH_INFO", ""))))
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        atoms["f"] = mask_personal_data(_without_query(str(atoms.get("f", "-"))))
        for key in list(atoms):
            if key.startswith("{") and key.endswith(("}i", "}e")):
                name = key[1:-2]
                if name in SECRET_HEADERS or name.startswith("http_") or "query" in name or "uri" in name:
                    atoms[key] = "-"
        return atoms
