"""ORD-1: the customer's cart."""

from typing import Any

from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.models import Listing, Sku
from catalog.selectors import listing_visible_q, merchant_type_id
from orders.models import Cart, CartItem
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.bounds import INT32_MAX
from platform_core.errors import InvalidInput, NotFound
from platform_core.prepared import PreparedQuery

# --- ORD-1: cart -------------------------------------------------------------------------------------


def _skus_for_sale(sku_id: int, merchant_type_id: int | None = None) -> QuerySet[Sku]:
    return Sku.objects.filter(
        pk=sku_id,
        is_active=True,
        listing__in=Listing.objects.filter(listing_visible_q(merchant_type_id=merchant_type_id)),
    )


# the "on sale" sub-select of the line's upsert, compiled once per thread (issue 26, decision 052)
_SKU_ON_SALE = PreparedQuery(
    lambda sku_id, merchant_type_id: _skus_for_sale(sku_id, merchant_type_id).values("pk"),
    sku_id=int,
    merchant_type_id=int,
)


def _sku_for_sale(sku_id: int) -> Sku:
    sku = _skus_for_sale(sku_id).select_related("listing").first()
    if sku is None:
        raise NotFound(_("This item is not on sale."))
    return sku


def _quantity_bounded(quantity: int) -> None:
    """SEC (decision 022): a cart line holds at most what a stock figure can (2³¹−1), a 400 above it."""
    if quantity > INT32_MAX:
        message = _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": INT32_MAX
        }
        raise InvalidInput(message, errors={"quantity": [message]})


def cart_item_add(*, customer: User, sku_id: int, quantity: int, actor: User) -> CartItem:
    """ORD-1: put ``quantity`` more of a SKU on sale into the customer's cart.

    Two writes, each one statement that needs no transaction around it (issue 26): the cart is made or
    touched by an upsert, then the line is inserted or its quantity raised by an upsert that writes only
    if the SKU is on sale and the sum stays within 2³¹−1. Checkout locks the lines it reads and deletes
    only those, so a line added while a checkout runs stays in the cart (or, if it was a line being
    checked out, comes back with the new quantity). When nothing was written, the SKU is read to say
    why: not on sale (404) or too many (400)."""
    if quantity < 1:
        raise InvalidInput(_("Quantity must be at least 1."), errors={"quantity": [_("Must be ≥ 1.")]})
    _quantity_bounded(quantity)
    now = clock.now()
    cart = Cart(customer=customer, updated_at=now)
    Cart.objects.bulk_create(
        [cart], update_conflicts=True, unique_fields=["customer"], update_fields=["updated_at"]
    )
    item = _cart_line_add(CartItem(cart=cart, sku_id=sku_id, quantity=quantity, added_at=now))
    if item is None:
        _sku_for_sale(sku_id)  # NotFound if it is not on sale
        _quantity_bounded(INT32_MAX + 1)  # else the line would hold more than a stock figure can: a 400
    assert item is not None
    return item


def _cart_line_add(item: CartItem) -> CartItem | None:
    """``INSERT … SELECT … WHERE <the SKU is on sale> ON CONFLICT (cart, sku) DO UPDATE SET quantity =
    quantity + new`` guarded by the bound; ``None`` (nothing written) when the SKU is not on sale or the
    sum would pass 2³¹−1. The line comes back with its id and its
    quantity now (``added_at`` stays the one given)."""
    meta = CartItem._meta
    connection = connections[router.db_for_write(CartItem)]
    quote = connection.ops.quote_name
    fields: list[Any] = [meta.get_field(name) for name in ("cart", "sku", "quantity", "added_at")]
    table, quantity = quote(meta.db_table), quote(fields[2].column)
    on_sale_sql, on_sale_params = _SKU_ON_SALE.sql_with_params(
        using=connection.alias, sku_id=item.sku_id, merchant_type_id=merchant_type_id()
    )
    typed = (
        [f"CAST(%s AS {f.db_type(connection)})" for f in fields]
        if connection.vendor == "postgresql"
        else ["%s"] * len(fields)
    )
    sql = (
        # quoted names from the model's own metadata; the values are parameters
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(typed)} WHERE EXISTS ({on_sale_sql}) "
        f"ON CONFLICT ({quote(fields[0].column)}, {quote(fields[1].column)}) DO UPDATE "
        f"SET {quantity} = {table}.{quantity} + EXCLUDED.{quantity} "
        f"WHERE CAST({table}.{quantity} AS bigint) + EXCLUDED.{quantity} <= %s "  # no int4 overflow
        f"RETURNING {quote(meta.pk.column)}, {quantity}"
    )
    values = [f.get_db_prep_save(f.pre_save(item, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *on_sale_params, INT32_MAX])
        row = cursor.fetchone()
    if row is None:
        return None
    item.pk, item.quantity = row[0], row[1]
    item._state.adding, item._state.db = False, connection.alias
    return item


@transaction.atomic
def cart_item_set(*, customer: User, sku_id: int, quantity: int, actor: User) -> CartItem | None:
    """ORD-1: change the quantity of a cart item; 0 removes it."""
    if quantity < 0:
        raise InvalidInput(_("Quantity cannot be negative."), errors={"quantity": [_("Must be ≥ 0.")]})
    _quantity_bounded(quantity)
    item = CartItem.objects.select_for_update().filter(cart__customer=customer, sku_id=sku_id).first()
    if item is None:
        raise NotFound(_("This item is not in your cart."))
    if quantity == 0:
        item.delete()
        return None
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def cart_item_remove(*, customer: User, sku_id: int, actor: User) -> None:
    cart_item_set(customer=customer, sku_id=sku_id, quantity=0, actor=actor)
