"""REP-3: the merchant's credit score. The figures behind it come from
``merchants.selectors.figures.rating_sources`` and ``kpi_sources``.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import CreditGradePolicy, Merchant, MerchantCreditSnapshot
from merchants.policies import credit_policy
from merchants.selectors.credit import credit_compute, merchant_credit_inputs
from merchants.selectors.standing import deposit_for_grade, grade_policy_for_grade, merchant_money_policy
from merchants.services._common import C, S, _notify_owner
from merchants.services.lifecycle import merchant_lock, merchant_restrict, merchant_unrestrict
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput
from platform_core.locking import lock_first
from platform_core.money import money_round


def _credit_refresh_on_commit(merchant: Merchant) -> None:
    """REP-3: a significant event: recompute the merchant's credit once the change is committed.

    Robust: a broker outage is logged, not raised after the commit; the nightly run catches up.
    """
    transaction.on_commit(partial(_credit_refresh, merchant.pk), robust=True)


def _credit_refresh(merchant_id: int) -> None:
    from merchants.tasks import recompute_credit_task  # the tasks module imports this one

    recompute_credit_task.delay(merchant_id=merchant_id)


@transaction.atomic
def merchant_credit_recompute(
    *, merchant: Merchant, trigger: str = MerchantCreditSnapshot.Trigger.EVENT
) -> MerchantCreditSnapshot:
    """REP-3: compute score, grade and components (docs/credit-formula.md), keep them as a snapshot and
    on the merchant. The nightly run computes each merchant once a day (idempotent)."""
    now = clock.now()
    if trigger == MerchantCreditSnapshot.Trigger.NIGHTLY:
        start_of_day = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        done = MerchantCreditSnapshot.objects.filter(
            merchant=merchant, trigger=trigger, computed_at__gte=start_of_day
        ).first()
        if done is not None:
            return done
    result = credit_compute(**merchant_credit_inputs(merchant=merchant, at=now))
    merchant = merchant_lock(merchant_id=merchant.pk)
    snapshot = MerchantCreditSnapshot.objects.create(
        merchant=merchant,
        computed_at=now,
        score=result["score"],
        grade=result["grade"],
        components=result["components"],
        trigger=trigger,
    )
    before = merchant.credit_grade
    merchant.credit_score, merchant.credit_grade = result["score"], result["grade"]
    merchant.save(update_fields=["credit_score", "credit_grade"])
    if before != result["grade"]:
        audit_record(
            actor=None,
            action="merchant.credit_grade_changed",
            subject=merchant,
            before={"grade": before},
            after={"grade": result["grade"], "score": result["score"]},
        )
        _grade_money_policy_apply(merchant, before=before)
    return snapshot


_MONEY_TERMS = ("deposit_multiplier", "deposit_surcharge", "payout_delay_days")


def _grade_money_policy_apply(merchant: Merchant, *, before: int | None) -> None:
    """REP-3, MER-5: the (locked) merchant's grade changed from ``before``. When that changes its money
    terms (``CreditGradePolicy``): a required deposit raised above what it holds restricts new listings
    until topped up; a deposit restriction lifts once the deposit is enough; the owner is told the grade
    and what it now means for deposit and payouts."""
    terms = merchant_money_policy(merchant=merchant)
    old = grade_policy_for_grade(grade=before)
    if all(old[key] == terms[key] for key in _MONEY_TERMS):
        return
    balance, required = terms["deposit_balance"], terms["required_deposit"]
    raised = required > deposit_for_grade(terms["base_deposit"], old)
    if raised and balance < required and merchant.status in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        merchant_restrict(
            merchant=merchant,
            cause=C.DEPOSIT,
            reason=_(
                "Credit grade %(grade)s: the required deposit is now %(required)s CNY; the shop holds %(balance)s CNY."
            )
            % {"grade": terms["grade_name"], "required": required, "balance": balance},
            actor=None,
        )
    elif C.DEPOSIT in merchant.restriction_causes and balance >= required:
        merchant_unrestrict(
            merchant=merchant, cause=C.DEPOSIT, reason=_("Deposit enough for the credit grade."), actor=None
        )
    _notify_owner(
        merchant,
        event="merchant_credit_grade_changed",
        title=_("Your credit grade changed"),
        body=_(
            "Credit grade %(grade)s: required deposit %(required)s CNY (the categories' %(base)s CNY × "
            "%(multiplier)s + %(surcharge)s CNY); payouts %(delay)s days after the money arrives."
        )
        % {
            "grade": terms["grade_name"],
            "required": required,
            "base": terms["base_deposit"],
            "multiplier": terms["deposit_multiplier"],
            "surcharge": terms["deposit_surcharge"],
            "delay": terms["payout_delay_days"],
        },
    )


@transaction.atomic
def credit_snapshots_prune() -> int:
    """REP-3: snapshots older than the published 12-month history are removed; returns how many."""
    cutoff = clock.now() - timedelta(days=credit_policy().history_days)
    deleted, _rows = MerchantCreditSnapshot.objects.filter(computed_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def grade_policy_set(
    *,
    grade: int,
    deposit_multiplier: Decimal,
    deposit_surcharge: Decimal,
    payout_delay_days: int,
    actor: User,
) -> CreditGradePolicy:
    """REP-3: set what ``grade`` means for deposits and payouts (the admin's policy table), under the
    row's lock, audited with before and after. Deposits and payouts read it from then on; a merchant's
    deposit standing is re-checked when its grade next changes (or its deposit moves)."""
    if not 1 <= grade <= 5:
        raise InvalidInput(_("A credit grade is 1 to 5."), errors={"grade": [_("1 to 5.")]})
    if deposit_multiplier < 1 or deposit_surcharge < 0 or not 0 <= payout_delay_days <= 90:
        raise InvalidInput(
            _("The multiplier is at least 1, the surcharge not negative, the delay 0 to 90 days."),
            code="invalid_grade_policy",
        )
    policy = lock_first(CreditGradePolicy, grade=grade) or CreditGradePolicy(grade=grade)
    before = {key: getattr(policy, key) for key in _MONEY_TERMS} if policy.pk is not None else None
    policy.deposit_multiplier = money_round(deposit_multiplier)
    policy.deposit_surcharge = money_round(deposit_surcharge)
    policy.payout_delay_days = payout_delay_days
    policy.updated_at, policy.updated_by = clock.now(), actor
    policy.save()
    audit_record(
        actor=actor,
        action="merchant.grade_policy_changed",
        subject=policy,
        before=before,
        after={key: getattr(policy, key) for key in _MONEY_TERMS},
    )
    return policy
