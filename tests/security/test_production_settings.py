"""SEC-3: staff log in with a second factor — the production settings turn the admin's OTP on by default.

The settings are evaluated in a fresh process (as a deployment would), with only the environment a
production deployment must provide; nothing the test process set can leak in.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'STAFF_REQUIRE_OTP': settings.STAFF_REQUIRE_OTP, 'DEBUG': settings.DEBUG}))"
)


def _settings_under(**env: str) -> dict[str, object]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"STAFF_REQUIRE_OTP", "DJANGO_ENV", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    parsed: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def test_sec_3_production_settings_require_admin_otp_by_default() -> None:
    production = _settings_under(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="test-" + "k3y-" * 16,
        DJANGO_ALLOWED_HOSTS="marketplace.example",
    )
    assert production == {"STAFF_REQUIRE_OTP": True, "DEBUG": False}


def test_sec_3_only_the_local_demo_runs_without_admin_otp() -> None:
    """The check above can tell: outside production (the demo) the default is off."""
    assert _settings_under(DJANGO_ENV="development")["STAFF_REQUIRE_OTP"] is False
