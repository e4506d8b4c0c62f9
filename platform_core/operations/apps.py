from django.apps import AppConfig
from django.core import checks


class OperationsConfig(AppConfig):
    name = "platform_core.operations"
    label = "operations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery signals (request id into tasks, task metrics, the worker heartbeat) and the database
        # query counter are connected in every process that loads Django: web, worker and beat.
        from platform_core.checks import check_settings
        from platform_core.deploy_checks import check_production
        from platform_core.operations import signals
        from platform_core.reports.fonts import check_pdf_font

        signals.connect()
        checks.register(check_settings)  # the settings' types and ranges (platform.E0xx)
        checks.register(check_pdf_font)  # AUD-3: the CJK font PDFs embed (platform.W107; E107 in production)
        # decision 019: no sandbox and no missing or published secret in production (platform.E1xx)
        checks.register(check_production, checks.Tags.security, deploy=True)
