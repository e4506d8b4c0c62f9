"""CMP-1 … CMP-3: complaints: filed, acknowledged, answered, closed; escalated when a clock runs out."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.clocks import RULE_COMPLAINT_ACK, RULE_COMPLAINT_ANSWER
from aftersales.models import Complaint
from aftersales.selectors import complaint_count_for_listing
from aftersales.services._common import (
    CS,
    _attach,
    _release_hold,
    _require_customer_service,
    _step,
    complaint_lock,
)
from catalog.models import Listing
from catalog.services.inspections import inspection_open_for_complaints
from merchants.models import Merchant, MerchantMember
from orders.models import Order
from orders.services.settlement import order_escrow_hold
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import InvalidInput, NotFound
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head


def _complaint_target(
    *,
    complainant: User,
    target_kind: str,
    merchant_id: int | None,
    listing_id: int | None,
    order_id: int | None,
) -> tuple[Merchant | None, Listing | None, Order | None]:
    if target_kind == Complaint.TargetKind.PLATFORM:
        return None, None, None
    if target_kind == Complaint.TargetKind.MERCHANT:
        merchant = Merchant.objects.filter(pk=merchant_id).first() if merchant_id else None
        if merchant is None:
            raise NotFound(_("No such shop."))
        return merchant, None, None
    if target_kind == Complaint.TargetKind.LISTING:
        listing = (
            Listing.objects.select_related("merchant").filter(pk=listing_id).first() if listing_id else None
        )
        if listing is None:
            raise NotFound(_("No such listing."))
        return listing.merchant, listing, None
    if target_kind == Complaint.TargetKind.ORDER:
        order = Order.objects.select_related("merchant").filter(pk=order_id).first() if order_id else None
        is_party = order is not None and (
            order.customer_id == complainant.pk
            or MerchantMember.objects.filter(merchant_id=order.merchant_id, user=complainant).exists()
        )
        if order is None or not is_party:
            raise NotFound(_("No such order."))
        return order.merchant, None, order
    raise InvalidInput(_("Unknown complaint target."), errors={"target_kind": [_("Unknown.")]})


@transaction.atomic
def complaint_file(
    *,
    complainant: User,
    target_kind: str,
    category: str,
    description: str,
    merchant_id: int | None = None,
    listing_id: int | None = None,
    order_id: int | None = None,
    evidence: Sequence[Any] = (),
    actor: User,
) -> Complaint:
    """CMP-1, CMP-2, PAY-6: a customer or merchant files a complaint; customer service must acknowledge it
    within 24 hours and answer within 48; a complaint on an order holds that order's escrow."""
    if category not in Complaint.Category.values:
        raise InvalidInput(_("Unknown complaint category."), errors={"category": [_("Unknown.")]})
    if not description.strip():
        raise InvalidInput(_("Describe the problem."), errors={"description": [_("Required.")]})
    merchant, listing, order = _complaint_target(
        complainant=complainant,
        target_kind=target_kind,
        merchant_id=merchant_id,
        listing_id=listing_id,
        order_id=order_id,
    )
    membership = MerchantMember.objects.filter(user=complainant).select_related("merchant").first()
    is_merchant = membership is not None and not (order is not None and order.customer_id == complainant.pk)
    now = clock.now()
    complaint = Complaint.objects.create(
        complainant=complainant,
        complainant_kind=Complaint.ComplainantKind.MERCHANT
        if is_merchant
        else Complaint.ComplainantKind.CUSTOMER,
        complainant_merchant=membership.merchant if is_merchant and membership else None,
        target_kind=target_kind,
        merchant=merchant,
        listing=listing,
        order=order,
        category=category,
        description=description,
        created_at=now,
        acknowledge_by=now + settings.AFTERSALES_COMPLAINT_ACK_WITHIN,
        answer_by=now + settings.AFTERSALES_COMPLAINT_ANSWER_WITHIN,
    )
    _attach(evidence, actor=actor, complaint=complaint)
    if order is not None:
        complaint.hold = order_escrow_hold(
            order=order,
            reason=_("Complaint #%(id)s is open") % {"id": complaint.pk},
            subject=complaint,
            actor=actor,
        )
        complaint.save(update_fields=["hold"])
    deadline_start(rule=RULE_COMPLAINT_ACK, subject=complaint, due_at=complaint.acknowledge_by)
    deadline_start(rule=RULE_COMPLAINT_ANSWER, subject=complaint, due_at=complaint.answer_by)
    _step(complaint, action="filed", actor=actor, note=description)
    if listing is not None:  # CMP-3: past the threshold, complaints open an inspection of the listing
        since = now - settings.CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW
        inspection_open_for_complaints(
            listing=listing, complaints=complaint_count_for_listing(listing=listing, since=since), actor=None
        )
    return complaint


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """CMP-2: customer service acknowledges the complaint (within 24 hours)."""
    _require_customer_service(actor)
    complaint = complaint_lock(complaint_id=complaint.pk)
    before = complaint.status
    complaint.acknowledge(handler=actor)
    complaint.save()
    deadline_meet(rule=RULE_COMPLAINT_ACK, subject=complaint)
    _step(complaint, action="acknowledged", actor=actor, from_status=before, note=note)
    notify(
        recipient=complaint.complainant,
        event="complaint_acknowledged",
        title=_("We are looking into your complaint"),
        body=_("Complaint #%(id)s will be answered by %(due)s.")
        % {
            "id": complaint.pk,
            "due": (
                timezone.localtime(complaint.answer_by).strftime("%Y-%m-%d %H:%M")
                if complaint.answer_by
                else "-"
            ),
        },
        subject=complaint,
    )
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, answer: str, actor: User) -> Complaint:
    """CMP-2: customer service (or the department head, once escalated) answers; the answer is recorded."""
    if not answer.strip():
        raise InvalidInput(_("Write the answer."), errors={"answer": [_("Required.")]})
    _require_customer_service(actor)
    complaint = complaint_lock(complaint_id=complaint.pk)
    before = complaint.status
    complaint.answer_with(answer=answer, handler=actor)
    complaint.save()
    deadline_meet(rule=RULE_COMPLAINT_ACK, subject=complaint)
    deadline_meet(rule=RULE_COMPLAINT_ANSWER, subject=complaint)
    _step(complaint, action="answered", actor=actor, from_status=before, note=answer)
    notify(
        recipient=complaint.complainant,
        event="complaint_answered",
        title=_("Your complaint was answered"),
        body=answer,
        subject=complaint,
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """CMP-2, PAY-6: the complaint is closed (by the complainant, or customer service after answering);
    the order's escrow is no longer held for it."""
    complaint = complaint_lock(complaint_id=complaint.pk)
    if complaint.complainant_id != actor.pk:
        _require_customer_service(actor)
    before = complaint.status
    complaint.close()
    complaint.save()
    deadline_cancel(rule=RULE_COMPLAINT_ACK, subject=complaint, note="closed")
    deadline_cancel(rule=RULE_COMPLAINT_ANSWER, subject=complaint, note="closed")
    _release_hold(complaint, actor=actor)
    _step(complaint, action="closed", actor=actor, from_status=before, note=note)
    return complaint


def _complaint_escalate(complaint: Complaint, *, missed: str) -> None:
    """CMP-2: escalate to the customer-service department head with what is pending."""
    if complaint.status not in (CS.FILED, CS.ACKNOWLEDGED):
        return
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    pending = _(
        "%(missed)s is overdue. Complaint about %(target)s (%(category)s), filed %(filed)s: %(text)s"
    ) % {
        "missed": missed,
        "target": complaint.get_target_kind_display(),
        "category": complaint.get_category_display(),
        "filed": timezone.localtime(complaint.created_at).strftime("%Y-%m-%d %H:%M"),
        "text": complaint.description[:300],
    }
    before = complaint.status
    complaint.escalate(to=head, pending=pending)
    complaint.save()
    _step(complaint, action="escalated", actor=None, from_status=before, note=pending)
    if head is not None:
        notify(
            recipient=head,
            event="complaint_escalated",
            title=_("Complaint #%(id)s escalated to you") % {"id": complaint.pk},
            body=pending,
            subject=complaint,
        )


def complaint_ack_missed(*, complaint: Complaint) -> None:
    """CMP-2: not acknowledged within 24 hours: escalated to the department head."""
    _complaint_escalate(complaint, missed=str(_("The acknowledgement")))


def complaint_answer_missed(*, complaint: Complaint) -> None:
    """CMP-2: not answered within 48 hours: escalated to the department head."""
    _complaint_escalate(complaint, missed=str(_("The answer")))
