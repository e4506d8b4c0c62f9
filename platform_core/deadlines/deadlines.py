"""The engine's own rule: the canary, which proves deadlines are enforced end to end (OPS-1, OPS-5)."""

from django.contrib.contenttypes.models import ContentType

from platform_core import clock
from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from platform_core.deadlines.registry import deadline_rule

CANARY_RULE = "deadlines.canary"


@deadline_rule(CANARY_RULE, description="OPS-1, OPS-5: a probe deadline; its hit proves the sweep runs")
def canary_missed(canary: Canary) -> None:
    # The pending deadline being enforced is unique per (rule, subject) and locked by the engine.
    deadline = Deadline.objects.get(
        rule=CANARY_RULE,
        subject_type=ContentType.objects.get_for_model(Canary),
        subject_id=str(canary.pk),
        status=Deadline.Status.PENDING,
    )
    CanaryHit.objects.create(deadline=deadline, hit_at=clock.now())
