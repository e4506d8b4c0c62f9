"""PAY-1, PAY-6 (issue 21): a ledger correction is a reversing transaction proposed by one finance person
and approved by another, through the admin; never the proposer, never an edit of an entry."""

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.ledger.models import AccountKind, LedgerCorrection, LedgerEntry, LedgerTransaction
from platform_core.ledger.selectors import ledger_verify
from platform_core.ledger.services import ledger_account_for, ledger_post
from tests.factories.accounts import StaffFactory
from tests.helpers.admin_otp import otp_admin_client, with_permissions

pytestmark = pytest.mark.django_db

CORRECTIONS = "/admin/ledger/ledgercorrection/"
PERMS = ("ledger.add_ledgercorrection", "ledger.change_ledgercorrection", "ledger.view_ledgercorrection")


@pytest.fixture(autouse=True)
def _otp(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


def finance() -> User:
    return with_permissions(StaffFactory.create(role=Role.STAFF_FINANCE), *PERMS)


def wrong_posting() -> LedgerTransaction:
    """A compensation booked by mistake: compensation → refunds clearing, 25.00."""
    return ledger_post(
        idempotency_key="pay6-mistake",
        kind="compensation",
        postings=[
            (ledger_account_for(kind=AccountKind.COMPENSATION), Decimal("-25.00")),
            (ledger_account_for(kind=AccountKind.REFUNDS_CLEARING), Decimal("25.00")),
        ],
        memo="booked twice",
    )


def propose(browser: Any, txn: LedgerTransaction) -> Any:
    return browser.post(
        f"{CORRECTIONS}add/",
        {"transaction": txn.pk, "reason": "重复记账", "evidence": "银行流水 2026-12-01 第 3 行"},
    )


def decide(browser: Any, correction: LedgerCorrection, action: str, reason: str = "核对无误") -> Any:
    return browser.post(
        CORRECTIONS, {"action": action, ACTION_CHECKBOX_NAME: [correction.pk], "reason": reason}
    )


def test_pay_6_four_eyes_proposed_by_one_approved_by_another_posts_a_reversal() -> None:
    txn = wrong_posting()
    entries_before = list(LedgerEntry.objects.values_list("pk", "amount"))
    proposer, approver = finance(), finance()
    proposer_browser = otp_admin_client(proposer)

    assert propose(proposer_browser, txn).status_code == 302
    correction = LedgerCorrection.objects.get(transaction=txn)
    assert correction.status == "proposed" and correction.proposed_by == proposer
    assert not LedgerTransaction.objects.filter(reverses=txn).exists()  # nothing posted yet
    assert AuditEntry.objects.filter(action="ledger.correction_proposed", actor=proposer).count() == 1

    # the proposer cannot approve their own proposal
    decide(proposer_browser, correction, "approve")
    correction.refresh_from_db()
    assert correction.status == "proposed"
    assert not LedgerTransaction.objects.filter(reverses=txn).exists()

    decide(otp_admin_client(approver), correction, "approve")
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.decided_by == approver
    reversal = LedgerTransaction.objects.get(reverses=txn)
    assert correction.reversal == reversal and reversal.kind == "reversal"
    legs = {e.account.kind: e.amount for e in reversal.entries.select_related("account")}
    assert legs == {
        AccountKind.COMPENSATION: Decimal("25.00"),
        AccountKind.REFUNDS_CLEARING: Decimal("-25.00"),
    }
    # never an edit: every earlier entry is still there as it was
    assert set(entries_before) <= set(LedgerEntry.objects.values_list("pk", "amount"))
    entry = AuditEntry.objects.get(action="ledger.correction_approved")
    assert entry.after is not None
    assert entry.actor == approver and entry.after["proposed_by"] == proposer.pk
    assert ledger_verify().ok


def test_pay_6_four_eyes_reject_needs_a_reason_and_posts_nothing() -> None:
    txn = wrong_posting()
    proposer, checker = finance(), finance()
    propose(otp_admin_client(proposer), txn)
    correction = LedgerCorrection.objects.get(transaction=txn)
    browser = otp_admin_client(checker)
    decide(browser, correction, "reject", reason="")
    correction.refresh_from_db()
    assert correction.status == "proposed"
    decide(browser, correction, "reject", reason="流水不符")
    correction.refresh_from_db()
    assert correction.status == "rejected" and correction.decision_reason == "流水不符"
    assert not LedgerTransaction.objects.filter(reverses=txn).exists()
    assert AuditEntry.objects.filter(action="ledger.correction_rejected", actor=checker).count() == 1


def test_pay_6_four_eyes_staff_without_the_permission_cannot_propose_or_decide() -> None:
    txn = wrong_posting()
    outsider = with_permissions(
        StaffFactory.create(role=Role.STAFF_OPERATIONS), "ledger.view_ledgercorrection"
    )
    browser = otp_admin_client(outsider)
    assert propose(browser, txn).status_code == 403
    assert not LedgerCorrection.objects.exists()
    propose(otp_admin_client(finance()), txn)
    correction = LedgerCorrection.objects.get()
    decide(browser, correction, "approve")
    correction.refresh_from_db()
    assert correction.status == "proposed"
    assert not LedgerTransaction.objects.filter(reverses=txn).exists()
    assert not AuditEntry.objects.filter(action="ledger.correction_approved").exists()


def test_pay_6_four_eyes_a_transaction_is_corrected_once() -> None:
    txn = wrong_posting()
    proposer = finance()
    browser = otp_admin_client(proposer)
    propose(browser, txn)
    propose(browser, txn)  # a second proposal while the first waits is refused
    assert LedgerCorrection.objects.filter(transaction=txn).count() == 1
