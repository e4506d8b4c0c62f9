"""Writes to the ledger. Every movement of money in the platform goes through ``ledger_post`` (PAY-1).

The interface, in full:

- ``ledger_account_for(kind=, owner=None)`` — the account (created on first use).
- ``ledger_post(idempotency_key=, kind=, postings=[(account, amount), ...], memo=, subject=, actor=)``
  — one balanced transaction; amounts are ``Decimal``, positive into an account, negative out of it.
- ``ledger_reverse(transaction=, idempotency_key=, reason=, actor=)`` — the append-only correction.
- ``ledger_hold_open(account=, reason=, subject=, actor=)`` / ``ledger_hold_release(hold=, actor=)``.
- ``ledger_correction_propose(transaction=, reason=, evidence=, actor=)`` and
  ``ledger_correction_approve`` / ``ledger_correction_reject(correction=, reason=, actor=)`` — a reversal
  under four eyes (PAY-6, issue 21): proposed by one finance person, posted when another approves.
"""

import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput, Unprocessable
from platform_core.ledger.models import (
    HELD_KINDS,
    NON_NEGATIVE_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerCorrection,
    LedgerEntry,
    LedgerHold,
    LedgerTransaction,
    TransactionKind,
)
from platform_core.locking import lock, lock_first
from platform_core.money import CENT
from platform_core.prepared import PreparedQuery
from platform_core.upsert import in_callers_transaction, insert_unless_exists

#: The largest amount a DecimalField(max_digits=18, decimal_places=2) can hold.
_MAX_AMOUNT = Decimal("9999999999999999.99")


#: set on an account ``ledger_account_for`` has just created inside the caller's transaction
_NEW_HERE = "_ledger_created_in_this_transaction"


def _owner_ref(owner: models.Model | None) -> tuple[ContentType | None, int | None]:
    if owner is None:
        return None, None
    if owner.pk is None:
        raise InvalidInput(
            f"{owner!r} must be saved before the ledger can refer to it.", code="unsaved_object"
        )
    return ContentType.objects.get_for_model(owner, for_concrete_model=True), int(owner.pk)


# The look-up of a platform-wide account (no owner; every payment reads the clearing account), compiled
# once per thread (issue 26, decision 052): what ``LedgerAccount.objects.filter(kind=…, owner_type=None,
# owner_id=None).first()`` runs. (An owner's is not: ``owner_id`` is a positive integer field, and Django
# compiles a marker below its range to "no rows".)
_PLATFORM_ACCOUNT = PreparedQuery(
    lambda kind: LedgerAccount.objects.filter(kind=kind, owner_type=None, owner_id=None).order_by("pk")[:1],
    kind=str,
)


def ledger_account_for(
    *, kind: str, owner: models.Model | None = None, probably_new: bool = False
) -> LedgerAccount:
    """PAY-1, PAY-2: the account of ``kind`` for ``owner`` (``None``: the platform-wide one), made on first use.

    Escrow, deposit and payable accounts can never go negative; the clearing accounts that face the
    outside world can. The platform-wide ones keep their balance by aggregation (``aggregated``, issue
    26). Safe under concurrency: two first uses create one account. ``probably_new``: the caller expects
    to be the first user (an order's escrow at its payment): try the INSERT first, one statement.
    """
    if kind not in AccountKind.values:
        raise InvalidInput(f"Unknown ledger account kind {kind!r}.", code="unknown_account_kind")
    owner_type, owner_id = _owner_ref(owner)
    lookup: dict[str, Any] = {"kind": kind, "owner_type": owner_type, "owner_id": owner_id}
    allow_negative = kind not in NON_NEGATIVE_KINDS
    defaults = {"allow_negative": allow_negative, "aggregated": owner is None and allow_negative}
    # Nearly always there already: one SELECT (compiled once per thread), no savepoint.
    if not probably_new:
        found = (
            _PLATFORM_ACCOUNT.first(kind=kind)
            if owner is None
            else LedgerAccount.objects.filter(**lookup).first()
        )
        if found is not None:
            return found
    # First use: one INSERT that does nothing if another process created it meanwhile (that one is ours).
    account = LedgerAccount(**lookup, **defaults)
    if owner is None:
        created = insert_unless_exists(account, conflict=["kind"], where="owner_type_id IS NULL")
    else:
        created = insert_unless_exists(
            account, conflict=["kind", "owner_type", "owner_id"], where="owner_type_id IS NOT NULL"
        )
    if created and owner is not None and transaction.get_connection().in_atomic_block:
        # Nobody else sees this row until we commit, and its balance is the 0 we wrote: the first post in
        # this transaction need not read it back under a lock (issue 26). Cleared at commit; used once.
        account.__dict__[_NEW_HERE] = True
        transaction.on_commit(lambda: account.__dict__.pop(_NEW_HERE, None))
    return account if created else LedgerAccount.objects.get(**lookup)


