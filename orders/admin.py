"""Orders in the admin: read-only records with their lines, timeline, payments, tracking, ledger postings,
holds and deadlines inline. Manual interventions are actions that take a reason and call a service
(ORD-2: every transition records actor, time and reason); nothing is edited in place."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from merchants.admin.base import ServiceTransitionsMixin
from orders.models import (
    DeliveryCase,
    DeliveryCaseEvent,
    FollowUp,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentCallbackLog,
    Payout,
    PayoutStatement,
    ReconciliationDifference,
    Refund,
    Review,
    ReviewFlag,
    ReviewPhoto,
    TrackingEvent,
)
from orders.selectors.money import (
    order_holds_open,
    order_paid_amount,
    order_refunded_amount,
    order_released_amount,
)
from orders.selectors.orders import REFUND_ORDER_PERMISSION, order_deadlines
from orders.selectors.reviews import MODERATE_REVIEW_PERMISSION, review_flag_queue
from orders.services.fulfilment import follow_up_record, order_confirm_receipt, tracking_event_record
from orders.services.reconciliation import reconciliation_difference_settle
from orders.services.refunds import order_cancel
from orders.services.reviews import review_flags_dismiss, review_hide
from orders.services.settlement import order_settle
from platform_core import clock
from platform_core.accounts.masking import mask_address, mask_bank_account, mask_name, mask_phone
from platform_core.accounts.models import User
from platform_core.admin_site import PersonalDataAdmin, action_permission, personal_shown
from platform_core.errors import DomainError
from platform_core.ledger.selectors import ledger_transactions_for
from platform_core.reports.masks import mask_person, mask_personal_callback


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["title", "sku_code", "unit_price", "quantity", "line_total", "commission_rate"]
    readonly_fields = ["title", "sku_code", "unit_price", "quantity", "line_total", "commission_rate"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "actor_shown", "action", "from_status", "to_status", "reason"]
    readonly_fields = ["at", "actor_shown", "action", "from_status", "to_status", "reason"]

    @admin.display(description=_("actor"))
    def actor_shown(self, event: OrderEvent) -> str:
        """SEC-2: the actor is often the customer: named masked without ``view_personal_data``."""
        return personal_shown(str(event.actor) if event.actor_id else "", mask_person)


class PayerAccountMasked:
    @admin.display(description=_("payer account"))
    def payer_account_masked(self, payment: Payment) -> str:
        """REP-2, DSP-6: the payer's account at the provider, masked (SEC-2): its last 4 characters."""
        return mask_bank_account(payment.payer_account)


class PaymentInline(PayerAccountMasked, ReadOnlyInline):
    model = Payment
    readonly_fields = [
        "provider",
        "out_trade_no",
        "provider_trade_no",
        "amount",
        "status",
        "succeeded_at",
        "payer_account_masked",
    ]
    fields = list(readonly_fields)


REFUND_COLUMNS: tuple[str, ...] = (
    "refund_no",
    "kind",
    "amount",
    "reason",
    "status",
    "attempts",
    "last_error",
    "provider_reference",
    "created_at",
    "completed_at",
    "created_by_shown",
)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = REFUND_COLUMNS
    readonly_fields = REFUND_COLUMNS

    @admin.display(description=_("created by"))
    def created_by_shown(self, refund: Refund) -> str:
        return personal_shown(str(refund.created_by) if refund.created_by_id else "", mask_person)


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["at", "kind", "location", "description", "source"]
    readonly_fields = ["at", "kind", "location", "description", "source"]


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)


def _run(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], call: Any, *, label: str = ""
) -> None:
    """Run ``call(obj, reason)`` on each selected row; ``label`` names the rows when they are not orders."""
    reason = str(request.POST.get("reason", "")).strip()
    if not reason:
        modeladmin.message_user(request, _("Give a reason for the action."), level=messages.ERROR)
        return
    done = 0
    for obj in queryset:
        try:
            call(obj, reason)
            done += 1
        except (DomainError, TransitionNotAllowed) as exc:
            name = getattr(obj, "number", None) or f"{label} {obj.pk}"
            modeladmin.message_user(request, f"{name}: {getattr(exc, 'message', exc)}", level=messages.ERROR)
    if done:
        message = _("%(n)d done.") if label else _("%(n)d order(s) done.")
        modeladmin.message_user(request, message % {"n": done}, level=messages.SUCCESS)


