from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # REP-3, VIO-6: response figures and complaint counts feed the merchant's credit and KPIs;
        # MER-8: open requests and complaints keep a merchant from closing.
        from aftersales.selectors import (
            aftersales_closure_pending,
            aftersales_kpi_figures,
            message_kpi_figures,
        )
        from merchants.selectors import KPI_SOURCES
        from merchants.services import CLOSURE_CHECKS

        if aftersales_kpi_figures not in KPI_SOURCES:
            KPI_SOURCES.append(aftersales_kpi_figures)
        # MSG-2, VIO-6: how long shops keep customers waiting for answers to their messages
        if message_kpi_figures not in KPI_SOURCES:
            KPI_SOURCES.append(message_kpi_figures)
        if aftersales_closure_pending not in CLOSURE_CHECKS:
            CLOSURE_CHECKS.append(aftersales_closure_pending)

        # USR-4: open requests and complaints hold back account deletion.
        from aftersales.selectors import customer_open_aftersales_reason
        from platform_core.accounts.services import ACCOUNT_DELETION_CHECKS, hook_register

        hook_register(ACCOUNT_DELETION_CHECKS, customer_open_aftersales_reason)

        # CAT-6, CMP-3: listings complained about recently are sampled for inspection more often.
        from aftersales.selectors import listing_complaint_risk
        from catalog.services import INSPECTION_RISK_FACTORS

        hook_register(INSPECTION_RISK_FACTORS, listing_complaint_risk)
