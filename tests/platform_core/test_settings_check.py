"""Every setting is declared once in the ``platform_core/settings`` package and read as ``settings.X``; the system check
``platform_core.checks.check_settings`` rejects a wrong type or an out-of-range value at start-up."""

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings

from platform_core.checks import check_settings

ROOT = Path(django_settings.BASE_DIR)


def _ids(name: str) -> set[str | None]:
    return {error.id for error in check_settings() if error.msg.startswith(name)}


def test_the_shipped_defaults_pass_the_check() -> None:
    assert check_settings() == []


def test_ord_4_a_number_of_hours_where_a_duration_is_expected_is_a_type_error(
    settings: Settings,
) -> None:
    settings.ORDERS_SHIP_WITHIN = 72
    assert _ids("ORDERS_SHIP_WITHIN") == {"platform.E001"}


def test_a_string_where_a_count_is_expected_is_a_type_error(settings: Settings) -> None:
    settings.JURY_SIZE = "13"
    assert _ids("JURY_SIZE") == {"platform.E001"}


def test_a_bool_is_not_a_count(settings: Settings) -> None:
    settings.AFTERSALES_EVIDENCE_MAX_FILES = True
    assert _ids("AFTERSALES_EVIDENCE_MAX_FILES") == {"platform.E001"}


def test_ord_4_a_negative_duration_is_out_of_range(settings: Settings) -> None:
    settings.ORDERS_SHIP_WITHIN = timedelta(hours=-72)
    assert _ids("ORDERS_SHIP_WITHIN") == {"platform.E002"}


def test_ord_4_a_compensation_rate_above_one_is_out_of_range(settings: Settings) -> None:
    settings.ORDERS_LATE_SHIPMENT_COMPENSATION = {
        "rate": Decimal("5"),
        "min": Decimal("5.00"),
        "max": Decimal("30.00"),
    }
    assert _ids("ORDERS_LATE_SHIPMENT_COMPENSATION") == {"platform.E002"}


def test_ord_4_a_compensation_minimum_above_its_maximum_is_out_of_range(settings: Settings) -> None:
    settings.ORDERS_LATE_SHIPMENT_COMPENSATION = {
        "rate": Decimal("0.05"),
        "min": Decimal("50.00"),
        "max": Decimal("30.00"),
    }
    assert _ids("ORDERS_LATE_SHIPMENT_COMPENSATION") == {"platform.E002"}


def test_dsp_6_a_quorum_larger_than_the_jury_is_out_of_range(settings: Settings) -> None:
    settings.JURY_QUORUM = 14
    assert _ids("JURY_QUORUM") == {"platform.E002"}


def test_zero_counts_are_out_of_range(settings: Settings) -> None:
    settings.MERCHANT_APPLICATION_REVIEW_WORKING_DAYS = 0
    assert _ids("MERCHANT_APPLICATION_REVIEW_WORKING_DAYS") == {"platform.E002"}


def test_vio_2_a_malformed_penalty_threshold_row_is_reported(settings: Settings) -> None:
    settings.MERCHANT_PENALTY_THRESHOLDS = (("general", 6, "warning", 0), ("lenient", 6, "warning", 0))
    assert _ids("MERCHANT_PENALTY_THRESHOLDS") == {"platform.E003"}


def test_pay_3_a_sandbox_behaviour_missing_a_key_is_reported(settings: Settings) -> None:
    settings.ORDERS_PAYMENT_SANDBOX = {"auto": True, "duplicates": 0, "fail": False}
    assert _ids("ORDERS_PAYMENT_SANDBOX") == {"platform.E003"}


def test_manage_py_check_runs_the_settings_check(settings: Settings) -> None:
    """The check is registered (in ``OperationsConfig.ready``): start-up refuses a wrong setting."""
    settings.ORDERS_AUTO_CONFIRM_AFTER = 10
    with pytest.raises(SystemCheckError, match=r"platform\.E001.*ORDERS_AUTO_CONFIRM_AFTER"):
        call_command("check")


def test_settings_imports_no_application_code() -> None:
    """The settings package may import the standard library, third-party packages and its own modules,
    never another project module."""
    modules = sorted((ROOT / "platform_core" / "settings").glob("*.py"))
    assert len(modules) >= 2
    project = {path.parent.name for path in ROOT.glob("*/apps.py")} | {
        path.parent.parent.name for path in ROOT.glob("*/*/apps.py")
    }
    assert "platform_core" in project and "orders" in project
    imported = set()
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    foreign = {name for name in imported if name.split(".")[0] in project}
    foreign -= {name for name in foreign if name.startswith("platform_core.settings.")}
    assert imported and not foreign, foreign


def test_no_production_module_reads_a_setting_with_a_second_default() -> None:
    """One home per setting: code reads ``settings.X``, never ``getattr(settings, "X", default)``."""
    skip = {"tests", ".venv", "var", "node_modules"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts) and "getattr(settings" in path.read_text()
    ]
    assert offenders == []
