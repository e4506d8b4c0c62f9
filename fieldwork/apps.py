from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Field work (外勤)"

    def ready(self) -> None:
        """ORD-9: a paid service order is handed to a field coordinator in the payment's transaction."""
        from fieldwork.services import assignment_open_for_paid_order
        from orders.services import ORDER_PAID_HANDLERS
        from platform_core.accounts.services import hook_register

        hook_register(ORDER_PAID_HANDLERS, assignment_open_for_paid_order)
