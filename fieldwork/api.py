"""The field-work API (ORD-9): the coordinator's queue and progress actions, and the customer's view of
who follows their service order and how far it got. Thin views: parse, call a selector or service."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldwork import selectors, services
from fieldwork.models import ServiceAssignment, ServiceAssignmentEvent
from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_address, mask_name, mask_phone
from platform_core.api.pagination import PagePagination


class IsFieldCoordinator(BasePermission):
    """ORD-9: active field coordinators (their own assignments) and operations managers (all)."""

    message = gettext_lazy("Only field coordinators may do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and selectors.user_is_coordinator(request_user(request)))


# --- serializers ----------------------------------------------------------------------------------


class AssignmentOutputSerializer(serializers.ModelSerializer[ServiceAssignment]):
    """What the coordinator needs to arrange the visit; the customer's details masked (SEC-2)."""

    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    coordinator = serializers.CharField(source="coordinator.shown_name", default=None)
    partner = serializers.CharField(source="order.merchant.name", help_text="The partner institution.")
    partner_phone = serializers.CharField(source="order.merchant.contact_phone")
    services = serializers.SerializerMethodField()
    customer_name = serializers.SerializerMethodField()
    customer_phone = serializers.SerializerMethodField()
    customer_address = serializers.SerializerMethodField()

    class Meta:
        model = ServiceAssignment
        fields = [
            "id",
            "order",
            "order_number",
            "order_status",
            "status",
            "coordinator",
            "service_area",
            "partner",
            "partner_phone",
            "services",
            "customer_name",
            "customer_phone",
            "customer_address",
            "paid_at",
            "assigned_at",
            "appointment_at",
            "started_at",
            "completed_at",
            "escalated_at",
            "problem_notes",
            "problem_reported_at",
        ]

    def get_services(self, assignment: ServiceAssignment) -> list[str]:
        return [line.title for line in assignment.order.lines.all()]

    def get_customer_name(self, assignment: ServiceAssignment) -> str:
        return mask_name(assignment.order.shipping_name)

    def get_customer_phone(self, assignment: ServiceAssignment) -> str:
        return mask_phone(assignment.order.shipping_phone)

    def get_customer_address(self, assignment: ServiceAssignment) -> str:
        return mask_address(assignment.order.shipping_address)


class ProgressStepSerializer(serializers.ModelSerializer[ServiceAssignmentEvent]):
    title = serializers.CharField(source="get_action_display")
    coordinator = serializers.CharField(source="coordinator.shown_name", default=None)

    class Meta:
        model = ServiceAssignmentEvent
        fields = ["action", "title", "at", "coordinator"]


