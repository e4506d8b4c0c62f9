"""Beat tasks of the audit log (AUD-1)."""

from typing import Any

from celery import shared_task

from platform_core.audit.services import audit_anchor_write, audit_seal


@shared_task(name="audit.anchor_head", ignore_result=True)
def anchor_head_task() -> dict[str, Any] | None:
    """AUD-1: anchor the chain head outside the database (file under AUDIT_ANCHOR_DIR and the log)."""
    return audit_anchor_write()


@shared_task(name="audit.seal", ignore_result=True)
def seal_task() -> int:
    """AUD-1: chain the committed entries not sealed yet (beat, and nudged after each writing commit)."""
    return audit_seal()
