from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "platform_core.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"
