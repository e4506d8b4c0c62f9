"""MER-8: the merchant's lifecycle (activate, restrict, suspend, close, ban) and the locked merchant row.

Hook other apps register on (from their ``hooks.py``; ``platform_core.hooks``):

- ``closure_checks``: ``check(merchant) -> list[str]`` returning what is still pending for the merchant
  (open orders, after-sales); closure is refused while any is non-empty (MER-8).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.clocks import RULE_REVERIFY_DUE, RULE_REVERIFY_OVERDUE
from merchants.models import Merchant, MerchantStatusChange, Reverification
from merchants.selectors.standing import closure_pending_from_ledger
from merchants.services._common import C, S, _notify_owner
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_restart
from platform_core.errors import Conflict, InvalidInput
from platform_core.hooks import Hook
from platform_core.locking import lock

closure_checks = Hook[Callable[[Merchant], list[str]]](
    "merchants.closure_checks",
    doc=(
        "MER-8: what still keeps the merchant from closing (open orders, after-sales requests and "
        "complaints), as sentences shown to the merchant; closure and the deposit refund are refused "
        "while any check returns one. Money held on the ledger is checked by merchants itself."
    ),
)


def merchant_lock(*, merchant_id: int) -> Merchant:
    """The merchant row, locked until the transaction ends. Services of other apps that post to the
    merchant's deposit lock it first (before the ledger accounts), as ``merchant_deposit_deduct`` does."""
    return lock(Merchant, merchant_id)


def _change_status(
    merchant: Merchant, *, move: Callable[[], Any], cause: str, reason: str, actor: User | None
) -> None:
    """Run ``move`` (a bound transition), save, and record the change with its cause (MER-8)."""
    before = merchant.status
    move()
    merchant.status_reason = reason[:500]
    merchant.save()
    MerchantStatusChange.objects.create(
        merchant=merchant,
        from_status=before,
        to_status=merchant.status,
        cause=cause,
        reason=reason[:500],
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=f"merchant.{_PAST[move.__name__]}",
        subject=merchant,
        before={"status": before},
        after={"status": merchant.status, "cause": cause},
        reason=reason,
    )


_PAST = {
    "activate": "activated",
    "restrict": "restricted",
    "unrestrict": "unrestricted",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "close": "closed",
    "ban": "banned",
}


