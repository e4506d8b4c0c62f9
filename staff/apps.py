from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Plug the staff chapter into the kernel's hooks (the kernel imports no chapter app).

        STF-8: permissions that require a training are granted only to people who passed it.
        USR-4: deleting an account withdraws applications, ends grants and erases the real identity.
        """
        from platform_core.accounts.services import ACCOUNT_ANONYMISERS, hook_register
        from staff.permission_registry import TRAINING_CHECKS
        from staff.selectors import training_passed_by
        from staff.services import staff_anonymise_user

        hook_register(TRAINING_CHECKS, training_passed_by)
        hook_register(ACCOUNT_ANONYMISERS, staff_anonymise_user)
