"""Demo staff for ``seed_demo`` (issue 24): the demo's customer-service agent and arbitrators get their staff
profiles (STF-1), and permission applications wait for review and are granted (STF-2).

Runs after the after-sales and disputes demos, which made those accounts (INSTALLED_APPS order: the
disputes app may not import this one). Everything goes through the staff services; the demo administrator
reviews. Idempotent: a profile is made only where missing, the applications only once.
"""

from django.contrib.auth.models import Permission
from django.core.management.base import OutputWrapper

from platform_core.accounts.models import User
from staff.models import Department, PermissionApplication, StaffProfile
from staff.services.applications import permission_application_approve, permission_application_submit
from staff.services.profiles import staff_profile_create

#: (email, department, title) of the demo staff other seeders made
PROFILES = (
    ("service@demo.local", Department.Code.CUSTOMER_SERVICE, "客服专员"),
    *((f"arbitrator-{n}@demo.local", Department.Code.ARBITRATION, "仲裁员") for n in range(1, 5)),
)
#: (applicant, permission, justification, granted?)
APPLICATIONS = (
    ("arbitrator-1@demo.local", "staff.publish_announcement", "演示：发布仲裁规则更新公告", True),
    ("service@demo.local", "staff.publish_announcement", "演示：发布客服服务时间调整公告", False),
)


def _permission(key: str) -> Permission:
    app_label, codename = key.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def seed(*, stdout: OutputWrapper) -> None:
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        stdout.write("staff demo: no superuser; skipped")
        return
    for email, code, title in PROFILES:
        user = User.objects.filter(email=email).first()
        if user is not None and not StaffProfile.objects.filter(user=user).exists():
            department = Department.objects.get(code=code)
            staff_profile_create(user=user, department=department, title=title, actor=admin)
    if PermissionApplication.objects.filter(applicant__email__endswith="@demo.local").exists():
        return
    for email, key, justification, granted in APPLICATIONS:
        applicant = User.objects.filter(email=email).first()
        if applicant is None:
            continue
        application = permission_application_submit(
            applicant=applicant, permission=_permission(key), justification=justification, actor=applicant
        )
        if granted:
            permission_application_approve(application=application, reason="演示：职责需要", actor=admin)
    states = PermissionApplication.objects.filter(applicant__email__endswith="@demo.local")
    stdout.write(
        f"staff demo: permission applications {', '.join(sorted(states.values_list('status', flat=True)))}"
    )
