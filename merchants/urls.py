from django.urls import path

from merchants import api

urlpatterns = [
    path(
        "merchants/<int:merchant_id>/", api.MerchantPublicProfileApi.as_view(), name="merchant-public-profile"
    ),
    path("penalties/", api.PenaltyPublicListApi.as_view(), name="penalties-public"),
    path("merchant/", api.MerchantMeApi.as_view(), name="merchant-me"),
    path("merchant/standing/", api.MerchantStandingApi.as_view(), name="merchant-standing"),
    path(
        "merchant/violations/<int:violation_id>/appeal/",
        api.ViolationAppealCreateApi.as_view(),
        name="merchant-violation-appeal",
    ),
    path("merchant/applications/", api.ApplicationListCreateApi.as_view(), name="merchant-applications"),
    path(
        "merchant/applications/<int:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="merchant-application-detail",
    ),
    path(
        "merchant/applications/<int:application_id>/submit/",
        api.ApplicationSubmitApi.as_view(),
        name="merchant-application-submit",
    ),
    path(
        "merchant/applications/<int:application_id>/documents/",
        api.ApplicationDocumentCreateApi.as_view(),
        name="merchant-application-documents",
    ),
    path("merchant/documents/", api.MerchantDocumentCreateApi.as_view(), name="merchant-documents"),
    path(
        "merchant/documents/<int:document_id>/file/",
        api.DocumentFileApi.as_view(),
        name="merchant-document-file",
    ),
    path(
        "merchant/agreements/current/", api.AgreementCurrentApi.as_view(), name="merchant-agreement-current"
    ),
    path(
        "merchant/agreements/<int:agreement_id>/accept/",
        api.AgreementAcceptApi.as_view(),
        name="merchant-agreement-accept",
    ),
    path("merchant/reverifications/", api.ReverificationListApi.as_view(), name="merchant-reverifications"),
    path(
        "merchant/reverifications/<int:reverification_id>/submit/",
        api.ReverificationSubmitApi.as_view(),
        name="merchant-reverification-submit",
    ),
    path("merchant/changes/", api.ChangeReportApi.as_view(), name="merchant-changes"),
    path("merchant/members/", api.MemberListInviteApi.as_view(), name="merchant-members"),
    path("merchant/members/<int:member_id>/", api.MemberRemoveApi.as_view(), name="merchant-member-remove"),
]
