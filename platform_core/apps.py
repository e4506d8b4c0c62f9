from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from platform_core.fsm_state import fsm_historical_models_skip_transitions


class PlatformCoreConfig(AppConfig):
    """The kernel itself: its hooks (``platform_core.hooks``) and the ``hooks`` command."""

    name = "platform_core"
    label = "platform_core"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Every installed app's ``hooks.py`` registers what it plugs into other apps, in INSTALLED_APPS
        # order (the firing order), in every process: web, worker and beat.
        autodiscover_modules("hooks")
        # migrate renders thousands of historical models: no FSM receiver for each (decision 039)
        fsm_historical_models_skip_transitions()
        # Issue 21: the names Django derives for the project's apps, models and fields are translated
        from platform_core.verbose_names import verbose_names_translate

        verbose_names_translate()
