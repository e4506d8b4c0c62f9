"""ORD-1: the customer's cart."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Listing, Sku
from catalog.selectors import listing_visible_q
from orders.models import Cart, CartItem
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.bounds import INT32_MAX
from platform_core.errors import InvalidInput, NotFound
from platform_core.locking import lock_first
from platform_core.upsert import insert_unless_exists

# --- ORD-1: cart -------------------------------------------------------------------------------------


def _sku_for_sale(sku_id: int) -> Sku:
    sku = (
        Sku.objects.filter(pk=sku_id, is_active=True, listing__in=Listing.objects.filter(listing_visible_q()))
        .select_related("listing")
        .first()
    )
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


@transaction.atomic
def cart_item_add(*, customer: User, sku_id: int, quantity: int, actor: User) -> CartItem:
    """ORD-1: put ``quantity`` more of a SKU on sale into the customer's cart."""
    if quantity < 1:
        raise InvalidInput(_("Quantity must be at least 1."), errors={"quantity": [_("Must be ≥ 1.")]})
    _quantity_bounded(quantity)
    sku = _sku_for_sale(sku_id)
    now = clock.now()
    # The cart row, locked (it serialises this customer's cart changes); made on first use. Each step is
    # one statement with no savepoint (issue 26).
    cart = lock_first(Cart, customer=customer)
    if cart is None:
        cart = Cart(customer=customer, updated_at=now)
        if not insert_unless_exists(cart, conflict=["customer"]):
            cart = lock_first(Cart, customer=customer)
    assert cart is not None
    item = CartItem(cart=cart, sku=sku, quantity=quantity, added_at=now)
    if not insert_unless_exists(item, conflict=["cart", "sku"]):
        item = CartItem.objects.get(cart=cart, sku=sku)  # the cart lock keeps it as read
        _quantity_bounded(item.quantity + quantity)
        item.quantity += quantity
        item.save(update_fields=["quantity"])
    if cart.updated_at != now:
        cart.updated_at = now
        cart.save(update_fields=["updated_at"])
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
