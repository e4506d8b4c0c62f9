"""SEC-5: production settings pass ``manage.py check --deploy`` with no warnings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        # the browser tests allow async-unsafe calls in this process; a deployment never would
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sec_5_production_settings_pass_check_deploy() -> None:
    result = _check_deploy(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="test-" + "k3y-" * 16,
        DJANGO_ALLOWED_HOSTS="marketplace.example",
        AUDIT_CHAIN_KEYS="2026a:" + "audit-chain-test-key-" * 3,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sec_5_development_settings_would_fail_it() -> None:
    """The check can fail: DEBUG on and no HTTPS settings are reported outside production."""
    result = _check_deploy(DJANGO_ENV="development")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG is on
