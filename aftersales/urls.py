from django.urls import path

from aftersales.api.complaints import (
    ComplaintCloseApi,
    ComplaintDetailApi,
    ComplaintListCreateApi,
    ServiceComplaintAcknowledgeApi,
    ServiceComplaintAnswerApi,
    ServiceComplaintQueueApi,
)
from aftersales.api.conversations import (
    ConversationCloseApi,
    ConversationDetailApi,
    ConversationListCreateApi,
    ConversationMessagesApi,
    ConversationReadApi,
    MerchantConversationListApi,
    MerchantConversationMessagesApi,
    MerchantConversationReadApi,
    MessageImageFileApi,
)
from aftersales.api.merchant_requests import (
    MerchantAfterSalesPolicyApi,
    MerchantRequestApproveApi,
    MerchantRequestConfirmReceiptApi,
    MerchantRequestDetailApi,
    MerchantRequestListApi,
    MerchantRequestRefundApi,
    MerchantRequestRefuseApi,
    MerchantRequestReshipApi,
)
from aftersales.api.quick_replies import MerchantQuickReplyDetailApi, MerchantQuickReplyListApi
from aftersales.api.requests import (
    EvidenceFileApi,
    RequestCloseApi,
    RequestDetailApi,
    RequestEscalateApi,
    RequestListCreateApi,
    RequestShipReturnApi,
    RequestWithdrawApi,
)
from aftersales.api.suggestions import SuggestionCreateApi

urlpatterns = [
    path("aftersales/", RequestListCreateApi.as_view(), name="aftersales-requests"),
    path("aftersales/<int:request_id>/", RequestDetailApi.as_view(), name="aftersales-request"),
    path("aftersales/<int:request_id>/withdraw/", RequestWithdrawApi.as_view(), name="aftersales-withdraw"),
    path(
        "aftersales/<int:request_id>/ship-return/",
        RequestShipReturnApi.as_view(),
        name="aftersales-ship-return",
    ),
    path("aftersales/<int:request_id>/escalate/", RequestEscalateApi.as_view(), name="aftersales-escalate"),
    path("aftersales/<int:request_id>/close/", RequestCloseApi.as_view(), name="aftersales-close"),
    path("aftersales/evidence/<int:evidence_id>/", EvidenceFileApi.as_view(), name="aftersales-evidence"),
    path("merchant/aftersales/", MerchantRequestListApi.as_view(), name="merchant-aftersales"),
    path(
        "merchant/aftersales-policy/",
        MerchantAfterSalesPolicyApi.as_view(),
        name="merchant-aftersales-policy",
    ),
    path(
        "merchant/aftersales/<int:request_id>/",
        MerchantRequestDetailApi.as_view(),
        name="merchant-aftersales-request",
    ),
    path(
        "merchant/aftersales/<int:request_id>/approve/",
        MerchantRequestApproveApi.as_view(),
        name="merchant-aftersales-approve",
    ),
    path(
        "merchant/aftersales/<int:request_id>/refuse/",
        MerchantRequestRefuseApi.as_view(),
        name="merchant-aftersales-refuse",
    ),
    path(
        "merchant/aftersales/<int:request_id>/confirm-receipt/",
        MerchantRequestConfirmReceiptApi.as_view(),
        name="merchant-aftersales-confirm-receipt",
    ),
    path(
        "merchant/aftersales/<int:request_id>/refund/",
        MerchantRequestRefundApi.as_view(),
        name="merchant-aftersales-refund",
    ),
    path(
        "merchant/aftersales/<int:request_id>/reship/",
        MerchantRequestReshipApi.as_view(),
        name="merchant-aftersales-reship",
    ),
    path("complaints/", ComplaintListCreateApi.as_view(), name="complaints"),
    path("complaints/<int:complaint_id>/", ComplaintDetailApi.as_view(), name="complaint"),
    path("complaints/<int:complaint_id>/close/", ComplaintCloseApi.as_view(), name="complaint-close"),
    path(
        "customer-service/complaints/",
        ServiceComplaintQueueApi.as_view(),
        name="customer-service-complaints",
    ),
    path(
        "customer-service/complaints/<int:complaint_id>/acknowledge/",
        ServiceComplaintAcknowledgeApi.as_view(),
        name="customer-service-complaint-acknowledge",
    ),
    path(
        "customer-service/complaints/<int:complaint_id>/answer/",
        ServiceComplaintAnswerApi.as_view(),
        name="customer-service-complaint-answer",
    ),
    path("conversations/", ConversationListCreateApi.as_view(), name="conversations"),
    path("conversations/<int:conversation_id>/", ConversationDetailApi.as_view(), name="conversation"),
    path(
        "conversations/<int:conversation_id>/messages/",
        ConversationMessagesApi.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read/",
        ConversationReadApi.as_view(),
        name="conversation-read",
    ),
    path(
        "conversations/<int:conversation_id>/close/",
        ConversationCloseApi.as_view(),
        name="conversation-close",
    ),
    path("conversations/images/<int:image_id>/", MessageImageFileApi.as_view(), name="conversation-image"),
    path("merchant/conversations/", MerchantConversationListApi.as_view(), name="merchant-conversations"),
    path(
        "merchant/conversations/<int:conversation_id>/messages/",
        MerchantConversationMessagesApi.as_view(),
        name="merchant-conversation-messages",
    ),
    path(
        "merchant/conversations/<int:conversation_id>/read/",
        MerchantConversationReadApi.as_view(),
        name="merchant-conversation-read",
    ),
    # MSG-1 (decision 044): the shop's quick replies, as on the seller centre's page
    path("merchant/quick-replies/", MerchantQuickReplyListApi.as_view(), name="merchant-quick-replies"),
    path(
        "merchant/quick-replies/<int:reply_id>/",
        MerchantQuickReplyDetailApi.as_view(),
        name="merchant-quick-reply",
    ),
    path("suggestions/", SuggestionCreateApi.as_view(), name="suggestions"),
]
