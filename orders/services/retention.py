"""ORD-8: a deleted customer's personal data removed from their orders; the trade record is kept."""

from django.db import transaction

from orders.models import CartItem, Order
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record

# --- ORD-8: retention ------------------------------------------------------------------------------


@transaction.atomic
def orders_anonymise_customer(*, user: User, actor: User | None = None) -> int:
    """ORD-8: the customer's account is deleted: remove personal data from their orders, keep the trade
    record (order, lines, amounts, payments, refunds, logistics, ledger) for at least 3 years."""
    orders = Order.objects.select_for_update().filter(customer=user, anonymised_at__isnull=True)
    count = orders.update(shipping_name="", shipping_phone="", shipping_address="", anonymised_at=clock.now())
    CartItem.objects.filter(cart__customer=user).delete()
    audit_record(actor=actor, action="order.customer_anonymised", subject=user, after={"orders": count})
    return count
