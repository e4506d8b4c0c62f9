"""PAY-4 (decision 037): the merchant's payout account — set or changed by the shop's owner with a second
factor, the holder verified against the registered entity, a cooling-off period before it receives
payouts, the number encrypted (SEC-2) and never shown or audited in clear."""

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from merchants.models import Merchant
from merchants.services.lifecycle import merchant_lock
from orders.models import PayoutAccount
from orders.selectors.payout_accounts import payout_account_current
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.services import user_second_factor_verify
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from platform_core.notifications.services import notify

BANK_NUMBER = re.compile(r"^\d{12,30}$")
ALIPAY_LOGIN = re.compile(r"^(1\d{10}|[^@\s]+@[^@\s]+\.[^@\s]+)$")
WECHAT_OPENID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # decision 045: the openid under our appid


def entity_name_normalise(name: str) -> str:
    """Names compared as the bank compares them: NFKC (full-width brackets and letters become half-width),
    no whitespace, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _number_clean(kind: str, number: str) -> str:
    number = "".join(number.split())
    if kind == PayoutAccount.Kind.BANK and not BANK_NUMBER.match(number):
        raise InvalidInput(
            _("Check the account number."),
            errors={"number": [_("A bank account number has 12 to 30 digits.")]},
        )
    if kind == PayoutAccount.Kind.ALIPAY and not ALIPAY_LOGIN.match(number):
        raise InvalidInput(
            _("Check the account number."),
            errors={"number": [_("An Alipay account is a mobile number or an email address.")]},
        )
    if kind == PayoutAccount.Kind.WECHAT and not WECHAT_OPENID.match(number):
        raise InvalidInput(
            _("Check the account number."),
            errors={"number": [_("A WeChat account is the openid under the platform's WeChat Pay app.")]},
        )
    return number


def payout_account_set(
    *,
    merchant: Merchant,
    actor: User,
    kind: str,
    holder_name: str,
    number: str,
    bank_name: str = "",
    code: str,
) -> PayoutAccount:
    """PAY-4: the owner sets (or changes) the shop's payout account.

    The owner re-enters the code of their authenticator (django-otp, SEC-3's device: throttled, replay
    guarded, a wrong code audited); the holder must be the merchant's registered entity (``legal_name``,
    equal after ``entity_name_normalise``). The previous account is kept, marked replaced; the new one
    receives payouts after ``ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS``. Audited (masked) and the owner is
    notified, so a change they did not make is seen before money moves.
    """
    if merchant.owner_id != actor.pk:
        raise Forbidden(_("Only the shop's owner can change its payout account."), code="owner_only")
    if kind not in PayoutAccount.Kind.values:
        raise InvalidInput(_("Choose the kind of account."), errors={"kind": [_("Unknown kind.")]})
    number = _number_clean(kind, number)
    bank_name = bank_name.strip()
    if kind == PayoutAccount.Kind.BANK and not bank_name:
        raise InvalidInput(_("Name the bank."), errors={"bank_name": [_("This field is required.")]})
    if not merchant.legal_name or entity_name_normalise(holder_name) != entity_name_normalise(
        merchant.legal_name
    ):
        raise InvalidInput(
            _("The account holder must be the shop's registered entity."),
            code="holder_mismatch",
            errors={
                "holder_name": [
                    _("The holder must be exactly %(name)s, the registered entity.")
                    % {"name": merchant.legal_name or "-"}
                ]
            },
        )
    user_second_factor_verify(user=actor, code=code, token=None)  # InvalidInput on the field "code"
    with transaction.atomic():
        merchant = merchant_lock(merchant_id=merchant.pk)
        now = clock.now()
        before = payout_account_current(merchant=merchant)
        if before is not None:
            before.replaced_at = now
            before.save(update_fields=["replaced_at"])
        account = PayoutAccount.objects.create(
            merchant=merchant,
            kind=kind,
            holder_name=merchant.legal_name,
            bank_name=bank_name if kind == PayoutAccount.Kind.BANK else "",
            number=number,
            last4=number[-4:],
            active_from=now + timedelta(hours=settings.ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS),
            created_by=actor,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="merchant.payout_account_changed",
            subject=merchant,
            before={"kind": before.kind, "account": before.masked} if before is not None else None,
            after={"kind": account.kind, "account": account.masked, "active_from": account.active_from},
        )
        notify(
            recipient=merchant.owner,
            event="merchant_payout_account_changed",
            title=_("Payout account changed"),
            body=_(
                "Payouts go to %(account)s from %(at)s. If you did not make this change, contact us at once."
            )
            % {"account": account.masked, "at": localtime(account.active_from).strftime("%Y-%m-%d %H:%M")},
            subject=merchant,
        )
    return account
