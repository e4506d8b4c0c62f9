"""What happens when a field-work clock runs out (OPS-1); the engine calls these with the subject locked."""

from fieldwork import services
from fieldwork.clocks import RULE_SCHEDULE_WITHIN
from fieldwork.models import ServiceAssignment
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    RULE_SCHEDULE_WITHIN,
    description="ORD-9: a paid service order not scheduled within 48 hours escalates to the operations head",
)
def schedule_overdue(assignment: ServiceAssignment) -> None:
    services.assignment_schedule_overdue(assignment=assignment)
