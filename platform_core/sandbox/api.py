"""The sandbox clock's API (decision 026): ``POST /api/v1/sandbox/clock/advance {"hours": 72}``.

Mounted only outside production (``platform_core.urls``); answers 409 where the test clock is off.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core import clock
from platform_core.accounts.acting import request_user
from platform_core.sandbox.services import ClockAdvance, test_clock_advance


class TestClockSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether this deployment runs the test clock.")
    now = serializers.DateTimeField(help_text="The platform's time (real time plus the offset).")
    offset_seconds = serializers.IntegerField(help_text="How far the platform's clock is ahead.")


class TestClockAdvanceResultSerializer(TestClockSerializer):
    before = serializers.DateTimeField(help_text="The platform's time before the advance.")
    deadlines_enforced = serializers.IntegerField(help_text="Deadlines that fell due and were enforced.")
    days_started = serializers.ListField(
        child=serializers.DateField(), help_text="Midnights passed: the days whose daily jobs ran (payouts)."
    )


def _clock_data() -> dict[str, object]:
    return {
        "enabled": settings.PLATFORM_TEST_CLOCK_ENABLED,
        "now": clock.now(),
        "offset_seconds": int(clock.offset().total_seconds()),
    }


class ClockApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("The platform's clock (sandbox)"),
        description=gettext_lazy(
            "Demo and staging only: the platform's time and how far the test clock is ahead."
        ),
        responses={200: TestClockSerializer},
        tags=["sandbox"],
    )
    def get(self, request: Request) -> Response:
        return Response(TestClockSerializer(_clock_data()).data)


class ClockAdvanceApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        hours = serializers.IntegerField(min_value=1, help_text="How many hours to move the clock ahead.")

    @extend_schema(
        summary=gettext_lazy("Advance the test clock (sandbox)"),
        description=gettext_lazy(
            "Demo and staging only, for staff with `sandbox.advance_test_clock`: moves the platform's clock "
            "ahead for web, worker and beat together, enforcing on the way every deadline that falls due "
            "(late shipments, auto-confirmations, after-sales auto-approvals, settlements) and the daily "
            "payout run at each midnight. The clock never goes back. 409 where the test clock is off."
        ),
        request=InputSerializer,
        responses={200: TestClockAdvanceResultSerializer},
        examples=[OpenApiExample("three days", value={"hours": 72}, request_only=True)],
        tags=["sandbox"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result: ClockAdvance = test_clock_advance(
            actor=request_user(request), hours=data.validated_data["hours"]
        )
        payload = {
            **_clock_data(),
            "before": result.before,
            "deadlines_enforced": result.deadlines_enforced,
            "days_started": result.days_started,
        }
        return Response(TestClockAdvanceResultSerializer(payload).data)