class ServiceProgressOutputSerializer(serializers.ModelSerializer[ServiceAssignment]):
    """ORD-9: the customer sees who is responsible and the progress."""

    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    coordinator = serializers.CharField(
        source="coordinator.shown_name", default=None, help_text="The field coordinator (外勤人员)."
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ServiceAssignment
        fields = [
            "order",
            "order_number",
            "order_status",
            "status",
            "coordinator",
            "appointment_at",
            "started_at",
            "completed_at",
            "progress",
        ]

    @extend_schema_field(ProgressStepSerializer(many=True))
    def get_progress(self, assignment: ServiceAssignment) -> list[dict[str, Any]]:
        events = selectors.assignment_events_for_customer(assignment=assignment).select_related(
            "coordinator__user"
        )
        return list(ProgressStepSerializer(events, many=True).data)


# --- the coordinator ------------------------------------------------------------------------------


class CoordinatorAssignmentListApi(APIView):
    """ORD-9: the coordinator's queue: unscheduled first (by payment time), then by appointment time."""

    permission_classes = [IsFieldCoordinator]
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        include_done = serializers.BooleanField(default=False, help_text="Also completed assignments.")

    @extend_schema(
        summary=gettext_lazy("List my service assignments"),
        description=gettext_lazy(
            "The coordinator's queue: unscheduled first (by payment time), then by appointment time (ORD-9)."
        ),
        tags=["fieldwork"],
        parameters=[FilterSerializer],
        responses={200: AssignmentOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.assignment_queue_for_coordinator(
            user=request_user(request), include_done=filters.validated_data["include_done"]
        ).prefetch_related("order__lines")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AssignmentOutputSerializer(page, many=True).data)


class CoordinatorAssignmentDetailApi(APIView):
    permission_classes = [IsFieldCoordinator]

    @extend_schema(
        summary=gettext_lazy("Get a service assignment"),
        description=gettext_lazy("One assignment with its order and steps (ORD-9)."),
        tags=["fieldwork"],
        responses={200: AssignmentOutputSerializer},
    )
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment = selectors.assignment_get_for_coordinator(
            user=request_user(request), assignment_id=assignment_id
        )
        return Response(AssignmentOutputSerializer(assignment).data)


class CoordinatorAssignmentStepApi(APIView):
    """A step of the visit (``step`` is the service); the assignment is checked before the input."""

    permission_classes = [IsFieldCoordinator]
    step: Callable[..., ServiceAssignment] = staticmethod(services.assignment_start)

    def act(
        self,
        request: Request,
        assignment_id: int,
        input_serializer: type[serializers.Serializer] | None = None,
    ) -> Response:
        assignment = selectors.assignment_get_for_coordinator(
            user=request_user(request), assignment_id=assignment_id
        )
        inputs: dict[str, Any] = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            inputs = dict(data.validated_data)
        assignment = self.step(assignment=assignment, actor=request_user(request), **inputs)
        return Response(AssignmentOutputSerializer(assignment).data)


class CoordinatorAssignmentScheduleApi(CoordinatorAssignmentStepApi):
    """ORD-2, ORD-9: the appointment is confirmed with the partner: the order becomes ``scheduled``."""

    step = staticmethod(services.assignment_schedule)

    class InputSerializer(serializers.Serializer):
        appointment_at = serializers.DateTimeField(help_text="When the partner visits (in the future).")

    @extend_schema(
        summary=gettext_lazy("Schedule a visit"),
        description=gettext_lazy(
            "The appointment is confirmed with the partner: the order becomes `scheduled` (ORD-2, ORD-9)."
        ),
        tags=["fieldwork"],
        request=InputSerializer,
        responses={200: AssignmentOutputSerializer},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        return self.act(request, assignment_id, self.InputSerializer)


class CoordinatorAssignmentStartApi(CoordinatorAssignmentStepApi):
    """ORD-2, ORD-9: the visit started: the order is ``in_service``."""

    step = staticmethod(services.assignment_start)

    @extend_schema(
        summary=gettext_lazy("Start a visit"),
        description=gettext_lazy("The visit started: the order becomes `in_service` (ORD-2, ORD-9)."),
        tags=["fieldwork"],
        request=None,
        responses={200: AssignmentOutputSerializer},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        return self.act(request, assignment_id)


class CoordinatorAssignmentCompleteApi(CoordinatorAssignmentStepApi):
    """ORD-2, ORD-9: the visit is done: the order is ``completed``."""

    step = staticmethod(services.assignment_complete)

    @extend_schema(
        summary=gettext_lazy("Complete a visit"),
        description=gettext_lazy("The visit is done: the order becomes `completed` (ORD-2, ORD-9)."),
        tags=["fieldwork"],
        request=None,
        responses={200: AssignmentOutputSerializer},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        return self.act(request, assignment_id)


class CoordinatorAssignmentProblemApi(CoordinatorAssignmentStepApi):
    """ORD-9: record a problem (operations are told); the order keeps its state."""

    step = staticmethod(services.assignment_problem_record)

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=1000, help_text="What went wrong.")

    @extend_schema(
        summary=gettext_lazy("Record a problem"),
        description=gettext_lazy(
            "Record a problem with the visit; operations are told and the order keeps its state (ORD-9)."
        ),
        tags=["fieldwork"],
        request=InputSerializer,
        responses={200: AssignmentOutputSerializer},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        return self.act(request, assignment_id, self.InputSerializer)


# --- the customer ---------------------------------------------------------------------------------


class OrderServiceProgressApi(APIView):
    """ORD-9: who follows my service order, and how far it got (my own orders only; 404 otherwise)."""

    @extend_schema(
        summary=gettext_lazy("Get my service order's progress"),
        description=gettext_lazy("Who follows the service order and how far it got (ORD-9)."),
        tags=["orders"],
        responses={200: ServiceProgressOutputSerializer},
    )
    def get(self, request: Request, order_id: int) -> Response:
        assignment = selectors.service_progress_for_customer(
            customer=request_user(request), order_id=order_id
        )
        return Response(ServiceProgressOutputSerializer(assignment).data)
