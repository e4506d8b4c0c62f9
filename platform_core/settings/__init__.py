"""One env-driven settings module (12-factor).

With no environment it runs embedded: SQLite and Celery's filesystem broker under ``var/``, DEBUG on.
``DATABASE_URL`` / ``REDIS_URL`` switch to PostgreSQL and Redis; ``DJANGO_ENV=production`` turns on the
hardening that ``manage.py check --deploy`` asks for (SEC-5). Tests override nothing here but what the
environment says: the suite runs against whatever ``DATABASE_URL`` / ``REDIS_URL`` point to.

Every setting the code reads is declared here exactly once, from the environment where it is a scalar,
with its default and its unit (in the environment variable's name: ``*_HOURS``, ``*_DAYS``, ``*_SECONDS``,
``*_BYTES``), and read as ``settings.X`` at call time (so tests can override it). Rule defaults (durations,
amounts) live here so that no rule number is a literal in code (rules.md preamble); per-category and
per-merchant numbers stay in their policy rows. ``platform_core.checks`` validates types and ranges at
start-up (``platform.E0xx``). The package imports no application code: this module holds the framework
and infrastructure settings, ``rules.py`` the platform rule defaults, ``providers.py`` the payment
providers, payout rails and carriers, ``_env.py`` the environment reader.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from platform_core.settings._env import DJANGO_ENV as DJANGO_ENV
from platform_core.settings._env import IS_PRODUCTION, env

# Decision 019: secrets and signing keys have no default in production. Outside production they default
# to the published development values of ``_dev_defaults`` (never imported by a production process).
if IS_PRODUCTION:
    _dev_secrets: dict[str, str] = {}
else:
    from platform_core.settings._dev_defaults import DEV_SECRETS as _dev_secrets

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PLATFORM_VAR_DIR", default=str(BASE_DIR / "var")))


DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
# empty in production when unset: the deploy check (platform.E102) refuses to start and names it
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_dev_secrets.get("SECRET_KEY", ""))
# rotation without signing everyone out: the previous key(s), still accepted for verifying (comma-separated)
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "platform_core.apps_admin.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # SEC-3: single-use backup codes (issue 21)
    "axes",
    "django_htmx",
    "pgtrigger",
    "django_fsm",
    # the shared kernel
    "platform_core",  # its ready() imports every app's hooks.py (platform_core.hooks)
    "platform_core.accounts",
    "platform_core.api",
    "platform_core.audit",
    "platform_core.calendar",
    "platform_core.notifications",
    "platform_core.ledger",
    "platform_core.deadlines",
    "platform_core.reports",
    "platform_core.console",
    "platform_core.operations",
    "platform_core.sandbox",
    # the chapters
    "merchants",
    "catalog",
    "orders",
    "aftersales",
    "disputes",
    "staff",
    "jury",
    "fieldwork",
    "simulation",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "platform_core.operations.middleware.RequestIdMiddleware",
    "platform_core.api.middleware.BodySizeLimitMiddleware",  # SEC: 413 before a big JSON body is read
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "platform_core.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "platform_core.urls"
WSGI_APPLICATION = "platform_core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Issue 26: persistent connections in production (a new connection per request was 8 % of request time):
# each web worker keeps its connection for up to DATABASE_CONN_MAX_AGE seconds, checked before reuse by
# a request (CONN_HEALTH_CHECKS: a connection the server or a failover closed is replaced, not an error).
# 0 (the default outside production) closes it after every request; set 0 behind PgBouncer in transaction
# mode. Celery workers close theirs before and after every task (Celery's Django fix-up), so no task
# inherits a stale one.
DATABASE_CONN_MAX_AGE = env.int("DATABASE_CONN_MAX_AGE", default=300 if IS_PRODUCTION else 0)
DATABASES["default"].setdefault("CONN_MAX_AGE", DATABASE_CONN_MAX_AGE)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True))
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not IS_POSTGRES:
    # SQLite: wait for the writer instead of failing at once when the worker and web write together.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Issue 20 item 8: the Redis cache (throttles, heartbeats) fails open: a call waits at most this long for
# Redis, and after a failure Redis is not tried again for CACHE_REDIS_RETRY_SECONDS (logged; /readyz fails)
CACHE_REDIS_TIMEOUT_SECONDS = env.float("CACHE_REDIS_TIMEOUT_SECONDS", default=0.5)
CACHE_REDIS_RETRY_SECONDS = env.float("CACHE_REDIS_RETRY_SECONDS", default=5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "platform_core.operations.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))  # outside the web root (SEC-4)
MEDIA_URL = "/media-not-served/"  # uploads are served only by permission-checking views
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the merchant dashboard's CSS, JS and vendored htmx
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- identity ---------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "platform_core.accounts.backends.PhoneOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [  # SEC-3: length >= 12 and not a common password
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
LOGIN_URL = "/admin/login/"

# SEC-3: staff and auditors use a second factor on every interface: the admin, and the REST API (a staff
# account's token or session serves only after a verified TOTP, decision 020). Off only for the local demo
# (README says so); on in production.
STAFF_REQUIRE_OTP = env.bool("STAFF_REQUIRE_OTP", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = "Marketplace"

# SEC-3, issue 20 item 6: failed sign-ins are counted per account, whatever spelling of it was typed (email
# in any case, the mobile number): django-axes keys its counter on the account (decision 020).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "platform_core.accounts.lockout.account_lock_key_for_request"
AXES_CLIENT_IP_CALLABLE = "platform_core.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "platform_core.accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # our login API and the admin pass the login as `username`
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# axes.W006 asks for an IP-keyed lockout so that rotating User-Agents or cookies cannot reset the count. Ours
# is keyed on the account, which no header changes; the per-address limit is the sign-in throttle
# (API_THROTTLE_LOGIN per client IP). An IP lockout would lock out whole offices and mobile carriers'
# shared addresses after 5 typos (decision 020).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions (admin and seller centre; the apps use tokens): they end after SESSION_IDLE_TIMEOUT without a
# request, and at the latest SESSION_COOKIE_AGE after sign-in (12 hours in production, 14 days otherwise).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30))
SESSION_COOKIE_AGE = env.int(
    "SESSION_COOKIE_AGE_SECONDS", default=12 * 60 * 60 if IS_PRODUCTION else 14 * 24 * 60 * 60
)

# --- i18n -------------------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- API --------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # SEC-3: a staff account's token or session counts only after its second factor (decision 020)
        "platform_core.accounts.authentication.SecondFactorTokenAuthentication",
        "platform_core.accounts.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "platform_core.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "platform_core.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "platform_core.api.exceptions.exception_handler",
    # SEC (decision 022): nesting-bounded JSON, no NaN/Infinity; forms and uploads as DRF has them
    "DEFAULT_PARSER_CLASSES": [
        "platform_core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # anonymous requests at the "anon" rate per client address, signed-in ones at the "user" rate per
    # account, one Redis round trip (decision 049)
    "DEFAULT_THROTTLE_CLASSES": ["platform_core.api.throttles.RequestRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        "login": env.str("API_THROTTLE_LOGIN", default="20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The client's address is the one our proxies saw: the last NUM_PROXIES entries of X-Forwarded-For were
    # written by our load balancer(s), anything to their left by the client (never trusted). 0: no proxy,
    # REMOTE_ADDR is the client. The throttles and the lockout log read it so
    # (platform_core.accounts.lockout.client_ip). Production default: one load balancer (docs/deployment.md).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=1 if IS_PRODUCTION else 0),
}
# PAY-3, ORD-5 (issue 26): provider and carrier callbacks are not throttled as anonymous clients; only their
# rejections (400) count, per client address, and after this many in a minute that address is answered 429
# before any signature check or write (platform_core.api.throttles.RejectedCallbackThrottle).
API_CALLBACK_REJECTIONS_PER_MINUTE = env.int("API_CALLBACK_REJECTIONS_PER_MINUTE", default=60)
# SEC (decision 022): bounded request bodies. A JSON body over API_JSON_MAX_BYTES is a 413 before it is
# read (platform_core.api.middleware); deeper than API_JSON_MAX_DEPTH a 400 (platform_core.api.parsers).
# Django's own cap on a non-file body (form fields, request.body) answers 400 above it; files have theirs
# per upload kind (SEC-4).
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_BYTES", default=2 * 1024 * 1024)
REST_KNOX = {
    # tokens are stored as a SHA-512 digest, expire, and are revoked on logout (decision 002)
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketplace API",
    "DESCRIPTION": "Customers' and merchants' REST API. Rule IDs (ORD-4, PAY-7, …) refer to docs/rules.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # issue 24: the API's description and the tags' (translatable), docs/api.md
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "platform_core.api.schema_info.schema_postprocess",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # several models have a field called `kind` or `status`; name their enums apart
    "ENUM_NAME_OVERRIDES": {
        "ListingKindEnum": "catalog.models.Listing.Kind",
        "ListingStatusEnum": "catalog.models.Listing.Status",
        "IpNoticeStatusEnum": "catalog.models.IpNotice.Status",
        "DocumentKindEnum": "merchants.models.DocumentKind",
        "OrderStatusEnum": "orders.models.Order.Status",
        "AfterSalesKindEnum": "aftersales.models.AfterSalesRequest.Kind",
        "AfterSalesStatusEnum": "aftersales.models.AfterSalesRequest.Status",
        "AfterSalesPartyEnum": "aftersales.models.AfterSalesRequest.Payer",
        "ComplaintStatusEnum": "aftersales.models.Complaint.Status",
        "ConversationKindEnum": "aftersales.models.Conversation.Kind",
        "DisputeStatusEnum": "disputes.models.Dispute.Status",
        "RulingKindEnum": "disputes.models.RulingKind",
        "JuryCaseStatusEnum": "jury.models.JuryCase.Status",
        "JuryVerdictEnum": "jury.models.JuryCase.Verdict",
        "ReviewStatusEnum": "orders.models.Review.Status",
        "ReviewHideReasonEnum": "orders.models.Review.HideReason",
        "ServiceAssignmentStatusEnum": "fieldwork.models.ServiceAssignment.Status",
        "MerchantMemberRoleEnum": "merchants.models.MerchantMember.Role",
        "TrackingEventKindEnum": "orders.models.TrackingEvent.Kind",
        "PayoutAccountKindEnum": "orders.models.PayoutAccount.Kind",
    },
}
# PAY-7: idempotency keys are kept at least this long, then purged by beat.
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24))

# --- Celery -----------------------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task published while the broker is down fails fast instead of blocking the request: queued work is
# kept in outbox rows (notifications, deadlines) and swept again when the broker returns (OPS-2).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # OPS-1: the sweep claims every due deadline; deadlines due soon also get an ETA task (fast path)
    "deadlines.sweep-due": {
        "task": "deadlines.sweep_due",
        "schedule": timedelta(seconds=env.int("DEADLINE_SWEEP_SECONDS", default=60)),
    },
    # OPS-2, OPS-3: outbox rows whose delivery task was lost (broker down) are queued again
    "notifications.requeue-pending": {
        "task": "notifications.requeue_pending",
        "schedule": timedelta(seconds=60),
    },
    "api.purge-idempotency-keys": {"task": "api.purge_idempotency_keys", "schedule": timedelta(hours=1)},
}
CELERY_BEAT_SCHEDULE.update(
    {
        # AUD-4: last month's compliance report at 01:00 platform time (CELERY_TIMEZONE) on the 1st,
        # after midnight's other jobs
        "reports.monthly-compliance": {
            "task": "reports.monthly_compliance",
            "schedule": crontab(minute=0, hour=1, day_of_month=1),
        },
        # VIO-6: yesterday's rolling-30-day KPIs; REP-3: nightly credit recompute
        "merchants.compute-kpis": {"task": "merchants.compute_kpis", "schedule": crontab(hour=1, minute=30)},
        "merchants.recompute-credit": {
            "task": "merchants.recompute_credit",
            "schedule": crontab(hour=3, minute=0),
        },
        # CAT-10: a weighted sample of on-sale listings goes back into review, weekly (Monday 02:15)
        "catalog.recheck-sample": {
            "task": "catalog.recheck_sample",
            "schedule": crontab(hour=2, minute=15, day_of_week="mon"),
        },
        # PAY-8: yesterday's reconciliation once the day is closed (00:30); PAY-4: the daily payout run
        # afterwards (02:00), so a difference reconciliation finds is raised before money leaves
        "orders.reconcile": {"task": "orders.reconcile", "schedule": crontab(hour=0, minute=30)},
        "orders.run-payouts": {"task": "orders.run_payouts", "schedule": crontab(hour=2, minute=0)},
    }
)

# --- the test clock (issue 24, decision 026) -----------------------------------------------------------
# Demo and staging only: ``platform_core.clock.now()`` adds an offset (a database row, shared by web,
# worker and beat) that staff advance through the sandbox clock (admin page, API). Off by default; the
# deploy check refuses a production process that turns it on (platform.E105). ``make run`` turns it on.
PLATFORM_TEST_CLOCK_ENABLED = env.bool("PLATFORM_TEST_CLOCK_ENABLED", default=False)
# how long (seconds) a process keeps the offset it read before reading the row again
PLATFORM_TEST_CLOCK_CACHE_SECONDS = env.float("PLATFORM_TEST_CLOCK_CACHE_SECONDS", default=2.0)
# the most one advance may move the clock (hours)
PLATFORM_TEST_CLOCK_MAX_HOURS = env.int("PLATFORM_TEST_CLOCK_MAX_HOURS", default=24 * 90)

# --- payment providers, payout rails and carriers: their own module of this package -------------------
from platform_core.settings.providers import *  # noqa: E402, F403
from platform_core.settings.providers import _BEAT_SCHEDULE as _PROVIDERS_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_PROVIDERS_BEAT)

# --- mail / notifications ---------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@marketplace.example")
# OPS-3: production mails through SMTP (docs/deployment.md); the host is required there (platform.E102)
EMAIL_HOST = env.str("EMAIL_HOST", default="" if IS_PRODUCTION else "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=465 if IS_PRODUCTION else 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=IS_PRODUCTION)  # implicit TLS (465)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS (587); not with EMAIL_USE_SSL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)  # seconds; a stuck server fails the attempt
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- logging ----------------------------------------------------------------------------------------

# One JSON object per line, with request id / user id / task id, personal data masked (OPS-5, SEC-2).
# LOG_FORMAT: ``json`` (production's default, for the log pipeline) or ``text`` (the default elsewhere: one
# readable line per record in the terminal `make run` prints to; issue 24).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "platform_core.operations.logs.ContextFilter"},
        "mask_personal_data": {"()": "platform_core.operations.logs.MaskPersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "platform_core.operations.logs.JsonFormatter"},
        "text": {"()": "platform_core.operations.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if LOG_FORMAT == "text" else "json",
            "filters": ["context", "mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default config prints too; one handler (the root's) is enough
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- operations (OPS-4, OPS-5) ----------------------------------------------------------------------

OPS_METRICS_TOKEN = env.str("OPS_METRICS_TOKEN", default="")
OPS_BACKUP_DIR = Path(env.str("OPS_BACKUP_DIR", default=str(VAR_DIR / "backups")))
OPS_BACKUP_KEEP = env.int("OPS_BACKUP_KEEP", default=7)
OPS_DEADLINE_BACKLOG_MAX = env.int("OPS_DEADLINE_BACKLOG_MAX", default=100)
OPS_WORKER_METRICS_PORT = env.int("OPS_WORKER_METRICS_PORT", default=0) or None
# OPS-5: a worker or beat heartbeat older than this makes /readyz fail; the worker writes it this often
OPS_HEARTBEAT_MAX_AGE_SECONDS = env.int("OPS_HEARTBEAT_MAX_AGE_SECONDS", default=120)
OPS_HEARTBEAT_INTERVAL_SECONDS = env.float("OPS_HEARTBEAT_INTERVAL_SECONDS", default=30.0)
# OPS-5: a deadline counts as overdue (for the backlog check) once it is this late; the sweep runs every minute
OPS_DEADLINE_OVERDUE_GRACE_SECONDS = env.int("OPS_DEADLINE_OVERDUE_GRACE_SECONDS", default=120)

# AUD-1: the audit chain is an HMAC-SHA256 chain keyed with a secret the database does not hold.
# ``AUDIT_CHAIN_KEYS="2026b:<secret>,2026a:<old secret>"``: (key id, secret) pairs, the newest first; new
# entries are signed with the first, each entry records its key id, and older keys stay listed to verify
# what they signed (rotate by prepending). The development default is public; production has no default
# and the settings check refuses an empty list or a key that appears in the code (platform.E003).
AUDIT_CHAIN_DEV_KEY = "dev-only-audit-chain-key-not-secret"
AUDIT_CHAIN_KEYS: list[tuple[str, str]] = [
    (key_id.strip(), secret.strip())
    for key_id, _, secret in (
        item.partition(":")
        for item in env.list(
            "AUDIT_CHAIN_KEYS", default=[] if IS_PRODUCTION else [f"dev:{AUDIT_CHAIN_DEV_KEY}"]
        )
    )
]
# AUD-1: the chain head (entry id, hash) is anchored outside the database this often, appended to a file in
# this directory (the backup location, kept off the database host) and written to the log.
AUDIT_ANCHOR_DIR = Path(env.str("AUDIT_ANCHOR_DIR", default=str(OPS_BACKUP_DIR / "audit-anchors")))
AUDIT_ANCHOR_INTERVAL_SECONDS = env.int("AUDIT_ANCHOR_INTERVAL_SECONDS", default=300)
# AUD-1 (issue 26): writers append without a lock; the sealer chains committed entries this often (and
# when nudged after a commit), at most this many per transaction.
AUDIT_SEAL_INTERVAL_SECONDS = env.int("AUDIT_SEAL_INTERVAL_SECONDS", default=5)
AUDIT_SEAL_BATCH = env.int("AUDIT_SEAL_BATCH", default=1000)
# After a commit that wrote audit entries, nudge the sealer (at most once a second). Off only where a caller
# seals on its own schedule, as beat does: the simulator seals once per simulated tick (decision 050).
AUDIT_SEAL_NUDGE = env.bool("AUDIT_SEAL_NUDGE", default=True)
CELERY_BEAT_SCHEDULE["audit.seal"] = {
    "task": "audit.seal",
    "schedule": timedelta(seconds=AUDIT_SEAL_INTERVAL_SECONDS),
    "options": {"expires": AUDIT_SEAL_INTERVAL_SECONDS},
}
CELERY_BEAT_SCHEDULE["audit.anchor-head"] = {
    "task": "audit.anchor_head",
    "schedule": timedelta(seconds=AUDIT_ANCHOR_INTERVAL_SECONDS),
}

# REP-4, AUD-4: exports and reports (platform_core.reports)
REPORTS_EXPORT_DIR = Path(env.str("REPORTS_EXPORT_DIR", default=str(VAR_DIR / "exports")))
REPORTS_CHUNK_SIZE = env.int("REPORTS_CHUNK_SIZE", default=2000)  # rows per database fetch when streaming
REPORTS_PDF_MAX_ROWS = env.int("REPORTS_PDF_MAX_ROWS", default=2000)  # rows a PDF report shows at most
# AUD-3 (issue 21, decision 042): PDFs embed a subset of this TrueType-outline CJK font (a .ttf, or a .ttc with
# PDF_CJK_FONT_INDEX naming its face). Default: the first of Debian's free TrueType CJK fonts installed.
PDF_CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (Apache-2.0): .ci/run, Dockerfile
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
PDF_CJK_FONT_PATH = env.str(
    "PDF_CJK_FONT_PATH", default=next((p for p in PDF_CJK_FONT_CANDIDATES if Path(p).is_file()), "")
)
PDF_CJK_FONT_INDEX = env.int("PDF_CJK_FONT_INDEX", default=0)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
DATABASE_ROUTERS = ["platform_core.operations.db_router.ReportReplicaRouter"]
CELERY_BEAT_SCHEDULE.update(
    {
        "operations.beat-heartbeat": {
            "task": "operations.beat_heartbeat",
            "schedule": timedelta(seconds=30),
            "options": {"expires": 30},
        },
        "operations.verify-integrity": {
            "task": "operations.verify_integrity",
            "schedule": timedelta(hours=1),
        },
        "operations.backup": {"task": "operations.backup", "schedule": crontab(hour=3, minute=0)},
        "operations.restore-rehearsal": {
            "task": "operations.restore_rehearsal",
            "schedule": crontab(hour=4, minute=30, day_of_week="sun"),
        },
    }
)

# SEC-5: a content security policy for the merchant dashboard and the admin (issue 20): no inline code,
# nothing from other hosts. Django's admin templates load their scripts from files, so it renders under it.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- production hardening (SEC-5) -------------------------------------------------------------------

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]  # probes speak plain HTTP
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"


# The platform rule defaults (rules.md numbers) are declared in their own module of this package.
from platform_core.settings.rules import *  # noqa: E402, F403
