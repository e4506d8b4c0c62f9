"""MER-5, MER-8 (issue 21): the owner asks to close the shop; finance returns the deposit and closes it.

The request is the merchant's (seller centre, owner only); the decision is finance's (admin, holders of
``merchants.change_merchantclosurerequest``). Approval runs in one transaction: MER-8's conditions are
checked (the other apps' ``closure_checks``: orders, after-sales, disputes; then the payable), the
deposit goes back through the ledger (``merchant_deposit_refund``: deposit → payout clearing, paid by the
configured payout path as every payout is), and the shop closes. Any condition not met refuses the
whole approval and names what is pending.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantClosureRequest
from merchants.selectors.standing import closure_pending_from_ledger, merchant_deposit_balance
from merchants.services._common import S, _notify_owner, _notify_staff, _require_owner
from merchants.services.deposits import merchant_deposit_refund
from merchants.services.lifecycle import closure_checks, merchant_close, merchant_lock
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.locking import lock

CLOSURE_DECIDE_PERMISSION = "merchants.change_merchantclosurerequest"
_OPEN_SHOP = (S.ONBOARDING, S.ACTIVE, S.RESTRICTED, S.SUSPENDED)


@transaction.atomic
def merchant_closure_request(*, merchant: Merchant, reason: str, actor: User) -> MerchantClosureRequest:
    """MER-5, MER-8: the owner asks to close the shop and have the deposit returned; finance is told."""
    _require_owner(merchant=merchant, actor=actor)
    if not reason.strip():
        raise InvalidInput(_("Tell us why the shop closes."), errors={"reason": [_("Required.")]})
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status not in _OPEN_SHOP:
        raise Conflict(
            _("A %(status)s shop cannot ask to close.") % {"status": merchant.get_status_display()},
            code="merchant_not_open",
        )
    if merchant.closure_requests.filter(status=MerchantClosureRequest.Status.REQUESTED).exists():
        raise Conflict(_("A closure request is already waiting for finance."), code="closure_requested")
    closure = MerchantClosureRequest.objects.create(merchant=merchant, reason=reason, requested_by=actor)
    audit_record(
        actor=actor,
        action="merchant.closure_requested",
        subject=merchant,
        after={"closure_request": closure.pk, "deposit": merchant_deposit_balance(merchant=merchant)},
        reason=reason,
    )
    _notify_staff(
        event="merchant_closure_requested",
        title=_("Closure and deposit refund requested"),
        body=_("%(shop)s asks to close and to have its deposit returned.") % {"shop": merchant.name},
        subject=closure,
        role=Role.STAFF_FINANCE,
    )
    return closure


def _decision(*, closure: MerchantClosureRequest, actor: User) -> tuple[Merchant, MerchantClosureRequest]:
    if not (actor.is_active and actor.is_staff and actor.has_perm(CLOSURE_DECIDE_PERMISSION)):
        raise Forbidden(_("Only finance staff may decide closure requests."), code="not_finance")
    merchant = merchant_lock(merchant_id=closure.merchant_id)  # the merchant first, as every deposit post
    current = lock(MerchantClosureRequest, closure.pk)
    if not current.is_open:
        raise Conflict(_("This closure request has already been decided."), code="closure_decided")
    return merchant, current


@transaction.atomic
def merchant_closure_approve(
    *, closure: MerchantClosureRequest, reason: str, actor: User
) -> MerchantClosureRequest:
    """MER-5, MER-8: finance approves: once nothing is pending, the deposit is returned and the shop closes.

    ``Conflict`` (``closure_pending``, with the list) while an order, after-sales request, dispute or money
    is still open; nothing is posted then.
    """
    merchant, current = _decision(closure=closure, actor=actor)
    balance = merchant_deposit_balance(merchant=merchant)
    pending = [p for check in closure_checks for p in check(merchant)]
    pending += closure_pending_from_ledger(merchant=merchant, include_deposit=False)
    if pending:
        raise Conflict(
            _("The shop cannot close yet: %(pending)s") % {"pending": " ".join(pending)},
            code="closure_pending",
            errors={"pending": pending},
        )
    if balance > 0:
        current.refund_transaction = merchant_deposit_refund(
            merchant=merchant, idempotency_key=f"merchant-closure:{current.pk}:deposit", actor=actor
        )
    current.deposit_refunded = balance
    merchant_close(merchant=merchant, reason=current.reason, actor=actor)
    current.status, current.decided_by, current.decided_at = (
        MerchantClosureRequest.Status.APPROVED,
        actor,
        clock.now(),
    )
    current.decision_reason = reason
    current.save()
    audit_record(
        actor=actor,
        action="merchant.closure_approved",
        subject=merchant,
        after={"closure_request": current.pk, "deposit_refunded": balance},
        reason=reason,
    )
    _notify_owner(
        merchant,
        event="merchant_closure_approved",
        title=_("Your shop is closed"),
        body=_("Your deposit of %(amount)s CNY is being returned to your settlement account.")
        % {"amount": f"{balance:.2f}"},
        subject=current,
    )
    return current


@transaction.atomic
def merchant_closure_reject(
    *, closure: MerchantClosureRequest, reason: str, actor: User
) -> MerchantClosureRequest:
    """MER-8: finance refuses (e.g. the merchant owes money), with a reason the owner sees."""
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the rejection."), errors={"reason": [_("Required.")]})
    merchant, current = _decision(closure=closure, actor=actor)
    current.status, current.decided_by, current.decided_at, current.decision_reason = (
        MerchantClosureRequest.Status.REJECTED,
        actor,
        clock.now(),
        reason,
    )
    current.save()
    audit_record(
        actor=actor,
        action="merchant.closure_rejected",
        subject=merchant,
        after={"closure_request": current.pk},
        reason=reason,
    )
    _notify_owner(
        merchant,
        event="merchant_closure_rejected",
        title=_("Closure request rejected"),
        body=_("Your closure request was rejected: %(reason)s") % {"reason": reason},
        subject=current,
    )
    return current
