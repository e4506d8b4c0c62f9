"""Disputes arrangement: real orders (through the orders services), mediators and arbitrators holding
their permissions directly (transactional tests flush group grants), and cases at each stage."""

from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import Permission

from aftersales.services.requests import request_escalate, request_refuse
from disputes.models import Dispute
from disputes.services.mediation import dispute_mediation_window_closed
from disputes.services.opening import dispute_open_by_staff
from orders.models import Order
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.factories.accounts import StaffFactory
from tests.factories.aftersales import completed_order, open_request

__all__ = [
    "arbitrator",
    "completed_order",
    "dispute_from_refusal",
    "dispute_in_arbitration",
    "mediator",
    "staff_dispute",
]


def _with_perm(user: User, codename: str) -> User:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="disputes"))
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


def mediator() -> User:
    return _with_perm(cast(User, StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)), "mediate_dispute")


def arbitrator() -> User:
    user = _with_perm(cast(User, StaffFactory(role=Role.STAFF_ARBITRATION)), "arbitrate_dispute")
    return _with_perm(user, "mediate_dispute")  # committee members may mediate too (DSP-3 keeps them apart)


def staff_dispute(order: Order | None = None, *, claim: str | None = None, **kwargs: Any) -> Dispute:
    """A case opened by staff on a completed order (only the dispute holds the escrow)."""
    order = order or completed_order(**kwargs)
    return dispute_open_by_staff(
        order=order,
        reason="顾客投诉商品与描述不符",
        actor=mediator(),
        claim_amount=Decimal(claim) if claim is not None else None,
    )


def dispute_from_refusal(order: Order | None = None, **kwargs: Any) -> Dispute:
    """DSP-1: the customer escalates the merchant's refusal; the aftersales hook opens the case."""
    order = order or completed_order(**kwargs)
    request = open_request(order)
    request_refuse(request=request, reason="商品无质量问题", actor=order.merchant.owner)
    request_escalate(request=request, reason="商品确有裂纹", actor=order.customer)
    return Dispute.objects.get(aftersales_request=request)


def dispute_in_arbitration(dispute: Dispute) -> Dispute:
    """Move a case in evidence straight to arbitration, as the two windows would."""
    from disputes.services.evidence import dispute_evidence_window_closed

    dispute = Dispute.objects.get(pk=dispute.pk)
    dispute_evidence_window_closed(dispute=dispute)
    dispute_mediation_window_closed(dispute=dispute)
    dispute.refresh_from_db()
    return dispute
