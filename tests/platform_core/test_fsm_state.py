"""Decision 039: the historical models ``migrate`` renders connect no django-fsm ``class_prepared``
receiver (they piled up and made a fresh ``migrate`` quadratic), while real models keep their transitions."""

from django.apps import apps
from django.db.migrations.state import ProjectState
from django.db.models.signals import class_prepared

from orders.models import Order


def test_ops_historical_models_connect_no_fsm_receiver() -> None:
    for _ in range(2):  # migrate renders the project's state again and again
        state = ProjectState.from_apps(apps)
        before = len(class_prepared.receivers)
        historical = state.apps.get_model("orders", "Order")
        assert historical.__module__ == "__fake__"
        assert len(class_prepared.receivers) == before


def test_ops_real_models_keep_their_transitions() -> None:
    assert {t.name for t in Order._meta.get_field("status").get_all_transitions(Order)} >= {"ship"}
