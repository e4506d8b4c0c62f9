"""MER-6: the six-monthly re-verification."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.clocks import RULE_REVERIFY_DUE, RULE_REVERIFY_OVERDUE
from merchants.models import Merchant, Reverification
from merchants.services._common import C, S, _notify_owner, _require_owner, _require_reviewer
from merchants.services.lifecycle import merchant_lock, merchant_reinstate, merchant_suspend
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_restart, deadline_start
from platform_core.locking import lock


@transaction.atomic
def reverification_open(*, merchant: Merchant) -> Reverification | None:
    """MER-6: re-verification is due: open the task and give the merchant 30 days before suspension."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status in (S.CLOSED, S.BANNED, S.ONBOARDING):
        return None
    open_one = merchant.reverifications.exclude(status=Reverification.Status.PASSED).first()
    if open_one is not None:
        return open_one
    reverification = Reverification.objects.create(merchant=merchant)
    deadline_start(rule=RULE_REVERIFY_OVERDUE, subject=reverification, after=settings.MERCHANT_REVERIFY_GRACE)
    audit_record(
        actor=None,
        action="merchant.reverification_opened",
        subject=merchant,
        after={"reverification": reverification.pk},
    )
    _notify_owner(
        merchant,
        event="merchant_reverification_due",
        title=_("Re-verification is due"),
        body=_("Submit your current documents within %(days)d days, or trading is suspended.")
        % {"days": settings.MERCHANT_REVERIFY_GRACE.days},
        subject=reverification,
    )
    return reverification


@transaction.atomic
def reverification_overdue(*, reverification: Reverification) -> None:
    """MER-6: not passed 30 days after due: suspend until it is."""
    if reverification.status == Reverification.Status.PASSED:
        return
    merchant = reverification.merchant
    if merchant.status in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        merchant_suspend(
            merchant=merchant,
            cause=C.REVERIFICATION,
            reason=_("Re-verification overdue since %(when)s.")
            % {"when": timezone.localdate(reverification.opened_at).isoformat()},
            actor=None,
        )


@transaction.atomic
def reverification_submit(*, reverification: Reverification, actor: User) -> Reverification:
    """MER-6: the merchant says its current documents are uploaded; staff verify next."""
    _require_owner(merchant=reverification.merchant, actor=actor)
    reverification = lock(Reverification, reverification.pk)
    reverification.submit()
    reverification.save()
    audit_record(actor=actor, action="merchant.reverification_submitted", subject=reverification.merchant)
    return reverification


@transaction.atomic
def reverification_pass(*, reverification: Reverification, note: str, actor: User) -> Reverification:
    """MER-6: staff pass it: the overdue clock is met, a reverification suspension lifts, the next 6 months start."""
    _require_reviewer(actor)
    merchant = merchant_lock(merchant_id=reverification.merchant.pk)
    reverification = lock(Reverification, reverification.pk)
    reverification.pass_(reviewer=actor, note=note)
    reverification.save()
    deadline_meet(rule=RULE_REVERIFY_OVERDUE, subject=reverification)
    audit_record(actor=actor, action="merchant.reverification_passed", subject=merchant, reason=note)
    if C.REVERIFICATION in merchant.suspension_causes:
        merchant_reinstate(
            merchant=merchant, cause=C.REVERIFICATION, reason=_("Re-verification passed."), actor=actor
        )
    deadline_restart(rule=RULE_REVERIFY_DUE, subject=merchant, after=settings.MERCHANT_REVERIFY_INTERVAL)
    return reverification


@transaction.atomic
def reverification_return(*, reverification: Reverification, note: str, actor: User) -> Reverification:
    """MER-6: staff send it back; the overdue clock keeps running."""
    _require_reviewer(actor)
    reverification = lock(Reverification, reverification.pk)
    reverification.return_to_merchant(reviewer=actor, note=note)
    reverification.save()
    audit_record(
        actor=actor, action="merchant.reverification_returned", subject=reverification.merchant, reason=note
    )
    _notify_owner(
        reverification.merchant,
        event="merchant_reverification_returned",
        title=_("Re-verification returned"),
        body=note,
    )
    return reverification
