from django.urls import path

from aftersales import api

urlpatterns = [
    path("aftersales/", api.RequestListCreateApi.as_view(), name="aftersales-requests"),
    path("aftersales/<int:request_id>/", api.RequestDetailApi.as_view(), name="aftersales-request"),
    path(
        "aftersales/<int:request_id>/withdraw/", api.RequestWithdrawApi.as_view(), name="aftersales-withdraw"
    ),
    path(
        "aftersales/<int:request_id>/ship-return/",
        api.RequestShipReturnApi.as_view(),
        name="aftersales-ship-return",
    ),
    path(
        "aftersales/<int:request_id>/escalate/", api.RequestEscalateApi.as_view(), name="aftersales-escalate"
    ),
    path("aftersales/<int:request_id>/close/", api.RequestCloseApi.as_view(), name="aftersales-close"),
    path("aftersales/evidence/<int:evidence_id>/", api.EvidenceFileApi.as_view(), name="aftersales-evidence"),
    path("merchant/aftersales/", api.MerchantRequestListApi.as_view(), name="merchant-aftersales"),
    path(
        "merchant/aftersales/<int:request_id>/",
        api.MerchantRequestDetailApi.as_view(),
        name="merchant-aftersales-request",
    ),
    path(
        "merchant/aftersales/<int:request_id>/approve/",
        api.MerchantRequestApproveApi.as_view(),
        name="merchant-aftersales-approve",
    ),
    path(
        "merchant/aftersales/<int:request_id>/refuse/",
        api.MerchantRequestRefuseApi.as_view(),
        name="merchant-aftersales-refuse",
    ),
    path(
        "merchant/aftersales/<int:request_id>/confirm-receipt/",
        api.MerchantRequestConfirmReceiptApi.as_view(),
        name="merchant-aftersales-confirm-receipt",
    ),
    path(
        "merchant/aftersales/<int:request_id>/refund/",
        api.MerchantRequestRefundApi.as_view(),
        name="merchant-aftersales-refund",
    ),
    path(
        "merchant/aftersales/<int:request_id>/reship/",
        api.MerchantRequestReshipApi.as_view(),
        name="merchant-aftersales-reship",
    ),
    path("complaints/", api.ComplaintListCreateApi.as_view(), name="complaints"),
    path("complaints/<int:complaint_id>/", api.ComplaintDetailApi.as_view(), name="complaint"),
    path("complaints/<int:complaint_id>/close/", api.ComplaintCloseApi.as_view(), name="complaint-close"),
    path(
        "customer-service/complaints/",
        api.ServiceComplaintQueueApi.as_view(),
        name="customer-service-complaints",
    ),
    path(
        "customer-service/complaints/<int:complaint_id>/acknowledge/",
        api.ServiceComplaintAcknowledgeApi.as_view(),
        name="customer-service-complaint-acknowledge",
    ),
    path(
        "customer-service/complaints/<int:complaint_id>/answer/",
        api.ServiceComplaintAnswerApi.as_view(),
        name="customer-service-complaint-answer",
    ),
    path("conversations/", api.ConversationListCreateApi.as_view(), name="conversations"),
    path("conversations/<int:conversation_id>/", api.ConversationDetailApi.as_view(), name="conversation"),
    path(
        "conversations/<int:conversation_id>/messages/",
        api.ConversationMessagesApi.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read/",
        api.ConversationReadApi.as_view(),
        name="conversation-read",
    ),
    path(
        "conversations/<int:conversation_id>/close/",
        api.ConversationCloseApi.as_view(),
        name="conversation-close",
    ),
    path(
        "conversations/images/<int:image_id>/", api.MessageImageFileApi.as_view(), name="conversation-image"
    ),
    path("merchant/conversations/", api.MerchantConversationListApi.as_view(), name="merchant-conversations"),
    path(
        "merchant/conversations/<int:conversation_id>/messages/",
        api.MerchantConversationMessagesApi.as_view(),
        name="merchant-conversation-messages",
    ),
    path(
        "merchant/conversations/<int:conversation_id>/read/",
        api.MerchantConversationReadApi.as_view(),
        name="merchant-conversation-read",
    ),
    path("suggestions/", api.SuggestionCreateApi.as_view(), name="suggestions"),
]
