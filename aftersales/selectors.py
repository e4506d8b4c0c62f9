"""Reads of the after-sales chapter, each scoped to who is asking (SEC-1: others' rows are 404)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from aftersales.models import (
    AfterSalesRequest,
    CannedResponse,
    Complaint,
    Conversation,
    Evidence,
    MerchantAfterSalesPolicy,
    Message,
    MessageImage,
    QuickReply,
    ReplyClock,
    Suggestion,
)
from catalog.models import Listing
from merchants.models import Merchant, MerchantMember
from orders.models import Order
from orders.selectors.orders import order_events, order_tracking
from platform_core import clock
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.deadlines.models import Deadline
from platform_core.errors import NotFound

RS = AfterSalesRequest.Status

#: which running clock a request in each state waits on (shown to both sides as "time left")
_REQUEST_CLOCK: dict[str, str] = {
    RS.REQUESTED: "respond_by",
    RS.AWAITING_RETURN: "return_ship_by",
    RS.RETURN_SHIPPED: "receipt_due_at",
    RS.RETURN_RECEIVED: "refund_due_at",
    RS.REFUSED: "escalate_until",
}


def request_clock(request: AfterSalesRequest) -> dict[str, Any] | None:
    """AFS-3: the clock the request now waits on: what, due when, seconds left (negative: overdue)."""
    field = _REQUEST_CLOCK.get(request.status)
    due: datetime | None = getattr(request, field) if field else None
    if field is None or due is None:
        return None
    left = int((due - clock.now()).total_seconds())
    return {"waiting_for": field, "due_at": due, "seconds_left": left}


def sla_badge(seconds_left: int | None) -> str:
    """The console's badge: overdue, due within 4 hours, or on track."""
    if seconds_left is None:
        return "none"
    if seconds_left < 0:
        return "overdue"
    if seconds_left < 4 * 3600:
        return "due_soon"
    return "on_track"


def _requests() -> QuerySet[AfterSalesRequest]:
    return AfterSalesRequest.objects.select_related("order", "line", "merchant").prefetch_related("evidence")


def request_list_for_customer(*, customer: User, status: str | None = None) -> QuerySet[AfterSalesRequest]:
    qs = _requests().filter(customer=customer)
    return qs.filter(status=status) if status else qs


def request_get_for_customer(*, customer: User, request_id: int) -> AfterSalesRequest:
    request = _requests().filter(customer=customer, pk=request_id).first()
    if request is None:
        raise NotFound(_("No such after-sales request."))
    return request


def request_list_for_merchant(
    *, merchant: Merchant, status: str | None = None, statuses: Sequence[str] = ()
) -> QuerySet[AfterSalesRequest]:
    """The merchant's requests, the most urgent (earliest respond-by) first among those waiting."""
    qs = _requests().filter(merchant=merchant)
    if status:
        qs = qs.filter(status=status)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by(F("respond_by").asc(nulls_last=True), "-pk")


def request_get_for_merchant(
    *, merchant: Merchant, request_id: int, annotations: dict[str, Any] | None = None
) -> AfterSalesRequest:
    """SEC-1: the shop's request (``NotFound`` for another's); ``annotations`` ride along (the dashboard's
    order actions, ``merchants.dashboard.base.order_action_queries``)."""
    request = _requests().filter(merchant=merchant, pk=request_id).annotate(**(annotations or {})).first()
    if request is None:
        raise NotFound(_("No such after-sales request."))
    return request


def request_events(*, request: AfterSalesRequest) -> QuerySet[Any]:
    return request.events.order_by("at", "pk")


def request_queue_for_customer_service() -> QuerySet[AfterSalesRequest]:
    """AFS-3, AFS-5: requests escalated to the platform, oldest escalation first."""
    return _requests().filter(status=RS.ESCALATED).order_by(F("escalated_at").asc(nulls_last=True), "pk")


# --- complaints -----------------------------------------------------------------------------------------


def complaint_list_for_complainant(*, user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complainant=user).prefetch_related("steps", "evidence")


def complaint_get_for_complainant(*, user: User, complaint_id: int) -> Complaint:
    complaint = complaint_list_for_complainant(user=user).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("No such complaint."))
    return complaint


