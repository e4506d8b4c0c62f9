"""PAY-4: where a merchant's payouts go — a bank account, an Alipay account (decision 037) or a WeChat
account (decision 045)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from platform_core import clock
from platform_core.accounts.crypto import EncryptedTextField


class PayoutAccount(models.Model):
    """PAY-4: one payout account a merchant's owner set (history kept: a change adds a row and marks the
    previous one replaced). The holder is the merchant's registered entity; the number is stored encrypted
    (SEC-2) and shown masked (``last4``); a new account receives payouts from ``active_from`` on (the
    cooling-off period, ``ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS``)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank account")
        ALIPAY = "alipay", _("Alipay account")
        # decision 045: the number is the openid under our WeChat Pay appid; paid by a merchant transfer
        WECHAT = "wechat", _("WeChat account")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payout_accounts")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    holder_name = models.CharField(_("account holder"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    number = EncryptedTextField(_("account number"))
    last4 = models.CharField(_("last four characters"), max_length=4)
    active_from = models.DateTimeField(_("receives payouts from"))
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(replaced_at__isnull=True), name="payout_account_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"

    @property
    def masked(self) -> str:
        return f"****{self.last4}"
