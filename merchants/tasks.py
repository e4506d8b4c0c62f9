"""Celery entry points for the merchant's standing (REP-3, VIO-6). Each is idempotent."""

from datetime import date, timedelta

from celery import shared_task

from merchants.models import Merchant, MerchantCreditSnapshot
from merchants.services.credit import credit_snapshots_prune, merchant_credit_recompute
from merchants.services.kpis import merchant_kpis_compute
from platform_core import clock

#: Credit and KPIs are kept for merchants that can still trade.
STANDING_STATUSES = (Merchant.Status.ACTIVE, Merchant.Status.RESTRICTED, Merchant.Status.SUSPENDED)


@shared_task(name="merchants.recompute_credit")
def recompute_credit_task(merchant_id: int | None = None) -> int:
    """REP-3: one merchant now (after a significant event), or every trading merchant (nightly beat,
    once a day each; snapshots past the 12-month history are pruned). Returns how many were computed."""
    if merchant_id is not None:
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None:
            return 0
        merchant_credit_recompute(merchant=merchant, trigger=MerchantCreditSnapshot.Trigger.EVENT)
        return 1
    count = 0
    for merchant in Merchant.objects.filter(status__in=STANDING_STATUSES).order_by("pk").iterator():
        merchant_credit_recompute(merchant=merchant, trigger=MerchantCreditSnapshot.Trigger.NIGHTLY)
        count += 1
    credit_snapshots_prune()
    return count


@shared_task(name="merchants.compute_kpis")
def compute_kpis_task(day: str | None = None) -> int:
    """VIO-6: every trading merchant's rolling-30-day KPIs ending on ``day`` (ISO date; default
    yesterday, the last complete day). Rerunning a day records nothing twice."""
    target = date.fromisoformat(day) if day else clock.localdate() - timedelta(days=1)
    count = 0
    for merchant in Merchant.objects.filter(status__in=STANDING_STATUSES).order_by("pk").iterator():
        merchant_kpis_compute(merchant=merchant, day=target)
        count += 1
    return count