def complaint_get_on_order(*, complaint_id: int) -> Complaint:
    """DSP-1: a complaint about an order (a dispute may be opened on it), with its order."""
    complaint = Complaint.objects.filter(pk=complaint_id, order__isnull=False).select_related("order").first()
    if complaint is None:
        raise NotFound(_("No such complaint."))
    return complaint


def complaint_list_for_merchant(*, merchant: Merchant) -> QuerySet[Complaint]:
    """CMP-1, CMP-2: complaints about the shop (its listings, its orders) and those the shop filed, the
    newest first, with their recorded steps. Who complained about the shop is not part of it."""
    return (
        Complaint.objects.filter(Q(merchant=merchant) | Q(complainant_merchant=merchant))
        .select_related("order", "listing")
        .prefetch_related("steps", "evidence")
        .order_by("-created_at", "-pk")
    )


def complaint_get_for_merchant(*, merchant: Merchant, complaint_id: int) -> Complaint:
    complaint = complaint_list_for_merchant(merchant=merchant).filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("No such complaint."))
    return complaint


def complaint_queue_for_customer_service() -> QuerySet[Complaint]:
    """CMP-2: open complaints, the one whose answer is due first on top."""
    return Complaint.objects.filter(
        status__in=[Complaint.Status.FILED, Complaint.Status.ACKNOWLEDGED]
    ).order_by(F("answer_by").asc(nulls_last=True), "pk")


def complaint_queue_for_head(*, head: User | None = None) -> QuerySet[Complaint]:
    """CMP-2: complaints escalated to the customer-service department head (to ``head`` if given)."""
    qs = Complaint.objects.filter(status=Complaint.Status.ESCALATED)
    if head is not None:
        qs = qs.filter(escalated_to=head)
    return qs.order_by("escalated_at", "pk")


def complaint_clock(complaint: Complaint) -> dict[str, Any] | None:
    if complaint.status == Complaint.Status.FILED and complaint.acknowledge_by:
        field, due = "acknowledge_by", complaint.acknowledge_by
    elif complaint.status == Complaint.Status.ACKNOWLEDGED and complaint.answer_by:
        field, due = "answer_by", complaint.answer_by
    else:
        return None
    return {"waiting_for": field, "due_at": due, "seconds_left": int((due - clock.now()).total_seconds())}


def canned_responses(*, applies_to: str) -> QuerySet[CannedResponse]:
    return CannedResponse.objects.filter(applies_to=applies_to, is_active=True)


# --- CMP-3, REP-3, VIO-6: figures for other chapters ----------------------------------------------------


def complaint_count_for_merchant(
    *, merchant: Merchant, since: datetime, until: datetime | None = None
) -> int:
    """CMP-3: complaints about ``merchant`` (its shop, listings or orders) filed since ``since``; the
    catalog's inspection sampling (CAT-6) weighs merchants by this."""
    qs = Complaint.objects.filter(merchant=merchant, created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.count()


def complaint_count_for_listing(*, listing: Listing, since: datetime) -> int:
    """CMP-3: complaints about ``listing`` (directly) since ``since``."""
    return Complaint.objects.filter(listing=listing, created_at__gte=since).count()


def complaint_counts_by_listing(*, merchant: Merchant, since: datetime) -> dict[int, int]:
    """CMP-3: listing id -> complaints since ``since``, for the merchant's listings that have any."""
    rows = (
        Complaint.objects.filter(merchant=merchant, listing__isnull=False, created_at__gte=since)
        .values("listing_id")
        .annotate(n=Count("pk"))
    )
    return {row["listing_id"]: row["n"] for row in rows}


def listing_complaint_risk(listings: Sequence[Listing]) -> dict[int, float]:
    """CAT-6, CMP-3 (``catalog.services.inspections.inspection_risk_factors``): listings complained
    about in the catalog's complaint window weigh more in inspection sampling (``1 + per complaint ×
    complaints``, capped); one query per merchant sampled."""
    since = clock.now() - settings.CATALOG_INSPECTION_COMPLAINT_WINDOW
    merchants = {listing.merchant_id: listing.merchant for listing in listings}
    counts: dict[int, int] = {}
    for merchant in merchants.values():
        counts.update(complaint_counts_by_listing(merchant=merchant, since=since))
    return {
        listing.pk: min(
            1.0 + settings.CATALOG_INSPECTION_RISK_PER_COMPLAINT * counts[listing.pk],
            settings.CATALOG_INSPECTION_COMPLAINT_RISK_CAP,
        )
        for listing in listings
        if counts.get(listing.pk)
    }


def aftersales_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int | Decimal]:
    """REP-3, VIO-6 (``merchants.selectors.kpi_sources``): requests opened in ``[since, until)``, how many
    the merchant answered, in time, total seconds to answer; complaints about the merchant."""
    requests = AfterSalesRequest.objects.filter(
        merchant=merchant, created_at__gte=since, created_at__lt=until
    ).values_list("created_at", "responded_at", "responded_in_time")
    count = answered = in_time = 0
    seconds = Decimal(0)
    for created_at, responded_at, responded_in_time in requests:  # one read: the counts and the seconds
        count += 1
        if responded_at is not None:
            answered += 1
            in_time += responded_in_time is True
            seconds += Decimal(int((responded_at - created_at).total_seconds()))
    return {
        "aftersales_requests": count,
        "aftersales_responded": answered,
        "aftersales_responded_in_time": in_time,
        "aftersales_response_seconds": seconds,
        "complaints": complaint_count_for_merchant(merchant=merchant, since=since, until=until),
    }


