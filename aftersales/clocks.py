"""The names of the aftersales app's clocks: its deadline rules (OPS-1). The handlers are in
``aftersales/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_COMPLAINT_ACK = "aftersales.complaint_ack"
RULE_COMPLAINT_ANSWER = "aftersales.complaint_answer"
RULE_CS_MESSAGE_REPLY = "aftersales.cs_message_reply"
RULE_ESCALATION_WINDOW = "aftersales.escalation_window"
RULE_MERCHANT_MESSAGE_REPLY = "aftersales.merchant_message_reply"
RULE_MERCHANT_RESPONSE = "aftersales.merchant_response"
RULE_REFUND_DUE = "aftersales.refund_due"
RULE_RETURN_RECEIPT = "aftersales.return_receipt"
RULE_RETURN_SHIP_BY = "aftersales.return_ship_by"
