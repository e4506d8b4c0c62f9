"""PAY-4 (decision 037): the shop's payout account through the API — read masked, changed by the owner
with the code of their authenticator."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.permissions import IsMerchantMember, IsMerchantOwner, merchant_for_request
from orders.models import PayoutAccount
from orders.selectors.payout_accounts import payout_account_current, payout_account_display
from orders.services.payout_accounts import payout_account_set
from platform_core.accounts.acting import request_user
from platform_core.api.idempotency import idempotent


class PayoutAccountSerializer(serializers.Serializer):
    """The account as shown: the number masked, never whole."""

    kind = serializers.ChoiceField(choices=PayoutAccount.Kind.choices)
    kind_display = serializers.CharField()
    holder_name = serializers.CharField()
    bank_name = serializers.CharField()
    number_masked = serializers.CharField()
    active_from = serializers.DateTimeField(help_text=gettext_lazy("Payouts go to the account from then on."))
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PayoutAccountAnswerSerializer(serializers.Serializer):
    account = PayoutAccountSerializer(allow_null=True)


class PayoutAccountChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PayoutAccount.Kind.choices)
    holder_name = serializers.CharField(max_length=200)
    bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=64, write_only=True)
    code = serializers.RegexField(
        r"^\s*\d{6,8}\s*$",
        max_length=12,
        write_only=True,
        help_text=gettext_lazy("The current code of the owner's authenticator app."),
    )


def _answer(account: PayoutAccount | None) -> dict[str, Any]:
    return {"account": payout_account_display(account)}


class MerchantPayoutAccountApi(APIView):
    """PAY-4: the shop's payout account: the owner and finance see it (as in the seller centre), only the
    owner changes it."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in SAFE_METHODS:
            return [IsMerchantMember.with_roles("owner", "finance")()]
        return [IsMerchantOwner()]

    @extend_schema(
        summary=gettext_lazy("Show the payout account"),
        description=gettext_lazy("The account payouts go to, masked (PAY-4)."),
        tags=["statements"],
        responses={200: PayoutAccountAnswerSerializer},
    )
    def get(self, request: Request) -> Response:
        account = payout_account_current(merchant=merchant_for_request(request))
        return Response(PayoutAccountAnswerSerializer(_answer(account)).data)

    @extend_schema(
        summary=gettext_lazy("Change the payout account"),
        description=gettext_lazy(
            "Set or change the account payouts go to (PAY-4): the holder must be the shop's registered "
            "entity, the owner confirms with the code of their authenticator, and the new account "
            "receives payouts after the cooling-off period."
        ),
        tags=["statements"],
        request=PayoutAccountChangeSerializer,
        responses={200: PayoutAccountAnswerSerializer},
    )
    @idempotent()
    def put(self, request: Request) -> Response:
        data = PayoutAccountChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_set(
            merchant=merchant_for_request(request), actor=request_user(request), **data.validated_data
        )
        return Response(PayoutAccountAnswerSerializer(_answer(account)).data)
