"""The after-sales models, one module per sub-domain; every model is importable from ``aftersales.models``."""

from aftersales.models.complaints import (
    CannedResponse,
    Complaint,
    ComplaintQueueItem,
    ComplaintStep,
    EscalatedComplaint,
)
from aftersales.models.conversations import (
    Conversation,
    Message,
    MessageImage,
    ReplyClock,
    ServiceConversation,
    ShiftHandover,
)
from aftersales.models.policies import MerchantAfterSalesPolicy, SpecialPeriod
from aftersales.models.quick_replies import QuickReply
from aftersales.models.requests import AfterSalesEvent, AfterSalesRequest, EscalatedRequest, Evidence
from aftersales.models.suggestions import Suggestion

__all__ = [
    "AfterSalesEvent",
    "AfterSalesRequest",
    "CannedResponse",
    "Complaint",
    "ComplaintQueueItem",
    "ComplaintStep",
    "Conversation",
    "EscalatedComplaint",
    "EscalatedRequest",
    "Evidence",
    "MerchantAfterSalesPolicy",
    "Message",
    "MessageImage",
    "QuickReply",
    "ReplyClock",
    "ServiceConversation",
    "ShiftHandover",
    "SpecialPeriod",
    "Suggestion",
]
