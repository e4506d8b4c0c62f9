"""Shared fixtures: API clients per role, query budgets, the real Celery worker, backend-aware skips."""

from collections.abc import Iterable, Iterator
from pathlib import Path

import pgtrigger
import pytest
from django.conf import settings
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.celery import app as celery_app
from platform_core.settings import LANGUAGE_CODE as PLATFORM_LANGUAGE_CODE
from tests.factories.accounts import CustomerFactory, StaffFactory, UserFactory
from tests.helpers.queries import assert_max_queries  # noqa: F401  (re-exported for tests)
from tests.helpers.reference_data import ensure_reference_data
from tests.helpers.xdist import isolate_worker_redis

pytest_plugins = ["tests.helpers.celery_worker"]


def pytest_configure(config: pytest.Config) -> None:
    """Factories hash a password for every user: a cheap hasher keeps that from dominating the suite.

    Production keeps PBKDF2/scrypt (``DJANGO_PASSWORD_HASHERS``); nothing here tests the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _flush_may_truncate_the_audit_log()
    # under pytest-xdist each worker has its own test database (pytest-django) and Redis database (this)
    isolate_worker_redis()


def _flush_may_truncate_the_audit_log() -> None:
    """AUD-1: a statement-level trigger refuses TRUNCATE of the audit log. A transactional test ends by
    flushing every table (one TRUNCATE): that flush, and only it, passes the trigger (pgtrigger's ignore)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: Iterable[str]) -> None:
        with pgtrigger.ignore("audit.AuditEntry:no_truncate", databases=[self.connection.alias]):
            original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL or Redis are skipped, with the reason, when the environment lacks them."""
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI always does)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://… (CI always does)")
    for item in items:
        if ("postgres" in item.keywords or "celery_worker" in item.keywords) and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if ("redis" in item.keywords or "celery_worker" in item.keywords) and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests run after a flush that removed the data-migration rows: put them back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _test_clock_offset_forgotten() -> Iterator[None]:
    """Decision 026: a test that advanced the test clock rolled its row back; the process forgets it."""
    clock.offset_forget()
    yield
    clock.offset_forget()


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """Tasks run in-process unless a test starts the real worker (``celery_worker`` fixture)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _no_lockouts_or_throttles(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.AXES_ENABLED = False  # tests that exercise lockout turn it back on
    rates = {"anon": "100000/min", "user": "100000/min", "login": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF binds THROTTLE_RATES to the class when it is imported, so the setting above does not reach it:
    # without this, sign-ins of unrelated tests on one worker add up to the real 20/min login rate (429).
    # Tests of the throttles set their own rate on the class (monkeypatch).
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.API_CALLBACK_REJECTIONS_PER_MINUTE = 100000  # rejected provider callbacks (issue 26)


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path: Path) -> None:
    """Uploads (qualification documents, listing images, message attachments, contracts) land in the test's
    own temporary MEDIA_ROOT, never in var/media, and no two tests (or xdist workers) share one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # AUD-1: the chain head's anchors too (the development ones under var/ name another database's entries)
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture(autouse=True)
def _english_by_default(settings: Settings) -> None:
    """Tests read in English. The platform's default language is Simplified Chinese: requests without a
    language cookie or Accept-Language, and notifications and errors made outside a request, would be
    Chinese. Tests that check the Chinese texts use ``platform_default_language``."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def platform_default_language(settings: Settings) -> str:
    """The platform's real default language (Simplified Chinese) instead of the suite's English."""
    settings.LANGUAGE_CODE = PLATFORM_LANGUAGE_CODE
    return PLATFORM_LANGUAGE_CODE


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def customer(db: None) -> User:
    return CustomerFactory()


@pytest.fixture
def customer_client(customer: User) -> APIClient:
    return client_for(customer)


@pytest.fixture
def other_customer_client(db: None) -> APIClient:
    return client_for(CustomerFactory())


@pytest.fixture
def staff_user(db: None) -> User:
    return StaffFactory(role=Role.STAFF_OPERATIONS)


@pytest.fixture
def staff_client(staff_user: User) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def auditor(db: None) -> User:
    return UserFactory(role=Role.AUDITOR, is_staff=True)
