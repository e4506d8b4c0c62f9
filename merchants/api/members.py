"""The merchant API's members: the owner invites and removes staff accounts; the invited user accepts or
declines (SEC, issue 20: nobody joins a shop's staff without consent)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.models import MerchantMember, StaffInvitation
from merchants.permissions import (
    IsMerchantMember,
    IsMerchantOwner,
    merchant_for_request,
)
from merchants.selectors.members import (
    invitation_get_for_user,
    invitation_list_for_user,
    member_list_for_merchant,
)
from merchants.services.members import (
    merchant_invitation_accept,
    merchant_invitation_decline,
    merchant_member_invite,
    merchant_member_remove,
)
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound

# --- members --------------------------------------------------------------------------------------


class MemberOutputSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = MerchantMember
        fields = ["id", "user", "user_name", "role", "is_active", "created_at"]


class InvitationOutputSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = StaffInvitation
        fields = ["id", "merchant", "merchant_name", "user", "role", "status", "created_at", "expires_at"]


class MemberListInviteApi(APIView):
    permission_classes = [IsMerchantMember]

    class InputSerializer(serializers.Serializer):
        login = serializers.CharField(help_text="The invitee's mobile number or email address.")
        role = serializers.ChoiceField(
            choices=[r for r in MerchantMember.Role.choices if r[0] != MerchantMember.Role.OWNER]
        )

    @extend_schema(
        summary=gettext_lazy("List shop members"),
        description=gettext_lazy("The shop's members and open invitations (MER-10)."),
        tags=["merchants"],
        responses={200: MemberOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        members = member_list_for_merchant(merchant=merchant_for_request(request))
        return Response(MemberOutputSerializer(members, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Invite a member"),
        description=gettext_lazy("Invite a user (201) or change an active member's role (200) (MER-10)."),
        tags=["merchants"],
        request=InputSerializer,
        responses={201: InvitationOutputSerializer, 200: MemberOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = merchant_member_invite(
            merchant=merchant_for_request(request),
            actor=request_user(request),
            **data.validated_data,
        )
        if isinstance(result, MerchantMember):
            return Response(MemberOutputSerializer(result).data)
        return Response(InvitationOutputSerializer(result).data, status=status.HTTP_201_CREATED)


class MemberRemoveApi(APIView):
    permission_classes = [IsMerchantOwner]

    @extend_schema(
        summary=gettext_lazy("Remove a member"),
        description=gettext_lazy("Remove a member from the shop's staff (MER-10)."),
        tags=["merchants"],
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, member_id: int) -> Response:
        member = member_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("No such member."))
        merchant_member_remove(member=member, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the invited user's side ----------------------------------------------------------------------


class MyInvitationListApi(APIView):
    """SEC (issue 20): the shops' open invitations to the caller."""

    @extend_schema(
        summary=gettext_lazy("List my shop invitations"),
        description=gettext_lazy("The open invitations of shops to join their staff, sent to the caller."),
        tags=["merchants"],
        responses={200: InvitationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        invitations = invitation_list_for_user(user=request_user(request))
        return Response(InvitationOutputSerializer(invitations, many=True).data)


class MyInvitationAcceptApi(APIView):
    """SEC (issue 20): the caller accepts and joins the shop's staff (409 once expired or answered)."""

    @extend_schema(
        summary=gettext_lazy("Accept a shop invitation"),
        description=gettext_lazy(
            "The caller joins the shop's staff with the invited role; 409 once the invitation expired or was answered."
        ),
        tags=["merchants"],
        request=None,
        responses={200: MemberOutputSerializer},
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        user = request_user(request)
        invitation = invitation_get_for_user(user=user, invitation_id=invitation_id)
        member = merchant_invitation_accept(invitation=invitation, actor=user)
        return Response(MemberOutputSerializer(member).data)


class MyInvitationDeclineApi(APIView):
    """SEC (issue 20): the caller declines the invitation."""

    @extend_schema(
        summary=gettext_lazy("Decline a shop invitation"),
        description=gettext_lazy("The caller declines the invitation; the shop is told."),
        tags=["merchants"],
        request=None,
        responses={200: InvitationOutputSerializer},
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        user = request_user(request)
        invitation = invitation_get_for_user(user=user, invitation_id=invitation_id)
        answered = merchant_invitation_decline(invitation=invitation, actor=user)
        return Response(InvitationOutputSerializer(answered).data)
