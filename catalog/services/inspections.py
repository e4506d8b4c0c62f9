"""Inspections (CAT-6): risk-weighted sampling and results; the ``inspection_risk_factors`` hook."""

import math
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Inspection, InspectionBatch, Listing
from catalog.selectors import listing_visible_q
from catalog.services._common import _require_perm
from catalog.services.review import listing_delist
from merchants.services.violations import violation_record
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.hooks import Hook
from platform_core.locking import lock
from platform_core.uploads import evidence_store

RiskFactor = Callable[[Sequence[Listing]], Mapping[int, float]]


inspection_risk_factors = Hook[RiskFactor](
    "catalog.inspection_risk_factors",
    doc=(
        "CAT-6: `factor(listings) -> {listing id: multiplier}` over a batch of candidate listings "
        "(merchant joined) for inspection sampling; a listing a factor leaves out counts as x1. Catalog's "
        "own factors are the merchant's age and credit grade; after-sales adds recent complaints (CMP-3)."
    ),
)


def new_merchant_risk(listings: Sequence[Listing]) -> dict[int, float]:
    """CAT-6: listings of a merchant that joined in the last ``CATALOG_NEW_MERCHANT_DAYS`` weigh more."""
    since = clock.now() - timedelta(days=settings.CATALOG_NEW_MERCHANT_DAYS)
    factor = settings.CATALOG_INSPECTION_NEW_MERCHANT_RISK
    return {listing.pk: factor for listing in listings if listing.merchant.created_at >= since}


def low_credit_risk(listings: Sequence[Listing]) -> dict[int, float]:
    """CAT-6, REP-3: listings of a merchant with a low credit grade weigh more (no grade yet: neutral)."""
    table = settings.CATALOG_INSPECTION_CREDIT_RISK
    return {
        listing.pk: table[listing.merchant.credit_grade]
        for listing in listings
        if listing.merchant.credit_grade in table
    }


def inspection_risk_weights(listings: Sequence[Listing]) -> dict[int, float]:
    """CAT-6: each listing's sampling weight: 1.0, times every registered factor's multiplier."""
    weights = {listing.pk: 1.0 for listing in listings}
    for factor in inspection_risk_factors:
        for listing_id, multiplier in factor(listings).items():
            if listing_id in weights:
                weights[listing_id] *= float(multiplier)
    return {listing_id: max(weight, 0.001) for listing_id, weight in weights.items()}


