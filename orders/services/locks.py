"""The order lock every orders service takes first.

Every service locks the order first (``order_lock``), then meets/cancels its deadlines and posts to the
ledger, so services and the deadline sweeper (which also locks the subject first) never deadlock. The
other chapters (after-sales, disputes, field work) lock an order the same way before touching it.
"""

from django.utils.translation import gettext as _

from orders.models import Order
from platform_core.locking import lock


def order_lock(*, order_id: int) -> Order:
    """The order row, locked until the transaction ends (``NotFound`` if it does not exist)."""
    return lock(Order, order_id, missing=_("No such order."))