#: SEC-2: what an order says about its customer (shown masked without ``staff.view_personal_data``)
ORDER_PERSONAL_FIELDS = ("customer", "shipping_name", "shipping_phone", "shipping_address")


@admin.register(Order)
class OrderAdmin(PersonalDataAdmin):
    action_form = ReasonActionForm
    personal_data_fields = ORDER_PERSONAL_FIELDS
    list_display = [
        "number",
        "customer_shown",
        "merchant",
        "kind",
        "status",
        "total",
        "paid_at",
        "ship_by",
        "settled_at",
    ]
    list_filter = ["status", "kind", "customer_may_cancel_with_refund"]
    search_fields = ["number", "tracking_number", "=customer__email", "=customer__phone", "merchant__name"]
    personal_search_fields = ("=customer__email", "=customer__phone")
    date_hierarchy = "created_at"
    list_select_related = ["customer", "merchant"]
    inlines = [OrderLineInline, OrderEventInline, PaymentInline, RefundInline, TrackingEventInline]
    readonly_fields = ["money", "ledger_postings", "escrow_holds", "deadlines"]
    exclude = ["contract", *ORDER_PERSONAL_FIELDS]
    actions = ["cancel_with_refund", "confirm_receipt", "settle_now"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f.name for f in Order._meta.fields if f.name not in self.exclude]
        shown = ["customer_shown", "shipping_name_shown", "shipping_phone_shown", "shipping_address_shown"]
        return [*fields, *shown, *self.readonly_fields]

    @admin.display(description=_("customer"))
    def customer_shown(self, order: Order) -> str:
        return self.personal(str(order.customer), mask_person)

    @admin.display(description=_("recipient"))
    def shipping_name_shown(self, order: Order) -> str:
        return self.personal(order.shipping_name, mask_name)

    @admin.display(description=_("recipient phone"))
    def shipping_phone_shown(self, order: Order) -> str:
        return self.personal(order.shipping_phone, mask_phone)

    @admin.display(description=_("shipping address"))
    def shipping_address_shown(self, order: Order) -> str:
        return self.personal(order.shipping_address, mask_address)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("money (from the ledger)"))
    def money(self, order: Order) -> str:
        return (
            f"paid {order_paid_amount(order=order)} · refunded {order_refunded_amount(order=order)}"
            f" · released {order_released_amount(order=order)}"
        )

    @admin.display(description=_("ledger postings"))
    def ledger_postings(self, order: Order) -> SafeString:
        rows = [
            (
                txn.created_at.strftime("%Y-%m-%d %H:%M"),
                txn.kind,
                txn.idempotency_key,
                entry.account,
                entry.amount,
            )
            for txn in ledger_transactions_for(subject=order)
            for entry in txn.entries.all()
        ]
        return format_html(
            "<table><tr><th>at</th><th>kind</th><th>key</th><th>account</th><th>amount</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("escrow holds"))
    def escrow_holds(self, order: Order) -> SafeString:
        rows = [
            (hold.opened_at.strftime("%Y-%m-%d %H:%M"), hold.reason) for hold in order_holds_open(order=order)
        ]
        return format_html_join("", "<div>{} — {}</div>", rows) or format_html("{}", "—")

    @admin.display(description=_("deadlines"))
    def deadlines(self, order: Order) -> SafeString:
        rows = [(d.rule, d.status, d.due_at.strftime("%Y-%m-%d %H:%M")) for d in order_deadlines(order=order)]
        return format_html_join("", "<div>{} · {} · due {}</div>", rows) or format_html("{}", "—")

    # PAY-5, STF-1: operations does not move money: cancelling with a refund is finance's own permission
    has_refund_permission = action_permission(REFUND_ORDER_PERMISSION)

    @admin.action(description=_("Cancel (paid orders are refunded in full)"), permissions=["refund"])
    def cancel_with_refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda order, reason: order_cancel(
                order=order,
                reason=reason,
                actor=_staff(request),
                as_merchant=True,
                by_staff=True,
            ),
        )

    @admin.action(description=_("Confirm receipt on the customer's behalf"), permissions=["change"])
    def confirm_receipt(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda order, reason: order_confirm_receipt(order=order, actor=_staff(request)),
        )

    @admin.action(description=_("Settle now (after-sales window closed, no hold)"), permissions=["change"])
    def settle_now(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda order, reason: order_settle(order=order, actor=_staff(request)),
        )


