"""The merchant API's agreements (MER-4)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.models import (
    AgreementAcceptance,
    PlatformAgreement,
)
from merchants.permissions import (
    IsMerchantOwner,
    merchant_for_request,
)
from merchants.selectors.standing import agreement_current
from merchants.services.agreements import agreement_accept
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound

# --- MER-4: agreements ----------------------------------------------------------------------------


class AgreementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformAgreement
        fields = ["id", "version", "title", "body", "published_at", "effective_at"]


class AgreementCurrentApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get the current agreement"),
        description=gettext_lazy("The merchant agreement in force and whether the shop accepted it (MER-3)."),
        tags=["merchants"],
        responses={200: AgreementOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        agreement = agreement_current()
        if agreement is None:
            raise NotFound(_("No agreement is in force."))
        return Response(AgreementOutputSerializer(agreement).data)


class AgreementAcceptApi(APIView):
    permission_classes = [IsMerchantOwner]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = AgreementAcceptance
            fields = ["id", "agreement", "merchant", "accepted_at", "ip"]

    @extend_schema(
        summary=gettext_lazy("Accept the merchant agreement"),
        description=gettext_lazy(
            "The shop's owner accepts the current version of the merchant agreement (MER-3)."
        ),
        tags=["merchants"],
        request=None,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request, agreement_id: int) -> Response:
        agreement = PlatformAgreement.objects.filter(pk=agreement_id).first()
        if agreement is None:
            raise NotFound(_("No such agreement."))
        acceptance = agreement_accept(
            merchant=merchant_for_request(request),
            agreement=agreement,
            actor=request_user(request),
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(self.OutputSerializer(acceptance).data, status=status.HTTP_201_CREATED)
