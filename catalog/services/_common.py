"""Helpers shared by the catalog services: locks, permission checks, notices, versions, submission to review.

One transaction each; every state change is audited (AUD-1). Reviewed content is copy-on-write (see
``catalog.models.Listing``): services never edit a submitted ``ListingVersion``; they write a new one and
move the listing's pointers.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from catalog.clocks import RECHECK_RULE, REVIEW_RULE, STOCK_CONFIRM_RULE
from catalog.models import Category, Listing, ListingRecheck, ListingVersion, Sku
from catalog.prescreen import Finding
from catalog.selectors import listing_prescreen
from merchants.selectors.standing import merchant_may_list
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.bounds import INT32_MAX, MONEY_MAX, MONEY_MIN
from platform_core.deadlines.services import deadline_meet, deadline_restart, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify


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


def field_label(name: str) -> str:
    """Issue 24: a pre-screened field as people call it (its verbose name, translated), never its key."""
    base = name.split("[", 1)[0]
    if base == "skus":
        return _("SKUs")
    if base == "price":
        return _("price")
    for model in (ListingVersion, Listing):
        try:
            return str(getattr(model._meta.get_field(base), "verbose_name", name))
        except FieldDoesNotExist:
            continue
    return name


def _blocking_error(findings: Sequence[Finding]) -> InvalidInput:
    errors: dict[str, list[str]] = {}
    for f in findings:
        label, reason = field_label(f.field), _(f.reason) if f.reason else ""
        if f.severity == "hard":
            message = _("Banned term “%(phrase)s” in %(field)s: %(reason)s") % {
                "phrase": f.phrase,
                "field": label,
                "reason": reason,
            }
        else:
            message = _("%(field)s is required: %(reason)s") % {"field": label, "reason": reason}
        errors.setdefault(f.field, []).append(message)
    first = findings[0]
    detail = (
        _("The listing contains the banned term “%(phrase)s” in %(field)s.")
        % {"phrase": first.phrase, "field": field_label(first.field)}
        if first.severity == "hard"
        else _("A required field is missing: %(field)s.") % {"field": field_label(first.field)}
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
    version.submitted_at = clock.now()
    version.save()
    listing.candidate_version = version
    listing.updated_at = clock.now()
    listing.save()
    deadline_start(rule=REVIEW_RULE, subject=listing, after=settings.CATALOG_REVIEW_WITHIN)
    _recheck_corrections_meet(listing, version, actor=actor)
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


def _sku_validate(*, price: Any = None, stock: Any = None) -> None:
    """CAT-1, SEC (decision 022): a price is finite, whole fen, 0.01 … MONEY_MAX; stock 0 … 2³¹−1 (the
    columns' bounds, so no caller's bad figure becomes a database error)."""
    if price is not None:
        try:
            value = Decimal(str(price))
            valid = value.is_finite() and MONEY_MIN <= value <= MONEY_MAX and is_whole_cents(value)
        except ArithmeticError:
            valid = False
        if not valid:
            raise InvalidInput(_("Price must be positive, in fen."), errors={"price": [_("Invalid price.")]})
    if stock is not None and (
        not isinstance(stock, int) or isinstance(stock, bool) or not 0 <= stock <= INT32_MAX
    ):
        raise InvalidInput(_("Stock must be a whole number ≥ 0."), errors={"stock": [_("Invalid stock.")]})


def _stock_confirmed(listing: Listing, *, actor: User | None) -> None:
    """CAT-9: the listing's stock figures were confirmed now (the listing row is locked by the caller).
    On an assisted listing the 7-day clock starts again and any open prompt is settled."""
    now = clock.now()
    listing.stock_confirmed_at, listing.stock_prompted_at = now, None
    listing.save(update_fields=["stock_confirmed_at", "stock_prompted_at"])
    if listing.is_assisted:
        deadline_restart(
            rule=STOCK_CONFIRM_RULE, subject=listing, after=settings.CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN
        )
        audit_record(actor=actor, action="listing.stock_confirmed", subject=listing, after={"at": str(now)})


def _recheck_corrections_meet(listing: Listing, version: ListingVersion, *, actor: User | None) -> None:
    """CAT-10: a submitted edit is the correction a re-check asked for: its ``catalog.recheck_correction``
    clock is met (the corrected version is then reviewed like any edit, CAT-2)."""
    rechecks = ListingRecheck.objects.select_for_update().filter(
        listing=listing, status=ListingRecheck.Status.ERROR_FOUND
    )
    for recheck in rechecks:
        recheck.status, recheck.corrected_version = ListingRecheck.Status.CORRECTED, version
        recheck.closed_at = clock.now()
        recheck.save(update_fields=["status", "corrected_version", "closed_at"])
        deadline_meet(rule=RECHECK_RULE, subject=recheck)
        audit_record(
            actor=actor,
            action="listing_recheck.corrected",
            subject=listing,
            after={"recheck": recheck.pk, "version": version.number},
        )
