"""Writes to the catalog (CAT-1 … CAT-8). One transaction each; every state change is audited (AUD-1).

Reviewed content is copy-on-write (see ``catalog.models.Listing``): services never edit a submitted
``ListingVersion``; they write a new one and move the listing's pointers.
"""

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Max, Min, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Category,
    Favourite,
    Follow,
    Inspection,
    InspectionBatch,
    IpNotice,
    Listing,
    ListingAssist,
    ListingVersion,
    Sku,
)
from catalog.prescreen import Finding
from catalog.selectors import (
    listing_get_for_customer,
    listing_prescreen,
    listing_visible_q,
    merchant_get_followable,
)
from merchants.models import Merchant
from merchants.selectors import (
    category_required_document_kinds,
    merchant_may_list,
    merchant_valid_document_kinds,
)
from merchants.services import violation_record
from platform_core.accounts.models import BasicPermission, User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import basic_permission_require
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import (
    deadline_cancel,
    deadline_meet,
    deadline_restart,
    deadline_start,
)
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from platform_core.hooks import Hook
from platform_core.locking import lock, lock_many
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify

REVIEW_RULE = "catalog.listing_review"
IP_COUNTER_RULE = "catalog.ip_counter_notice_window"
STOCK_CONFIRM_RULE = "catalog.assisted_stock_confirm"

OPERATIONAL_FIELDS = ("service_area", "service_duration_minutes", "is_non_returnable")
TEXT_FIELDS = ("title", "description", "images")


# --- helpers ----------------------------------------------------------------------------------------------


def listing_lock(*, listing_id: int) -> Listing:
    return lock(Listing, listing_id, missing=_("No such listing."))


