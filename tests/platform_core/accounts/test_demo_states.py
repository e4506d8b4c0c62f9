"""Issue 24: ``make run``'s demo is a living marketplace — every state the issue lists exists, built through
the services (each with its audit trail), and every printed account signs in where the printout says."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q

from aftersales.models import AfterSalesRequest, Complaint
from catalog.models import Listing
from disputes.models import Dispute
from merchants.models import Merchant, MerchantApplication, Penalty, Violation
from orders.models import Order, Payout, PayoutStatement, Refund, Review, ReviewFlag
from platform_core import clock
from platform_core.audit.models import AuditEntry
from staff.models import PermissionApplication, PermissionGrant, StaffProfile
from tests.platform_core.accounts.test_seed_demo import _assert_signs_in, _printed_accounts

pytestmark = pytest.mark.django_db


def _statuses(queryset) -> set[str]:
    return set(queryset.values_list("status", flat=True))


def test_ops_demo_has_every_state_and_every_printed_account_logs_in(settings) -> None:
    settings.STAFF_REQUIRE_OTP = False
    out = StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    now = clock.now()

    # shops: goods and services, in every lifecycle state; applications awaiting review
    assert _statuses(Merchant.objects) == set(Merchant.Status.values)
    assert Listing.objects.filter(kind="service", status="approved").exists()
    assert Listing.objects.filter(kind="product", status="approved").exists()
    assert {"submitted", "needs_more_info", "draft"} <= _statuses(MerchantApplication.objects)
    flagship = Merchant.objects.get(owner__email="merchant@demo.local")
    assert _statuses(Listing.objects.filter(merchant=flagship)) == set(Listing.Status.values)

    # orders in every state, late (compensated), refunded and disputed among them
    orders = Order.objects.filter(customer__email="customer@demo.local")
    assert {"pending_payment", "paid", "shipped", "completed", "cancelled"} <= _statuses(orders)
    assert orders.filter(status="paid", customer_may_cancel_with_refund=True).exists()  # ORD-4
    assert Refund.objects.filter(order__status="cancelled").exists()
    assert orders.filter(disputes__isnull=False).exists()
    assert not orders.filter(created_at__gt=now).exists()  # the clock ends at the present

    # after-sales requests and complaints in several states
    requests = _statuses(AfterSalesRequest.objects)
    assert {"requested", "refunded", "refused", "escalated"} <= requests
    assert {"filed", "answered", "closed"} <= _statuses(Complaint.objects)

    # a dispute in each stage (DSP-1 … DSP-4), each with its events in the audit trail
    assert {"evidence", "mediation", "arbitration", "ruled", "appealed", "closed"} <= _statuses(
        Dispute.objects
    )
    for action in ("opened", "mediation_started", "arbitration_started", "ruled", "appealed", "closed"):
        assert AuditEntry.objects.filter(action=f"dispute.{action}").exists(), action

    # reviews, some flagged as possibly fake (REP-2)
    assert Review.objects.exists()
    assert ReviewFlag.objects.filter(status="open").exists()

    # violations and penalties, one in force and published (VIO-2, VIO-5)
    assert Violation.objects.filter(merchant=flagship, kind="late_shipment").exists()
    assert Violation.objects.filter(source="staff").exists()
    in_force = Penalty.objects.filter(published_at__isnull=False, lifted_at__isnull=True, starts_at__lte=now)
    assert in_force.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).exists()
    assert AuditEntry.objects.filter(action="merchant.penalty_published").exists()

    # statements and payouts (PAY-4)
    assert PayoutStatement.objects.filter(merchant=flagship).exists()
    assert Payout.objects.filter(merchant=flagship).exists()

    # staff profiles; permission applications awaiting review and granted (STF-1, STF-2)
    assert StaffProfile.objects.filter(user__email="arbitrator-1@demo.local").exists()
    assert {"submitted", "approved"} <= _statuses(PermissionApplication.objects)
    assert PermissionGrant.objects.filter(user__email="arbitrator-1@demo.local").exists()

    # every printed account signs in where the printout says
    printed = _printed_accounts(out.getvalue())
    emails = {email for email, _path in printed}
    assert {"service@demo.local", "arbitrator-1@demo.local", "partner@demo.local"} <= emails
    for email, path in printed:
        _assert_signs_in(email, path)