def aftersales_closure_pending(merchant: Merchant) -> list[str]:
    """MER-8: open after-sales requests and complaints keep the merchant from closing."""
    pending = []
    open_requests = AfterSalesRequest.objects.filter(
        merchant=merchant, status__in=AfterSalesRequest.OPEN_STATUSES
    )
    if n := open_requests.count():
        pending.append(_("%(n)d open after-sales requests") % {"n": n})
    if n := Complaint.objects.filter(merchant=merchant, status__in=Complaint.OPEN_STATUSES).count():
        pending.append(_("%(n)d open complaints") % {"n": n})
    return pending


# --- the console: one order's timeline ------------------------------------------------------------------


def order_timeline(*, order: Order) -> list[dict[str, Any]]:
    """The order's events, payments, refunds, tracking, after-sales steps and complaints, by time."""
    items: list[dict[str, Any]] = []
    for event in order_events(order=order):
        items.append({"at": event.at, "source": "order", "what": event.action, "detail": event.reason})
    for payment in order.payments.all():
        items.append(
            {
                "at": payment.succeeded_at or payment.created_at,
                "source": "payment",
                "what": payment.status,
                "detail": f"{payment.provider} {payment.out_trade_no} {payment.amount}",
            }
        )
    for refund in order.refunds.all():
        items.append(
            {
                "at": refund.created_at,
                "source": "refund",
                "what": refund.status,
                "detail": f"{refund.refund_no} {refund.amount}",
            }
        )
    for tracking in order_tracking(order=order):
        items.append(
            {"at": tracking.at, "source": "tracking", "what": tracking.kind, "detail": tracking.location}
        )
    for request in order.aftersales_requests.prefetch_related("events"):
        for step in request.events.all():
            items.append(
                {
                    "at": step.at,
                    "source": f"aftersales #{request.pk}",
                    "what": step.action,
                    "detail": step.reason,
                }
            )
    for complaint in order.complaints.prefetch_related("steps"):
        for cstep in complaint.steps.all():
            items.append(
                {
                    "at": cstep.at,
                    "source": f"complaint #{complaint.pk}",
                    "what": cstep.action,
                    "detail": cstep.note,
                }
            )
    items.sort(key=lambda item: item["at"])
    return items


def request_deadlines(*, request: AfterSalesRequest) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(AfterSalesRequest), subject_id=str(request.pk)
    ).order_by("started_at")


