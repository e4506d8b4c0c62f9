from django.urls import path

from merchants.api.account import MerchantDocumentCreateApi, MerchantMeApi
from merchants.api.agreements import AgreementAcceptApi, AgreementCurrentApi
from merchants.api.applications import (
    ApplicationDetailApi,
    ApplicationDocumentCreateApi,
    ApplicationListCreateApi,
    ApplicationSubmitApi,
    DocumentFileApi,
)
from merchants.api.members import (
    MemberListInviteApi,
    MemberRemoveApi,
    MyInvitationAcceptApi,
    MyInvitationDeclineApi,
    MyInvitationListApi,
)
from merchants.api.public import MerchantPublicProfileApi, PenaltyPublicListApi
from merchants.api.reverification import ChangeReportApi, ReverificationListApi, ReverificationSubmitApi
from merchants.api.standing import MerchantStandingApi, ViolationAppealCreateApi

urlpatterns = [
    path("merchants/<int:merchant_id>/", MerchantPublicProfileApi.as_view(), name="merchant-public-profile"),
    path("penalties/", PenaltyPublicListApi.as_view(), name="penalties-public"),
    path("merchant/", MerchantMeApi.as_view(), name="merchant-me"),
    path("merchant/standing/", MerchantStandingApi.as_view(), name="merchant-standing"),
    path(
        "merchant/violations/<int:violation_id>/appeal/",
        ViolationAppealCreateApi.as_view(),
        name="merchant-violation-appeal",
    ),
    path("merchant/applications/", ApplicationListCreateApi.as_view(), name="merchant-applications"),
    path(
        "merchant/applications/<int:application_id>/",
        ApplicationDetailApi.as_view(),
        name="merchant-application-detail",
    ),
    path(
        "merchant/applications/<int:application_id>/submit/",
        ApplicationSubmitApi.as_view(),
        name="merchant-application-submit",
    ),
    path(
        "merchant/applications/<int:application_id>/documents/",
        ApplicationDocumentCreateApi.as_view(),
        name="merchant-application-documents",
    ),
    path("merchant/documents/", MerchantDocumentCreateApi.as_view(), name="merchant-documents"),
    path(
        "merchant/documents/<int:document_id>/file/",
        DocumentFileApi.as_view(),
        name="merchant-document-file",
    ),
    path("merchant/agreements/current/", AgreementCurrentApi.as_view(), name="merchant-agreement-current"),
    path(
        "merchant/agreements/<int:agreement_id>/accept/",
        AgreementAcceptApi.as_view(),
        name="merchant-agreement-accept",
    ),
    path("merchant/reverifications/", ReverificationListApi.as_view(), name="merchant-reverifications"),
    path(
        "merchant/reverifications/<int:reverification_id>/submit/",
        ReverificationSubmitApi.as_view(),
        name="merchant-reverification-submit",
    ),
    path("merchant/changes/", ChangeReportApi.as_view(), name="merchant-changes"),
    path("merchant/members/", MemberListInviteApi.as_view(), name="merchant-members"),
    path("merchant/members/<int:member_id>/", MemberRemoveApi.as_view(), name="merchant-member-remove"),
    # SEC (issue 20): the invited user's answer
    path("account/merchant-invitations/", MyInvitationListApi.as_view(), name="my-merchant-invitations"),
    path(
        "account/merchant-invitations/<int:invitation_id>/accept/",
        MyInvitationAcceptApi.as_view(),
        name="my-merchant-invitation-accept",
    ),
    path(
        "account/merchant-invitations/<int:invitation_id>/decline/",
        MyInvitationDeclineApi.as_view(),
        name="my-merchant-invitation-decline",
    ),
]