@transaction.atomic
def merchant_activate(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8, MER-6: onboarding → active; the six-monthly re-verification clock starts."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    _change_status(merchant, move=merchant.activate, cause=C.APPLICATION, reason=reason, actor=actor)
    deadline_restart(rule=RULE_REVERIFY_DUE, subject=merchant, after=settings.MERCHANT_REVERIFY_INTERVAL)
    _notify_owner(
        merchant, event="merchant_activated", title=_("Your shop is open"), body=_("Your shop may now trade.")
    )
    return merchant


@transaction.atomic
def merchant_restrict(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8 (MER-4, MER-5): restrict from new listings for ``cause``; idempotent per cause.

    A suspended merchant keeps the cause, so reinstatement brings it back restricted.
    """
    if cause not in C.values:
        raise InvalidInput(_("Unknown cause."), code="unknown_cause")
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        raise Conflict(
            _("A %(status)s shop cannot be restricted.") % {"status": merchant.get_status_display()},
            code="merchant_not_trading",
        )
    if cause in merchant.restriction_causes:
        return merchant
    merchant.restriction_causes = [*merchant.restriction_causes, cause]
    if merchant.status == S.ACTIVE:
        _change_status(merchant, move=merchant.restrict, cause=cause, reason=reason, actor=actor)
    else:
        _record_cause_change(
            merchant,
            field="restriction_causes",
            action="merchant.restriction_added",
            cause=cause,
            reason=reason,
            actor=actor,
        )
    _notify_owner(
        merchant,
        event="merchant_restricted",
        title=_("Your shop is restricted"),
        body=_("New listings are blocked: %(reason)s") % {"reason": reason},
    )
    return merchant


def _record_cause_change(
    merchant: Merchant, *, field: str, action: str, cause: str, reason: str, actor: User | None
) -> None:
    """A cause was added to or lifted from a shop whose status stays as it is: save the list, audit it."""
    merchant.save(update_fields=[field])
    audit_record(actor=actor, action=action, subject=merchant, after={"cause": cause}, reason=reason)


def _cause_lift(
    merchant: Merchant,
    *,
    field: str,
    status: str,
    move: str,
    action: str,
    cause: str,
    reason: str,
    actor: User | None,
) -> Merchant:
    """MER-8: take ``cause`` off the (locked) shop's list ``field``; when the list empties and the shop is
    in ``status``, make the transition ``move``, otherwise record the lifted cause as ``action``."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    causes: list[str] = getattr(merchant, field)
    if cause not in causes:
        return merchant
    remaining = [c for c in causes if c != cause]
    setattr(merchant, field, remaining)
    if merchant.status == status and not remaining:
        _change_status(merchant, move=getattr(merchant, move), cause=cause, reason=reason, actor=actor)
    else:
        _record_cause_change(merchant, field=field, action=action, cause=cause, reason=reason, actor=actor)
    return merchant


@transaction.atomic
def merchant_unrestrict(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8: lift the restriction for ``cause``; the shop is active again when no cause is left."""
    return _cause_lift(
        merchant,
        field="restriction_causes",
        status=S.RESTRICTED,
        move="unrestrict",
        action="merchant.restriction_lifted",
        cause=cause,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def merchant_suspend(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8 (MER-6): suspend trading for ``cause`` (listings hidden by catalog); idempotent per cause."""
    if cause not in C.values:
        raise InvalidInput(_("Unknown cause."), code="unknown_cause")
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        raise Conflict(
            _("A %(status)s shop cannot be suspended.") % {"status": merchant.get_status_display()},
            code="merchant_not_trading",
        )
    if cause in merchant.suspension_causes:
        return merchant
    merchant.suspension_causes = [*merchant.suspension_causes, cause]
    if merchant.status == S.SUSPENDED:
        _record_cause_change(
            merchant,
            field="suspension_causes",
            action="merchant.suspension_added",
            cause=cause,
            reason=reason,
            actor=actor,
        )
    else:
        _change_status(merchant, move=merchant.suspend, cause=cause, reason=reason, actor=actor)
    _notify_owner(
        merchant,
        event="merchant_suspended",
        title=_("Your shop is suspended"),
        body=_("Trading is suspended: %(reason)s") % {"reason": reason},
    )
    return merchant


@transaction.atomic
def merchant_reinstate(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8: lift the suspension for ``cause``; trading resumes when no suspension cause is left."""
    return _cause_lift(
        merchant,
        field="suspension_causes",
        status=S.SUSPENDED,
        move="reinstate",
        action="merchant.suspension_lifted",
        cause=cause,
        reason=reason,
        actor=actor,
    )


def merchant_closure_pending(*, merchant: Merchant) -> list[str]:
    """MER-8: everything that still blocks closure: other apps' checks, then money held for the merchant."""
    pending: list[str] = []
    for check in closure_checks:
        pending.extend(check(merchant))
    pending.extend(closure_pending_from_ledger(merchant=merchant))
    return pending


def owner_shops_deletion_reasons(user: User) -> list[str]:
    """USR-4, MER-8: a shop owner's account is not deleted while a shop of theirs still trades or holds
    money (``platform_core.accounts.deletion.account_deletion_checks``): deleting it would anonymise the
    owner of a trading shop. A shop not yet closed (onboarding to suspended) is closed first (MER-8: the
    seller centre's closure request; finance returns the deposit and closes it); a closed or banned shop
    still blocks while anything MER-8 lists for closure is pending (orders, after-sales, the payable, the
    deposit)."""
    reasons: list[str] = []
    for merchant in Merchant.objects.filter(owner=user).order_by("pk"):
        if merchant.status not in (S.CLOSED, S.BANNED):
            reasons.append(
                _(
                    "You own the shop %(shop)s, which is not closed (%(status)s): close the shop first "
                    "(seller centre: close the shop; finance returns the deposit), then delete the account."
                )
                % {"shop": merchant.name, "status": merchant.get_status_display()}
            )
            continue
        pending = merchant_closure_pending(merchant=merchant)
        if pending:
            reasons.append(
                _("Your shop %(shop)s still has business to settle: %(pending)s")
                % {"shop": merchant.name, "pending": " ".join(pending)}
            )
    return reasons


def _stop_clocks(merchant: Merchant) -> None:
    deadline_cancel(rule=RULE_REVERIFY_DUE, subject=merchant, note="merchant left")
    for reverification in merchant.reverifications.exclude(status=Reverification.Status.PASSED):
        deadline_cancel(rule=RULE_REVERIFY_OVERDUE, subject=reverification, note="merchant left")


@transaction.atomic
def merchant_close(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8: close the shop, refused (Conflict ``closure_pending``) while anything is pending.

    Orders and after-sales register their checks on ``closure_checks``; the deposit and the
    payable must be settled to zero (the deposit is refunded with ``merchant_deposit_refund``). The
    merchant's records are kept (MER-10): closing never deletes.
    """
    merchant = merchant_lock(merchant_id=merchant.pk)
    pending = merchant_closure_pending(merchant=merchant)
    if pending:
        raise Conflict(
            _("The shop cannot close yet: %(pending)s") % {"pending": " ".join(pending)},
            code="closure_pending",
            errors={"pending": pending},
        )
    _change_status(merchant, move=merchant.close, cause=C.CLOSURE, reason=reason, actor=actor)
    _stop_clocks(merchant)
    return merchant


@transaction.atomic
def merchant_ban(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8, MER-3: ban for good (terminal); a later application with the same credit code is refused."""
    if not reason.strip():
        raise InvalidInput(_("A ban needs a reason."), code="reason_missing")
    merchant = merchant_lock(merchant_id=merchant.pk)
    cause = C.STAFF if actor is not None else C.VIOLATION
    _change_status(merchant, move=merchant.ban, cause=cause, reason=reason, actor=actor)
    _stop_clocks(merchant)
    return merchant
