"""What the disputes chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from aftersales.services.requests import request_escalated
from disputes import demo
from disputes.dashboard import dispute_actions, order_dispute_actions, order_dispute_queries
from disputes.selectors import dispute_closure_pending, dispute_kpi_figures
from disputes.services.opening import dispute_escalation_handler
from merchants.dashboard.base import home_action_sources, order_action_queries, order_action_sources
from merchants.selectors.figures import kpi_sources
from merchants.services.lifecycle import closure_checks
from platform_core.accounts.management.commands.seed_demo import demo_seeders
from platform_core.org.permissions import Audience, Level, permission_register

# AFS-5, DSP-1: a refusal the customer escalates opens a dispute.
request_escalated.register(dispute_escalation_handler)

# REP-3, VIO-6: dispute counts feed the merchant's KPIs.
kpi_sources.register(dispute_kpi_figures)

# MER-8: a shop with a dispute not finished cannot close (nor get its deposit back).
closure_checks.register(dispute_closure_pending)

# DSP-2: the merchant dashboard's home page lists the cases waiting for the shop's evidence.
home_action_sources.register(dispute_actions)

# DSP-1: the order's page (and its after-sales requests' pages) offers "open a dispute" where the shop may.
order_action_queries.register(order_dispute_queries)
order_action_sources.register(order_dispute_actions)

# STF-1: the committee's advanced permissions.
permission_register(
    "disputes.mediate_dispute",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Mediate disputes: propose settlements (DSP-2)",
)
permission_register(
    "disputes.arbitrate_dispute",
    level=Level.ADVANCED,
    audience=Audience.STAFF,
    description="Arbitrate disputes: rule, sit on appeal panels (DSP-3, DSP-4)",
)

# Issue 24: the demo customer's a case in each stage (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
