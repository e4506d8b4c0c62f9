"""Account deletion (USR-4): registered on ``account_anonymisers`` in staff/hooks.py."""

from django.db import transaction

from platform_core import clock
from platform_core.accounts.models import User
from staff.models import IdentityVerification, PermissionApplication, PermissionGrant
from staff.services.applications import permission_application_withdraw
from staff.services.grants import permission_give_up


@transaction.atomic
def staff_anonymise_user(*, user: User, actor: User | None) -> dict[str, int]:
    """USR-4, SEC-2: a user deletes their account: their open applications are withdrawn, their grants
    given up, and the real identity they gave (name, encrypted ID number, material) is erased. The
    applications and grants stay as records without personal data.
    """
    holder = actor if actor is not None and actor.pk == user.pk else user
    withdrawn = 0
    for application in PermissionApplication.objects.filter(
        applicant=user, status=PermissionApplication.Status.SUBMITTED
    ).order_by("pk"):
        permission_application_withdraw(application=application, actor=holder)
        withdrawn += 1
    ended = 0
    for grant in PermissionGrant.objects.filter(
        user=user, revoked_at__isnull=True, lapsed_at__isnull=True
    ).order_by("pk"):
        permission_give_up(grant=grant, actor=holder)
        ended += 1
    erased = IdentityVerification.objects.filter(user=user, anonymised_at__isnull=True).update(
        real_name="", id_number="", id_number_masked="", material={}, anonymised_at=clock.now()
    )
    PermissionApplication.objects.filter(applicant=user).update(material={})
    return {"applications_withdrawn": withdrawn, "grants_ended": ended, "identities_erased": erased}