class TrackingEventForm(forms.ModelForm):
    class Meta:
        model = TrackingEvent
        fields = ["order", "kind", "at", "location", "description"]


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    """ORD-5: staff enter tracking events the carrier did not send; saved through the service."""

    form = TrackingEventForm
    list_display = ["order", "kind", "at", "location", "source", "recorded_by"]
    list_filter = ["kind", "source"]
    search_fields = ["order__number", "order__tracking_number"]
    raw_id_fields = ["order"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TrackingEvent, form: Any, change: bool) -> None:
        saved = tracking_event_record(
            order=obj.order,
            kind=obj.kind,
            at=obj.at or clock.now(),
            location=obj.location,
            description=obj.description,
            source=TrackingEvent.Source.STAFF,
            actor=_staff(request),
        )
        obj.pk = saved.pk


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["outcome", "suggestion"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """ORD-7: the follow-up queue; staff record outcome and suggestion."""

    form = FollowUpForm
    list_display = ["order", "status", "created_at", "done_at", "done_by"]
    list_filter = ["status"]
    search_fields = ["order__number"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FollowUp, form: Any, change: bool) -> None:
        follow_up_record(
            follow_up=obj,
            outcome=obj.outcome,
            suggestion=obj.suggestion,
            actor=_staff(request),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryCaseEventInline(ReadOnlyInline):
    model = DeliveryCaseEvent
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


@admin.register(DeliveryCase)
class DeliveryCaseAdmin(ReadOnlyAdmin):
    """ORD-10: delivery cases for operations — read-only, filtered by state, cause and lapse (the merchant
    and the customer act through the seller centre and the API)."""

    list_display = ["pk", "order", "cause", "status", "opened_at", "respond_by", "counts_against_merchant"]
    list_filter = ["status", "cause", "counts_against_merchant", "opened_at"]
    list_select_related = ["order"]
    search_fields = ["order__number", "order__tracking_number", "reship_tracking_number"]
    date_hierarchy = "opened_at"
    inlines = [DeliveryCaseEventInline]


@admin.register(Payment)
class PaymentAdmin(PayerAccountMasked, ReadOnlyAdmin):
    """PAY-3, MER-5: every payment attempt, for an order or a merchant's deposit."""

    list_display = [
        "out_trade_no",
        "purpose",
        "provider",
        "amount",
        "status",
        "order",
        "merchant",
        "payer_account_masked",
        "created_at",
    ]
    list_filter = ["purpose", "provider", "status"]
    # an exact payer account finds its payments without the list ever showing it unmasked
    search_fields = ["out_trade_no", "provider_trade_no", "order__number", "merchant__name", "=payer_account"]
    exclude = ["payer_account"]
    readonly_fields = ["payer_account_masked"]
    list_select_related = ["order", "merchant"]


@admin.register(PaymentCallbackLog)
class PaymentCallbackLogAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    """PAY-3: the callbacks as received. SEC-2: the raw notification names the payer (``payer_account``,
    Alipay's ``buyer_id`` …): shown masked without ``staff.view_personal_data``, audited when unmasked."""

    list_display = ["received_at", "provider", "outcome", "error", "payment"]
    list_filter = ["provider", "outcome"]
    personal_data_fields = ("body",)
    exclude = ["body"]
    readonly_fields = ["body_shown"]

    @admin.display(description=_("notification"))
    def body_shown(self, log: PaymentCallbackLog) -> str:
        return self.personal(log.body, mask_personal_callback)


@admin.register(PayoutStatement)
class PayoutStatementAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "period", "gross", "commission", "refunds", "net"]
    list_filter = ["period"]
    search_fields = ["merchant__name"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "amount", "status", "provider", "provider_reference", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["merchant__name", "provider_reference"]
    date_hierarchy = "created_at"


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(admin.ModelAdmin):
    """PAY-8: the finance queue of reconciliation differences."""

    list_display = ["day", "provider", "kind", "reference", "ledger_amount", "provider_amount", "status"]
    list_filter = ["status", "provider", "kind"]
    search_fields = ["reference", "note"]
    date_hierarchy = "day"
    readonly_fields = [
        "day",
        "provider",
        "kind",
        "reference",
        "ledger_amount",
        "provider_amount",
        "created_at",
    ]
    fields = [*readonly_fields, "status", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ReconciliationDifference, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data  # issue 21: through the service and its audit row, never a bare save
        reconciliation_difference_settle(
            difference=obj, status=data["status"], note=data["note"], actor=cast(User, request.user)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- REP-2: reviews and their moderation --------------------------------------------------------------


class HideReviewForm(forms.Form):
    """REP-2: a review is hidden only for a listed reason; the note says what was found."""

    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *Review.HideReason.choices])
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=500, required=False)


class ReviewFlagInline(ReadOnlyInline):
    model = ReviewFlag
    fields = ["signal", "details", "status", "created_at", "resolved_at", "resolved_by", "resolution_note"]
    readonly_fields = [
        "signal",
        "details",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution_note",
    ]


class ReviewPhotoInline(ReadOnlyInline):
    model = ReviewPhoto
    fields = ["photo_link", "content_type", "size", "follow_up", "created_at"]
    readonly_fields = ["photo_link", "content_type", "size", "follow_up", "created_at"]

    @admin.display(description=_("photo"))
    def photo_link(self, photo: ReviewPhoto) -> SafeString:
        return format_html('<a href="{}">{}</a>', reverse("review-photo", args=[photo.pk]), _("open"))


class ReviewFlaggedFilter(admin.SimpleListFilter):
    title = _("fake-review flags")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open flags")), ("any", _("Ever flagged")), ("none", _("Never flagged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Review]) -> QuerySet[Review]:
        if self.value() == "open":
            return queryset.filter(pk__in=review_flag_queue().values("pk"))
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        if self.value() == "none":
            return queryset.filter(flags__isnull=True)
        return queryset


