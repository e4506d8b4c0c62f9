from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    name = "jury"
    verbose_name = _("Public jury")
    default_auto_field = "django.db.models.BigAutoField"
