"""What happens when an after-sales clock runs out (OPS-1); the engine calls these with the subject locked."""

from aftersales.clocks import (
    RULE_COMPLAINT_ACK,
    RULE_COMPLAINT_ANSWER,
    RULE_CS_MESSAGE_REPLY,
    RULE_ESCALATION_WINDOW,
    RULE_MERCHANT_MESSAGE_REPLY,
    RULE_MERCHANT_RESPONSE,
    RULE_REFUND_DUE,
    RULE_RETURN_RECEIPT,
    RULE_RETURN_SHIP_BY,
)
from aftersales.models import AfterSalesRequest, Complaint, Conversation
from aftersales.services import complaints, conversations
from aftersales.services.deadline_handlers import (
    request_escalation_window_closed,
    request_receipt_missed,
    request_refund_overdue,
    request_response_missed,
    request_return_ship_missed,
)
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    RULE_MERCHANT_RESPONSE,
    description="AFS-3: the merchant responds within 24 h (48 h special); else approved or escalated to CS",
)
def merchant_response_missed(request: AfterSalesRequest) -> None:
    request_response_missed(request=request)


@deadline_rule(
    RULE_RETURN_SHIP_BY,
    description="AFS-4: the customer ships the return within 7 days or it lapses",
)
def return_ship_missed(request: AfterSalesRequest) -> None:
    request_return_ship_missed(request=request)


@deadline_rule(
    RULE_RETURN_RECEIPT,
    description="AFS-4: the merchant confirms the return's receipt within 7 days of delivery, else automatic",
)
def return_receipt_missed(request: AfterSalesRequest) -> None:
    request_receipt_missed(request=request)


@deadline_rule(RULE_REFUND_DUE, description="AFS-4, PAY-5: refunded within 7 days of the receipt")
def refund_due(request: AfterSalesRequest) -> None:
    request_refund_overdue(request=request)


@deadline_rule(
    RULE_ESCALATION_WINDOW,
    description="AFS-5: a refusal not escalated to a dispute in time closes and releases the escrow hold",
)
def escalation_window_closed(request: AfterSalesRequest) -> None:
    request_escalation_window_closed(request=request)


@deadline_rule(
    RULE_COMPLAINT_ACK,
    description="CMP-2: customer service acknowledges within 24 h, else escalated",
)
def complaint_ack_missed(complaint: Complaint) -> None:
    complaints.complaint_ack_missed(complaint=complaint)


@deadline_rule(
    RULE_COMPLAINT_ANSWER, description="CMP-2: customer service answers within 48 h, else escalated"
)
def complaint_answer_missed(complaint: Complaint) -> None:
    complaints.complaint_answer_missed(complaint=complaint)


@deadline_rule(
    RULE_MERCHANT_MESSAGE_REPLY,
    description="MSG-2: a shop answers a customer's message within 24 h, else it counts against its KPI",
)
def merchant_message_reply_missed(conversation: Conversation) -> None:
    conversations.merchant_message_reply_missed(conversation=conversation)


@deadline_rule(
    RULE_CS_MESSAGE_REPLY,
    description="MSG-2: platform customer service answers within 2 h, else escalated to the shift lead",
)
def cs_message_reply_missed(conversation: Conversation) -> None:
    conversations.cs_message_reply_missed(conversation=conversation)
