from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class ConsoleConfig(AppConfig):
    name = "platform_core.console"
    label = "console"
    verbose_name = "Operations console"

    def ready(self) -> None:
        # Every installed app's ``queues.py`` registers the work queues of the operations console.
        autodiscover_modules("queues")
        # AUD-2: the auditor role views every project model read-only. Connected for every app (no
        # sender): each app's permissions exist only after its own post_migrate (django.contrib.auth).
        from platform_core.console.auditor import auditor_view_permissions_sync_after_migrate

        post_migrate.connect(
            auditor_view_permissions_sync_after_migrate, dispatch_uid="console.sync_auditor_view_permissions"
        )
