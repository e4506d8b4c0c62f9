"""Celery entry points of the catalog (CAT-10). Each is safe to rerun."""

from celery import shared_task
from django.conf import settings

from catalog.services.rechecks import recheck_sample


@shared_task(name="catalog.recheck_sample")
def recheck_sample_task(size: int | None = None) -> int:
    """CAT-10 (weekly beat): a risk-weighted sample of listings on sale goes back into review.
    Returns how many re-checks were opened."""
    return len(recheck_sample(size=size or settings.CATALOG_RECHECK_SAMPLE_SIZE, actor=None))
