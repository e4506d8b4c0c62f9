"""Re-checks of listings on sale (CAT-10): a scheduled, risk-weighted sample goes back into review; an
error found is corrected by the merchant within ``CATALOG_RECHECK_CORRECTION_WITHIN`` (3 days) or the
listing is taken off sale.

The correction counts when the merchant *submits* the corrected text (every submission goes
through ``catalog.services._common._submit``, which meets the clock): that is the merchant's part, done in
time; the corrected version is then reviewed like any other edit (CAT-2, CAT-4, 24 hours) while the
re-checked text stays on sale, and a rejected correction leaves the listing as a rejected re-review.
"""

import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.clocks import RECHECK_RULE
from catalog.models import Listing, ListingRecheck
from catalog.selectors import listing_visible_q
from catalog.services._common import _notify_merchant, _require_perm
from catalog.services.inspections import risk_weighted_sample
from catalog.services.review import listing_delist
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_start
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock

ACTIVE = (ListingRecheck.Status.OPEN, ListingRecheck.Status.ERROR_FOUND)


def _recheck_lock(recheck_id: int) -> ListingRecheck:
    return lock(ListingRecheck, recheck_id, missing=_("No such re-check."))


@transaction.atomic
def recheck_sample(
    *, size: int, actor: User | None = None, rng: random.Random | None = None
) -> list[ListingRecheck]:
    """CAT-10: open a re-check for ``size`` listings on sale, sampled at random weighted by risk like
    inspections (CAT-6: ``inspection_risk_factors``). A listing with a re-check still open or awaiting
    its correction is not sampled again. The weekly beat runs it as the system (``actor`` None)."""
    _require_perm(actor, "catalog.review_listing")
    if size <= 0:
        raise InvalidInput(_("Size must be positive."), errors={"size": [_("Must be ≥ 1.")]})
    candidates = list(
        Listing.objects.filter(listing_visible_q())
        .exclude(rechecks__status__in=ACTIVE)
        .select_related("merchant")
        .order_by("pk")
    )
    opened = ListingRecheck.objects.bulk_create(
        ListingRecheck(listing=listing, version_id=listing.live_version_id, risk_weight=weight)
        for listing, weight in risk_weighted_sample(candidates, size=size, rng=rng)
    )
    for recheck in opened:
        audit_record(
            actor=actor,
            action="listing_recheck.opened",
            subject=recheck.listing,
            after={"recheck": recheck.pk, "risk_weight": str(recheck.risk_weight)},
        )
    return opened


@transaction.atomic
def recheck_record_ok(*, recheck: ListingRecheck, actor: User, note: str = "") -> ListingRecheck:
    """CAT-10: the reviewer found nothing wrong with the listing on sale; the re-check closes."""
    _require_perm(actor, "catalog.review_listing")
    recheck = _recheck_lock(recheck.pk)
    if recheck.status != ListingRecheck.Status.OPEN:
        raise Conflict(_("This re-check is already recorded."), code="already_recorded")
    now = clock.now()
    recheck.status, recheck.reviewer, recheck.reviewed_at, recheck.closed_at = "ok", actor, now, now
    recheck.save()
    audit_record(
        actor=actor,
        action="listing_recheck.ok",
        subject=recheck.listing,
        after={"recheck": recheck.pk},
        reason=note,
    )
    return recheck


@transaction.atomic
def recheck_record_error(*, recheck: ListingRecheck, actor: User, note: str) -> ListingRecheck:
    """CAT-10: the reviewer found an error (the note says what): the merchant is told and has
    ``CATALOG_RECHECK_CORRECTION_WITHIN`` to submit a correction (``catalog.recheck_correction`` clock)."""
    _require_perm(actor, "catalog.review_listing")
    if not note.strip():
        raise InvalidInput(_("Say what is wrong."), errors={"note": [_("Required.")]})
    recheck = _recheck_lock(recheck.pk)
    if recheck.status != ListingRecheck.Status.OPEN:
        raise Conflict(_("This re-check is already recorded."), code="already_recorded")
    listing = recheck.listing
    if not listing.on_sale:
        raise Conflict(_("The listing is no longer on sale."), code="not_on_sale")
    now = clock.now()
    recheck.status = ListingRecheck.Status.ERROR_FOUND
    recheck.reviewer, recheck.reviewed_at, recheck.error_note = actor, now, note.strip()
    recheck.correction_due = now + settings.CATALOG_RECHECK_CORRECTION_WITHIN
    recheck.save()
    deadline_start(rule=RECHECK_RULE, subject=recheck, due_at=recheck.correction_due)
    audit_record(
        actor=actor,
        action="listing_recheck.error_found",
        subject=listing,
        after={"recheck": recheck.pk, "correction_due": recheck.correction_due.isoformat()},
        reason=recheck.error_note,
    )
    _notify_merchant(
        listing,
        event="listing_recheck_error",
        title=_("Correct your listing within %(days)d days")
        % {"days": settings.CATALOG_RECHECK_CORRECTION_WITHIN.days},
        body=_(
            "A re-check of listing #%(id)s found an error: %(note)s. Edit and submit the listing by "
            "%(due)s or it is taken off sale."
        )
        % {
            "id": listing.pk,
            "note": recheck.error_note,
            "due": timezone.localtime(recheck.correction_due).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return recheck


@transaction.atomic
def recheck_correction_overdue(*, recheck: ListingRecheck) -> ListingRecheck:
    """CAT-10 (``catalog.recheck_correction`` ran out): no correction was submitted in time, so the
    listing is taken off sale (source ``recheck``; the merchant is told by the takedown notice)."""
    recheck = _recheck_lock(recheck.pk)
    if recheck.status != ListingRecheck.Status.ERROR_FOUND:
        return recheck
    listing = recheck.listing
    if listing.on_sale:
        listing_delist(
            listing=listing,
            actor=None,
            reason=_("Re-check #%(id)s found an error that was not corrected in time: %(note)s")
            % {"id": recheck.pk, "note": recheck.error_note},
            source=Listing.DelistSource.RECHECK,
        )
    recheck.status, recheck.closed_at = ListingRecheck.Status.DELISTED, clock.now()
    recheck.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=None, action="listing_recheck.delisted", subject=listing, after={"recheck": recheck.pk}
    )
    return recheck