def _category_and_descendants(category: Category) -> list[int]:
    """The ids of ``category`` and every category below it in the tree (a handful of rows per level)."""
    ids, level = [category.pk], [category.pk]
    while level:
        level = list(Category.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids.extend(pk for pk in level if pk not in ids)
    return ids


@transaction.atomic
def inspection_batch_create(
    *,
    size: int,
    actor: User,
    note: str = "",
    rng: random.Random | None = None,
    category: Category | None = None,
    risk_weighted: bool = True,
) -> InspectionBatch:
    """CAT-6: sample ``size`` on-sale listings at random, weighted by risk (``risk_weighted_sample``) unless
    ``risk_weighted`` is off (uniform); only listings of ``category`` and the categories below it, if given."""
    _require_perm(actor, "catalog.inspect_listing")
    if size <= 0:
        raise InvalidInput(_("Size must be positive."), errors={"size": [_("Must be ≥ 1.")]})
    candidates_q = Listing.objects.filter(listing_visible_q())
    if category is not None:
        candidates_q = candidates_q.filter(category_id__in=_category_and_descendants(category))
    candidates = list(candidates_q.select_related("merchant").order_by("pk"))
    if not candidates:
        raise InvalidInput(
            _("No listing on sale matches: nothing to sample."),
            errors={"category": [_("No listing on sale.")]},
        )
    chosen = risk_weighted_sample(candidates, size=size, rng=rng, weighted=risk_weighted)
    batch = InspectionBatch.objects.create(created_by=actor, size=len(chosen), note=note)
    Inspection.objects.bulk_create(
        Inspection(batch=batch, listing=listing, risk_weight=weight) for listing, weight in chosen
    )
    audit_record(
        actor=actor,
        action="inspection_batch.created",
        subject=batch,
        after={
            "listings": [listing.pk for listing, _weight in chosen],
            "category": category.pk if category is not None else None,
            "risk_weighted": risk_weighted,
        },
        reason=note,
    )
    return batch


@transaction.atomic
def inspection_open_for_complaints(
    *, listing: Listing, complaints: int, actor: User | None
) -> Inspection | None:
    """CMP-3, CAT-6: ``complaints`` about ``listing`` within ``CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW``
    reached ``CATALOG_INSPECTION_COMPLAINT_TRIGGER``: open an inspection of that listing at once (a batch
    of one, trigger ``complaints``), for the inspectors' queue like a sampled one. Once per window: under
    the listing's lock, a complaint-triggered inspection of it opened within the window means none is
    opened again (``None``), however many complaints follow."""
    if complaints < settings.CATALOG_INSPECTION_COMPLAINT_TRIGGER:
        return None
    listing = lock(Listing, listing.pk)
    since = clock.now() - settings.CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW
    if Inspection.objects.filter(
        listing=listing, batch__trigger=InspectionBatch.Trigger.COMPLAINTS, batch__created_at__gte=since
    ).exists():
        return None
    note = _("%(count)s complaints about this listing within %(days)s days.") % {
        "count": complaints,
        "days": settings.CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW.days,
    }
    batch = InspectionBatch.objects.create(
        created_by=None, size=1, note=note[:500], trigger=InspectionBatch.Trigger.COMPLAINTS
    )
    inspection = Inspection.objects.create(batch=batch, listing=listing)
    audit_record(
        actor=actor,
        action="inspection_batch.created",
        subject=batch,
        after={"listings": [listing.pk], "trigger": batch.trigger, "complaints": complaints},
        reason=note,
    )
    return inspection


def risk_weighted_sample(
    candidates: Sequence[Listing], *, size: int, rng: random.Random | None = None, weighted: bool = True
) -> list[tuple[Listing, Decimal]]:
    """CAT-6, CAT-10: up to ``size`` of ``candidates`` (merchant joined), drawn at random without
    replacement, weighted by ``inspection_risk_weights`` (Efraimidis–Spirakis: each listing draws
    ``u ** (1 / weight)``; the largest keys win), or uniformly if not ``weighted``. Returns each chosen
    listing with its weight."""
    rng = rng or random.SystemRandom()
    weights = inspection_risk_weights(candidates) if weighted else {x.pk: 1.0 for x in candidates}
    keyed = []
    for listing in candidates:
        weight = weights[listing.pk]
        keyed.append((math.log(rng.random() or 1e-12) / weight, weight, listing))
    chosen = sorted(keyed, key=lambda k: k[0], reverse=True)[:size]
    return [(listing, Decimal(str(round(weight, 3)))) for _key, weight, listing in chosen]


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    result: str,
    evidence: dict[str, Any],
    actor: User,
    evidence_file: UploadedFile | None = None,
) -> Inspection:
    """CAT-6: record the inspection result; a failure delists the listing and records a violation
    (``failed_inspection``, source ``inspection``) against the merchant (VIO-1). A failure needs findings
    or a file; ``evidence_file`` (PDF, JPEG or PNG by content, SEC-4) is kept with the evidence."""
    _require_perm(actor, "catalog.inspect_listing")
    if result not in Inspection.Result.values:
        raise InvalidInput(_("Unknown result."), errors={"result": [_("pass or fail")]})
    if result == Inspection.Result.FAIL and not (evidence or evidence_file):
        raise InvalidInput(
            _("A failed inspection needs its findings or an evidence file."),
            errors={"findings": [_("Say what was found.")]},
        )
    locked = (
        Inspection.objects.select_for_update()
        .select_related("listing__merchant")
        .filter(pk=inspection.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("No such inspection."))
    inspection = locked
    if inspection.result:
        raise Conflict(_("This inspection is already recorded."), code="already_recorded")
    if evidence_file is not None:
        evidence = {
            **evidence,
            "file": evidence_store(
                evidence_file, folder="catalog/inspections", max_bytes=settings.STAFF_ATTACHMENT_MAX_BYTES
            ),
        }
    inspection.result, inspection.evidence = result, evidence
    inspection.inspector, inspection.inspected_at = actor, clock.now()
    inspection.save()
    audit_record(
        actor=actor,
        action="inspection.recorded",
        subject=inspection,
        after={"result": result, "evidence": evidence},
    )
    if result == Inspection.Result.FAIL:
        listing = inspection.listing
        if listing.on_sale:
            listing_delist(
                listing=listing,
                actor=actor,
                reason=_("Failed quality inspection #%(id)s") % {"id": inspection.pk},
                source=Listing.DelistSource.INSPECTION,
            )
        violation_record(
            merchant=listing.merchant,
            kind="failed_inspection",
            evidence={"inspection": inspection.pk, "listing": listing.pk, **evidence},
            source="inspection",
            actor=actor,
        )
    return inspection
