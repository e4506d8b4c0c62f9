"""AFS-3 … AFS-5: what happens when a request's clock runs out (the system acts; actor None)."""

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.clocks import RULE_RETURN_SHIP_BY
from aftersales.models import AfterSalesRequest
from aftersales.services._common import RS, R, _event, _release_hold, _stop_clocks, _tell_customer
from aftersales.services.requests import _after_approval, _refund
from aftersales.services.returns import _receive
from merchants.models import Violation
from merchants.services.violations import violation_record
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head


def request_response_missed(*, request: AfterSalesRequest) -> None:
    """AFS-3: the merchant did not respond in time: refund-only and return-and-refund are approved
    automatically (refund-only refunded at once); exchange and repair go to platform customer service.
    The merchant gets an ``aftersales_sla_missed`` violation."""
    if request.status != RS.REQUESTED:
        return
    violation_record(
        merchant=request.merchant,
        kind="aftersales_sla_missed",
        evidence={
            "aftersales_request": request.pk,
            "order": request.order.number,
            "respond_by": request.respond_by.isoformat() if request.respond_by else None,
            "hours": request.response_hours,
        },
        source=Violation.Source.SYSTEM,
        actor=None,
    )
    request.responded_in_time = False
    before = request.status
    if request.kind in R.REFUND_KINDS:
        request.approve(automatic=True)
        request.save()
        _event(
            request,
            action="approved",
            actor=None,
            from_status=before,
            reason=_("approved automatically: the shop did not respond within %(h)d hours")
            % {"h": request.response_hours},
        )
        _tell_customer(
            request,
            event="aftersales_auto_approved",
            title=_("Request approved"),
            body=_("The shop did not respond in time; your request was approved automatically."),
        )
        _after_approval(request, actor=None)
        return
    request.escalate(
        to=R.EscalatedTo.CUSTOMER_SERVICE,
        reason=_("The shop did not respond within %(h)d hours.") % {"h": request.response_hours},
    )
    request.save()
    _event(
        request,
        action="escalated",
        actor=None,
        from_status=before,
        reason=request.escalation_reason,
        data={"to": "customer_service"},
    )
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    if head is not None:
        notify(
            recipient=head,
            event="aftersales_escalated_to_cs",
            title=_("After-sales request escalated to customer service"),
            body=_("Request #%(id)s (%(kind)s) on order %(number)s: the shop did not respond.")
            % {"id": request.pk, "kind": request.get_kind_display(), "number": request.order.number},
            subject=request,
        )


def request_return_ship_missed(*, request: AfterSalesRequest) -> None:
    """AFS-4: the customer did not ship the return within 7 days: the request lapses."""
    if request.status != RS.AWAITING_RETURN:
        return
    before = request.status
    request.lapse()
    request.save()
    _stop_clocks(request, note="lapsed", enforcing=RULE_RETURN_SHIP_BY)
    _release_hold(request, actor=None)
    _event(
        request,
        action="lapsed",
        actor=None,
        from_status=before,
        reason=_("the return was not shipped in time"),
    )
    _tell_customer(
        request,
        event="aftersales_lapsed",
        title=_("After-sales request lapsed"),
        body=_("The return was not shipped within %(d)d days.")
        % {"d": settings.AFTERSALES_RETURN_SHIP_WITHIN.days},
    )


def request_receipt_missed(*, request: AfterSalesRequest) -> None:
    """AFS-4: the merchant did not confirm the return's receipt within 7 days of its delivery: confirmed
    automatically (and a return-and-refund refunded at once)."""
    if request.status != RS.RETURN_SHIPPED:
        return
    _receive(request, actor=None, automatic=True)


def request_refund_overdue(*, request: AfterSalesRequest) -> None:
    """AFS-4, PAY-5: the refund is due: try once more; if it still cannot be paid, customer service is told."""
    if request.status not in (RS.RETURN_RECEIVED, RS.APPROVED) or request.kind not in R.REFUND_KINDS:
        return
    if _refund(request, actor=None, enforcing=True):
        return
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    if head is not None:
        notify(
            recipient=head,
            event="aftersales_refund_overdue",
            title=_("After-sales refund overdue"),
            body=_("Request #%(id)s could not be refunded within the deadline.") % {"id": request.pk},
            subject=request,
        )


def request_escalation_window_closed(*, request: AfterSalesRequest) -> None:
    """AFS-5, PAY-6: a refusal nobody escalated closes; the escrow is no longer held for it."""
    if request.status != RS.REFUSED:
        return
    before = request.status
    request.close()
    request.save()
    _release_hold(request, actor=None)
    _event(request, action="closed", actor=None, from_status=before, reason=_("not escalated in time"))