def _require_perm(actor: User | None, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise Forbidden(_("You lack the permission for this action."), code="permission_denied")


def _notify_merchant(listing: Listing, *, event: str, title: str, body: str) -> None:
    notify(recipient=listing.merchant.owner, event=event, title=title, body=body, subject=listing)


def _notify_operations(*, event: str, title: str, body: str, subject: Any) -> None:
    """CAT-4, CAT-9: tell the operations department (every active member of its role) about a listing
    that needs a person: an overdue review, an assisted listing's unconfirmed stock."""
    group = Group.objects.filter(name=Role.STAFF_OPERATIONS).first()
    for user in group.user_set.filter(is_active=True) if group else []:
        notify(recipient=user, event=event, title=title, body=body, subject=subject)


def _refresh_price_range(listing: Listing) -> None:
    agg = Sku.objects.filter(listing=listing, is_active=True).aggregate(lo=Min("price"), hi=Max("price"))
    listing.price_min, listing.price_max = agg["lo"], agg["hi"]


def _version_snapshot(version: ListingVersion | None) -> dict[str, Any]:
    if version is None:
        return {}
    return {
        "title": version.title,
        "description": version.description,
        "images": version.images,
        "category": version.category_id,
        "price": [str(version.price_min), str(version.price_max)],
    }


def _changed_fields(new: ListingVersion, old: ListingVersion | None) -> list[str]:
    before, after = _version_snapshot(old), _version_snapshot(new)
    return [name for name in ListingVersion.REVIEWED_FIELDS if before.get(name) != after.get(name)]


def _new_version(listing: Listing, *, base: ListingVersion, actor: User | None) -> ListingVersion:
    number = (ListingVersion.objects.filter(listing=listing).aggregate(n=Max("number"))["n"] or 0) + 1
    return ListingVersion(
        listing=listing,
        number=number,
        category_id=base.category_id,
        title=base.title,
        description=base.description,
        images=list(base.images),
        price_min=base.price_min,
        price_max=base.price_max,
        created_by=actor,
    )


def _validate_images(images: Any) -> list[dict[str, str]]:
    if not isinstance(images, list) or not all(isinstance(i, dict) and i.get("url") for i in images):
        raise InvalidInput(
            _("Images must be a list of {url, alt}."), errors={"images": [_("Invalid images.")]}
        )
    return [{"url": str(i["url"]), "alt": str(i.get("alt", ""))} for i in images]


def _validate_kind(*, kind: str, category: Category, service_area: str, duration: int | None) -> None:
    if category.is_service and kind != Listing.Kind.SERVICE:
        raise InvalidInput(_("This category lists services."), errors={"kind": [_("Must be a service.")]})
    if not category.is_service and kind == Listing.Kind.SERVICE:
        raise InvalidInput(_("This category lists goods."), errors={"kind": [_("Must be a product.")]})


def _blocking_error(findings: Sequence[Finding]) -> InvalidInput:
    errors: dict[str, list[str]] = {}
    for f in findings:
        if f.severity == "hard":
            message = _("Banned term “%(phrase)s” in %(field)s: %(reason)s") % {
                "phrase": f.phrase,
                "field": f.field,
                "reason": f.reason,
            }
        else:
            message = _("%(field)s is required: %(reason)s") % {"field": f.field, "reason": f.reason}
        errors.setdefault(f.field, []).append(message)
    first = findings[0]
    detail = (
        _("The listing contains the banned term “%(phrase)s” in %(field)s.")
        % {"phrase": first.phrase, "field": first.field}
        if first.severity == "hard"
        else _("A required field is missing: %(field)s.") % {"field": first.field}
    )
    return InvalidInput(detail, code="prescreen_blocked", errors=errors)


def _prescreen_version(listing: Listing, version: ListingVersion) -> list[Finding]:
    prices = [Decimal(p) for p in version.proposed_prices.values()]
    prices += list(
        Sku.objects.filter(listing=listing, is_active=True)
        .exclude(pk__in=[int(k) for k in version.proposed_prices])
        .values_list("price", flat=True)
    )
    return listing_prescreen(
        title=version.title,
        description=version.description,
        image_alts=version.image_alts,
        images=version.images,
        category=version.category,
        prices=prices,
        require_prices=True,
        present={
            "service_area": listing.service_area,
            "service_duration_minutes": listing.service_duration_minutes,
        }
        | ({} if listing.is_service else {"service_area": "-", "service_duration_minutes": 1}),
    )


def _submit(listing: Listing, version: ListingVersion, *, actor: User | None, action: str) -> None:
    """CAT-2, CAT-3, CAT-4: pre-screen, check the merchant may list here, queue for review within 24 h."""
    required = ["service_area", "service_duration_minutes"] if listing.is_service else []
    findings = _prescreen_version(listing, version)
    findings += [
        Finding(phrase="", field=name, severity="missing", reason="required for services")
        for name in required
        if not getattr(listing, name) and not any(f.field == name for f in findings)
    ]
    blocking = [f for f in findings if f.blocks]
    if blocking:
        raise _blocking_error(blocking)
    allowed, reason = merchant_may_list(merchant=listing.merchant, category=version.category)
    if not allowed:
        raise Conflict(reason, code="merchant_may_not_list")
    version.findings = [f.as_dict() for f in findings]
    version.changed_fields = _changed_fields(version, listing.live_version)
    version.status = ListingVersion.Status.PENDING
    version.submitted_at = timezone.now()
    version.save()
    listing.candidate_version = version
    listing.updated_at = timezone.now()
    listing.save()
    deadline_start(rule=REVIEW_RULE, subject=listing, after=settings.CATALOG_REVIEW_WITHIN)
    audit_record(
        actor=actor,
        action=action,
        subject=listing,
        after={
            "version": version.number,
            "changed_fields": version.changed_fields,
            "findings": version.findings,
        },
    )


# --- listings: merchant side ------------------------------------------------------------------------------


@transaction.atomic
def listing_create(
    *,
    merchant: Merchant,
    category: Category,
    title: str,
    description: str = "",
    images: list[dict[str, str]] | None = None,
    skus: Sequence[dict[str, Any]] = (),
    kind: str = Listing.Kind.PRODUCT,
    service_area: str = "",
    service_duration_minutes: int | None = None,
    is_non_returnable: bool = False,
    actor: User | None,
) -> Listing:
    """CAT-1: a new draft listing with its first version and SKUs. Nothing is shown until reviewed."""
    _validate_kind(kind=kind, category=category, service_area=service_area, duration=service_duration_minutes)
    listing = Listing.objects.create(
        merchant=merchant,
        category=category,
        kind=kind,
        service_area=service_area,
        service_duration_minutes=service_duration_minutes,
        is_non_returnable=is_non_returnable,
    )
    codes = [str(s.get("code", "")) for s in skus]
    if len(set(codes)) != len(codes) or not all(codes):
        raise InvalidInput(
            _("SKU codes must be present and unique."), errors={"skus": [_("Duplicate code.")]}
        )
    for sku in skus:
        _sku_validate(price=sku.get("price"), stock=sku.get("stock", 0))
        Sku.objects.create(
            listing=listing,
            code=sku["code"],
            attributes=sku.get("attributes") or {},
            price=Decimal(str(sku["price"])),
            stock=int(sku.get("stock", 0)),
        )
    _refresh_price_range(listing)
    version = ListingVersion.objects.create(
        listing=listing,
        number=1,
        category=category,
        title=title,
        description=description,
        images=_validate_images(images or []),
        price_min=listing.price_min,
        price_max=listing.price_max,
        created_by=actor,
    )
    listing.candidate_version = version
    listing.save()
    audit_record(actor=actor, action="listing.created", subject=listing, after=_version_snapshot(version))
    return listing


@transaction.atomic
def listing_update(*, listing_id: int, actor: User | None, **changes: Any) -> Listing:
    """CAT-1, CAT-2: edit a listing. Reviewed fields (title, description, images, category) of an
    approved listing go to review in a new version while the approved one stays on sale; in a draft they
    are edited in place; after a rejection or delisting they start a new draft. Operational fields
    (service area and duration, non-returnable flag) apply at once."""
    unknown = set(changes) - {*TEXT_FIELDS, "category", *OPERATIONAL_FIELDS}
    if unknown:
        raise InvalidInput(_("Unknown fields."), errors={name: [_("Not editable.")] for name in unknown})
    listing = listing_lock(listing_id=listing_id)
    if listing.status == Listing.Status.PENDING_REVIEW:
        raise Conflict(_("The listing is under review; wait for the decision."), code="under_review")
    before: dict[str, Any] = {}
    for name in OPERATIONAL_FIELDS:
        if name in changes and getattr(listing, name) != changes[name]:
            before[name] = getattr(listing, name)
            setattr(listing, name, changes[name])
    if "images" in changes:
        changes["images"] = _validate_images(changes["images"])
    category = changes.get("category")
    if category is not None:
        _validate_kind(kind=listing.kind, category=category, service_area="", duration=None)

    base = listing.candidate_version or (
        listing.versions.order_by("-number").first()
        if listing.status == Listing.Status.REJECTED
        else listing.live_version
    )
    assert base is not None
    text_changes = {n: changes[n] for n in TEXT_FIELDS if n in changes and getattr(base, n) != changes[n]}
    if category is not None and category.pk != base.category_id:
        text_changes["category"] = category
    if text_changes:
        version = (
            base
            if base.status == ListingVersion.Status.DRAFT
            else _new_version(listing, base=base, actor=actor)
        )
        for name, value in text_changes.items():
            setattr(version, name, value)
        version.save()
        listing.candidate_version = version
    listing.updated_at = timezone.now()
    listing.save()
    audit_record(
        actor=actor,
        action="listing.updated",
        subject=listing,
        before=before | {n: _version_snapshot(base).get(n) for n in text_changes},
        after={n: getattr(listing, n) for n in before} | {n: str(v) for n, v in text_changes.items()},
    )
    if text_changes and listing.status == Listing.Status.APPROVED:
        assert listing.candidate_version is not None
        listing.revise()
        _submit(listing, listing.candidate_version, actor=actor, action="listing.revision_submitted")
    return listing


@transaction.atomic
def listing_submit(*, listing_id: int, actor: User | None) -> Listing:
    """CAT-2, CAT-3, CAT-4: send a draft, rejected or delisted listing to review (relisting is reviewed).

    A hard-banned term or a missing required field blocks with ``InvalidInput`` naming phrase and field;
    the merchant must be allowed to list in the category (``merchants.selectors.merchant_may_list``).
    """
    listing = listing_lock(listing_id=listing_id)
    version = listing.candidate_version
    if listing.status == Listing.Status.DELISTED:
        if version is None:
            assert listing.live_version is not None
            version = _new_version(listing, base=listing.live_version, actor=actor)
            version.save()
        listing.relist()
        action = "listing.relist_submitted"
    elif listing.status == Listing.Status.REJECTED and version is None:
        # resubmitting unchanged text after a rejection: a new version, so the decision history stays
        last = listing.versions.order_by("-number").first()
        assert last is not None
        version = _new_version(listing, base=last, actor=actor)
        version.save()
        listing.submit()
        action = "listing.submitted"
    else:
        listing.submit()  # TransitionNotAllowed (409) unless draft or rejected
        action = "listing.submitted"
    assert version is not None
    _submit(listing, version, actor=actor, action=action)
    return listing


# --- CAT-9: assisted listing (operations staff list on behalf of a partner merchant) ---------------------


def _assist_record(listing: Listing, *, staff: User, action: str, note: str) -> ListingAssist:
    step = ListingAssist.objects.create(listing=listing, staff=staff, action=action, note=note)
    if action != ListingAssist.Action.STOCK_CONFIRMED:
        listing.assisted_by, listing.assisted_at = staff, step.at
        listing.save(update_fields=["assisted_by", "assisted_at"])
    return step


@transaction.atomic
def listing_create_assisted(*, merchant: Merchant, staff: User, note: str = "", **fields: Any) -> Listing:
    """CAT-9: operations staff create a draft listing (text, images, SKUs) for a partner merchant.

    The listing is the merchant's, recorded as assisted by ``staff``; the partner is told and may
    correct it like any of its drafts. Its stock figures are the staff member's until the partner
    confirms them: the 7-day ``catalog.assisted_stock_confirm`` clock starts now.
    """
    _require_perm(staff, "catalog.assist_listing")
    if merchant.status in (Merchant.Status.CLOSED, Merchant.Status.BANNED):
        raise Conflict(_("This merchant no longer trades."), code="merchant_not_trading")
    listing = listing_create(merchant=merchant, actor=staff, **fields)
    listing = listing_lock(listing_id=listing.pk)
    _assist_record(listing, staff=staff, action=ListingAssist.Action.CREATED, note=note)
    deadline_start(
        rule=STOCK_CONFIRM_RULE, subject=listing, after=settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN
    )
    audit_record(
        actor=staff,
        action="listing.assisted_created",
        subject=listing,
        after={"merchant": merchant.pk, "assisted_by": staff.pk},
        reason=note,
    )
    _notify_merchant(
        listing,
        event="listing_assisted",
        title=_("Operations listed an offer for you"),
        body=_(
            "Listing #%(id)s was created for you by the platform's operations staff. Check its text and "
            "confirm its stock figures."
        )
        % {"id": listing.pk},
    )
    return listing


@transaction.atomic
def listing_update_assisted(*, listing_id: int, staff: User, note: str = "", **changes: Any) -> Listing:
    """CAT-9: operations staff edit a partner's listing for it (the normal edit rules apply: a reviewed
    field of an approved listing goes back to review). Recorded as assisted; the partner is told."""
    _require_perm(staff, "catalog.assist_listing")
    listing_lock(listing_id=listing_id)
    listing = listing_update(listing_id=listing_id, actor=staff, **changes)
    _assist_record(listing, staff=staff, action=ListingAssist.Action.EDITED, note=note)
    audit_record(
        actor=staff,
        action="listing.assisted_edited",
        subject=listing,
        after={"fields": sorted(changes), "assisted_by": staff.pk},
        reason=note,
    )
    _notify_merchant(
        listing,
        event="listing_assisted",
        title=_("Operations edited your listing"),
        body=_("Listing #%(id)s was edited for you by the platform's operations staff.") % {"id": listing.pk},
    )
    return listing


def _stock_confirmed(listing: Listing, *, actor: User | None) -> None:
    """CAT-9: the listing's stock figures were confirmed now (the listing row is locked by the caller).
    On an assisted listing the 7-day clock starts again and any open prompt is settled."""
    now = timezone.now()
    listing.stock_confirmed_at, listing.stock_prompted_at = now, None
    listing.save(update_fields=["stock_confirmed_at", "stock_prompted_at"])
    if listing.is_assisted:
        deadline_restart(
            rule=STOCK_CONFIRM_RULE, subject=listing, after=settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN
        )
        audit_record(actor=actor, action="listing.stock_confirmed", subject=listing, after={"at": str(now)})


@transaction.atomic
def listing_stock_confirm(
    *, listing_id: int, actor: User, merchant: Merchant | None = None, note: str = ""
) -> Listing:
    """CAT-9: the partner confirms its listing's stock figures as they stand (``merchant`` given; another
    merchant's listing is ``NotFound``), or operations staff confirm them after checking with the partner
    (``catalog.assist_listing``; recorded as an assisting step)."""
    if merchant is None:
        _require_perm(actor, "catalog.assist_listing")
    listing = listing_lock(listing_id=listing_id)
    if merchant is not None and listing.merchant_id != merchant.pk:
        raise NotFound(_("No such listing."))
    if merchant is None:
        _assist_record(listing, staff=actor, action=ListingAssist.Action.STOCK_CONFIRMED, note=note)
    _stock_confirmed(listing, actor=actor)
    return listing


@transaction.atomic
def assisted_stock_prompt(*, listing_id: int) -> Listing:
    """CAT-9: an assisted listing's stock went 7 days unconfirmed: operations are prompted to check with
    the partner (the system acts, no actor); the listing waits in the operations work queue."""
    listing = listing_lock(listing_id=listing_id)
    listing.stock_prompted_at = timezone.now()
    listing.save(update_fields=["stock_prompted_at"])
    _notify_operations(
        event="assisted_stock_unconfirmed",
        title=_("Assisted listing: stock not confirmed"),
        body=_(
            "The stock figures of assisted listing #%(id)s (%(merchant)s) have not been confirmed for "
            "%(days)s days. Check them with the partner."
        )
        % {
            "id": listing.pk,
            "merchant": listing.merchant.name,
            "days": settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN.days,
        },
        subject=listing,
    )
    audit_record(actor=None, action="listing.stock_check_prompted", subject=listing)
    return listing


# --- listings: review and takedown ------------------------------------------------------------------------


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


@transaction.atomic
def listing_approve(*, listing_id: int, actor: User, note: str = "") -> Listing:
    """CAT-2, CAT-4: the reviewed version goes on sale (replacing the previous approved one)."""
    _require_perm(actor, "catalog.review_listing")
    listing = listing_lock(listing_id=listing_id)
    version = listing.candidate_version
    if listing.status != Listing.Status.PENDING_REVIEW or version is None:
        raise Conflict(_("Nothing is waiting for review."), code="not_pending")
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
    version.status = ListingVersion.Status.APPROVED
    version.reviewed_at, version.reviewer, version.review_note = timezone.now(), actor, note
    version.save()
    listing.approve(version=version)
    _refresh_price_range(listing)
    listing.updated_at = timezone.now()
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
def listing_reject(*, listing_id: int, actor: User, reason: str) -> Listing:
    """CAT-2: the reviewer rejects the submitted version with a reason; a rejected re-review leaves the
    approved version on sale."""
    _require_perm(actor, "catalog.review_listing")
    if not reason.strip():
        raise InvalidInput(_("A reason is required."), errors={"reason": [_("Required.")]})
    listing = listing_lock(listing_id=listing_id)
    version = listing.candidate_version
    if listing.status != Listing.Status.PENDING_REVIEW or version is None:
        raise Conflict(_("Nothing is waiting for review."), code="not_pending")
    version.status = ListingVersion.Status.REJECTED
    version.reviewed_at, version.reviewer, version.review_note = timezone.now(), actor, reason
    version.save()
    listing.reject()
    listing.updated_at = timezone.now()
    listing.save()
    deadline_meet(rule=REVIEW_RULE, subject=listing)
    audit_record(
        actor=actor,
        action="listing.rejected",
        subject=listing,
        after={"version": version.number},
        reason=reason,
    )
    _notify_merchant(listing, event="listing_rejected", title=_("Listing rejected"), body=reason)
    return listing


@transaction.atomic
def listing_delist(*, listing_id: int, actor: User | None, reason: str, source: str) -> Listing:
    """CAT-2: take an on-sale listing off sale — by the merchant, or by staff/the system with a reason
    (takedown, failed inspection, IP notice, expired document). A pending re-review is withdrawn."""
    if source not in Listing.DelistSource.values:
        raise ValueError(f"unknown delist source {source!r}")
    if source != Listing.DelistSource.MERCHANT:
        _require_perm(actor, "catalog.takedown_listing")
        if not reason.strip():
            raise InvalidInput(_("A reason is required."), errors={"reason": [_("Required.")]})
    listing = listing_lock(listing_id=listing_id)
    pending = listing.candidate_version
    was_pending = listing.status == Listing.Status.PENDING_REVIEW
    listing.delist(source=source, reason=reason)
    if pending is not None and pending.status == ListingVersion.Status.PENDING:
        pending.status = ListingVersion.Status.WITHDRAWN
        pending.save(update_fields=["status"])
    if was_pending:
        deadline_cancel(rule=REVIEW_RULE, subject=listing, note="delisted")
    listing.updated_at = timezone.now()
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
            done.append(listing_delist(listing_id=listing_id, actor=actor, reason=reason, source="staff"))
    return done


@transaction.atomic
def listing_restore(*, listing_id: int, actor: User | None, reason: str) -> Listing:
    """CAT-7: an IP takedown that was not upheld ends; the approved version is back on sale."""
    _require_perm(actor, "catalog.takedown_listing")
    listing = listing_lock(listing_id=listing_id)
    missing = _documents_missing(listing.merchant, listing.category)
    if missing:
        # MER-7: the takedown ends, but a document the category needs has expired meanwhile: the listing
        # stays down, now for that reason, until the merchant uploads a valid one and relists it
        listing.delist_source = Listing.DelistSource.DOCUMENT_EXPIRED
        listing.delist_reason = _("Required document expired: %(kind)s") % {"kind": ", ".join(missing)}
        listing.updated_at = timezone.now()
        listing.save(update_fields=["delist_source", "delist_reason", "updated_at"])
        audit_record(
            actor=actor, action="listing.restore_withheld", subject=listing, reason=listing.delist_reason
        )
        return listing
    listing.restore()
    listing.updated_at = timezone.now()
    listing.save()
    audit_record(actor=actor, action="listing.restored", subject=listing, reason=reason)
    _notify_merchant(listing, event="listing_restored", title=_("Listing restored"), body=reason)
    return listing


@transaction.atomic
def review_overdue_escalate(*, listing_id: int) -> Listing:
    """CAT-4: the 24-hour review clock ran out: operations staff are told (the system acts, no actor)."""
    listing = listing_lock(listing_id=listing_id)
    listing.review_escalated_at = timezone.now()
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
    listing_ids = [
        listing.pk
        for listing in Listing.objects.filter(merchant=merchant, on_sale=True).select_related(
            "category__parent"
        )
        if document_kind in category_required_document_kinds(category=listing.category)
    ]
    for listing_id in listing_ids:
        listing_delist(
            listing_id=listing_id,
            actor=None,
            reason=_("Required document expired: %(kind)s") % {"kind": document_kind},
            source=Listing.DelistSource.DOCUMENT_EXPIRED,
        )


# --- SKUs and stock -----------------------------------------------------------------------------------------


def _sku_validate(*, price: Any = None, stock: Any = None) -> None:
    if price is not None:
        try:
            value = Decimal(str(price))
        except ArithmeticError:
            value = Decimal("0")
        if value <= 0 or not is_whole_cents(value):
            raise InvalidInput(_("Price must be positive, in fen."), errors={"price": [_("Invalid price.")]})
    if stock is not None and (not isinstance(stock, int) or stock < 0):
        raise InvalidInput(_("Stock must be a whole number ≥ 0."), errors={"stock": [_("Invalid stock.")]})


@transaction.atomic
def sku_reserve(*, sku_id: int, quantity: int) -> int:
    """CAT-5: take ``quantity`` units for an order, atomically; returns the stock left.

    One guarded UPDATE (``stock = stock - q WHERE id = … AND stock >= q``): concurrent buyers serialise on
    the row, and each re-checks the guard after the one before commits, so stock never goes negative
    (and the CHECK constraint stands behind it). ``Conflict("out_of_stock")`` when there is not enough.
    The order that reserves records the movement; no audit entry here (the hot path of checkout).
    """
    if quantity <= 0:
        raise InvalidInput(_("Quantity must be positive."), errors={"quantity": [_("Must be ≥ 1.")]})
    updated = Sku.objects.filter(pk=sku_id, is_active=True, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if updated == 0:
        if not Sku.objects.filter(pk=sku_id, is_active=True).exists():
            raise NotFound(_("No such SKU."))
        raise Conflict(_("Out of stock."), code="out_of_stock")
    return int(Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).get())


@transaction.atomic
def sku_release(*, sku_id: int, quantity: int) -> int:
    """CAT-5: give back units of a cancelled or unpaid order; returns the stock now."""
    if quantity <= 0:
        raise InvalidInput(_("Quantity must be positive."), errors={"quantity": [_("Must be ≥ 1.")]})
    if Sku.objects.filter(pk=sku_id).update(stock=F("stock") + quantity) == 0:
        raise NotFound(_("No such SKU."))
    return int(Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).get())


