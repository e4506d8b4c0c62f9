"""PAY-8 (decision 038): reconciliation from the providers' own daily statements, and the segregated funds
check (对资金进行专门账户管理: the escrow the ledger holds for customers is the money the providers hold).

``reconciliation_statements_run(day)`` (beat, ``orders.reconcile_statements``, once the providers publish
yesterday's statements) downloads each enabled provider's statement (``orders.payments.bills``), keeps its
lines as ``ProviderSettlementRecord`` rows and its totals as a ``ProviderStatement``, matches every line
with our payments and refunds and their ledger postings (``reconciliation_run(statements_of=…)``: missing
on our side, missing at the provider, amount differs, fee differs), then checks the segregated funds.
"""

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import (
    Order,
    Payment,
    ProviderSettlementRecord,
    ProviderStatement,
    ReconciliationDifference,
    Refund,
)
from orders.payments.bills import STATEMENTS, StatementLine, statement_providers
from orders.payments.http import ProviderUnreachable
from orders.services.reconciliation import reconciliation_run
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.ledger.models import AccountKind, LedgerEntry, TransactionKind
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def _total(values: QuerySet[LedgerEntry] | QuerySet[ProviderSettlementRecord]) -> Decimal:
    return values.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def provider_statement_import(*, provider: str, day: date, lines: list[StatementLine]) -> ProviderStatement:
    """PAY-8: keep a provider's statement of ``day``: each line (again on a second import: the same rows)
    and its totals, audited."""
    for line in lines:
        ProviderSettlementRecord.objects.update_or_create(
            provider=provider,
            kind=line.kind,
            reference=line.reference,
            defaults={
                "amount": line.amount,
                "fee": line.fee,
                "at": line.at,
                "out_trade_no": line.out_trade_no,
            },
        )
    paid = sum((line.amount for line in lines if line.kind == "payment"), ZERO)
    refunded = sum((line.amount for line in lines if line.kind == "refund"), ZERO)
    fees = sum((line.fee if line.kind == "payment" else -line.fee for line in lines), ZERO)
    statement, _created = ProviderStatement.objects.update_or_create(
        provider=provider,
        day=day,
        defaults={
            "lines": len(lines),
            "paid": paid,
            "refunded": refunded,
            "fees": fees,
            "status": ProviderStatement.Status.IMPORTED,
            "next_attempt_at": None,
            "imported_at": clock.now(),
        },
    )
    audit_record(
        actor=None,
        action="reconciliation.statement_imported",
        subject=statement,
        after={"provider": provider, "day": day, "lines": len(lines), "paid": paid, "refunded": refunded},
    )
    return statement


def reconciliation_statements_run(
    *, day: date, providers: list[str] | None = None
) -> list[ReconciliationDifference]:
    """PAY-8: the daily reconciliation of the providers that publish statements, then the funds check.

    A statement that cannot be had (unreachable, not ready, a file that fails its hash) is logged and that
    provider is left out: reconciling without it would call every payment of the day missing. It is kept
    ``waiting`` and downloaded again by itself with back-off (``statements_sweep``) until the cut-off, then
    finance is alarmed (``missing``)."""
    imported = []
    for provider in providers if providers is not None else statement_providers():
        try:
            lines = STATEMENTS[provider](day)  # the network call, outside any transaction
        except ProviderUnreachable as exc:
            logger.error("PAY-8: the %s statement of %s could not be had: %s", provider, day, exc)
            statement_fetch_failed(provider=provider, day=day, error=str(exc))
            continue
        provider_statement_import(provider=provider, day=day, lines=lines)
        imported.append(provider)
    if not imported:
        return []
    differences = reconciliation_run(day=day, statements_of=imported)
    return differences + segregated_funds_check(day=day, providers=imported)


def statement_cutoff(day: date) -> datetime:
    """PAY-8: until when a day's statement is waited for: ``ORDERS_STATEMENT_CUTOFF_HOURS`` after the day."""
    return _day_end(day) + timedelta(hours=settings.ORDERS_STATEMENT_CUTOFF_HOURS)


