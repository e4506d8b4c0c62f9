"""MER-6a: changes of registered information the merchant reports; overdue reviews (MER-2, MER-6a)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.clocks import RULE_CHANGE_VERIFY
from merchants.models import Merchant, MerchantApplication, MerchantChange
from merchants.services._common import _notify_staff, _require_owner, _require_reviewer
from merchants.services.lifecycle import merchant_lock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head


@transaction.atomic
def merchant_change_report(*, merchant: Merchant, changes: dict[str, str], actor: User) -> MerchantChange:
    """MER-6a: the merchant reports changed registered information; staff verify within 7 working days."""
    _require_owner(merchant=merchant, actor=actor)
    unknown = set(changes) - set(MerchantChange.CHANGEABLE_FIELDS)
    if not changes or unknown:
        raise InvalidInput(
            _("Only these fields may be reported: %(fields)s.")
            % {"fields": ", ".join(MerchantChange.CHANGEABLE_FIELDS)},
            code="invalid_change",
        )
    change = MerchantChange.objects.create(merchant=merchant, changes=changes, reported_by=actor)
    deadline_start(
        rule=RULE_CHANGE_VERIFY, subject=change, working_days=settings.MERCHANT_CHANGE_VERIFY_WORKING_DAYS
    )
    audit_record(actor=actor, action="merchant.change_reported", subject=merchant, after=changes)
    return change


@transaction.atomic
def merchant_change_verify(*, change: MerchantChange, note: str, actor: User) -> MerchantChange:
    """MER-6a: staff verify; the merchant's registered information (and public profile) is updated."""
    _require_reviewer(actor)
    merchant = merchant_lock(merchant_id=change.merchant.pk)
    change = lock(MerchantChange, change.pk)
    change.verify(reviewer=actor, note=note)
    change.save()
    before = {name: getattr(merchant, name) for name in change.changes}
    for name, value in change.changes.items():
        setattr(merchant, name, value)
    merchant.save(update_fields=list(change.changes))
    deadline_meet(rule=RULE_CHANGE_VERIFY, subject=change)
    audit_record(
        actor=actor,
        action="merchant.change_verified",
        subject=merchant,
        before=before,
        after=change.changes,
        reason=note,
    )
    return change


@transaction.atomic
def merchant_change_reject(*, change: MerchantChange, note: str, actor: User) -> MerchantChange:
    """MER-6a: staff refuse the reported change, with the reason."""
    _require_reviewer(actor)
    change = lock(MerchantChange, change.pk)
    change.reject(reviewer=actor, note=note)
    change.save()
    deadline_meet(rule=RULE_CHANGE_VERIFY, subject=change)
    audit_record(actor=actor, action="merchant.change_rejected", subject=change.merchant, reason=note)
    return change


@transaction.atomic
def review_overdue_record(*, subject: MerchantApplication | MerchantChange, what: str) -> None:
    """MER-2, MER-6a: a review clock ran out: record it, tell operations, and put it before the head of
    the operations department (STF-1), who is told even when not in the operations group."""
    head = department_head(code=DepartmentCode.OPERATIONS)
    audit_record(
        actor=None,
        action=f"merchant.{what}_review_overdue",
        subject=subject,
        after={"escalated_to": head.pk if head else None},
    )
    title = _("Review overdue")
    body = _("%(subject)s has waited past its review deadline.") % {"subject": str(subject)}
    event = f"merchant_{what}_review_overdue"
    notified = _notify_staff(event=event, title=title, body=body, subject=subject)
    if head is not None and head.pk not in notified:
        notify(recipient=head, event=event, title=title, body=body, subject=subject)
