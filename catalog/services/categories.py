"""Issue 21, MER-1, MER-5, PAY-4, AFS-2, CAT-3: the category tree that operations maintain in the admin.

A category sets what trading in it needs and costs: the deposit (MER-5), the commission (PAY-4), whether
seven-day no-reason returns apply (AFS-2), the industry licences a merchant must hold (MER-1, MER-7, with
its ancestors') and the listing fields it requires (CAT-3). Every creation and change is audited with
what it replaced; categories are never deleted (merchants, listings and orders name them, MER-10).
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Listing
from merchants.models import DocumentKind
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from platform_core.locking import lock

#: what the admin may set; everything else about a category is its identity (pk)
CATEGORY_FIELDS = (
    "name",
    "name_en",
    "slug",
    "parent",
    "deposit_amount",
    "commission_rate",
    "no_reason_return_excluded",
    "aftersales_special",
    "is_service",
    "required_document_kinds",
    "required_listing_fields",
)


def _recorded(category: Category) -> dict[str, Any]:
    values = {field: getattr(category, field) for field in CATEGORY_FIELDS if field != "parent"}
    values["parent"] = category.parent_id
    values["deposit_amount"] = str(category.deposit_amount)
    values["commission_rate"] = str(category.commission_rate)
    return values


def category_validate(*, data: dict[str, Any], category: Category | None) -> None:
    """The checks of ``category_save``, for a form to show on its fields (raises ``InvalidInput``)."""
    errors: dict[str, list[str]] = {}
    parent: Category | None = data.get("parent")
    node = parent
    while node is not None:  # the tree stays a tree: no category under itself or its descendants
        if category is not None and node.pk == category.pk:
            errors["parent"] = [_("A category cannot be placed under itself or one of its subcategories.")]
            break
        node = node.parent
    if Decimal(data["deposit_amount"]) < 0:
        errors["deposit_amount"] = [_("The deposit cannot be negative.")]
    if not Decimal("0") <= Decimal(data["commission_rate"]) <= Decimal("1"):
        errors["commission_rate"] = [_("The commission rate is a fraction between 0 and 1 (0.05 = 5 %).")]
    if set(data["required_document_kinds"]) - set(DocumentKind.values):
        errors["required_document_kinds"] = [_("Unknown document kind.")]
    if set(data["required_listing_fields"]) - set(Listing.OPTIONAL_REQUIRABLE_FIELDS):
        errors["required_listing_fields"] = [_("Unknown listing field.")]
    if errors:
        raise InvalidInput(_("The category is not valid."), code="invalid_category", errors=errors)


@transaction.atomic
def category_save(*, category: Category | None, data: dict[str, Any], actor: User) -> Category:
    """Create a category (``category`` None) or change one; ``data`` holds every field of
    ``CATEGORY_FIELDS``. Only holders of the add/change permission; audited with before and after."""
    permission = "catalog.add_category" if category is None else "catalog.change_category"
    if not actor.has_perm(permission):
        raise Forbidden(_("You may not maintain the category tree."), code="forbidden")
    data = {field: data[field] for field in CATEGORY_FIELDS}
    category_validate(data=data, category=category)
    # as the columns store them (2 and 4 decimals), so the audit row says what was stored
    data["deposit_amount"] = Decimal(data["deposit_amount"]).quantize(Decimal("0.01"))
    data["commission_rate"] = Decimal(data["commission_rate"]).quantize(Decimal("0.0001"))
    if category is None:
        category = Category(**data)
        category.save()
        audit_record(
            actor=actor, action="catalog.category_created", subject=category, after=_recorded(category)
        )
        return category
    category = lock(Category, category.pk)
    before = _recorded(category)
    for field, value in data.items():
        setattr(category, field, value)
    category.save()
    after = _recorded(category)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit_record(
            actor=actor,
            action="catalog.category_changed",
            subject=category,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return category