def listing_sales_add(*, units: dict[int, int]) -> None:
    """CAT-8: move ``Listing.sales_count`` (the "sales" sort) by ``units`` per listing id: positive when
    an order is paid, negative when a paid order goes back unshipped (never below zero). One guarded
    ``UPDATE … SET sales_count = sales_count + n`` per listing, in id order (concurrent payments of the
    same listing add up; row locks are taken in one order)."""
    for listing_id, n in sorted(units.items()):
        if n:
            Listing.objects.filter(pk=listing_id).update(sales_count=Greatest(F("sales_count") + n, Value(0)))


@transaction.atomic
def sku_stock_bulk_set(
    *, merchant: Merchant, items: Sequence[dict[str, int]], actor: User | None
) -> list[Sku]:
    """CAT-5: set absolute stock figures (merchant dashboard, ERP sync), all or nothing.

    Rows are locked in pk order so two bulk updates never deadlock; SKUs of other merchants are
    ``NotFound`` (SEC-1). A reservation that commits first is overwritten by the merchant's count — the
    merchant's figure is the physical truth at the time of the count.
    """
    wanted: dict[int, int] = {}
    for item in items:
        _sku_validate(stock=item.get("stock"))
        wanted[int(item["sku_id"])] = int(item["stock"])
    # listings before SKUs, each in pk order: the lock order of sku_update, so the two never deadlock
    listing_ids = set(
        Sku.objects.filter(pk__in=wanted, listing__merchant=merchant).values_list("listing_id", flat=True)
    )
    listings = lock_many(Listing, listing_ids)
    skus = lock_many(Sku.objects.filter(listing__merchant=merchant), wanted)
    if len(skus) != len(wanted):
        raise NotFound(_("No such SKU."))
    for listing in listings:
        _stock_confirmed(listing, actor=actor)
    now = timezone.now()
    before = {sku.pk: sku.stock for sku in skus}
    for sku in skus:
        sku.stock, sku.stock_updated_at = wanted[sku.pk], now
    Sku.objects.bulk_update(skus, ["stock", "stock_updated_at"])
    audit_record(
        actor=actor,
        action="sku.stock_set",
        subject=merchant,
        before={str(k): v for k, v in before.items()},
        after={str(k): v for k, v in wanted.items()},
    )
    return skus


