"""What the after-sales chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from aftersales import demo
from aftersales.dashboard import aftersales_actions
from aftersales.selectors import (
    aftersales_closure_pending,
    aftersales_kpi_figures,
    aftersales_policy_relation,
    aftersales_policy_terms,
    customer_open_aftersales_reason,
    listing_complaint_risk,
    message_kpi_figures,
)
from catalog.services.inspections import inspection_risk_factors
from merchants.dashboard.base import home_action_sources
from merchants.selectors.figures import kpi_sources
from merchants.services.lifecycle import closure_checks
from orders.services.checkout import contract_policy_relations, contract_policy_sources
from platform_core.accounts.deletion import account_deletion_checks
from platform_core.accounts.management.commands.seed_demo import demo_seeders

# REP-3, VIO-6: response figures and complaint counts feed the merchant's credit and KPIs; MSG-2, VIO-6:
# how long shops keep customers waiting for answers to their messages.
kpi_sources.register(aftersales_kpi_figures)
kpi_sources.register(message_kpi_figures)

# MER-8: open requests and complaints keep a merchant from closing.
closure_checks.register(aftersales_closure_pending)

# USR-4: open requests and complaints hold back account deletion.
account_deletion_checks.register(customer_open_aftersales_reason)

# CAT-6, CMP-3: listings complained about recently are sampled for inspection more often.
inspection_risk_factors.register(listing_complaint_risk)

# AFS-3, AFS-4: the merchant dashboard's home page lists the requests waiting for the shop.
home_action_sources.register(aftersales_actions)

# ORD-1: checkout copies the shop's after-sales policy into each order's contract.
contract_policy_sources.register(aftersales_policy_terms)
contract_policy_relations.register(aftersales_policy_relation)

# Issue 24: the demo customer's requests in several states and complaints (``manage.py seed_demo``).
demo_seeders.register(demo.seed)
