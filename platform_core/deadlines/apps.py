from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "platform_core.deadlines"
    label = "deadlines"
    default_auto_field = "django.db.models.BigAutoField"