@transaction.atomic
def sku_update(
    *,
    sku_id: int,
    merchant: Merchant,
    actor: User | None,
    price: Decimal | None = None,
    stock: int | None = None,
    attributes: dict[str, Any] | None = None,
    is_active: bool | None = None,
) -> Sku:
    """CAT-1, CAT-2, CAT-5: edit one SKU. On an approved listing a price change over 50 % is a reviewed
    change: the new price waits in a pending version while the old one stays on sale."""
    _sku_validate(price=price, stock=stock)
    sku = Sku.objects.select_related("listing").filter(pk=sku_id, listing__merchant=merchant).first()
    if sku is None:
        raise NotFound(_("No such SKU."))
    listing = listing_lock(listing_id=sku.listing_id)
    sku = Sku.objects.select_for_update().get(pk=sku_id)
    before = {
        "price": str(sku.price),
        "stock": sku.stock,
        "attributes": sku.attributes,
        "is_active": sku.is_active,
    }
    review_price = False
    if price is not None and Decimal(price) != sku.price:
        ratio = abs(Decimal(price) - sku.price) / sku.price
        if listing.on_sale and ratio > settings.CATALOG_PRICE_CHANGE_REVIEW_RATIO:
            if listing.status != Listing.Status.APPROVED:
                raise Conflict(_("The listing is under review; wait for the decision."), code="under_review")
            review_price = True
        else:
            sku.price = Decimal(price)
    if stock is not None:
        sku.stock, sku.stock_updated_at = stock, timezone.now()
        _stock_confirmed(listing, actor=actor)
    if attributes is not None:
        sku.attributes = attributes
    if is_active is not None:
        sku.is_active = is_active
    sku.save()
    _refresh_price_range(listing)
    listing.save()
    audit_record(
        actor=actor,
        action="sku.updated",
        subject=sku,
        before=before,
        after={
            "price": str(price if review_price else sku.price),
            "stock": sku.stock,
            "is_active": sku.is_active,
        },
        reason="price change sent to review" if review_price else "",
    )
    if review_price:
        assert listing.live_version is not None and price is not None
        version = _new_version(listing, base=listing.live_version, actor=actor)
        version.proposed_prices = {str(sku.pk): str(Decimal(price))}
        prices = [
            Decimal(price),
            *Sku.objects.filter(listing=listing, is_active=True)
            .exclude(pk=sku.pk)
            .values_list("price", flat=True),
        ]
        version.price_min, version.price_max = min(prices), max(prices)
        version.save()
        listing.revise()
        _submit(listing, version, actor=actor, action="listing.revision_submitted")
    return sku


