from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Simulated merchants upload qualification documents; keep them out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
