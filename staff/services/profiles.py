"""Staff profiles and department heads (STF-1, STF-2)."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from platform_core.accounts.models import User
from platform_core.audit.services import audit_record, audited_save
from platform_core.errors import Conflict
from platform_core.locking import lock
from staff.models import Department, StaffProfile


@transaction.atomic
def staff_profile_create(
    *, user: User, department: Department, title: str = "", actor: User | None
) -> StaffProfile:
    """STF-1: put a person on the staff of a department (and in its role group)."""
    if StaffProfile.objects.filter(user=user).exists():
        raise Conflict(_("%(user)s already has a staff profile.") % {"user": user}, code="profile_exists")
    profile = StaffProfile.objects.create(user=user, department=department, title=title)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=department.role))
    audit_record(
        actor=actor, action="staff.profile_created", subject=profile, after={"department": department.code}
    )
    return profile


def staff_profile_title_set(*, profile: StaffProfile, title: str, actor: User) -> StaffProfile:
    """STF-1, issue 21: a staff member's job title (department and activity change only by STF-5's
    services, which revoke access); audited."""
    return audited_save(
        model=StaffProfile,
        obj=profile,
        data={"title": title.strip()},
        fields=("title",),
        actor=actor,
        entity="staff.profile",
    )


@transaction.atomic
def department_head_set(*, department: Department, head: User | None, actor: User | None) -> Department:
    """STF-1, STF-2: appoint the head to whom overdue applications escalate."""
    department = lock(Department, department.pk)
    before = {"head": department.head_id}
    department.head = head
    department.save(update_fields=["head"])
    audit_record(
        actor=actor,
        action="staff.department_head_set",
        subject=department,
        before=before,
        after={"head": head.pk if head else None},
    )
    return department
