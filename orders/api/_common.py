"""Serializers shared by the orders API's modules: an order with its lines, a parcel event, a payment
and an escrow hold (answered through ``platform_core.api.representation.represent``, fields built once)."""

from typing import Any

from rest_framework import serializers

from orders.models import DeliveryCase, Order, OrderLine, Payment, Refund, TrackingEvent
from orders.payments import providers_enabled


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "listing",
            "title",
            "sku_code",
            "sku_attributes",
            "unit_price",
            "quantity",
            "line_total",
        ]


class OrderSerializer(serializers.ModelSerializer[Order]):
    lines = OrderLineSerializer(many=True, read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "merchant",
            "merchant_name",
            "total",
            "created_at",
            "paid_at",
            "ship_by",
            "shipped_at",
            "carrier",
            "tracking_number",
            "delivered_at",
            "completed_at",
            "cancelled_at",
            "closed_at",
            "confirmation_extended",
            "customer_may_cancel_with_refund",
            "shipping_name",
            "shipping_phone",
            "shipping_address",
            "lines",
        ]


class TrackingEventSerializer(serializers.ModelSerializer[TrackingEvent]):
    class Meta:
        model = TrackingEvent
        fields = ["kind", "at", "location", "description", "source"]


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    status = serializers.CharField(read_only=True, help_text="created, succeeded, failed or closed")

    class Meta:
        model = Payment
        fields = ["id", "provider", "amount", "out_trade_no", "status", "payload"]


class RefundSerializer(serializers.ModelSerializer[Refund]):
    """PAY-5, ORD-4: a refund or a late-shipment compensation as the customer follows it: ``pending`` until
    the payment's provider confirms it, then ``succeeded`` (``failed``: the provider refused, finance
    follows up)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Refund
        fields = [
            "refund_no",
            "kind",
            "kind_label",
            "amount",
            "status",
            "status_label",
            "created_at",
            "completed_at",
        ]


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    opened_at = serializers.DateTimeField()


class PaymentProviderField(serializers.ChoiceField):
    """PAY-3: one of the payment providers this deployment enables (``settings.ORDERS_PAYMENT_PROVIDERS``),
    the first by default. Read each time a serializer is built (DRF re-creates declared fields per
    instance), so the API and its schema's enum offer exactly the enabled ones: never the sandbox in
    production (decision 019)."""

    def __init__(self, **kwargs: Any) -> None:
        enabled = providers_enabled()
        kwargs["choices"] = enabled
        if enabled:
            kwargs.setdefault("default", enabled[0])
        super().__init__(**kwargs)


class DeliveryCaseSerializer(serializers.ModelSerializer[DeliveryCase]):
    """ORD-10: a delivery case as both parties see it; ``refundable`` says the customer may take a full
    refund now (the case lapsed)."""

    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    refundable = serializers.SerializerMethodField()
    refund_amount = serializers.SerializerMethodField()

    class Meta:
        model = DeliveryCase
        fields = [
            "id",
            "cause",
            "cause_display",
            "status",
            "status_display",
            "opened_at",
            "respond_by",
            "resolved_at",
            "lapsed_at",
            "refunded_at",
            "reship_carrier",
            "reship_tracking_number",
            "refundable",
            "refund_amount",
        ]

    def get_refundable(self, case: DeliveryCase) -> bool:
        return bool(case.status == DeliveryCase.Status.LAPSED)

    def get_refund_amount(self, case: DeliveryCase) -> str | None:
        """The amount refunded through the case, two decimals (``None`` before)."""
        return f"{case.refund.amount:.2f}" if case.refund_id and case.refund else None
