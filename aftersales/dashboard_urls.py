"""The merchant dashboard's after-sales and complaint pages (AFS-1..AFS-6, CMP-1..CMP-3).

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from aftersales import dashboard, dashboard_messages, dashboard_quick_replies

urlpatterns = [
    path("aftersales/", dashboard.aftersales, name="aftersales"),
    path("aftersales/policy/", dashboard.aftersales_policy, name="aftersales-policy"),
    path("aftersales/<int:request_id>/", dashboard.aftersales_request, name="aftersales-request"),
    path("aftersales/<int:request_id>/approve/", dashboard.aftersales_approve, name="aftersales-approve"),
    path("aftersales/<int:request_id>/refuse/", dashboard.aftersales_refuse, name="aftersales-refuse"),
    path(
        "aftersales/<int:request_id>/confirm-receipt/",
        dashboard.aftersales_confirm_receipt,
        name="aftersales-confirm-receipt",
    ),
    path("aftersales/<int:request_id>/refund/", dashboard.aftersales_refund, name="aftersales-refund"),
    path("aftersales/<int:request_id>/reship/", dashboard.aftersales_reship, name="aftersales-reship"),
    path("complaints/", dashboard.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", dashboard.complaint, name="complaint"),
    # messages (MSG-1, MSG-2)
    path("messages/", dashboard_messages.conversations, name="conversations"),
    path("messages/<int:conversation_id>/", dashboard_messages.conversation, name="conversation"),
    path(
        "messages/<int:conversation_id>/reply/",
        dashboard_messages.conversation_reply,
        name="conversation-reply",
    ),
    path(
        "messages/<int:conversation_id>/read/", dashboard_messages.conversation_read, name="conversation-read"
    ),
    # quick replies (MSG-1)
    path("messages/quick-replies/", dashboard_quick_replies.quick_replies, name="quick-replies"),
    path(
        "messages/quick-replies/<int:reply_id>/",
        dashboard_quick_replies.quick_reply_edit,
        name="quick-reply",
    ),
    path(
        "messages/quick-replies/<int:reply_id>/delete/",
        dashboard_quick_replies.quick_reply_delete_view,
        name="quick-reply-delete",
    ),
    path(
        "messages/quick-replies/<int:reply_id>/move/",
        dashboard_quick_replies.quick_reply_move_view,
        name="quick-reply-move",
    ),
]
