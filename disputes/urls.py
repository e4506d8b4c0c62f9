from django.urls import path

from disputes import api

urlpatterns = [
    path("disputes/", api.DisputeListCreateApi.as_view(), name="disputes"),
    path("disputes/<int:dispute_id>/", api.DisputeDetailApi.as_view(), name="dispute"),
    path("disputes/<int:dispute_id>/evidence/", api.DisputeEvidenceApi.as_view(), name="dispute-evidence"),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/accept/",
        api.DisputeProposalAcceptApi.as_view(),
        name="dispute-proposal-accept",
    ),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/reject/",
        api.DisputeProposalRejectApi.as_view(),
        name="dispute-proposal-reject",
    ),
    path("disputes/<int:dispute_id>/appeal/", api.DisputeAppealApi.as_view(), name="dispute-appeal"),
    path("disputes/<int:dispute_id>/withdraw/", api.DisputeWithdrawApi.as_view(), name="dispute-withdraw"),
    path("disputes/<int:dispute_id>/return/", api.DisputeReturnShipApi.as_view(), name="dispute-return-ship"),
    path("disputes/files/<int:file_id>/", api.DisputeEvidenceFileApi.as_view(), name="dispute-evidence-file"),
    path("merchant/disputes/", api.MerchantDisputeListCreateApi.as_view(), name="merchant-disputes"),
    path(
        "merchant/disputes/<int:dispute_id>/", api.MerchantDisputeDetailApi.as_view(), name="merchant-dispute"
    ),
    path(
        "merchant/disputes/<int:dispute_id>/evidence/",
        api.MerchantDisputeEvidenceApi.as_view(),
        name="merchant-dispute-evidence",
    ),
    path(
        "merchant/disputes/<int:dispute_id>/proposals/<int:proposal_id>/accept/",
        api.MerchantDisputeProposalAcceptApi.as_view(),
        name="merchant-dispute-proposal-accept",
    ),
    path(
        "merchant/disputes/<int:dispute_id>/proposals/<int:proposal_id>/reject/",
        api.MerchantDisputeProposalRejectApi.as_view(),
        name="merchant-dispute-proposal-reject",
    ),
    path(
        "merchant/disputes/<int:dispute_id>/appeal/",
        api.MerchantDisputeAppealApi.as_view(),
        name="merchant-dispute-appeal",
    ),
    path(
        "merchant/disputes/<int:dispute_id>/return/receive/",
        api.MerchantDisputeReturnReceiveApi.as_view(),
        name="merchant-dispute-return-receive",
    ),
]
