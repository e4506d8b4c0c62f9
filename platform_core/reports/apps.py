from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "platform_core.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
