"""Staff discipline (STF-9): misconduct recorded with evidence, the permissions involved revoked at once;
rewards and sanctions decided from a month's performance results (STF-7).
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.services import user_access_end
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.services import notify
from staff.models import Department, PermissionGrant, StaffMisconduct, StaffProfile, StaffRewardSanction
from staff.reports import staff_performance
from staff.services._common import _check_attachment, _forget_cached_permissions, _key
from staff.services.grants import permission_revoke


def _profile_of(staff: User) -> StaffProfile:
    profile = StaffProfile.objects.select_related("department").filter(user=staff, is_active=True).first()
    if profile is None:
        raise Conflict(_("%(user)s has no active staff profile.") % {"user": staff}, code="no_profile")
    return profile


def staff_may_discipline(*, actor: User, staff: User, also: Iterable[str] = ()) -> bool:
    """STF-9: the active head of ``staff``'s department, or an active member of compliance (or of a
    department in ``also``), never about themselves."""
    if not actor.is_active or not actor.is_staff or actor.pk == staff.pk:
        return False
    profile = StaffProfile.objects.select_related("department").filter(user=staff, is_active=True).first()
    if profile is not None and profile.department.head_id == actor.pk:
        return True
    codes = [Department.Code.COMPLIANCE, *also]
    return StaffProfile.objects.filter(user=actor, is_active=True, department__code__in=codes).exists()


def _revoke_involved(
    *, staff: User, permissions: list[Permission], reason: str, actor: User
) -> tuple[list[str], dict[str, int]]:
    """STF-3, STF-5: end each permission involved now: its grant through ``permission_revoke`` (which ends
    sessions and tokens), or a direct holding without a grant. A permission the person holds only through
    their department's role cannot be taken from them alone: refused (move or offboard them instead)."""
    revoked: list[str] = []
    ended: dict[str, int] = {}
    for permission in permissions:
        grant = PermissionGrant.objects.filter(
            user=staff, permission=permission, revoked_at__isnull=True, lapsed_at__isnull=True
        ).first()
        if grant is not None:
            permission_revoke(grant=grant, reason=reason, actor=actor)
        elif staff.user_permissions.filter(pk=permission.pk).exists():
            staff.user_permissions.remove(permission)
        else:
            raise InvalidInput(
                _(
                    "%(user)s does not hold %(key)s individually; a permission of the department's role is "
                    "removed by moving or offboarding the person (STF-5)."
                )
                % {"user": staff, "key": _key(permission)},
                errors={"permissions": [_key(permission)]},
            )
        revoked.append(_key(permission))
    if revoked:
        _forget_cached_permissions(staff)
        ended = user_access_end(user=staff)
    return revoked, ended


@transaction.atomic
def staff_misconduct_record(
    *,
    staff: User,
    kind: str,
    description: str,
    evidence: UploadedFile,
    permissions: Iterable[Permission] = (),
    actor: User,
) -> StaffMisconduct:
    """STF-9: record a staff member's misconduct with evidence; the permissions involved are revoked now.

    Only the head of the person's department or a member of compliance records it (not about themselves).
    The evidence is a PDF, PNG or JPEG checked by content (SEC-4). The revocations go through STF-3's
    ``permission_revoke``: the person's sessions and API tokens end. The record counts in the month's
    performance figures (STF-7). Audited; the person is notified.
    """
    if kind not in StaffMisconduct.Kind.values:
        raise InvalidInput(_("Choose the kind of misconduct."), errors={"kind": [kind]})
    if not description.strip():
        raise InvalidInput(_("Describe the misconduct."), errors={"description": [_("Required.")]})
    _profile_of(staff)
    if not staff_may_discipline(actor=actor, staff=staff):
        raise Forbidden(
            _("Only the head of the staff member's department or compliance may record misconduct."),
            code="not_head_or_compliance",
        )
    _check_attachment(evidence)
    involved = list(
        Permission.objects.select_related("content_type").filter(pk__in=[p.pk for p in permissions])
    )
    record = StaffMisconduct.objects.create(
        staff=staff,
        kind=kind,
        description=description,
        evidence=evidence,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    record.permissions.set(involved)
    reason = _("Misconduct recorded (%(kind)s): %(description)s") % {
        "kind": record.get_kind_display(),
        "description": description,
    }
    revoked, ended = _revoke_involved(staff=staff, permissions=involved, reason=reason, actor=actor)
    record.revoked = revoked
    record.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        action="staff.misconduct_recorded",
        subject=record,
        after={"staff": staff.pk, "kind": kind, "revoked": revoked, **ended},
        reason=description,
    )
    notify(
        recipient=staff,
        event="staff.misconduct_recorded",
        title=_("Misconduct recorded"),
        body=_("Misconduct was recorded against you: %(kind)s. Permissions revoked: %(keys)s")
        % {"kind": record.get_kind_display(), "keys": ", ".join(revoked) or "—"},
        subject=record,
    )
    return record


def _month_bounds(period: date) -> tuple[datetime, datetime]:
    start = period.replace(day=1)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone)


@transaction.atomic
def staff_reward_sanction_record(
    *, staff: User, kind: str, period: date, decision: str, actor: User
) -> StaffRewardSanction:
    """STF-9: record a reward or sanction decided from the results of a month that has ended (STF-7).

    Recorded by the head of the person's department, compliance or human resources; the person's figures
    of that month (including misconduct recorded in it) are kept with the decision. Audited; notified.
    """
    if kind not in StaffRewardSanction.Kind.values:
        raise InvalidInput(_("Choose reward or sanction."), errors={"kind": [kind]})
    if not decision.strip():
        raise InvalidInput(_("Give the decision."), errors={"decision": [_("Required.")]})
    _profile_of(staff)
    if not staff_may_discipline(actor=actor, staff=staff, also=[Department.Code.HR]):
        raise Forbidden(
            _(
                "Only the head of the staff member's department, compliance or human resources may record "
                "rewards and sanctions."
            ),
            code="not_head_or_compliance",
        )
    since, until = _month_bounds(period)
    if until > clock.now():
        raise Conflict(
            _("The results of %(month)s are not final yet: decide once the month has ended.")
            % {"month": f"{since:%Y-%m}"},
            code="month_not_ended",
        )
    person = next(
        (p for p in staff_performance(since=since, until=until).people if p.user_id == staff.pk), None
    )
    figures = person.as_row() if person is not None else {"user_id": staff.pk, "done": 0, "misconduct": 0}
    figures.pop("name", None)  # the person is the record's own column
    record = StaffRewardSanction.objects.create(
        staff=staff,
        kind=kind,
        period=since.date(),
        decision=decision,
        figures=figures,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="staff.reward_sanction_recorded",
        subject=record,
        after={"staff": staff.pk, "kind": kind, "period": f"{since:%Y-%m}", "figures": figures},
        reason=decision,
    )
    notify(
        recipient=staff,
        event="staff.reward_sanction_recorded",
        title=_("Reward or sanction recorded"),
        body=_("%(kind)s for %(month)s: %(decision)s")
        % {"kind": record.get_kind_display(), "month": f"{since:%Y-%m}", "decision": decision},
        subject=record,
    )
    return record
