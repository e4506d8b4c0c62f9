from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "platform_core.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # STF-2, AUD-1: every change of groups or permissions is audited, by any path (m2m_changed)
        from platform_core.accounts import rights

        rights.connect()
