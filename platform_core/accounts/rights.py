"""STF-2, AUD-1: every change of anyone's rights is in the audit log, whatever path made it.

Rights change through grants (``staff.services.grants``), role changes and offboarding, but Django lets any
code (a shell, a data fix, a future admin page) add a group or a permission directly. ``m2m_changed`` on
``User.groups``, ``User.user_permissions`` and ``Group.permissions`` is the catch-all: each add, remove or
clear writes a ``rights.changed`` entry in the same transaction, with the acting request's user when
there is one (else the system). The grant services write their own, more specific entries as well.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models.signals import m2m_changed, post_init, post_save

from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.operations.context import request_var

_OPERATIONS = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}


def _actor() -> User | None:
    request = request_var.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if isinstance(user, User) and user.is_authenticated else None


def _labels(model: type[models.Model], pks: set[Any]) -> list[str]:
    if model is Permission:
        return sorted(
            f"{app_label}.{codename}"
            for app_label, codename in Permission.objects.filter(pk__in=pks).values_list(
                "content_type__app_label", "codename"
            )
        )
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(str(pk) for pk in pks)


def _record(*, holder: models.Model, relation: str, operation: str, items: list[str]) -> None:
    after: dict[str, Any] = {"relation": relation, operation: items}
    if isinstance(holder, Group):
        after["members"] = sorted(holder.user_set.values_list("pk", flat=True))
    audit_record(actor=_actor(), action="rights.changed", subject=holder, after=after)


def _current(instance: models.Model, relation: str) -> set[Any]:
    return set(getattr(instance, relation).values_list("pk", flat=True))


def _receiver(relation: str, forward_model: type[models.Model]) -> Any:
    """The receiver for one relation: ``relation`` is the attribute on the holder (``groups``, …)."""

    def changed(
        sender: Any,
        instance: models.Model,
        action: str,
        reverse: bool,
        model: Any,
        pk_set: Any,
        **kwargs: Any,
    ) -> None:
        operation = _OPERATIONS.get(action)
        if operation is None:
            return
        if not reverse:
            pks = _current(instance, relation) if action == "pre_clear" else set(pk_set or ())
            if pks:
                _record(
                    holder=instance, relation=relation, operation=operation, items=_labels(forward_model, pks)
                )
            return
        # reverse: ``instance`` is the group or permission, ``pk_set`` the holders whose rights changed
        if action == "pre_clear":
            holders = list(model.objects.filter(**{relation: instance}))
        else:
            holders = list(model.objects.filter(pk__in=pk_set or ()))
        for holder in holders:
            _record(
                holder=holder,
                relation=relation,
                operation=operation,
                items=_labels(forward_model, {instance.pk}),
            )

    return changed


_FLAGS = ("is_superuser", "is_staff")


def _flags_loaded(sender: Any, instance: User, **kwargs: Any) -> None:
    """Remember the flags as loaded (never read a deferred field here: that would query)."""
    instance._rights_flags = {f: instance.__dict__.get(f) for f in _FLAGS}  # type: ignore[attr-defined]


def _flags_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """``is_superuser`` / ``is_staff`` set on a new user or changed on a saved one: audited too."""
    loaded = getattr(instance, "_rights_flags", {})
    before = {f: (False if created else loaded.get(f)) for f in _FLAGS}
    after = {f: instance.__dict__.get(f) for f in _FLAGS}
    changed = {f for f in _FLAGS if after[f] is not None and before[f] is not None and before[f] != after[f]}
    if created:
        changed = {"is_superuser"} if after["is_superuser"] else set()
    if changed:
        audit_record(
            actor=_actor(),
            action="rights.changed",
            subject=instance,
            before={f: before[f] for f in sorted(changed)},
            after={"relation": "flags", **{f: after[f] for f in sorted(changed)}},
        )
    instance._rights_flags = after  # type: ignore[attr-defined]


_RECEIVERS = (
    (User.groups.through, _receiver("groups", Group)),
    (User.user_permissions.through, _receiver("user_permissions", Permission)),
    (Group.permissions.through, _receiver("permissions", Permission)),
)


def connect() -> None:
    """Called once by ``AccountsConfig.ready``."""
    for through, receiver in _RECEIVERS:
        m2m_changed.connect(
            receiver, sender=through, weak=False, dispatch_uid=f"rights.changed:{through.__name__}"
        )
    post_init.connect(_flags_loaded, sender=User, weak=False, dispatch_uid="rights.flags_loaded")
    post_save.connect(_flags_saved, sender=User, weak=False, dispatch_uid="rights.flags_saved")