def user_is_customer_service(user: User | None) -> bool:
    """Platform customer-service staff (or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name=Role.STAFF_CUSTOMER_SERVICE).exists()


def evidence_get_for_viewer(*, user: User, evidence_id: int) -> Evidence:
    """SEC-4: the file, for the request's customer, the complaint's complainant, the merchant's members,
    and customer service; 404 for anyone else."""
    evidence = Evidence.objects.select_related("request", "complaint").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound(_("No such file."))
    if user_is_customer_service(user):
        return evidence
    member_of = set(MerchantMember.objects.filter(user=user).values_list("merchant_id", flat=True))
    if evidence.request is not None and (
        evidence.request.customer_id == user.pk or evidence.request.merchant_id in member_of
    ):
        return evidence
    if evidence.complaint is not None and (
        evidence.complaint.complainant_id == user.pk or evidence.complaint.merchant_id in member_of
    ):
        return evidence
    raise NotFound(_("No such file."))


def customer_open_aftersales_reason(user: User) -> list[str]:
    """USR-4: open after-sales requests and complaints hold back account deletion."""
    requests = AfterSalesRequest.objects.filter(
        customer=user, status__in=AfterSalesRequest.OPEN_STATUSES
    ).count()
    complaints = Complaint.objects.filter(complainant=user, status__in=Complaint.OPEN_STATUSES).count()
    reasons = []
    if requests:
        reasons.append(_("You have %(n)d open after-sales request(s).") % {"n": requests})
    if complaints:
        reasons.append(_("You have %(n)d open complaint(s).") % {"n": complaints})
    return reasons


# --- MSG-1, MSG-2: conversations ------------------------------------------------------------------------


def message_text_for(message: Message, *, viewer: User) -> str:
    """MSG-1: the sender reads what they typed; everyone else reads it masked."""
    return message.text if message.sender_id == viewer.pk else mask_contact_details(message.text)


def _conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related("merchant", "listing__live_version", "order")


def _with_unread(qs: QuerySet[Conversation], *, other_sides: list[str]) -> QuerySet[Conversation]:
    return qs.annotate(
        unread=Count("messages", filter=Q(messages__read_at__isnull=True, messages__side__in=other_sides))
    )


def conversation_list_for_customer(*, customer: User) -> QuerySet[Conversation]:
    """MSG-1: the customer's conversations, the latest first, with how many messages they have not read."""
    qs = _conversations().filter(customer=customer)
    return _with_unread(qs, other_sides=[Message.Side.MERCHANT, Message.Side.PLATFORM]).order_by(
        "-last_message_at", "-pk"
    )


