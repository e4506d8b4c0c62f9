"""REP-3: the merchant's credit score. The figures behind it come from
``merchants.selectors.figures.rating_sources`` and ``kpi_sources``.
"""

from datetime import datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from merchants.models import Merchant, MerchantCreditSnapshot
from merchants.policies import credit_policy
from merchants.selectors.credit import credit_compute, merchant_credit_inputs
from merchants.services.lifecycle import merchant_lock
from platform_core.audit.services import audit_record


def _credit_refresh_on_commit(merchant: Merchant) -> None:
    """REP-3: a significant event: recompute the merchant's credit once the change is committed.

    Robust: a broker outage is logged, not raised after the commit; the nightly run catches up.
    """
    transaction.on_commit(partial(_credit_refresh, merchant.pk), robust=True)


def _credit_refresh(merchant_id: int) -> None:
    from merchants.tasks import recompute_credit_task  # the tasks module imports this one

    recompute_credit_task.delay(merchant_id=merchant_id)


@transaction.atomic
def merchant_credit_recompute(
    *, merchant: Merchant, trigger: str = MerchantCreditSnapshot.Trigger.EVENT
) -> MerchantCreditSnapshot:
    """REP-3: compute score, grade and components (docs/credit-formula.md), keep them as a snapshot and
    on the merchant. The nightly run computes each merchant once a day (idempotent)."""
    now = timezone.now()
    if trigger == MerchantCreditSnapshot.Trigger.NIGHTLY:
        start_of_day = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        done = MerchantCreditSnapshot.objects.filter(
            merchant=merchant, trigger=trigger, computed_at__gte=start_of_day
        ).first()
        if done is not None:
            return done
    result = credit_compute(**merchant_credit_inputs(merchant=merchant, at=now))
    merchant = merchant_lock(merchant_id=merchant.pk)
    snapshot = MerchantCreditSnapshot.objects.create(
        merchant=merchant,
        computed_at=now,
        score=result["score"],
        grade=result["grade"],
        components=result["components"],
        trigger=trigger,
    )
    before = merchant.credit_grade
    merchant.credit_score, merchant.credit_grade = result["score"], result["grade"]
    merchant.save(update_fields=["credit_score", "credit_grade"])
    if before != result["grade"]:
        audit_record(
            actor=None,
            action="merchant.credit_grade_changed",
            subject=merchant,
            before={"grade": before},
            after={"grade": result["grade"], "score": result["score"]},
        )
    return snapshot


@transaction.atomic
def credit_snapshots_prune() -> int:
    """REP-3: snapshots older than the published 12-month history are removed; returns how many."""
    cutoff = timezone.now() - timedelta(days=credit_policy().history_days)
    deleted, _rows = MerchantCreditSnapshot.objects.filter(computed_at__lt=cutoff).delete()
    return deleted
