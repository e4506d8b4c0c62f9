"""SEC-2 (issue 20, low items): gunicorn's access log never holds a token, a query string or a phone number.

The line is rendered as gunicorn renders it: ``gunicorn.conf.py``'s ``access_log_format`` over the atoms
of its ``logger_class``, for a request whose query string carries a reset token and a phone number and
whose headers carry an API token and a session cookie.
"""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from platform_core.operations.gunicorn_logger import MaskedAccessLogger

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
SECRETS = ("reset-token-abc123", "13912345678", "tok3n-of-the-user", "sessionid=s3ss10n", "alice@example.com")


def _line(logger_class: type[Logger], access_log_format: str) -> str:
    config = Config()
    config.set("access_log_format", access_log_format)
    logger = logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/users/13912345678/?token=reset-token-abc123&email=alice@example.com",
        "PATH_INFO": "/api/v1/users/13912345678/",
        "QUERY_STRING": "token=reset-token-abc123&email=alice@example.com",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://marketplace.example/reset/?token=reset-token-abc123",
        "HTTP_USER_AGENT": "curl/8",
        "HTTP_AUTHORIZATION": "Token tok3n-of-the-user",
    }
    request = SimpleNamespace(
        headers=[("AUTHORIZATION", "Token tok3n-of-the-user"), ("COOKIE", "sessionid=s3ss10n")]
    )
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    return str(access_log_format % SafeAtoms(atoms))


def test_sec_2_gunicorn_access_log_is_masked() -> None:
    assert CONF["logger_class"] == "platform_core.operations.gunicorn_logger.MaskedAccessLogger"
    line = _line(MaskedAccessLogger, CONF["access_log_format"])
    assert '"GET /api/v1/users/139****5678/ HTTP/1.1" 200 12' in line, line
    for secret in SECRETS:
        assert secret not in line, (secret, line)


def test_sec_2_even_a_format_asking_for_them_gets_no_secret() -> None:
    greedy = (
        "%(r)s %(q)s %(f)s %({authorization}i)s %({cookie}i)s %({http_authorization}e)s %({query_string}e)s"
    )
    line = _line(MaskedAccessLogger, greedy)
    for secret in SECRETS:
        assert secret not in line, (secret, line)
    # gunicorn's own logger writes them all: the test can tell
    assert all(secret in _line(Logger, greedy) for secret in SECRETS[:4])
