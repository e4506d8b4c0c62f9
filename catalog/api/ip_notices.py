"""Catalog REST API, IP notices (CAT-7): rights holders file, the public reads the outcomes, merchants
answer with counter-notices."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api._common import MerchantScopedApi
from catalog.models import IpNotice
from catalog.services.ip_notices import ip_notice_action_proof, ip_notice_counter, ip_notice_file
from merchants.permissions import merchant_for_request
from platform_core.accounts.masking import MASK, mask_name
from platform_core.api.pagination import PagePagination


class IpNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = IpNotice
        fields = [
            "id",
            "listing",
            "right_kind",
            "right_reference",
            "description",
            "proof",
            "status",
            "filed_at",
            "validated_at",
            "counter_statement",
            "counter_proof",
            "counter_forwarded_at",
            "action_proof",
            "resolved_at",
        ]


class IpNoticePublishedSerializer(serializers.Serializer):
    """CAT-7: one validated notice as the public sees it; the rights holder's name is masked (SEC-2)."""

    OUTCOMES = {
        IpNotice.Status.TAKEN_DOWN: "taken_down",
        IpNotice.Status.COUNTER_NOTICED: "counter_notice_pending",
        IpNotice.Status.RESTORED: "restored_after_counter_notice",
        IpNotice.Status.UPHELD: "upheld",
    }

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    listing_title = serializers.SerializerMethodField()
    shop = serializers.SerializerMethodField()
    right_kind = serializers.CharField()
    rights_holder = serializers.SerializerMethodField(help_text="Masked (SEC-2).")
    status = serializers.ChoiceField(choices=IpNotice.Status.choices)
    outcome = serializers.SerializerMethodField(
        help_text="taken_down | counter_notice_pending | restored_after_counter_notice | upheld"
    )
    filed_at = serializers.DateTimeField()
    taken_down_at = serializers.DateTimeField(source="validated_at")
    counter_notice_forwarded_at = serializers.DateTimeField(source="counter_forwarded_at", allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)

    def get_listing_title(self, notice: IpNotice) -> str:
        version = notice.listing.live_version
        return version.title if version is not None else ""

    def get_shop(self, notice: IpNotice) -> dict[str, Any]:
        merchant = notice.listing.merchant
        return {"id": merchant.pk, "name": merchant.name}

    def get_rights_holder(self, notice: IpNotice) -> str:
        return mask_name(notice.rights_holder.name) or MASK * 3

    def get_outcome(self, notice: IpNotice) -> str:
        return self.OUTCOMES[IpNotice.Status(notice.status)]


class IpNoticePublishedApi(APIView):
    """CAT-7: notices and their outcomes, published: every validated notice, newest takedown first."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List published IP notices"),
        description=gettext_lazy("Every validated notice and its outcome, newest takedown first (CAT-7)."),
        tags=["ip-notices"],
        responses={200: IpNoticePublishedSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.ip_notice_list_published(), request, view=self)
        return paginator.get_paginated_response(IpNoticePublishedSerializer(page, many=True).data)


class IpNoticeListApi(APIView):
    """CAT-7: a rights holder files a notice (with proof) and follows their notices."""

    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        listing = serializers.IntegerField()
        right_kind = serializers.ChoiceField(choices=["trademark", "copyright", "patent", "other"])
        right_reference = serializers.CharField(max_length=100)
        description = serializers.CharField()
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(
        summary=gettext_lazy("List my IP notices"),
        description=gettext_lazy("The notices the rights holder filed, with their outcomes (CAT-7)."),
        tags=["ip-notices"],
        responses={200: IpNoticeSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.ip_notice_list_for_rights_holder(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(IpNoticeSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("File an IP notice"),
        description=gettext_lazy("A rights holder files a notice against listings, with proof (CAT-7)."),
        tags=["ip-notices"],
        request=InputSerializer,
        responses={201: IpNoticeSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        notice = ip_notice_file(
            listing_id=v["listing"],
            rights_holder=request.user,  # type: ignore[arg-type]
            right_kind=v["right_kind"],
            right_reference=v["right_reference"],
            description=v["description"],
            proof=v["proof"],
        )
        return Response(IpNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class IpNoticeActionProofApi(APIView):
    class InputSerializer(serializers.Serializer):
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(
        summary=gettext_lazy("Add proof of action"),
        description=gettext_lazy(
            "The rights holder proves it complained or sued after a counter-notice (CAT-7)."
        ),
        tags=["ip-notices"],
        request=InputSerializer,
        responses={200: IpNoticeSerializer},
    )
    def post(self, request: Request, notice_id: int) -> Response:
        notice = selectors.ip_notice_get_for_rights_holder(
            user=request.user, notice_id=notice_id
        )  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = ip_notice_action_proof(
            notice=notice,
            proof=data.validated_data["proof"],
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(IpNoticeSerializer(notice).data)


class MerchantIpNoticeListApi(MerchantScopedApi):
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List IP notices against my shop"),
        description=gettext_lazy("The notices against the shop's listings (CAT-7)."),
        tags=["ip-notices"],
        responses={200: IpNoticeSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.ip_notice_list_for_merchant(merchant=merchant), request, view=self
        )
        return paginator.get_paginated_response(IpNoticeSerializer(page, many=True).data)


class MerchantIpCounterNoticeApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        statement = serializers.CharField()
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(
        summary=gettext_lazy("File a counter-notice"),
        description=gettext_lazy("The shop answers a notice with a counter-notice and proof (CAT-7)."),
        tags=["ip-notices"],
        request=InputSerializer,
        responses={200: IpNoticeSerializer},
    )
    def post(self, request: Request, notice_id: int) -> Response:
        merchant = merchant_for_request(request)
        notice = selectors.ip_notice_get_for_merchant(merchant=merchant, notice_id=notice_id)  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = ip_notice_counter(
            notice=notice,
            merchant=merchant,
            statement=data.validated_data["statement"],
            proof=data.validated_data["proof"],
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(IpNoticeSerializer(notice).data)
