from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DeadlinesConfig(AppConfig):
    name = "platform_core.deadlines"
    label = "deadlines"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Deadlines"

    def ready(self) -> None:
        # Every installed app's ``deadlines.py`` registers its rules (this app's holds the canary), so
        # rule names are known in every process: web, worker and beat.
        autodiscover_modules("deadlines")
