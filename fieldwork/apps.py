from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Field work (外勤)"