# --- inspections (CAT-6) --------------------------------------------------------------------------------------

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
    since = timezone.now() - timedelta(days=settings.CATALOG_NEW_MERCHANT_DAYS)
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


@transaction.atomic
def inspection_batch_create(
    *, size: int, actor: User, note: str = "", rng: random.Random | None = None
) -> InspectionBatch:
    """CAT-6: sample ``size`` on-sale listings at random, weighted by risk (Efraimidis–Spirakis:
    each listing draws ``u ** (1 / weight)``; the largest keys win — weighted sampling without
    replacement in one pass)."""
    _require_perm(actor, "catalog.inspect_listing")
    if size <= 0:
        raise InvalidInput(_("Size must be positive."), errors={"size": [_("Must be ≥ 1.")]})
    rng = rng or random.SystemRandom()
    candidates = list(Listing.objects.filter(listing_visible_q()).select_related("merchant").order_by("pk"))
    weights = inspection_risk_weights(candidates)
    keyed = []
    for listing in candidates:
        weight = weights[listing.pk]
        keyed.append((math.log(rng.random() or 1e-12) / weight, weight, listing))
    chosen = sorted(keyed, key=lambda k: k[0], reverse=True)[:size]
    batch = InspectionBatch.objects.create(created_by=actor, size=len(chosen), note=note)
    Inspection.objects.bulk_create(
        Inspection(batch=batch, listing=listing, risk_weight=Decimal(str(round(weight, 3))))
        for _key, weight, listing in chosen
    )
    audit_record(
        actor=actor,
        action="inspection_batch.created",
        subject=batch,
        after={"listings": [c[2].pk for c in chosen]},
    )
    return batch


