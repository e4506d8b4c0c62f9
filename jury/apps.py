from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    name = "jury"
    verbose_name = _("Public jury")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # OPS-1: the jury's 48-hour clock; DSP-6: a consented small case goes to a jury, not the committee.
        from disputes.services import ARBITRATION_ROUTERS
        from jury import deadlines  # noqa: F401
        from jury.services import jury_arbitration_router

        if jury_arbitration_router not in ARBITRATION_ROUTERS:
            ARBITRATION_ROUTERS.append(jury_arbitration_router)
