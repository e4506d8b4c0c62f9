"""The permission registry (STF-1, USR-1, USR-2): every Django permission of the platform, classified.

Each permission is **basic** or **advanced**, has an **audience** (who may hold it: staff, users or
both), a description, optionally the code of a training that must be passed before it is granted
(STF-8), and whether it is a platform-administrator right (capped, STF-4).

Django's default model permissions are classified by rule: ``view_*`` is basic, ``add_*`` /
``change_*`` / ``delete_*`` are advanced, all for staff, unless listed in ``REGISTRY``. A custom
permission (``Meta.permissions``) must be classified explicitly, by its own app, with
``permission_register`` in the app's ``hooks.py`` (imported at start-up):
``tests/staff/test_permission_registry.py`` fails for any permission of the project's apps that nobody
classifies, and tells the developer what to add.

Training checks (STF-8): the staff chapter registers ``(user, training_code) -> bool`` on
``training_checks``; a permission that requires a training is granted only if one of them says the
person passed it. With no check registered, such a permission is refused.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from platform_core.hooks import Hook

if TYPE_CHECKING:
    from django.contrib.auth.models import Permission

    from platform_core.accounts.models import User


class Level(StrEnum):
    BASIC = "basic"
    ADVANCED = "advanced"


class Audience(StrEnum):
    STAFF = "staff"
    USER = "user"
    BOTH = "both"


@dataclass(frozen=True)
class PermissionSpec:
    key: str  # "<app_label>.<codename>", the string ``user.has_perm`` takes
    level: Level
    audience: Audience
    description: str
    requires_training: str | None = None
    is_admin_right: bool = False

    @property
    def is_advanced(self) -> bool:
        return self.level == Level.ADVANCED

    def open_to(self, *, is_staff: bool) -> bool:
        """May a staff member (``is_staff``) or a user (not staff) hold this permission?"""
        if self.audience == Audience.BOTH:
            return True
        return self.audience == (Audience.STAFF if is_staff else Audience.USER)


# The project's own apps: the registry must classify every permission they define.
PROJECT_APP_LABELS = (
    "accounts",
    "audit",
    "ledger",
    "deadlines",
    "notifications",
    "business_calendar",
    "api",
    "reports",
    "merchants",
    "catalog",
    "orders",
    "aftersales",
    "disputes",
    "staff",
    "jury",
)

DEFAULT_ACTIONS = ("add", "change", "delete", "view")

REGISTRY: dict[str, PermissionSpec] = {}


def permission_register(
    key: str,
    *,
    level: Level,
    audience: Audience,
    description: str,
    requires_training: str | None = None,
    is_admin_right: bool = False,
) -> PermissionSpec:
    """Classify one permission (from the app's ``hooks.py``); a second, different entry fails."""
    if key.count(".") != 1:
        raise ValueError(f"permission keys look like '<app_label>.<codename>', got {key!r}")
    spec = PermissionSpec(
        key=key,
        level=Level(level),
        audience=Audience(audience),
        description=description,
        requires_training=requires_training,
        is_admin_right=is_admin_right,
    )
    existing = REGISTRY.get(key)
    if existing is not None and existing != spec:
        raise ValueError(f"permission {key!r} is already classified differently: {existing}")
    REGISTRY[key] = spec
    return spec


def _default_rule(key: str, *, model_name: str) -> PermissionSpec | None:
    """Django's add/change/delete/view permission of a model: view is basic, the others advanced (staff).

    Report exports (``reports.export_<code>``, one per registered report, AUD-2) are advanced staff
    permissions: exports may carry personal data and are logged.
    """
    app_label, codename = key.split(".", 1)
    if app_label == "reports" and codename.startswith("export_"):
        return PermissionSpec(
            key=key,
            level=Level.ADVANCED,
            audience=Audience.STAFF,
            description=f"Export the {codename[7:]} report",
        )
    for action in DEFAULT_ACTIONS:
        if codename == f"{action}_{model_name}":
            level = Level.BASIC if action == "view" else Level.ADVANCED
            return PermissionSpec(
                key=key,
                level=level,
                audience=Audience.STAFF,
                description=f"{action} {model_name} (default rule)",
            )
    return None


def permission_spec_for(permission: "Permission") -> PermissionSpec | None:
    """The classification of a ``Permission`` row, or ``None`` if nobody classified it (a test fails then)."""
    key = f"{permission.content_type.app_label}.{permission.codename}"
    return REGISTRY.get(key) or _default_rule(key, model_name=permission.content_type.model)


def permission_spec_get(key: str) -> PermissionSpec | None:
    """The classification of ``"<app_label>.<codename>"``; default permissions need the Permission row."""
    if key in REGISTRY:
        return REGISTRY[key]
    from django.contrib.auth.models import Permission

    app_label, codename = key.split(".", 1)
    permission = (
        Permission.objects.select_related("content_type")
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )
    return permission_spec_for(permission) if permission is not None else None


def permissions_unclassified(permissions: "Iterable[Permission]") -> list[str]:
    """STF-1: the keys of the permissions the registry does not classify (must be empty)."""
    return sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in permissions if permission_spec_for(p) is None
    )


def admin_right_keys() -> list[str]:
    """STF-4: the permissions that make their holder a platform administrator (besides ``is_superuser``)."""
    return sorted(key for key, spec in REGISTRY.items() if spec.is_admin_right)


# --- training checks (STF-8) -----------------------------------------------------------------------


TrainingCheck = Callable[["User", str], bool]

training_checks = Hook[TrainingCheck](
    "org.training_checks",
    doc=(
        "STF-8: has `user` passed the training `training_code`? A permission that requires a training "
        "is granted only if one check says so; with none registered, such a permission is refused."
    ),
)


def training_passed(user: "User", training_code: str) -> bool | None:
    """True/False from the registered checks (any says passed → True); ``None`` when no check is registered."""
    if not training_checks:
        return None
    return any(check(user, training_code) for check in training_checks)
