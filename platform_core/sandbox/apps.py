from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "platform_core.sandbox"
    label = "sandbox"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Sandbox"