@transaction.atomic
def statement_fetch_failed(*, provider: str, day: date, error: str) -> ProviderStatement:
    """PAY-8: a statement that could not be had is ``waiting``: downloaded again after
    ``ORDERS_STATEMENT_RETRY_BASE_SECONDS`` doubling per failure (capped at ``…_MAX_SECONDS``); past the
    cut-off it is ``missing``: an error log, an audit entry and a notification to finance, once."""
    statement, _created = ProviderStatement.objects.select_for_update().get_or_create(
        provider=provider, day=day, defaults={"status": ProviderStatement.Status.WAITING}
    )
    if statement.status == ProviderStatement.Status.IMPORTED and not _created:
        return statement  # imported before (a later re-run failed): the lines we hold stand
    now = clock.now()
    statement.attempts += 1
    statement.last_error = error[:2000]
    if now < statement_cutoff(day):
        wait = min(
            settings.ORDERS_STATEMENT_RETRY_BASE_SECONDS * 2 ** (statement.attempts - 1),
            settings.ORDERS_STATEMENT_RETRY_MAX_SECONDS,
        )
        statement.status, statement.next_attempt_at = (
            ProviderStatement.Status.WAITING,
            now + timedelta(seconds=wait),
        )
        statement.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        return statement
    alarm = statement.status != ProviderStatement.Status.MISSING
    statement.status, statement.next_attempt_at = ProviderStatement.Status.MISSING, None
    statement.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    if alarm:
        logger.error(
            "PAY-8: the %s statement of %s is still missing after %s attempts: %s",
            provider,
            day,
            statement.attempts,
            error,
        )
        audit_record(
            actor=None,
            action="reconciliation.statement_missing",
            subject=statement,
            after={"provider": provider, "day": day, "attempts": statement.attempts, "error": error[:500]},
        )
        _notify_finance(
            event="reconciliation_statement_missing",
            title=_("A provider's statement could not be downloaded"),
            body=_(
                "The %(provider)s statement of %(day)s could not be downloaded after %(attempts)s attempts "
                "(%(error)s). That day is not reconciled for this provider: download it again with "
                "orders.reconcile_statements once the provider has it."
            )
            % {"provider": provider, "day": day, "attempts": statement.attempts, "error": error[:200]},
            subject=statement,
        )
    return statement


def statements_sweep() -> int:
    """PAY-8 (beat, ``orders.statements_sweep``): every waiting statement whose next download is due is
    downloaded and reconciled again; the number tried."""
    due = list(
        ProviderStatement.objects.filter(
            status=ProviderStatement.Status.WAITING, next_attempt_at__lte=clock.now()
        ).values_list("provider", "day")
    )
    for provider, day in due:
        reconciliation_statements_run(day=day, providers=[provider])
    return len(due)


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def customer_funds(*, provider: str, day: date) -> tuple[Decimal, Decimal]:
    """PAY-8: at the end of ``day``, for the orders paid through ``provider``: the ledger's escrow balance,
    and the balance the provider holds for the customers by its own records.

    The provider's side is what its statements say was paid for orders, less what they say was refunded,
    less what the ledger released from escrow to the merchants and the platform (the provider cannot see
    that: the money stays with it until a payout). A refund the ledger paid from elsewhere than escrow (a
    late-shipment compensation, a refund after release from the merchant's payable) left the provider's
    balance without leaving the customers' funds, so it is counted back once the statement shows it. A refund
    paid by a transfer instead (``paid_by_transfer``) is on no trade bill: its escrow part leaves the held
    balance when the ledger posted it (decision 038, addendum s9)."""
    end = _day_end(day)
    order_payments = Payment.objects.filter(
        provider=provider, purpose=Payment.Purpose.ORDER, status=Payment.Status.SUCCEEDED
    )
    escrow = LedgerEntry.objects.filter(
        account__kind=AccountKind.ORDER_ESCROW,
        account__owner_type=ContentType.objects.get_for_model(Order),
        account__owner_id__in=order_payments.values("order_id"),
        transaction__created_at__lt=end,
    )
    ledger_escrow = _total(escrow)
    released = -_total(escrow.filter(transaction__kind=TransactionKind.RELEASE))
    records = ProviderSettlementRecord.objects.filter(provider=provider, at__lt=end)
    deposits = Payment.objects.filter(provider=provider, purpose=Payment.Purpose.DEPOSIT).exclude(
        provider_trade_no=None
    )
    # a payment that crossed midnight between the two books counts on the day we booked it: billed the
    # next day but booked by us before the end (the provider held it, in transit), or the other way round
    booked_before = order_payments.filter(succeeded_at__lt=end).values("provider_trade_no")
    paid = _total(
        records.filter(kind="payment")
        .exclude(reference__in=deposits.values("provider_trade_no"))
        .exclude(reference__in=order_payments.filter(succeeded_at__gte=end).values("provider_trade_no"))
    ) + _total(
        ProviderSettlementRecord.objects.filter(
            provider=provider, kind="payment", at__gte=end, reference__in=booked_before
        )
    )
    refunds = records.filter(kind="refund")
    keys = [
        refund.ledger_key or f"order-refund:{refund.idempotency_key}"
        for refund in Refund.objects.filter(
            payment__provider=provider, refund_no__in=refunds.values("reference")
        ).only("ledger_key", "idempotency_key")
    ]
    postings = LedgerEntry.objects.filter(transaction__idempotency_key__in=keys)
    # what those refunds paid the customer, less what they took from escrow (the escrow legs are negative)
    not_from_escrow = _total(
        postings.filter(account__kind=AccountKind.REFUNDS_CLEARING, amount__gt=0)
    ) + _total(postings.filter(account__kind=AccountKind.ORDER_ESCROW))
    # a refund its trade could no longer take, paid by a transfer to the payer (decisions 037, 045), is on
    # no trade bill: what its posting took out of escrow stopped being escrow when it was posted, whether
    # the transfer is still waiting (for a rail, or for finance after a refusal) or has paid it
    by_transfer = [
        refund.ledger_key or f"order-refund:{refund.idempotency_key}"
        for refund in Refund.objects.filter(payment__provider=provider, paid_by_transfer=True).only(
            "ledger_key", "idempotency_key"
        )
    ]
    transferred = -_total(
        LedgerEntry.objects.filter(
            transaction__idempotency_key__in=by_transfer,
            transaction__created_at__lt=end,
            account__kind=AccountKind.ORDER_ESCROW,
        )
    )
    held = paid - (_total(refunds) - not_from_escrow) - released - transferred
    return ledger_escrow, held


