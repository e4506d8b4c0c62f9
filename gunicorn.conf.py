"""Gunicorn's configuration for the web process (docs/deployment.md): ``gunicorn -c gunicorn.conf.py
platform_core.wsgi``. Environment: ``PORT`` (8000), ``WEB_CONCURRENCY`` (workers, 3), ``GUNICORN_ACCESS_LOG``
(``-`` = stdout; empty = no access log).

The access log is masked (SEC-2, issue 20): no query string, no Authorization or Cookie header, phone and
ID numbers in the path masked (``platform_core.operations.gunicorn_logger``). The WSGI module refuses to
start a production process with a sandbox enabled or a secret missing (decision 019).
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# the request body is read by Django, which caps its size; gunicorn caps the request line and headers
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
logger_class = "platform_core.operations.gunicorn_logger.MaskedAccessLogger"
# %(U)s is the path without its query string; the logger class masks it and blanks %(q)s and the referer's
access_log_format = '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
