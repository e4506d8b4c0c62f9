"""Listings: review and takedown (CAT-2, CAT-4, CAT-7, CAT-9 four eyes, MER-7 documents)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.clocks import REVIEW_RULE
from catalog.models import Category, Listing, ListingAssist, ListingVersion, Sku
from catalog.services._common import (
    _notify_merchant,
    _notify_operations,
    _refresh_price_range,
    _require_perm,
    _version_snapshot,
    listing_lock,
)
from merchants.models import Merchant
from merchants.selectors.standing import category_required_document_kinds, merchant_valid_document_kinds
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet
from platform_core.errors import Conflict, Forbidden, InvalidInput


def _require_second_pair_of_eyes(listing: Listing, version: ListingVersion, actor: User | None) -> None:
    """CAT-9 (four eyes): whoever wrote the version under review, or assisted the listing for the
    partner merchant, may not approve it; a different staff member reviews."""
    if actor is None:
        return
    assisted = (
        ListingAssist.objects.filter(listing=listing, staff=actor)
        .exclude(action=ListingAssist.Action.STOCK_CONFIRMED)
        .exists()
    )
    if assisted or version.created_by_id == actor.pk:
        raise Forbidden(
            _(
                "You assisted with listing #%(id)s, so you may not approve it: another staff member must "
                "review it (four eyes, CAT-9)."
            )
            % {"id": listing.pk},
            code="four_eyes",
        )


def _version_under_review(listing: Listing, version_id: int | None) -> ListingVersion:
    """CAT-2, CAT-4: the version waiting for review of the locked ``listing``; with ``version_id``, only if
    it is still that one (a decision is about exactly the text the reviewer read: the merchant may have
    withdrawn it and submitted another meanwhile, or another reviewer decided first)."""
    version = listing.candidate_version
    if listing.status != Listing.Status.PENDING_REVIEW or version is None:
        raise Conflict(_("Nothing is waiting for review."), code="not_pending")
    if version_id is not None and version.pk != version_id:
        raise Conflict(
            _("This version is no longer the one waiting for review: the merchant submitted another."),
            code="version_changed",
        )
    return version


@transaction.atomic
def listing_approve(
    *, listing: Listing, actor: User, note: str = "", version_id: int | None = None
) -> Listing:
    """CAT-2, CAT-4: the reviewed version goes on sale (replacing the previous approved one); with
    ``version_id`` only if that is still the version waiting (the review page passes the one shown)."""
    _require_perm(actor, "catalog.review_listing")
    listing = listing_lock(listing_id=listing.pk)
    version = _version_under_review(listing, version_id)
    _require_second_pair_of_eyes(listing, version, actor)
    missing = _documents_missing(listing.merchant, version.category)
    if missing:
        # MER-7: a document the category needs expired while the listing waited for review
        raise Conflict(
            _(
                "The shop holds no valid %(kinds)s, which this category requires; "
                "it can go on sale once one is uploaded."
            )
            % {"kinds": ", ".join(missing)},
            code="documents_missing",
        )
    previous = listing.live_version
    if previous is not None:
        previous.status = ListingVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    for sku_id, price in version.proposed_prices.items():
        Sku.objects.filter(pk=int(sku_id), listing=listing).update(price=Decimal(price))
    # CAT-4: the prices on sale now are the ones the reviewer saw: the baseline of the next price review
    Sku.objects.filter(listing=listing).update(reviewed_price=F("price"))
    version.status = ListingVersion.Status.APPROVED
    version.reviewed_at, version.reviewer, version.review_note = clock.now(), actor, note
    version.save()
    listing.approve(version=version)
    _refresh_price_range(listing)
    listing.updated_at = clock.now()
    listing.save()
    deadline_meet(rule=REVIEW_RULE, subject=listing)
    audit_record(
        actor=actor,
        action="listing.approved",
        subject=listing,
        before=_version_snapshot(previous),
        after=_version_snapshot(version),
        reason=note,
    )
    _notify_merchant(listing, event="listing_approved", title=_("Listing approved"), body=version.title)
    return listing


@transaction.atomic
def listing_reject(
    *,
    listing: Listing,
    actor: User,
    reason: str = "",
    code: str = ListingVersion.RejectReason.OTHER,
    version_id: int | None = None,
) -> Listing:
    """CAT-2: the reviewer rejects the submitted version with a reason; a rejected re-review leaves the
    approved version on sale. With ``version_id`` only if that is still the version waiting.

    Issue 21 (decision 047): the reason is stored as ``code`` (``ListingVersion.RejectReason``) and the
    reviewer's details ``reason`` (required for "other"); each reader sees the code's label in their own
    language (``ListingVersion.review_feedback``)."""
    _require_perm(actor, "catalog.review_listing")
    if code not in ListingVersion.RejectReason.values:
        raise InvalidInput(_("Choose a reason."), errors={"code": [_("Choose a reason.")]})
    reason = reason.strip()
    if code == ListingVersion.RejectReason.OTHER and not reason:
        raise InvalidInput(_("A reason is required."), errors={"reason": [_("Required.")]})
    listing = listing_lock(listing_id=listing.pk)
    version = _version_under_review(listing, version_id)
    version.status = ListingVersion.Status.REJECTED
    version.reviewed_at, version.reviewer = clock.now(), actor
    version.reject_reason, version.review_note = code, reason
    version.save()
    listing.reject()
    listing.updated_at = clock.now()
    listing.save()
    deadline_meet(rule=REVIEW_RULE, subject=listing)
    audit_record(
        actor=actor,
        action="listing.rejected",
        subject=listing,
        after={"version": version.number, "reject_reason": code},
        reason=reason,
    )
    _notify_merchant(
        listing, event="listing_rejected", title=_("Listing rejected"), body=version.review_feedback
    )
    return listing


@transaction.atomic
def listing_delist(*, listing: Listing, actor: User | None, reason: str, source: str) -> Listing:
    """CAT-2: take an on-sale listing off sale — by the merchant, or by staff/the system with a reason
    (takedown, failed inspection, IP notice, expired document). A pending re-review is withdrawn."""
    if source not in Listing.DelistSource.values:
        raise ValueError(f"unknown delist source {source!r}")
    if source != Listing.DelistSource.MERCHANT:
        _require_perm(actor, "catalog.takedown_listing")
        if not reason.strip():
            raise InvalidInput(_("A reason is required."), errors={"reason": [_("Required.")]})
    listing = listing_lock(listing_id=listing.pk)
    pending = listing.candidate_version
    was_pending = listing.status == Listing.Status.PENDING_REVIEW
    listing.delist(source=source, reason=reason)
    if pending is not None and pending.status == ListingVersion.Status.PENDING:
        pending.status = ListingVersion.Status.WITHDRAWN
        pending.save(update_fields=["status"])
    if was_pending:
        deadline_cancel(rule=REVIEW_RULE, subject=listing, note="delisted")
    listing.updated_at = clock.now()
    listing.save()
    audit_record(
        actor=actor, action="listing.delisted", subject=listing, after={"source": source}, reason=reason
    )
    if source != Listing.DelistSource.MERCHANT:
        _notify_merchant(listing, event="listing_taken_down", title=_("Listing taken down"), body=reason)
    return listing


def listings_bulk_takedown(*, listing_ids: Iterable[int], actor: User, reason: str) -> list[Listing]:
    """CAT-2: staff take several listings down with one reason; each is its own transaction and audit
    entry, and listings not on sale are skipped."""
    done = []
    for listing_id in sorted(set(listing_ids)):
        listing = Listing.objects.filter(pk=listing_id).only("on_sale").first()
        if listing is not None and listing.on_sale:
            done.append(listing_delist(listing=listing, actor=actor, reason=reason, source="staff"))
    return done


@transaction.atomic
def listing_restore(*, listing: Listing, actor: User | None, reason: str) -> Listing:
    """CAT-7: an IP takedown that was not upheld ends; the approved version is back on sale."""
    _require_perm(actor, "catalog.takedown_listing")
    listing = listing_lock(listing_id=listing.pk)
    missing = _documents_missing(listing.merchant, listing.category)
    if missing:
        # MER-7: the takedown ends, but a document the category needs has expired meanwhile: the listing
        # stays down, now for that reason, until the merchant uploads a valid one and relists it
        listing.delist_source = Listing.DelistSource.DOCUMENT_EXPIRED
        listing.delist_reason = _("Required document expired: %(kind)s") % {"kind": ", ".join(missing)}
        listing.updated_at = clock.now()
        listing.save(update_fields=["delist_source", "delist_reason", "updated_at"])
        audit_record(
            actor=actor, action="listing.restore_withheld", subject=listing, reason=listing.delist_reason
        )
        return listing
    listing.restore()
    listing.updated_at = clock.now()
    listing.save()
    audit_record(actor=actor, action="listing.restored", subject=listing, reason=reason)
    _notify_merchant(listing, event="listing_restored", title=_("Listing restored"), body=reason)
    return listing


@transaction.atomic
def review_overdue_escalate(*, listing: Listing) -> Listing:
    """CAT-4: the 24-hour review clock ran out: operations staff are told (the system acts, no actor)."""
    listing = listing_lock(listing_id=listing.pk)
    listing.review_escalated_at = clock.now()
    listing.save(update_fields=["review_escalated_at"])
    _notify_operations(
        event="listing_review_overdue",
        title=_("Listing review overdue"),
        body=_("Listing #%(id)s has waited more than 24 hours for review.") % {"id": listing.pk},
        subject=listing,
    )
    audit_record(actor=None, action="listing.review_escalated", subject=listing)
    return listing


def _documents_missing(merchant: Merchant, category: Category) -> list[str]:
    """MER-7: the document kinds ``category`` requires that ``merchant`` holds no valid document of."""
    valid = merchant_valid_document_kinds(merchant=merchant)
    return [kind for kind in category_required_document_kinds(category=category) if kind not in valid]


def listings_suspend_for_document(*, merchant: Merchant, document_kind: str, **_context: Any) -> None:
    """MER-7 (``merchants.services.document_expired_handlers``): a licence expired, so the
    merchant's on-sale listings in categories that require it come down."""
    listings = [
        listing
        for listing in Listing.objects.filter(merchant=merchant, on_sale=True).select_related(
            "category__parent"
        )
        if document_kind in category_required_document_kinds(category=listing.category)
    ]
    for listing in listings:
        listing_delist(
            listing=listing,
            actor=None,
            reason=_("Required document expired: %(kind)s") % {"kind": document_kind},
            source=Listing.DelistSource.DOCUMENT_EXPIRED,
        )
