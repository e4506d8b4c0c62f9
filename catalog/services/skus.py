"""SKUs and stock (CAT-1, CAT-2, CAT-5, CAT-8): reserve and release, stock figures, prices."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Listing, Sku
from catalog.services._common import (
    _new_version,
    _refresh_price_range,
    _sku_validate,
    _stock_confirmed,
    _submit,
    listing_lock,
)
from merchants.models import Merchant
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.locking import lock, lock_many


def sku_reserve(*, sku_id: int, quantity: int) -> int:
    """CAT-5: take ``quantity`` units for an order, atomically; returns the stock left.

    One guarded UPDATE (``stock = stock - q WHERE id = … AND stock >= q``): concurrent buyers serialise on
    the row, and each re-checks the guard after the one before commits, so stock never goes negative
    (and the CHECK constraint stands behind it). ``Conflict("out_of_stock")`` when there is not enough.
    The order that reserves records the movement; no audit entry here (the hot path of checkout).
    """
    if quantity <= 0:
        raise InvalidInput(_("Quantity must be positive."), errors={"quantity": [_("Must be ≥ 1.")]})
    # One statement, no savepoint (issue 26): the UPDATE answers with the stock it left.
    table, stock, active = (connection.ops.quote_name(n) for n in (Sku._meta.db_table, "stock", "is_active"))
    with connection.cursor() as cursor:
        cursor.execute(
            # quoted names of our own table and columns; the values are parameters
            f"UPDATE {table} SET {stock} = {stock} - %s WHERE id = %s AND {active} AND {stock} >= %s "  # noqa: S608
            f"RETURNING {stock}",
            [quantity, sku_id, quantity],
        )
        row = cursor.fetchone()
    if row is None:
        if not Sku.objects.filter(pk=sku_id, is_active=True).exists():
            raise NotFound(_("No such SKU."))
        raise Conflict(_("Out of stock."), code="out_of_stock")
    return int(row[0])


@transaction.atomic
def sku_release(*, sku_id: int, quantity: int) -> int:
    """CAT-5: give back units of a cancelled or unpaid order; returns the stock now."""
    if quantity <= 0:
        raise InvalidInput(_("Quantity must be positive."), errors={"quantity": [_("Must be ≥ 1.")]})
    if Sku.objects.filter(pk=sku_id).update(stock=F("stock") + quantity) == 0:
        raise NotFound(_("No such SKU."))
    return int(Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).get())


def listing_sales_add_lines(*, lines: QuerySet[Any], sign: int) -> None:
    """CAT-8: add the units of an order's lines to their listings' units sold, in one statement (issue 26)
    instead of reading the lines first and updating each listing. ``lines``: rows with ``listing_id`` and
    ``quantity`` (an order's lines); ``sign`` 1 when the order is paid, -1 when it goes back unshipped. The
    listings are locked in id order by the sub-select (``ORDER BY id FOR UPDATE``) before they are
    updated, as the one-per-listing updates did, so two orders of the same listings never lock them in
    opposite orders. Call it inside a transaction.

    Written as SQL around the lines' own query: the same statement built from ``Subquery``/``OuterRef``
    cost ~3.5 ms of CPU to compile on every payment, more than the database took to run it."""
    db = lines.db
    lines_sql, params = lines.order_by().values("listing_id", "quantity").query.sql_with_params()
    ops, features = connections[db].ops, connections[db].features
    table = ops.quote_name(Listing._meta.db_table)
    greatest = "GREATEST" if connections[db].vendor == "postgresql" else "MAX"  # SQLite's scalar max
    in_id_order = " ORDER BY id FOR UPDATE" if features.has_select_for_update else ""
    with connections[db].cursor() as cursor:
        cursor.execute(
            # the table name from the model's metadata, the lines' SQL from the ORM; values are parameters
            f"WITH lines AS ({lines_sql}) UPDATE {table} SET sales_count = {greatest}("  # noqa: S608
            f"sales_count + %s * (SELECT SUM(quantity) FROM lines WHERE lines.listing_id = {table}.id), 0) "
            f"WHERE id IN (SELECT id FROM {table} WHERE id IN (SELECT listing_id FROM lines){in_id_order})",
            [*params, sign],
        )


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
    now = clock.now()
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
    """CAT-1, CAT-2, CAT-4, CAT-5: edit one SKU. On an approved listing a price more than 50 % away from
    the last reviewed price (``Sku.reviewed_price``) is a reviewed change: the new price waits in a
    pending version while the old one stays on sale."""
    _sku_validate(price=price, stock=stock)
    sku = Sku.objects.select_related("listing").filter(pk=sku_id, listing__merchant=merchant).first()
    if sku is None:
        raise NotFound(_("No such SKU."))
    listing = listing_lock(listing_id=sku.listing_id)
    sku = lock(Sku, sku_id)
    before = {
        "price": str(sku.price),
        "stock": sku.stock,
        "attributes": sku.attributes,
        "is_active": sku.is_active,
    }
    review_price = False
    if price is not None and Decimal(price) != sku.price:
        # CAT-4: measured against the price a reviewer last saw, not the current one, so that
        # 100 → 51 → 26 → 13.50 cannot walk down in steps each under the ratio
        baseline = sku.reviewed_price or sku.price
        ratio = abs(Decimal(price) - baseline) / baseline
        if listing.on_sale and ratio > settings.CATALOG_PRICE_CHANGE_REVIEW_RATIO:
            if listing.status != Listing.Status.APPROVED:
                raise Conflict(_("The listing is under review; wait for the decision."), code="under_review")
            review_price = True
        else:
            sku.price = Decimal(price)
    if stock is not None:
        sku.stock, sku.stock_updated_at = stock, clock.now()
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
