"""Decision 026: the one clock and the sandbox test clock — off in production, shared, only forward,
staff with the permission only, audited; the admin page behind the second factor."""

import ast
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from platform_core import clock
from platform_core.audit.models import AuditEntry
from platform_core.sandbox.models import TestClock
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, StaffFactory
from tests.platform_core.sandbox.helpers import advance, clock_keeper
from tests.security.production import production_env, run

ROOT = Path(__file__).resolve().parents[3]
ADVANCE = "/api/v1/sandbox/clock/advance/"


@pytest.fixture
def clock_on(settings) -> None:
    settings.PLATFORM_TEST_CLOCK_ENABLED = True


# --- the clock ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clock_is_exactly_django_now_when_the_test_clock_is_off(settings) -> None:
    settings.PLATFORM_TEST_CLOCK_ENABLED = False
    TestClock.objects.create(pk=1, offset_seconds=3600)  # a row left from a demo: ignored
    with time_machine.travel(datetime(2026, 5, 1, 8, tzinfo=UTC), tick=False):
        assert clock.now() == timezone.now() == datetime(2026, 5, 1, 8, tzinfo=UTC)
        assert clock.offset() == timedelta(0)


@pytest.mark.django_db
def test_clock_adds_the_shared_offset_and_time_machine_still_moves_it(clock_on) -> None:
    TestClock.objects.create(pk=1, offset_seconds=7200)
    with time_machine.travel(datetime(2026, 5, 1, 8, tzinfo=UTC), tick=False) as traveller:
        assert clock.now() == datetime(2026, 5, 1, 10, tzinfo=UTC)
        traveller.move_to(datetime(2026, 5, 2, 8, tzinfo=UTC))
        assert clock.now() == datetime(2026, 5, 2, 10, tzinfo=UTC)
        assert clock.localdate().isoformat() == "2026-05-02"


@pytest.mark.django_db
def test_clock_another_process_sees_an_advance_within_the_cache_time(clock_on, settings) -> None:
    settings.PLATFORM_TEST_CLOCK_CACHE_SECONDS = 0.2
    assert clock.offset() == timedelta(0)
    TestClock.objects.create(pk=1, offset_seconds=600)  # another process (the web) advanced it
    time.sleep(0.25)
    assert clock.offset() == timedelta(seconds=600)


