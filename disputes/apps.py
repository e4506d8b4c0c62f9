from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # OPS-1: the dispute clocks; AFS-5, DSP-1: an escalated refusal opens a dispute;
        # REP-3, VIO-6: dispute counts feed the merchant's KPIs.
        from aftersales.services import ESCALATION_HANDLERS
        from disputes import deadlines  # noqa: F401
        from disputes.selectors import dispute_kpi_figures
        from disputes.services import dispute_escalation_handler
        from merchants.selectors import KPI_SOURCES
        from staff.permission_registry import Audience, Level, permission_register

        # STF-1: the committee's advanced permissions, classified for the permission registry.
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

        if dispute_escalation_handler not in ESCALATION_HANDLERS:
            ESCALATION_HANDLERS.append(dispute_escalation_handler)
        if dispute_kpi_figures not in KPI_SOURCES:
            KPI_SOURCES.append(dispute_kpi_figures)