def _normalize_postings(
    postings: Sequence[tuple[LedgerAccount, Decimal]],
) -> list[tuple[LedgerAccount, Decimal]]:
    """PAY-1: check what the caller asks for before touching the database; amounts come back quantized."""
    if isinstance(postings, str | bytes) or len(postings) < 2:
        raise InvalidInput("A ledger transaction needs at least two postings.", code="too_few_postings")
    normalized: list[tuple[LedgerAccount, Decimal]] = []
    seen: set[int] = set()
    for posting in postings:
        try:
            account, amount = posting
        except (TypeError, ValueError):
            raise InvalidInput("Each posting is an (account, amount) pair.", code="invalid_posting") from None
        if not isinstance(account, LedgerAccount) or account.pk is None:
            raise InvalidInput("Each posting needs a saved LedgerAccount.", code="invalid_posting")
        if account.pk in seen:
            raise InvalidInput(
                f"Account {account} appears twice; post its net amount once.", code="duplicate_account"
            )
        seen.add(account.pk)
        # int is exact; float never is, and a string hides mistakes: money is Decimal (style.md).
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise InvalidInput(f"Amount {amount!r} must be a Decimal.", code="invalid_amount")
        amount = Decimal(amount)
        if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) > _MAX_AMOUNT:
            raise InvalidInput(
                f"Amount {amount} must be finite, with at most two decimal places.", code="invalid_amount"
            )
        if amount == 0:
            raise InvalidInput("A posting's amount cannot be zero.", code="invalid_amount")
        normalized.append((account, amount.quantize(CENT)))
    total = sum((amount for _, amount in normalized), Decimal("0.00"))
    if total != 0:
        raise InvalidInput(f"Postings must sum to zero, not {total}.", code="unbalanced")
    return normalized


def _fingerprint(kind: str, postings: list[tuple[LedgerAccount, Decimal]], reverses_id: int | None) -> str:
    legs = ";".join(f"{account.pk}:{amount}" for account, amount in sorted(postings, key=lambda p: p[0].pk))
    return hashlib.sha256(f"{kind}|{reverses_id or ''}|{legs}".encode()).hexdigest()


def _existing(idempotency_key: str, fingerprint: str) -> LedgerTransaction | None:
    """PAY-7: the first result of this key, or ``Unprocessable`` if the key was used for something else."""
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise Unprocessable(
            f"Idempotency key {idempotency_key!r} was already used for a different ledger transaction.",
            code="idempotency_key_reused",
        )
    return existing


