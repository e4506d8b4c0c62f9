"""Issue 21, decision 034: the console speaks the operator's language.

Django names an app, a model or a field the project did not name itself from its Python identifier
("Penaltys", "Credit score") and never passes that name through gettext. ``verbose_names_translate`` (run
once from ``PlatformCoreConfig.ready``) gives each of the project's apps, models and fields without a name of
its own a lazy translation of the name Django would have shown (``gettext_lazy("credit score")``): the
catalogue (``locale/zh_Hans``) holds the Chinese, English keeps the words the admin showed before
(plurals spelled right). Migrations do not see it (``Field.deconstruct`` and the model state read the
declared names), so no model file and no migration changes, and a new field is covered by adding its
name to the catalogue; ``tests/platform_core/console/test_stf_console_zh_hans.py`` fails until it is.
"""

from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

#: the project's apps (their top-level package): third-party and Django's own apps translate themselves
PROJECT_PACKAGES = frozenset(
    {
        "platform_core",
        "merchants",
        "catalog",
        "orders",
        "aftersales",
        "disputes",
        "staff",
        "jury",
        "fieldwork",
    }
    | {"simulation"}
)

#: app label -> its English name (the msgid) where Django's ``label.title()`` reads badly
APP_NAMES = {
    "platform_core": "Platform",
    "accounts": "Accounts",
    "api": "API",
    "audit": "Audit log",
    "business_calendar": "Business calendar",
    "notifications": "Notifications",
    "ledger": "Ledger",
    "deadlines": "Deadlines",
    "reports": "Reports",
    "console": "Operations console",
    "operations": "Operations",
    "sandbox": "Sandbox",
    "merchants": "Merchants",
    "catalog": "Catalog",
    "orders": "Orders",
    "aftersales": "After-sales",
    "disputes": "Disputes",
    "staff": "Staff",
    "simulation": "Simulation",
    # libraries whose names are not translated (their own catalogues have no Chinese for them)
    "otp_totp": "Two-factor: authenticator apps",
    "otp_static": "Two-factor: backup codes",
    "knox": "API tokens",
    "axes": "Sign-in lockout",
}

#: English plurals that adding an "s" gets wrong
_PLURALS = {"penalty": "penalties", "evidence": "evidence", "dispute evidence": "dispute evidence"}


def _plural(name: str) -> str:
    if name in _PLURALS:
        return _PLURALS[name]
    last = name.rsplit(" ", 1)[-1]
    if last in _PLURALS:
        return name[: -len(last)] + _PLURALS[last]
    return name + "s"


def _is_project(app_config: Any) -> bool:
    return str(app_config.name).split(".")[0] in PROJECT_PACKAGES


def verbose_names_translate() -> None:
    """Issue 21: every name of the project's apps, models and fields goes through the catalogue."""
    for app_config in apps.get_app_configs():
        project = _is_project(app_config)
        if not project and app_config.label not in APP_NAMES:
            continue
        name = str(app_config.verbose_name)
        if name == app_config.label.title() or app_config.label in APP_NAMES:
            app_config.verbose_name = gettext_lazy(APP_NAMES.get(app_config.label, name))
        for model in app_config.get_models():
            _model_names_translate(model, fields=project)


def _model_names_translate(model: Any, *, fields: bool) -> None:
    opts = model._meta
    declared = opts.original_attrs
    if "verbose_name" not in declared or not isinstance(opts.verbose_name, Promise):
        # Django's, from the class name, or a library's plain string: never translated
        name = str(opts.verbose_name)
        opts.verbose_name = gettext_lazy(name)
        if "verbose_name_plural" not in declared:
            opts.verbose_name_plural = gettext_lazy(_plural(name)) if name.isascii() else opts.verbose_name
    elif "verbose_name_plural" not in declared:
        opts.verbose_name_plural = opts.verbose_name  # "类目s": Chinese has no plural
    if not isinstance(opts.verbose_name_plural, Promise):
        opts.verbose_name_plural = gettext_lazy(str(opts.verbose_name_plural))
    for field in opts.get_fields(include_hidden=False) if fields else ():
        # a field the model declares without a name of its own: Django derived it from the attribute
        if getattr(field, "model", None) is model and getattr(field, "_verbose_name", "") is None:
            field.verbose_name = gettext_lazy(str(field.verbose_name))
