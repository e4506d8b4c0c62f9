from django.apps import AppConfig


class SimulationAppConfig(AppConfig):
    """OPS-1: the whole-platform simulator (``manage.py simulate``); no models, top of the app graph."""

    name = "simulation"
    verbose_name = "Simulation"