def _post(
    *,
    idempotency_key: str,
    kind: str,
    postings: Sequence[tuple[LedgerAccount, Decimal]],
    memo: str,
    subject: models.Model | None,
    actor: User | None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise InvalidInput("An idempotency key is required.", code="idempotency_key_missing")
    if len(idempotency_key) > 200:
        raise InvalidInput(
            "The idempotency key is longer than 200 characters.", code="idempotency_key_too_long"
        )
    normalized = _normalize_postings(postings)
    subject_type, subject_id = _owner_ref(subject)
    fingerprint = _fingerprint(kind, normalized, reverses.pk if reverses else None)

    # A retry of a post that committed is answered by the INSERT below finding its key (one statement
    # fewer on every first post, issue 26); a refusal first checks that it is not such a retry.
    # Lock every touched account that caches its balance in primary-key order, so two posts never wait on
    # each other in a cycle. Aggregated (platform-wide) accounts are neither locked nor updated: payments
    # of unrelated orders share no row (issue 26); their balance is the sum of their entries.
    # An account created by this transaction (an order's escrow at its first payment) is already ours
    # alone, with the balance we wrote: it is not read again.
    in_transaction = transaction.get_connection().in_atomic_block
    new_here = {
        account.pk: account
        for account, _ in normalized
        if account.__dict__.pop(_NEW_HERE, False) and in_transaction and not account.aggregated
    }
    cached_ids = [
        account.pk for account, _ in normalized if not account.aggregated and account.pk not in new_here
    ]
    locked = (
        {
            account.pk: account
            for account in LedgerAccount.objects.select_for_update().filter(pk__in=cached_ids).order_by("pk")
        }
        if cached_ids
        else {}
    ) | new_here

    if kind in HELD_KINDS:
        held_ids = [account.pk for account, amount in normalized if amount < 0]
        holds = list(
            LedgerHold.objects.filter(account_id__in=held_ids, released_at__isnull=True)
            .select_related("account")
            .order_by("pk")
        )
        if holds:
            if (existing := _existing(idempotency_key, fingerprint)) is not None:
                return existing
            reasons = "; ".join(hold.reason for hold in holds)
            raise Conflict(
                f"{holds[0].account} is held and cannot be paid out of: {reasons}",
                code="escrow_held",
                errors={"holds": [hold.pk for hold in holds]},
            )

    for account, amount in normalized:
        if account.pk not in locked:
            continue  # aggregated: may go negative, caches nothing
        current = locked[account.pk]
        if not current.allow_negative and current.balance + amount < 0:
            # A concurrent post with the same key may have committed while we waited for the locks.
            if (existing := _existing(idempotency_key, fingerprint)) is not None:
                return existing
            raise Conflict(
                f"Insufficient funds in {current}: balance {current.balance}, posting {amount}.",
                code="insufficient_funds",
                errors={"account": current.pk},
            )

    txn = LedgerTransaction(
        idempotency_key=idempotency_key,
        kind=kind,
        memo=memo,
        subject_type=subject_type,
        subject_id=subject_id,
        fingerprint=fingerprint,
        created_by=actor,
        reverses=reverses,
    )
    # One statement, no savepoint (issue 26): a same-key post that committed while we waited for the
    # locks (or touched other accounts) leaves its row, and we answer with it. Any other constraint (a
    # second reversal of the same transaction) still raises, for the caller.
    # The entries go in the same statement, written only with the transaction (issue 26).
    entries = [
        LedgerEntry(transaction=txn, account_id=account.pk, amount=amount) for account, amount in normalized
    ]
    if not insert_unless_exists(
        txn, conflict=["idempotency_key"], children=entries, parent_field="transaction"
    ):
        existing = _existing(idempotency_key, fingerprint)
        assert existing is not None
        return existing
    for account, amount in normalized:
        if account.pk not in locked:
            continue
        # Computed under the row lock, in exact Decimal (SQLite would add F() expressions as floats).
        new_balance = locked[account.pk].balance + amount
        LedgerAccount.objects.filter(pk=account.pk).update(balance=new_balance)
        # The caller's instances show the new balance, as they would after refresh_from_db().
        account.balance = new_balance
    return txn


@in_callers_transaction
def ledger_post(
    *,
    idempotency_key: str,
    kind: str,
    postings: Sequence[tuple[LedgerAccount, Decimal]],
    memo: str = "",
    subject: models.Model | None = None,
    actor: User | None = None,
) -> LedgerTransaction:
    """PAY-1, PAY-2, PAY-6, PAY-7: post one balanced transaction, or return the one this key already posted.

    ``postings`` are ``(account, amount)`` pairs, each account at most once, amounts ``Decimal`` with at
    most two places, positive into the account, negative out of it, summing to zero (else
    ``InvalidInput``). The same key with the same kind and postings returns the first transaction and
    writes nothing; with anything else it raises ``Unprocessable`` (``idempotency_key_reused``).
    ``Conflict`` (``insufficient_funds``) if an escrow, deposit or payable account would go below zero;
    ``Conflict`` (``escrow_held``) if a release or payout takes money out of an account with an open hold.
    Touched accounts are locked in primary-key order, so concurrent posts serialise and never deadlock.
    """
    if kind not in TransactionKind.values:
        raise InvalidInput(f"Unknown ledger transaction kind {kind!r}.", code="unknown_transaction_kind")
    if kind == TransactionKind.REVERSAL:
        raise InvalidInput("Use ledger_reverse() to post a reversal.", code="use_ledger_reverse")
    return _post(
        idempotency_key=idempotency_key, kind=kind, postings=postings, memo=memo, subject=subject, actor=actor
    )


@transaction.atomic
def ledger_reverse(
    *, transaction: LedgerTransaction, idempotency_key: str, reason: str, actor: User | None = None
) -> LedgerTransaction:
    """PAY-1, PAY-7: correct ``transaction`` by posting its negated entries (kind ``reversal``).

    Entries are never edited; a transaction is reversed at most once (``Conflict``,
    ``already_reversed``). Reversals ignore holds (they resolve a cause, not release money) but never
    take a non-negative account below zero.
    """
    original = transaction
    if not reason.strip():
        raise InvalidInput("A reversal needs a reason.", code="reason_missing")
    postings = [(entry.account, -entry.amount) for entry in original.entries.select_related("account")]
    already = LedgerTransaction.objects.filter(reverses=original).exclude(idempotency_key=idempotency_key)
    if already.exists():
        raise Conflict(f"Transaction {original.pk} is already reversed.", code="already_reversed")
    try:
        return _post(
            idempotency_key=idempotency_key,
            kind=TransactionKind.REVERSAL,
            postings=postings,
            memo=reason,
            subject=original.subject,
            actor=actor,
            reverses=original,
        )
    except IntegrityError:
        # Lost a race with another reversal of the same transaction under a different key.
        raise Conflict(f"Transaction {original.pk} is already reversed.", code="already_reversed") from None


@transaction.atomic
def ledger_hold_open(
    *, account: LedgerAccount, reason: str, subject: models.Model, actor: User | None = None
) -> LedgerHold:
    """PAY-6: hold ``account`` because of ``subject`` (an after-sales request, complaint or dispute).

    Idempotent: the open hold for the same account and subject is returned as it is.
    """
    if not reason.strip():
        raise InvalidInput("A hold needs a reason (PAY-6: no freezing without cause).", code="reason_missing")
    subject_type, subject_id = _owner_ref(subject)
    # The account lock orders this against a release being posted at the same moment.
    lock_first(LedgerAccount, pk=account.pk)
    hold, _ = LedgerHold.objects.get_or_create(
        account=account,
        subject_type=subject_type,
        subject_id=subject_id,
        released_at__isnull=True,
        defaults={"reason": reason, "opened_by": actor},
    )
    return hold


@transaction.atomic
def ledger_hold_release(*, hold: LedgerHold, actor: User | None = None) -> LedgerHold:
    """PAY-6: the cause is resolved; the account may be released and paid out again. Idempotent."""
    lock_first(LedgerAccount, pk=hold.account_id)
    current = lock(LedgerHold, hold.pk)
    if current.released_at is None:
        current.released_at = clock.now()
        current.released_by = actor
        current.save(update_fields=["released_at", "released_by"])
    hold.released_at, hold.released_by = current.released_at, current.released_by
    return current


# --- PAY-6, issue 21: corrections under four eyes ------------------------------------------------------

#: the permissions of the two pairs of eyes (Django's default model permissions of ``LedgerCorrection``)
CORRECTION_PROPOSE_PERMISSION = "ledger.add_ledgercorrection"
CORRECTION_DECIDE_PERMISSION = "ledger.change_ledgercorrection"


def _correction_actor_check(actor: User, permission: str) -> None:
    if not (actor.is_active and actor.has_perm(permission)):
        raise Forbidden(_("You may not correct the ledger."), code="not_a_ledger_corrector")


@transaction.atomic
def ledger_correction_propose(
    *, transaction: LedgerTransaction, reason: str, evidence: str = "", actor: User
) -> LedgerCorrection:
    """PAY-1, PAY-6: propose reversing ``transaction``; nothing is posted until another person approves.

    Refused for a reversal itself, a transaction already reversed, or one with a correction still open.
    """
    _correction_actor_check(actor, CORRECTION_PROPOSE_PERMISSION)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the correction."), errors={"reason": [_("Required.")]})
    original = lock(LedgerTransaction, transaction.pk)
    if original.kind == TransactionKind.REVERSAL:
        raise Conflict(_("A reversal is not corrected by another reversal."), code="reversal_of_reversal")
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise Conflict(_("This transaction is already reversed."), code="already_reversed")
    if LedgerCorrection.objects.filter(
        transaction=original, status=LedgerCorrection.Status.PROPOSED
    ).exists():
        raise Conflict(_("A correction of this transaction is already waiting."), code="correction_open")
    correction = LedgerCorrection.objects.create(
        transaction=original, reason=reason, evidence=evidence, proposed_by=actor, proposed_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="ledger.correction_proposed",
        subject=correction,
        after={"transaction": original.pk, "evidence": evidence},
        reason=reason,
    )
    return correction


def _correction_decide(*, correction: LedgerCorrection, reason: str, actor: User) -> LedgerCorrection:
    """The checks both decisions share: the permission, the second pair of eyes, a correction still open."""
    _correction_actor_check(actor, CORRECTION_DECIDE_PERMISSION)
    current = lock(LedgerCorrection, correction.pk)
    if current.proposed_by_id == actor.pk:
        raise Forbidden(
            _("Four eyes: the person who proposed a correction cannot decide it."), code="four_eyes"
        )
    if current.status != LedgerCorrection.Status.PROPOSED:
        raise Conflict(_("This correction has already been decided."), code="correction_decided")
    current.decided_by, current.decided_at, current.decision_reason = actor, clock.now(), reason
    return current


@transaction.atomic
def ledger_correction_approve(
    *, correction: LedgerCorrection, reason: str = "", actor: User
) -> LedgerCorrection:
    """PAY-1, PAY-6: a second finance person approves: the reversing transaction is posted now."""
    current = _correction_decide(correction=correction, reason=reason, actor=actor)
    reversal = ledger_reverse(
        transaction=current.transaction,
        idempotency_key=f"ledger-correction:{current.pk}",
        reason=current.reason,
        actor=actor,
    )
    current.status, current.reversal = LedgerCorrection.Status.APPROVED, reversal
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "reversal"])
    audit_record(
        actor=actor,
        action="ledger.correction_approved",
        subject=current,
        before={"status": LedgerCorrection.Status.PROPOSED},
        after={"status": current.status, "reversal": reversal.pk, "proposed_by": current.proposed_by_id},
        reason=reason,
    )
    return current


@transaction.atomic
def ledger_correction_reject(*, correction: LedgerCorrection, reason: str, actor: User) -> LedgerCorrection:
    """PAY-6: a second finance person rejects the proposal, with a reason; nothing is posted."""
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the rejection."), errors={"reason": [_("Required.")]})
    current = _correction_decide(correction=correction, reason=reason, actor=actor)
    current.status = LedgerCorrection.Status.REJECTED
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        actor=actor,
        action="ledger.correction_rejected",
        subject=current,
        before={"status": LedgerCorrection.Status.PROPOSED},
        after={"status": current.status},
        reason=reason,
    )
    return current
