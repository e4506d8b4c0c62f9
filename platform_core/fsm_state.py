"""django-fsm-2 and Django's migration state: keep ``migrate`` linear in the number of models.

Every ``FSMField`` put on a model class connects its own ``class_prepared`` receiver
(``FSMFieldMixin.contribute_to_class``). ``migrate`` renders the historical models again and again (about
18,000 classes for this project's migrations), so the receivers pile up and every later class pays for all
of them: most of a fresh ``migrate`` (``make run``, every ``--create-db`` test run) went into
``class_prepared``. A historical model (module ``__fake__``) has no methods, hence no transitions to
collect, so its fields drop their receiver at once. Real models are untouched (decision 039).
"""

from typing import Any

from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

_contribute_to_class = FSMFieldMixin.contribute_to_class


def _contribute_to_class_without_history(
    self: Any, cls: type, name: str, private_only: bool = False, **kwargs: Any
) -> None:
    _contribute_to_class(self, cls, name, private_only=private_only, **kwargs)
    if cls.__module__ == "__fake__":  # a migration's historical model
        class_prepared.disconnect(self._collect_transitions)


def fsm_historical_models_skip_transitions() -> None:
    """Install the above (idempotent); called once at start-up by ``platform_core``'s ``ready()``."""
    FSMFieldMixin.contribute_to_class = _contribute_to_class_without_history