def _reads_of_the_time(tree: ast.AST) -> list[int]:
    """Lines reading the time directly: timezone.now (called or passed), a bare timezone.localdate() or
    localtime(), datetime.now/utcnow/today, date.today."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, name = node.value.id, node.attr
            if (owner, name) in {("timezone", "now"), ("datetime", "now"), ("datetime", "utcnow")}:
                found.append(node.lineno)
            if (owner, name) in {("date", "today"), ("datetime", "today")}:
                found.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and not node.args
            and not node.keywords
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "timezone"
            and node.func.attr in ("localdate", "localtime")
        ):
            found.append(node.lineno)
    return sorted(found)


def test_clock_every_production_read_of_the_time_goes_through_the_clock() -> None:
    """Issue 24: no production module reads the time but through platform_core.clock (its ``real_now`` is
    the one sanctioned reading of the real time); tests may (time-machine moves both)."""
    skip = {".venv", "var", "tests", "migrations", "bench", ".git", "node_modules"}
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if skip & set(rel.parts) or rel.as_posix() == "platform_core/clock.py":
            continue
        if rel.as_posix().startswith("simulation/fakes/"):  # the outside world's clock (pyproject: TID251)
            continue
        lines = _reads_of_the_time(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{rel}:{line}" for line in lines]
    assert offenders == [], "read the time through platform_core.clock: " + ", ".join(offenders)


def test_clock_the_scan_finds_a_direct_read() -> None:
    """The scan above can fail."""
    source = "from django.utils import timezone\nx = timezone.now()\ny = timezone.localdate()\nz = timezone.localdate(x)\n"
    assert _reads_of_the_time(ast.parse(source)) == [2, 3]


# --- the sandbox clock's API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_sandbox_clock_advance_moves_the_platforms_time_forward_and_is_audited(clock_on) -> None:
    keeper = clock_keeper()
    before = clock.now()
    result = advance(72, by=keeper)
    assert result["offset_seconds"] >= 72 * 3600
    assert clock.now() - before >= timedelta(hours=72)
    assert datetime.fromisoformat(result["now"]) - datetime.fromisoformat(result["before"]) >= timedelta(
        hours=72
    )
    entry = AuditEntry.objects.get(action="sandbox.clock_advanced")
    assert entry.actor_id == keeper.pk
    assert entry.after is not None and entry.after["hours"] == 72
    seen = client_for(keeper).get("/api/v1/sandbox/clock/").json()
    assert seen["enabled"] is True and seen["offset_seconds"] == result["offset_seconds"]


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [0, -5, "x"])
def test_sandbox_clock_never_goes_back(clock_on, hours) -> None:
    keeper = clock_keeper()
    advance(10, by=keeper)
    offset = TestClock.objects.get().offset_seconds
    response = client_for(keeper).post(ADVANCE, {"hours": hours}, format="json")
    assert response.status_code == 400, response.content
    assert "hours" in response.json()["errors"]
    assert TestClock.objects.get().offset_seconds == offset


@pytest.mark.django_db
def test_sandbox_clock_advance_needs_the_permission(clock_on, api_client) -> None:
    assert api_client.post(ADVANCE, {"hours": 1}, format="json").status_code == 401
    for user in (CustomerFactory(), StaffFactory()):
        response = client_for(user).post(ADVANCE, {"hours": 1}, format="json")
        assert response.status_code == 403, response.content
    assert not TestClock.objects.exists()


@pytest.mark.django_db
def test_sandbox_clock_advance_is_refused_where_the_clock_is_off(settings) -> None:
    settings.PLATFORM_TEST_CLOCK_ENABLED = False
    response = client_for(clock_keeper()).post(ADVANCE, {"hours": 1}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "test_clock_disabled"


# --- the admin page ------------------------------------------------------------------------------------


def _token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.django_db
def test_sandbox_clock_admin_page_advances_after_the_second_factor(clock_on, settings) -> None:
    settings.STAFF_REQUIRE_OTP = True
    keeper = clock_keeper()
    device = TOTPDevice.objects.create(user=keeper, name="phone", confirmed=True)
    page = "/admin/sandbox/testclock/"
    client = Client()
    client.force_login(keeper)  # a password alone: the admin is closed
    assert client.get(page).status_code == 302
    client = Client()
    signed_in = client.post(
        "/admin/login/",
        {
            "username": keeper.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _token(device),
        },
    )
    assert signed_in.status_code == 302, signed_in.content[:1000]
    assert client.get(page).status_code == 200
    response = client.post(page, {"hours": "48"})
    assert response.status_code == 302, response.content[:1000]
    assert TestClock.objects.get().offset_seconds >= 48 * 3600
    assert AuditEntry.objects.filter(action="sandbox.clock_advanced", actor_id=keeper.pk).exists()


@pytest.mark.django_db
def test_sandbox_clock_admin_page_refused_without_the_permission(clock_on, settings) -> None:
    settings.STAFF_REQUIRE_OTP = False
    client = Client()
    client.force_login(StaffFactory())
    assert client.get("/admin/sandbox/testclock/").status_code == 403
    assert client.post("/admin/sandbox/testclock/", {"hours": "48"}).status_code == 403
    assert not TestClock.objects.exists()


# --- production ----------------------------------------------------------------------------------------


def test_sandbox_clock_production_check_fails_when_the_clock_is_enabled() -> None:
    result = run(["manage.py", "check", "--deploy"], env=production_env(PLATFORM_TEST_CLOCK_ENABLED="true"))
    assert result.returncode != 0
    assert "platform.E105" in result.stdout + result.stderr


def test_sandbox_clock_production_has_no_sandbox_routes() -> None:
    code = (
        "import django; django.setup()\n"
        "from django.urls import Resolver404, resolve\n"
        "for path in ('/api/v1/sandbox/clock/advance/', '/api/v1/sandbox/clock/'):\n"
        "    try:\n"
        "        resolve(path)\n"
        "    except Resolver404:\n"
        "        print('absent', path)\n"
        "from django.contrib import admin\n"
        "from platform_core.sandbox.models import TestClock\n"
        "print('admin', admin.site.is_registered(TestClock))\n"
    )
    result = run(["-c", code], env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("absent") == 2, result.stdout + result.stderr
    assert "admin False" in result.stdout


def test_sandbox_clock_development_has_the_routes() -> None:
    """The production test above can fail: outside production the routes exist."""
    from django.urls import resolve

    assert not django_settings.IS_PRODUCTION
    assert resolve(ADVANCE).url_name == "sandbox-clock-advance"
