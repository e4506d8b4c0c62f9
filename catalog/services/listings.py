"""Listings, merchant side (CAT-1 … CAT-4): create, edit, submit to review."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Listing, ListingVersion, Sku
from catalog.services._common import (
    _new_version,
    _refresh_price_range,
    _sku_validate,
    _submit,
    _validate_images,
    _validate_kind,
    _version_snapshot,
    listing_lock,
)
from merchants.models import Merchant
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput

OPERATIONAL_FIELDS = ("service_area", "service_duration_minutes", "is_non_returnable")
TEXT_FIELDS = ("title", "description", "images")


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
def listing_update(*, listing: Listing, actor: User | None, **changes: Any) -> Listing:
    """CAT-1, CAT-2: edit a listing. Reviewed fields (title, description, images, category) of an
    approved listing go to review in a new version while the approved one stays on sale; in a draft they
    are edited in place; after a rejection or delisting they start a new draft. Operational fields
    (service area and duration, non-returnable flag) apply at once."""
    unknown = set(changes) - {*TEXT_FIELDS, "category", *OPERATIONAL_FIELDS}
    if unknown:
        raise InvalidInput(_("Unknown fields."), errors={name: [_("Not editable.")] for name in unknown})
    listing = listing_lock(listing_id=listing.pk)
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
    listing.updated_at = clock.now()
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
def listing_submit(*, listing: Listing, actor: User | None) -> Listing:
    """CAT-2, CAT-3, CAT-4: send a draft, rejected or delisted listing to review (relisting is reviewed).

    A hard-banned term or a missing required field blocks with ``InvalidInput`` naming phrase and field;
    the merchant must be allowed to list in the category (``merchants.selectors.merchant_may_list``).
    """
    listing = listing_lock(listing_id=listing.pk)
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
