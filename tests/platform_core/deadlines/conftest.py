"""A test-only rule whose handler can be told to fail, to exercise retries and rollbacks."""

from collections.abc import Iterator

import pytest
from django.utils import timezone

from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from platform_core.deadlines.registry import deadline_rule

FLAKY_RULE = "tests.flaky"


class FlakyState:
    failures_left = 0
    calls = 0


@deadline_rule(FLAKY_RULE, description="test rule: fails while failures_left > 0")
def flaky_missed(canary: Canary) -> None:
    FlakyState.calls += 1
    deadline = Deadline.objects.get(rule=FLAKY_RULE, subject_id=str(canary.pk), status="pending")
    CanaryHit.objects.create(deadline=deadline, hit_at=timezone.now())  # must vanish if we raise
    if FlakyState.failures_left > 0:
        FlakyState.failures_left -= 1
        raise RuntimeError("carrier API down")


@pytest.fixture
def flaky() -> Iterator[type[FlakyState]]:
    FlakyState.failures_left, FlakyState.calls = 0, 0
    yield FlakyState
    FlakyState.failures_left, FlakyState.calls = 0, 0
