"""The double-entry ledger (PAY-1, PAY-2, PAY-6, PAY-7).

Sign convention: an entry's amount is positive when money goes INTO its account and negative when it
goes out. Every transaction's entries sum to zero, so the sum of all entries is zero. Entries and
transactions are append-only; a correction is a new reversing transaction.

On PostgreSQL the database enforces what the services check: entries and transactions cannot be
updated or deleted, a deferred constraint trigger refuses a transaction whose entries do not sum to
zero at commit, and a check constraint keeps the cached balance of a non-negative account at or above
zero. Platform-wide accounts are ``aggregated``: no cached balance, no row lock (issue 26). Only the services in ``platform_core.ledger.services`` write these tables.
"""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


class AccountKind(models.TextChoices):
    CUSTOMER_PAYMENTS_CLEARING = "customer_payments_clearing", _("Customer payments clearing")
    ORDER_ESCROW = "order_escrow", _("Order escrow")
    MERCHANT_PAYABLE = "merchant_payable", _("Merchant payable")
    MERCHANT_DEPOSIT = "merchant_deposit", _("Merchant deposit")
    PLATFORM_COMMISSION = "platform_commission", _("Platform commission")
    PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
    REFUNDS_CLEARING = "refunds_clearing", _("Refunds clearing")
    COMPENSATION = "compensation", _("Compensation")
    PAYOUT_CLEARING = "payout_clearing", _("Payout clearing")
    PENALTY_INCOME = "penalty_income", _("Penalty income")


#: Accounts that hold somebody's money can never go below zero; the rest face the outside world.
NON_NEGATIVE_KINDS = frozenset(
    {AccountKind.ORDER_ESCROW, AccountKind.MERCHANT_DEPOSIT, AccountKind.MERCHANT_PAYABLE}
)


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    RELEASE = "release", _("Release")
    COMMISSION = "commission", _("Commission")
    REFUND = "refund", _("Refund")
    PAYOUT = "payout", _("Payout")
    DEPOSIT_PAYMENT = "deposit_payment", _("Deposit payment")
    DEPOSIT_DEDUCTION = "deposit_deduction", _("Deposit deduction")
    DEPOSIT_REFUND = "deposit_refund", _("Deposit refund")
    COMPENSATION = "compensation", _("Compensation")
    PENALTY = "penalty", _("Penalty")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment")


#: Kinds that an open hold stops from taking money out of the held account (PAY-6): escrow released to
#: the merchant, a payable paid out, a deposit returned (a dispute holds payable and deposit, DSP-1).
HELD_KINDS = frozenset({TransactionKind.RELEASE, TransactionKind.PAYOUT, TransactionKind.DEPOSIT_REFUND})


class LedgerAccount(models.Model):
    """One account: a platform-wide singleton (no owner) or one per owner (an order, a merchant)."""

    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    owner_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    allow_negative = models.BooleanField(_("may go negative"), default=True)
    # A cache of SUM(entries.amount), updated under the row lock in the posting's transaction.
    balance = models.DecimalField(_("balance"), max_digits=18, decimal_places=2, default=ZERO)
    # Issue 26: the platform-wide accounts (clearing, commission, compensation …) every payment touches keep
    # no cached balance, so no posting locks or updates their row; their balance is SUM(entries) when read.
    aggregated = models.BooleanField(_("balance by aggregation"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_type", "owner_id"],
                condition=Q(owner_type__isnull=False),
                name="ledger_account_unique_per_owner",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(owner_type__isnull=True), name="ledger_account_unique_singleton"
            ),
            models.CheckConstraint(
                condition=Q(owner_type__isnull=True, owner_id__isnull=True)
                | Q(owner_type__isnull=False, owner_id__isnull=False),
                name="ledger_account_owner_complete",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0), name="ledger_account_not_negative"
            ),
            models.CheckConstraint(condition=Q(currency="CNY"), name="ledger_account_currency_cny"),
            # an aggregated account caches nothing, and only an account that may go negative is one
            models.CheckConstraint(
                condition=Q(aggregated=False) | Q(balance=0, allow_negative=True),
                name="ledger_account_aggregated_caches_nothing",
            ),
        ]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="ledger_acct_owner_idx")]

    def __str__(self) -> str:
        owner = f"{self.owner_type.name} #{self.owner_id}" if self.owner_type else gettext("platform")
        return f"{self.get_kind_display()} [{owner}]"  # both parts translated already


class LedgerTransaction(models.Model):
    """One balanced journal transaction; its idempotency key makes a retry return it (PAY-7)."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind.choices)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # sha256 of kind + normalized postings (+ the reversed transaction): tells a retry from a misuse.
    fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # PROTECT, not SET_NULL: the row is append-only, so it must not be updated when a user goes.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="ledger_txn_subject_idx")]
        triggers = [
            pgtrigger.Protect(name="ledger_txn_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s #%(id)s (%(key)s)") % {
            "kind": self.get_kind_display(),
            "id": self.pk,
            "key": self.idempotency_key,
        }


class LedgerEntry(models.Model):
    """One leg of a transaction: ``amount`` > 0 into ``account``, < 0 out of it."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="ledger_entry_one_leg_per_account"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="ledger_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="ledger_entry_txn_balanced",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=pgtrigger.Func(
                    """
                    IF (
                        SELECT COALESCE(SUM({columns.amount}), 0) FROM {meta.db_table}
                        WHERE {columns.transaction} = NEW.{columns.transaction}
                    ) <> 0 THEN
                        RAISE EXCEPTION 'ledger: transaction % does not balance',
                            NEW.{columns.transaction}
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NULL;
                    """
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} {self.account}"


class LedgerHold(models.Model):
    """An account held for a cause (PAY-6): while open, no release or payout takes money out of it."""

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=500)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger hold")
        verbose_name_plural = _("ledger holds")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "subject_type", "subject_id"],
                condition=Q(released_at__isnull=True),
                name="ledger_hold_one_open_per_subject",
            ),
        ]
        triggers = [
            # Holds are evidence that money was frozen and why (PAY-6): released, never deleted.
            pgtrigger.Protect(name="ledger_hold_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        state = gettext("released") if self.released_at else gettext("open")
        return gettext("Hold on %(account)s (%(state)s): %(reason)s") % {
            "account": self.account,
            "state": state,
            "reason": self.reason,
        }

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class LedgerCorrection(models.Model):
    """PAY-1, PAY-6 (issue 21): a correction of a posted transaction under four eyes.

    One finance person proposes reversing a transaction, with reason and evidence; another approves it
    (never the proposer) and only then is the reversing transaction posted (``ledger_reverse``). Entries
    are never edited: the correction is a new transaction, and this row says who asked, who agreed, why.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    transaction = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("transaction to reverse"),
    )
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    reversal = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("reversing transaction"),
    )

    class Meta:
        verbose_name = _("ledger correction")
        verbose_name_plural = _("ledger corrections")
        ordering = ("-proposed_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(status="proposed"),
                name="ledger_correction_one_open_per_txn",
            ),
            # four eyes, held by the database too: the approver or rejecter is never the proposer
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="ledger_correction_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Correction of transaction #%(transaction)s (%(status)s)") % {
            "transaction": self.transaction_id,
            "status": self.get_status_display(),
        }