@transaction.atomic
def inspection_record(
    *, inspection_id: int, result: str, evidence: dict[str, Any], actor: User
) -> Inspection:
    """CAT-6: record the inspection result; a failure delists the listing and records a violation
    (``failed_inspection``, source ``inspection``) against the merchant (VIO-1)."""
    _require_perm(actor, "catalog.inspect_listing")
    if result not in Inspection.Result.values:
        raise InvalidInput(_("Unknown result."), errors={"result": [_("pass or fail")]})
    inspection = (
        Inspection.objects.select_for_update()
        .select_related("listing__merchant")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise NotFound(_("No such inspection."))
    if inspection.result:
        raise Conflict(_("This inspection is already recorded."), code="already_recorded")
    inspection.result, inspection.evidence = result, evidence
    inspection.inspector, inspection.inspected_at = actor, timezone.now()
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
                listing_id=listing.pk,
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


# --- IP notice-and-takedown (CAT-7) -----------------------------------------------------------------------------


def ip_notice_lock(*, notice_id: int) -> IpNotice:
    return lock(IpNotice.objects.select_related("listing__merchant"), notice_id, missing=_("No such notice."))


@transaction.atomic
def ip_notice_file(
    *,
    listing_id: int,
    rights_holder: User,
    right_kind: str,
    right_reference: str,
    description: str,
    proof: list[Any],
) -> IpNotice:
    """CAT-7 (ECL Art. 42): a rights holder files a notice with proof against a visible listing."""
    if not proof:
        raise InvalidInput(_("Proof of the right is required."), errors={"proof": [_("Required.")]})
    if not Listing.objects.filter(listing_visible_q(), pk=listing_id).exists():
        raise NotFound(_("No such listing."))
    notice = IpNotice.objects.create(
        listing_id=listing_id,
        rights_holder=rights_holder,
        right_kind=right_kind,
        right_reference=right_reference,
        description=description,
        proof=proof,
    )
    audit_record(actor=rights_holder, action="ip_notice.filed", subject=notice, after={"listing": listing_id})
    return notice


@transaction.atomic
def ip_notice_validate(*, notice_id: int, actor: User, note: str = "") -> IpNotice:
    """CAT-7: staff find the notice complete: the listing comes down and the notice is forwarded to
    the merchant, who may file a counter-notice."""
    _require_perm(actor, "catalog.takedown_listing")
    notice = ip_notice_lock(notice_id=notice_id)
    notice.validate(by=actor, note=note)
    notice.save()
    listing = notice.listing
    if listing.on_sale:
        listing_delist(
            listing_id=listing.pk,
            actor=actor,
            reason=_("IP notice #%(id)s: %(right)s %(ref)s")
            % {"id": notice.pk, "right": notice.right_kind, "ref": notice.right_reference},
            source=Listing.DelistSource.IP_NOTICE,
        )
    notify(
        recipient=listing.merchant.owner,
        event="ip_notice_forwarded",
        title=_("IP notice against your listing"),
        body=notice.description,
        subject=notice,
    )
    audit_record(actor=actor, action="ip_notice.validated", subject=notice, reason=note)
    return notice


@transaction.atomic
def ip_notice_dismiss(*, notice_id: int, actor: User, note: str, false_notice: bool = False) -> IpNotice:
    """CAT-7: staff dismiss an incomplete notice; a knowingly false one is recorded against the notifier."""
    _require_perm(actor, "catalog.takedown_listing")
    notice = ip_notice_lock(notice_id=notice_id)
    notice.dismiss(by=actor, note=note)
    notice.is_false_notice = false_notice
    notice.save()
    audit_record(
        actor=actor,
        action="ip_notice.dismissed",
        subject=notice,
        after={"false_notice": false_notice},
        reason=note,
    )
    return notice


@transaction.atomic
def ip_notice_counter(
    *, notice_id: int, merchant: Merchant, statement: str, proof: list[Any], actor: User
) -> IpNotice:
    """CAT-7 (ECL Art. 43): the merchant's counter-notice (不侵权声明) is forwarded to the rights holder;
    unless the holder shows a complaint or lawsuit within 15 days, the listing is restored."""
    notice = ip_notice_lock(notice_id=notice_id)
    if notice.listing.merchant_id != merchant.pk:
        raise NotFound(_("No such notice."))
    if not statement.strip() or not proof:
        raise InvalidInput(_("A statement and proof are required."), errors={"proof": [_("Required.")]})
    notice.counter(statement=statement, proof=proof)
    notice.save()
    notify(
        recipient=notice.rights_holder,
        event="ip_counter_notice_forwarded",
        title=_("Counter-notice received"),
        body=statement,
        subject=notice,
    )
    deadline_start(rule=IP_COUNTER_RULE, subject=notice, after=settings.CATALOG_IP_COUNTER_NOTICE_WINDOW)
    audit_record(actor=actor, action="ip_notice.counter_noticed", subject=notice)
    return notice


@transaction.atomic
def ip_notice_action_proof(*, notice_id: int, proof: list[Any], actor: User) -> IpNotice:
    """CAT-7 (ECL Art. 43): the rights holder shows a complaint or lawsuit in time: the takedown stands."""
    notice = ip_notice_lock(notice_id=notice_id)
    if notice.rights_holder_id != actor.pk:
        raise NotFound(_("No such notice."))
    if not proof:
        raise InvalidInput(
            _("Proof of the complaint or lawsuit is required."), errors={"proof": [_("Required.")]}
        )
    notice.uphold(proof=proof)
    notice.save()
    deadline_meet(rule=IP_COUNTER_RULE, subject=notice)
    notify(
        recipient=notice.listing.merchant.owner,
        event="ip_notice_upheld",
        title=_("IP takedown upheld"),
        body=_("The rights holder has filed a complaint or lawsuit."),
        subject=notice,
    )
    audit_record(actor=actor, action="ip_notice.upheld", subject=notice)
    return notice


@transaction.atomic
def ip_notice_restore(*, notice_id: int) -> IpNotice:
    """CAT-7: the 15 days passed without proof of an action: the listing returns to sale (system)."""
    notice = ip_notice_lock(notice_id=notice_id)
    notice.restore()
    notice.save()
    audit_record(actor=None, action="ip_notice.restored", subject=notice)
    listing = notice.listing
    still_open = IpNotice.objects.filter(
        listing=listing, status__in=[IpNotice.Status.TAKEN_DOWN, IpNotice.Status.COUNTER_NOTICED]
    ).exclude(pk=notice.pk)
    if (
        listing.status == Listing.Status.DELISTED
        and listing.delist_source == Listing.DelistSource.IP_NOTICE
        and not still_open.exists()
    ):
        listing_restore(
            listing_id=listing.pk,
            actor=None,
            reason=_("No complaint or lawsuit shown within 15 days of the counter-notice (IP notice #%(id)s)")
            % {"id": notice.pk},
        )
    return notice


# --- USR-1: favourites and follows ----------------------------------------------------------------------


def _require_basic_permission(user: User, permission: str) -> None:
    basic_permission_require(user=user, permission=permission)


@transaction.atomic
def favourite_add(*, user: User, listing_id: int, actor: User) -> Favourite:
    """USR-1: keep a visible listing among the user's favourites (adding it twice changes nothing)."""
    _require_basic_permission(user, BasicPermission.FAVOURITE)
    listing = listing_get_for_customer(listing_id=listing_id)
    favourite, created = Favourite.objects.get_or_create(user=user, listing=listing)
    if created:
        audit_record(actor=actor, action="favourite.added", subject=favourite, after={"listing": listing.pk})
    return favourite


@transaction.atomic
def favourite_remove(*, user: User, listing_id: int, actor: User) -> None:
    """USR-1: drop a listing from the favourites (always allowed, even while restricted)."""
    deleted, _rows = Favourite.objects.filter(user=user, listing_id=listing_id).delete()
    if not deleted:
        raise NotFound(_("This listing is not among your favourites."))
    audit_record(actor=actor, action="favourite.removed", subject=user, after={"listing": listing_id})


@transaction.atomic
def follow_add(*, user: User, merchant_id: int, actor: User) -> Follow:
    """USR-1: follow a trading shop (following it twice changes nothing)."""
    _require_basic_permission(user, BasicPermission.FOLLOW)
    merchant = merchant_get_followable(merchant_id=merchant_id)
    follow, created = Follow.objects.get_or_create(user=user, merchant=merchant)
    if created:
        audit_record(actor=actor, action="follow.added", subject=follow, after={"merchant": merchant.pk})
    return follow


@transaction.atomic
def follow_remove(*, user: User, merchant_id: int, actor: User) -> None:
    """USR-1: stop following a shop (always allowed)."""
    deleted, _rows = Follow.objects.filter(user=user, merchant_id=merchant_id).delete()
    if not deleted:
        raise NotFound(_("You do not follow this shop."))
    audit_record(actor=actor, action="follow.removed", subject=user, after={"merchant": merchant_id})
