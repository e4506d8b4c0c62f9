"""The console's pages as an operator sees them: only the platform's own deadline rules (the deadline
tests register rules of their own, with English descriptions, for the whole session of a worker)."""

from collections.abc import Iterator

import pytest

from platform_core.deadlines import registry


@pytest.fixture(autouse=True)
def _platform_rules_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    own = {
        name: rule
        for name, rule in registry._RULES.items()
        if not rule.handler.__module__.startswith("tests.")
    }
    monkeypatch.setattr(registry, "_RULES", own)
    yield
