from django.urls import path

from jury import api

urlpatterns = [
    path(
        "disputes/<int:dispute_id>/jury-consent/",
        api.DisputeJuryConsentApi.as_view(),
        name="dispute-jury-consent",
    ),
    path(
        "merchant/disputes/<int:dispute_id>/jury-consent/",
        api.MerchantDisputeJuryConsentApi.as_view(),
        name="merchant-dispute-jury-consent",
    ),
    path("jury/cases/", api.JuryCaseListApi.as_view(), name="jury-cases"),
    path("jury/cases/<int:case_id>/", api.JuryCaseDetailApi.as_view(), name="jury-case"),
    path("jury/cases/<int:case_id>/vote/", api.JuryVoteApi.as_view(), name="jury-case-vote"),
]
