"""STF-3: every role grant a data migration makes is restored after a flushing test, so no test runs with a
role that lacks the permissions production gives it."""

import importlib
import pkgutil

from django.apps import apps
from django.conf import settings

from tests.helpers.reference_data import GRANTS


def _migration_modules_with_grants() -> set[str]:
    found = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue  # the project's own apps only
        try:
            package = importlib.import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if isinstance(getattr(module, "GRANTS", None), dict):
                found.add(module.__name__)
    return found


def test_stf_3_every_migration_that_grants_a_role_is_restored_by_the_reference_data() -> None:
    assert _migration_modules_with_grants() == {module for module, _ in GRANTS}