@admin.register(Review)
class ReviewAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """REP-2: reviews are never edited or deleted here; staff hide one with a listed reason (the "hide"
    button) or dismiss its fake-review flags (action), each recorded in the audit log."""

    action_form = ReasonActionForm
    list_display = [
        "id",
        "created_at",
        "merchant",
        "order_line",
        "rating",
        "description_rating",
        "service_rating",
        "logistics_rating",
        "status",
        "hidden_reason",
        "open_flags",
    ]
    list_filter = [ReviewFlaggedFilter, "rating", "status", "hidden_reason", "flags__signal", "anonymous"]
    search_fields = ["order__number", "merchant__name", "order_line__title", "text"]
    list_select_related = ["merchant", "order_line"]
    inlines = [ReviewPhotoInline, ReviewFlagInline]
    readonly_fields = [
        "order_line",
        "order",
        "merchant",
        "listing",
        "customer",
        "rating",
        "description_rating",
        "service_rating",
        "logistics_rating",
        "text",
        "anonymous",
        "created_at",
        "follow_up_text",
        "followed_up_at",
        "reply_text",
        "replied_at",
        "replied_by",
        "hidden_reason",
        "hidden_note",
        "hidden_at",
        "hidden_by",
    ]
    exclude = ["device_fingerprint"]
    actions = ["dismiss_flags"]
    fsm_forms = {"hide": HideReviewForm}
    transition_services = {
        "hide": lambda obj, request, data: review_hide(
            review=obj, reason=data.get("reason", ""), note=data.get("note", ""), actor=_staff(request)
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        open_flags = Count("flags", filter=Q(flags__status=ReviewFlag.Status.OPEN))
        return super().get_queryset(request).annotate(open_flag_count=open_flags)

    @admin.display(description=_("open flags"), ordering="open_flag_count")
    def open_flags(self, review: Review) -> int:
        return int(getattr(review, "open_flag_count", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # REP-2: never deleted (the database refuses it too)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_REVIEW_PERMISSION)

    @admin.action(description=_("Dismiss open fake-review flags (genuine)"), permissions=["moderate"])
    def dismiss_flags(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda review, reason: review_flags_dismiss(review=review, note=reason, actor=_staff(request)),
            label="review",
        )
