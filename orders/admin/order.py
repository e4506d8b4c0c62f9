"""Orders in the admin: read-only records with their lines, timeline, payments, tracking, ledger postings,
holds and deadlines inline. Manual interventions are actions that take a reason and call a service
(ORD-2: every transition records actor, time and reason); nothing is edited in place. Tracking events and
follow-ups staff record (ORD-5), delivery cases (ORD-10)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from orders.admin._common import (
    PayerAccountMasked,
    ReadOnlyAdmin,
    ReasonActionForm,
    _run,
    _staff,
)
from orders.models import (
    DeliveryCase,
    DeliveryCaseEvent,
    FollowUp,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Refund,
    TrackingEvent,
)
from orders.selectors.money import (
    order_holds_open,
    order_paid_amount,
    order_refunded_amount,
    order_released_amount,
)
from orders.selectors.orders import REFUND_ORDER_PERMISSION, order_deadlines
from orders.services.fulfilment import follow_up_record, order_confirm_receipt, tracking_event_record
from orders.services.refunds import order_cancel
from orders.services.settlement import order_settle
from platform_core import clock
from platform_core.accounts.masking import mask_address, mask_name, mask_phone
from platform_core.admin_site import (
    PersonalDataAdmin,
    TaskLinksMixin,
    ViewOnlyInline,
    action_permission,
    personal_shown,
)
from platform_core.ledger.selectors import ledger_transactions_for
from platform_core.reports.masks import mask_person
from platform_core.templatetags.money import money as money_text


class OrderLineInline(ViewOnlyInline):
    model = OrderLine
    fields = ["title", "sku_code", "unit_price", "quantity", "line_total", "commission_rate"]
    readonly_fields = ["title", "sku_code", "unit_price", "quantity", "line_total", "commission_rate"]


class OrderEventInline(ViewOnlyInline):
    model = OrderEvent
    fields = ["at", "actor_shown", "action", "from_status", "to_status", "reason"]
    readonly_fields = ["at", "actor_shown", "action", "from_status", "to_status", "reason"]

    @admin.display(description=_("actor"))
    def actor_shown(self, event: OrderEvent) -> str:
        """SEC-2: the actor is often the customer: named masked without ``view_personal_data``."""
        return personal_shown(str(event.actor) if event.actor_id else "", mask_person)


class PaymentInline(PayerAccountMasked, ViewOnlyInline):
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


class RefundInline(ViewOnlyInline):
    model = Refund
    fields = REFUND_COLUMNS
    readonly_fields = REFUND_COLUMNS

    @admin.display(description=_("created by"))
    def created_by_shown(self, refund: Refund) -> str:
        return personal_shown(str(refund.created_by) if refund.created_by_id else "", mask_person)


class TrackingEventInline(ViewOnlyInline):
    model = TrackingEvent
    fields = ["at", "kind", "location", "description", "source"]
    readonly_fields = ["at", "kind", "location", "description", "source"]


ORDER_PERSONAL_FIELDS = ("customer", "shipping_name", "shipping_phone", "shipping_address")


@admin.register(Order)
class OrderAdmin(TaskLinksMixin, PersonalDataAdmin):
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

    def task_links(self, request: HttpRequest, obj: Any) -> list[tuple[str, Any, dict[str, Any]]]:
        """DSP-1 (issue 21): "open a dispute" from the order itself, for staff who may open one."""
        return [("disputes.Dispute", _("Open a dispute"), {"order": obj.number})]

    @admin.display(description=_("money (from the ledger)"))
    def money(self, order: Order) -> str:
        return _("paid %(paid)s · refunded %(refunded)s · released %(released)s") % {
            "paid": money_text(order_paid_amount(order=order)),
            "refunded": money_text(order_refunded_amount(order=order)),
            "released": money_text(order_released_amount(order=order)),
        }

    @admin.display(description=_("ledger postings"))
    def ledger_postings(self, order: Order) -> SafeString:
        rows = [
            (
                f"{timezone.localtime(txn.created_at):%Y-%m-%d %H:%M}",
                txn.get_kind_display(),
                txn.idempotency_key,
                entry.account,
                money_text(entry.amount),
            )
            for txn in ledger_transactions_for(subject=order)
            for entry in txn.entries.all()
        ]
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("at"),
            _("kind"),
            _("key"),
            _("account"),
            _("amount"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("escrow holds"))
    def escrow_holds(self, order: Order) -> SafeString:
        rows = [
            (f"{timezone.localtime(hold.opened_at):%Y-%m-%d %H:%M}", hold.reason)
            for hold in order_holds_open(order=order)
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


class DeliveryCaseEventInline(ViewOnlyInline):
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
