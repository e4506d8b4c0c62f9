from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Uploads land in a temporary MEDIA_ROOT, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
