"""What the orders chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from catalog.selectors import listing_review_summary_sources
from merchants.dashboard.base import home_action_sources
from merchants.selectors.figures import kpi_sources, rating_sources
from merchants.services.lifecycle import closure_checks
from orders import demo
from orders.dashboard import orders_to_ship_actions
from orders.selectors.delivery import delivery_case_kpi_figures
from orders.selectors.money import owner_pending_payouts_reason
from orders.selectors.orders import customer_open_orders_reason, order_closure_pending, order_kpi_figures
from orders.selectors.reviews import listing_review_summary, review_rating_buckets
from orders.services.payouts import payouts_run_for_day
from orders.services.retention import orders_anonymise_customer
from platform_core.accounts.deletion import account_anonymisers, account_deletion_checks
from platform_core.accounts.management.commands.seed_demo import demo_seeders
from platform_core.org.permissions import Audience, Level, permission_register
from platform_core.sandbox.services import day_started

# PAY-4 (decision 026): the sandbox clock passing midnight runs the day's payouts, as beat would.
day_started.register(payouts_run_for_day)

# Issue 24: the demo shop's listings in every review state and the demo customer's orders in every state.
demo_seeders.register(demo.seed)

# MER-8: open or unsettled orders keep a merchant from closing.
closure_checks.register(order_closure_pending)

# REP-3, VIO-6: orders paid, shipments, late and carrier-tracked shipments feed credit and KPIs.
kpi_sources.register(order_kpi_figures)
# ORD-10, VIO-6: delivery cases opened and lapsed (not resolved within 48 hours) feed the KPIs.
kpi_sources.register(delivery_case_kpi_figures)

# USR-4, ORD-8: open orders hold back account deletion; deletion anonymises the trade records.
account_deletion_checks.register(customer_open_orders_reason)
# USR-4, PAY-4: a payout still on its way to the owner's shop holds back the owner's account deletion.
account_deletion_checks.register(owner_pending_payouts_reason)
account_anonymisers.register(orders_anonymise_customer)

# REP-3: the detailed seller ratings of reviews feed the merchant's credit score; REP-1 (issue 5): the
# listing detail shows the listing's review summary.
rating_sources.register(review_rating_buckets)
listing_review_summary_sources.register(listing_review_summary)

# ORD-4, ORD-10: the merchant dashboard's home page lists the orders to ship and the open delivery cases,
# with their clocks.
home_action_sources.register(orders_to_ship_actions)

# STF-1, REP-2: the chapter's custom permission.
permission_register(
    "orders.refund_order",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Cancel a paid order with a full refund (finance; PAY-5)",
)
permission_register(
    "orders.moderate_review",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Hide reviews for a listed reason and resolve fake-review flags (REP-2)",
)
