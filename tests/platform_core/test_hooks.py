"""The hooks (``platform_core.hooks``): one way for an app to plug into another, listed by ``manage.py hooks``."""

from collections.abc import Callable, Iterator
from io import StringIO
from typing import cast

import pytest
from django.apps import apps
from django.core.management import call_command

from platform_core import hooks as hooks_module
from platform_core.accounts.models import User
from platform_core.hooks import Hook, hook_get, hooks_all
from platform_core.org.departments import DepartmentCode, department_head
from staff.models import Department
from tests.factories.accounts import StaffFactory


@pytest.fixture
def scratch_hooks() -> Iterator[None]:
    """Hooks a test declares leave the global registry (and ``manage.py hooks``) as they found it."""
    saved = dict(hooks_module._HOOKS)
    yield
    hooks_module._HOOKS.clear()
    hooks_module._HOOKS.update(saved)


def first(value: int) -> None: ...


def second(value: int) -> None: ...


def test_registering_the_same_function_twice_keeps_one(scratch_hooks: None) -> None:
    hook = Hook[Callable[[int], None]]("tests.numbers", doc="A number was seen.")
    assert hook.register(first) is first  # usable as a decorator
    hook.register(second)
    hook.register(first)
    assert list(hook) == [first, second]
    assert len(hook) == 2
    assert hook.signature == "(int) -> None"
    assert hook_get("tests.numbers") is hook


def test_firing_order_is_registration_order_and_test_overrides_restore_it(scratch_hooks: None) -> None:
    hook = Hook[Callable[[int], None]]("tests.ordered", doc="A number was seen.")
    hook.register(second)
    hook.register(first)
    assert list(hook) == [second, first]
    with hook.replaced(first):
        assert list(hook) == [first]
    with hook.registered(second, first, third := lambda value: None):
        assert list(hook) == [second, first, third]
    assert list(hook) == [second, first]
    hook.unregister(second)
    assert list(hook) == [first]


def test_a_hook_name_belongs_to_one_module(scratch_hooks: None) -> None:
    with pytest.raises(ValueError, match="already declared"):
        Hook[Callable[[], None]]("orders.order_paid", doc="a second declaration elsewhere")
    with pytest.raises(ValueError, match=r"<app>\.<what>"):
        Hook[Callable[[], None]]("nodot", doc="x")


def test_registrations_come_from_hooks_py_in_installed_apps_order() -> None:
    """Every registration made at start-up is in an app's ``hooks.py``, and each hook fires its
    registrations app by app in INSTALLED_APPS order (deterministic, whatever imported what first)."""
    position = {config.name: index for index, config in enumerate(apps.get_app_configs())}
    for hook in hooks_all():
        assert hook.signature != "?", f"{hook.name} is declared without its callable type"
        order = []
        for registration in hook.registrations:
            assert registration.registered_in.endswith(".hooks"), (hook.name, registration)
            order.append(position[registration.registered_in.removesuffix(".hooks")])
        assert order == sorted(order), f"{hook.name} fires out of INSTALLED_APPS order"


def test_rep_3_vio_6_kpi_sources_fire_in_app_order() -> None:
    from aftersales.selectors import aftersales_kpi_figures, message_kpi_figures
    from disputes.selectors import dispute_kpi_figures
    from merchants.selectors.figures import kpi_sources
    from orders.selectors.delivery import delivery_case_kpi_figures
    from orders.selectors.orders import order_kpi_figures

    assert list(kpi_sources) == [
        order_kpi_figures,
        delivery_case_kpi_figures,  # ORD-10
        aftersales_kpi_figures,
        message_kpi_figures,
        dispute_kpi_figures,
    ]


def test_ord_9_manage_py_hooks_names_field_work_on_the_order_paid_hook() -> None:
    out = StringIO()
    call_command("hooks", stdout=out, no_color=True)
    text = out.getvalue()
    section = text[text.index("orders.order_paid") :].split("\n\n")[0]
    assert "signature: (Order) -> object" in section
    assert "ORD-9" in section
    assert "1. fieldwork.services.assignment_open_for_paid_order  (in fieldwork.hooks)" in section
    assert (
        "aftersales.request_escalated" in text
        and "disputes.services.opening.dispute_escalation_handler" in text
    )


def test_manage_py_hooks_for_one_hook() -> None:
    out = StringIO()
    call_command("hooks", "--hook", "disputes.arbitration_routers", stdout=out, no_color=True)
    assert "jury.services.jury_arbitration_router" in out.getvalue()
    assert "orders.order_paid" not in out.getvalue()


@pytest.mark.django_db
def test_stf_1_the_kernel_finds_the_department_head_through_staff() -> None:
    assert Department.Code is DepartmentCode
    department, _ = Department.objects.update_or_create(
        code=DepartmentCode.ARBITRATION,
        defaults={"name": "仲裁委员会", "name_en": "Arbitration committee", "head": None},
    )
    assert department_head(code=DepartmentCode.ARBITRATION) is None
    head = cast(User, StaffFactory())
    department.head = head
    department.save(update_fields=["head"])
    assert department_head(code=DepartmentCode.ARBITRATION) == head
    head.is_active = False
    head.save(update_fields=["is_active"])
    assert department_head(code=DepartmentCode.ARBITRATION) is None  # nobody who left is escalated to
