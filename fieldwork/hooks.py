"""What the field-work chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from fieldwork import demo
from fieldwork.services import assignment_open_for_paid_order
from orders.services.payments import order_paid
from platform_core.accounts.management.commands.seed_demo import demo_seeders

# ORD-9: a paid service order is handed to a field coordinator in the payment's transaction.
order_paid.register(assignment_open_for_paid_order)

# The demo field coordinators and a service order (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
