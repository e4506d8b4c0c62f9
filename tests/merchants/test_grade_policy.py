"""REP-3 (issue 27): the credit grade feeds the deposit and payout policy: a policy table per grade,
edited in the admin (audited); deposits and payouts follow it; the merchant sees why."""

from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category
from merchants.models import CreditGradePolicy, Merchant
from merchants.selectors.standing import merchant_may_list
from orders.models import Payout
from orders.services.payouts import payouts_run
from platform_core.audit.models import AuditEntry
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from tests.conftest import client_for
from tests.dashboard.conftest import client_as
from tests.factories.accounts import StaffFactory
from tests.factories.catalog import CategoryFactory, merchant_for

pytestmark = pytest.mark.django_db


def _policy_admin(client: Client) -> Client:
    staff = StaffFactory.create()
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="merchants",
            codename__in=["view_creditgradepolicy", "change_creditgradepolicy", "add_creditgradepolicy"],
        )
    )
    client.force_login(staff)
    return client


def _set_grade_2(client: Client) -> None:
    row, _created = CreditGradePolicy.objects.get_or_create(grade=2)
    url = reverse("admin:merchants_creditgradepolicy_change", args=[row.pk])
    answer = client.post(
        url, {"deposit_multiplier": "2.00", "deposit_surcharge": "100.00", "payout_delay_days": "7"}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]


def _credit_payable(merchant: Merchant, amount: str, key: str) -> None:
    ledger_post(
        idempotency_key=key,
        kind=TransactionKind.ADJUSTMENT,
        postings=[
            (ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING), -Decimal(amount)),
            (ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant), Decimal(amount)),
        ],
    )


def test_rep_3_the_admins_grade_policy_raises_the_deposit_and_delays_payouts_and_the_merchant_sees_why(
    client: Client, time_machine
) -> None:
    category = cast(Category, CategoryFactory(deposit_amount=Decimal("1000.00")))
    merchant = merchant_for(category)  # holds the category's 1000.00
    Merchant.objects.filter(pk=merchant.pk).update(credit_grade=2)
    merchant.refresh_from_db()

    _set_grade_2(_policy_admin(client))

    entry = AuditEntry.objects.filter(action="merchant.grade_policy_changed").latest("pk")
    assert entry.after is not None and entry.after["payout_delay_days"] == 7
    # the merchant API says what the shop must hold and why
    me = client_for(merchant.owner).get("/api/v1/merchant/").json()
    assert Decimal(me["deposit_required"]) == Decimal("2100.00")
    policy = me["grade_policy"]
    assert policy["grade"] == 2 and Decimal(policy["base_deposit"]) == Decimal("1000.00")
    assert Decimal(policy["deposit_multiplier"]) == Decimal("2.00") and policy["payout_delay_days"] == 7
    # the seller centre's standing page explains it
    html = client_as(merchant.owner).get("/merchant/standing/").content.decode()
    assert "2100.00" in html and "× 2.00" in html and "7 days" in html
    # the deposit the grade asks for is what listing needs (MER-5)
    ok, reason = merchant_may_list(merchant=merchant, category=category)
    assert not ok and "2100.00" in reason

    # payouts wait the grade's 7 days
    _credit_payable(merchant, "300.00", "rep3-payable-1")
    assert payouts_run() == []
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    (payout,) = payouts_run()
    assert payout.merchant_id == merchant.pk and payout.amount == Decimal("300.00")


def test_rep_3_a_neutral_grade_pays_out_at_once() -> None:
    category = cast(Category, CategoryFactory(deposit_amount=Decimal("1000.00")))
    merchant = merchant_for(category)
    Merchant.objects.filter(pk=merchant.pk).update(credit_grade=5)
    _credit_payable(merchant, "50.00", "rep3-payable-2")
    payouts_run()
    assert Payout.objects.get(merchant=merchant).amount == Decimal("50.00")
    assert merchant_may_list(merchant=merchant, category=category)[0]
