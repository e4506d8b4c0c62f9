from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from platform_core.accounts.models import User
from tests.factories.reports import auditor_factory


@pytest.fixture(autouse=True)
def _export_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.REPORTS_EXPORT_DIR = tmp_path / "exports"
    return settings.REPORTS_EXPORT_DIR


@pytest.fixture
def report_auditor(db: None) -> User:
    return auditor_factory()
