"""Records staff administration keeps in the admin (issue 21): training courses (STF-8) and shared
credentials (STF-5). Every creation, change and deletion is audited."""

from typing import Any

from django.utils.translation import gettext as _

from platform_core.accounts.models import User
from platform_core.audit.services import audited_delete, audited_save
from platform_core.errors import InvalidInput
from staff.models import SharedCredential, TrainingCourse

TRAINING_COURSE_FIELDS = ("code", "title", "audience", "description", "pass_score")
SHARED_CREDENTIAL_FIELDS = ("name", "department", "holders")


def training_course_save(
    *, course: TrainingCourse | None, data: dict[str, Any], actor: User
) -> TrainingCourse:
    """STF-8: create a course (``course`` None) or change one; ``data`` holds ``TRAINING_COURSE_FIELDS``. The
    code is fixed once created (advanced permissions name the training they require by it); the pass score
    is 0 … 100 (``data`` may leave the code out when changing a course)."""
    if course is not None:
        stored = TrainingCourse.objects.values_list("code", flat=True).get(pk=course.pk)
        data = {**data, "code": data.get("code", stored)}
        if data["code"] != stored:
            raise InvalidInput(
                _("The code of a course cannot change."),
                errors={"code": [_("Permissions that require this training name it by its code.")]},
            )
    score = data.get("pass_score")
    if score is None or not 0 <= int(score) <= 100:
        raise InvalidInput(_("The pass score is 0 to 100."), errors={"pass_score": [_("0 to 100.")]})
    return audited_save(
        model=TrainingCourse,
        obj=course,
        data=data,
        fields=TRAINING_COURSE_FIELDS,
        actor=actor,
        entity="staff.training_course",
    )


def shared_credential_save(
    *, credential: SharedCredential | None, data: dict[str, Any], actor: User
) -> SharedCredential:
    """STF-5: record a shared credential (``credential`` None) or change who knows it; ``data`` holds
    ``SHARED_CREDENTIAL_FIELDS``. Only staff members hold one (offboarding rotates what they knew)."""
    outsiders = [str(user) for user in data.get("holders") or [] if not (user.is_staff and user.is_active)]
    if outsiders:
        raise InvalidInput(
            _("Only active staff members hold shared credentials."),
            errors={"holders": [_("Not active staff: %(names)s.") % {"names": ", ".join(outsiders)}]},
        )
    return audited_save(
        model=SharedCredential,
        obj=credential,
        data=data,
        fields=SHARED_CREDENTIAL_FIELDS,
        actor=actor,
        entity="staff.shared_credential",
    )


def shared_credential_delete(*, credential: SharedCredential, actor: User) -> None:
    """STF-5: a credential no longer in use (the account was closed): deleted, its holders kept in the audit
    entry. Rotation tasks that listed it keep their record in the audit log."""
    audited_delete(
        obj=credential, fields=SHARED_CREDENTIAL_FIELDS, actor=actor, entity="staff.shared_credential"
    )