def conversation_get_for_customer(*, customer: User, conversation_id: int) -> Conversation:
    conversation = _conversations().filter(customer=customer, pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."))
    return conversation


def conversation_list_for_merchant(*, merchant: Merchant) -> QuerySet[Conversation]:
    """MSG-1, MSG-2: the shop's conversations, those waiting longest for an answer first."""
    qs = _conversations().filter(merchant=merchant)
    return _with_unread(qs, other_sides=[Message.Side.CUSTOMER]).order_by(
        F("reply_due_at").asc(nulls_last=True), "-last_message_at", "-pk"
    )


def conversation_get_for_merchant(*, merchant: Merchant, conversation_id: int) -> Conversation:
    conversation = _conversations().filter(merchant=merchant, pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."))
    return conversation


def conversation_queue_for_customer_service() -> QuerySet[Conversation]:
    """MSG-2: open platform conversations, the one whose answer is due first on top."""
    return Conversation.objects.filter(
        kind=Conversation.Kind.PLATFORM, status=Conversation.Status.OPEN
    ).order_by(F("reply_due_at").asc(nulls_last=True), "-last_message_at", "pk")


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return (
        conversation.messages.select_related("sender").prefetch_related("images").order_by("created_at", "pk")
    )


def conversation_clock(conversation: Conversation) -> dict[str, Any] | None:
    """MSG-2: the reply clock, if the customer is waiting: due when, seconds left (negative: overdue)."""
    if conversation.reply_due_at is None:
        return None
    due = conversation.reply_due_at
    return {
        "waiting_for": "reply_due_at",
        "due_at": due,
        "seconds_left": int((due - clock.now()).total_seconds()),
    }


def message_image_get_for_viewer(*, user: User, image_id: int) -> MessageImage:
    """MSG-1, SEC-4: an attached file, for the conversation's customer, the shop's members and (platform
    conversations) customer service; 404 for anyone else."""
    image = MessageImage.objects.select_related("message__conversation").filter(pk=image_id).first()
    if image is None:
        raise NotFound(_("No such file."))
    conversation = image.message.conversation
    if conversation.customer_id == user.pk:
        return image
    if conversation.is_platform and user_is_customer_service(user):
        return image
    if (
        conversation.merchant_id is not None
        and MerchantMember.objects.filter(
            user=user, merchant_id=conversation.merchant_id, is_active=True
        ).exists()
    ):
        return image
    raise NotFound(_("No such file."))


def message_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int | Decimal]:
    """MSG-2, VIO-6 (``merchants.selectors.kpi_sources``): the customer waits that began in
    ``[since, until)`` and were answered or ran past 24 hours, and the total seconds waited.

    A wait the shop let run out counts with the time it actually lasted — up to the answer, or up to
    ``until`` (or now) while still unanswered — so each silent 24 hours raises the average answer time
    (KPI ``message_response_hours``, limit 24 h) instead of vanishing from it.
    """
    end = min(until, clock.now())
    clocks = ReplyClock.objects.filter(merchant=merchant, asked_at__gte=since, asked_at__lt=until).filter(
        Q(answered_at__isnull=False) | Q(missed_at__isnull=False)
    )
    count, seconds = 0, Decimal(0)
    for asked_at, answered_at in clocks.values_list("asked_at", "answered_at"):
        count += 1
        seconds += Decimal(max(int(((answered_at or end) - asked_at).total_seconds()), 0))
    return {"messages_responded": count, "message_response_seconds": seconds}


# --- MSG-3: suggestions ---------------------------------------------------------------------------------


def suggestion_tag_counts(*, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """MSG-3: how often each tag was used in ``[since, until)``, the most frequent first."""
    counts: dict[str, int] = {}
    for tags in Suggestion.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
        "tags", flat=True
    ):
        for tag in tags or ["untagged"]:
            counts[str(tag)] = counts.get(str(tag), 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# --- ORD-1, AFS-1, AFS-4: the merchant's after-sales policy, live and as each order's contract holds it --


def aftersales_policy_for_merchant(*, merchant: Merchant) -> MerchantAfterSalesPolicy:
    """The shop's policy as it stands now (an unsaved default one if the shop never set one). Read from
    the merchant when it was loaded with it (checkout: ``aftersales_policy_relation``), else queried."""
    relation = Merchant.aftersales_policy.related
    if relation.is_cached(merchant):
        found = relation.get_cached_value(merchant)
    else:
        found = MerchantAfterSalesPolicy.objects.filter(merchant=merchant).first()
    return found if found is not None else MerchantAfterSalesPolicy(merchant=merchant)


def aftersales_policy_relation() -> str:
    """ORD-1 (``contract_policy_relations``): the merchant's relation ``aftersales_policy_terms`` reads."""
    return "aftersales_policy"


def aftersales_policy_terms(merchant: Merchant) -> dict[str, Any]:
    """ORD-1: the policy as checkout copies it into the contract (``contract_policy_sources``): who pays
    a no-reason return's shipping (AFS-4, 7DR Art. 18), the warranty in days (AFS-1; the platform's
    default when the shop names none) and the shop's exchange and repair terms."""
    policy = aftersales_policy_for_merchant(merchant=merchant)
    return {
        "no_reason_return_shipping_payer": "merchant"
        if policy.pays_no_reason_return_shipping
        else "customer",
        "warranty_days": policy.warranty_days or settings.AFTERSALES_WARRANTY_DAYS,
        "exchange_repair_terms": policy.exchange_repair_terms,
    }


def aftersales_policy_of_order(*, order: Order) -> dict[str, Any]:
    """ORD-1: the policy the order was bought under: its contract's copy. Orders placed before the
    contract held one fall back to the shop's policy now (the only record there is)."""
    snapshot = (order.contract or {}).get("aftersales_policy")
    if snapshot:
        return dict(snapshot)
    return aftersales_policy_terms(order.merchant)


def quick_reply_rows_for_merchant(*, merchant: Merchant) -> list[QuickReply]:
    """MSG-1: every quick reply the shop has had, removed ones included (so a caller can tell a shop that
    was never seeded from one that removed them all), in the shop's order; one query."""
    return list(QuickReply.objects.filter(merchant=merchant).order_by("position", "pk"))


def quick_reply_get_for_merchant(*, merchant: Merchant, reply_id: int) -> QuickReply:
    """MSG-1, SEC-1: the shop's live quick reply; ``NotFound`` for another shop's or a removed one."""
    found = QuickReply.objects.filter(merchant=merchant, pk=reply_id, deleted_at__isnull=True).first()
    if found is None:
        raise NotFound(_("No such quick reply."))
    return found