@transaction.atomic
def segregated_funds_check(*, day: date, providers: list[str]) -> list[ReconciliationDifference]:
    """PAY-8, 对资金进行专门账户管理: at each reconciliation the ledger's escrow balance must equal what each
    provider holds for the customers (``customer_funds``). A difference is an alarm: a difference case
    (reason ``funds``), an error log, an audit entry and a notification to finance."""
    alarms = []
    for provider in providers:
        _funds_alarm_recheck(day=day - timedelta(days=1), provider=provider)
        ledger_escrow, held = customer_funds(provider=provider, day=day)
        if ledger_escrow == held:
            continue
        difference, created = ReconciliationDifference.objects.get_or_create(
            day=day,
            provider=provider,
            kind="funds",
            reference="escrow",
            reason=ReconciliationDifference.Reason.FUNDS,
            defaults={"ledger_amount": ledger_escrow, "provider_amount": held},
        )
        alarms.append(difference)
        logger.error(
            "PAY-8 segregated funds: %s on %s: ledger escrow %s, held by the provider %s",
            provider,
            day,
            ledger_escrow,
            held,
        )
        if created:
            audit_record(
                actor=None,
                action="reconciliation.funds_differ",
                subject=difference,
                after={"provider": provider, "day": day, "ledger_escrow": ledger_escrow, "held": held},
            )
            _alarm_finance(difference)
    return alarms


def _funds_alarm_recheck(*, day: date, provider: str) -> None:
    """PAY-8: the previous day's funds alarm, checked again once the next statement is in: a payment we
    booked at 23:59:59 that the provider billed after midnight was only in transit; the alarm is resolved
    (audited) when the two sides now agree."""
    alarm = ReconciliationDifference.objects.filter(
        day=day,
        provider=provider,
        reason=ReconciliationDifference.Reason.FUNDS,
        status=ReconciliationDifference.Status.OPEN,
    ).first()
    if alarm is None:
        return
    ledger_escrow, held = customer_funds(provider=provider, day=day)
    if ledger_escrow != held:
        return
    alarm.status = ReconciliationDifference.Status.RESOLVED
    alarm.note = _("The next day's statement carries what was in transit at midnight: the funds agree.")
    alarm.save(update_fields=["status", "note"])
    audit_record(
        actor=None,
        action="reconciliation.difference_settled",
        subject=alarm,
        before={"status": ReconciliationDifference.Status.OPEN},
        after={"status": alarm.status, "note": alarm.note, "held": held},
    )


def _alarm_finance(difference: ReconciliationDifference) -> None:
    _notify_finance(
        event="reconciliation_funds_differ",
        title=_("Customer funds do not match the escrow ledger"),
        body=_(
            "On %(day)s the escrow ledger holds %(ledger)s CNY for customers paid through %(provider)s, "
            "but the provider holds %(held)s CNY for them. Check the reconciliation differences."
        )
        % {
            "day": difference.day,
            "ledger": f"{difference.ledger_amount:.2f}",
            "provider": difference.provider,
            "held": f"{difference.provider_amount:.2f}",
        },
        subject=difference,
    )


def _notify_finance(*, event: str, title: str, body: str, subject: models.Model) -> None:
    """The finance role and the finance department's head, in-app and by e-mail."""
    recipients = {
        user.pk: user
        for user in User.objects.filter(groups__name=Role.STAFF_FINANCE, is_active=True).order_by("pk")
    }
    head = department_head(code=DepartmentCode.FINANCE)
    if head is not None:
        recipients.setdefault(head.pk, head)
    for user in recipients.values():
        notify(
            recipient=user,
            event=event,
            title=title,
            body=body,
            channels=("inapp", "email") if user.email else ("inapp",),
            subject=subject,
        )
