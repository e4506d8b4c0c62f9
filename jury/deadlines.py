"""What happens when the jury's clock runs out (OPS-1); the engine calls it with the dispute locked."""

from disputes.models import Dispute
from jury import services
from jury.clocks import RULE_VERDICT_DUE
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    RULE_VERDICT_DUE,
    description="DSP-6: jurors vote within 48 hours; then the majority decides, or the committee if <7 voted",
)
def verdict_due(dispute: Dispute) -> None:
    services.jury_vote_close(dispute=dispute)
