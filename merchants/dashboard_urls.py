"""The merchant dashboard's own pages: home, sign-in, onboarding (MER-1..MER-6), standing and members.

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from merchants.dashboard.changes import change_document, change_report, changes
from merchants.dashboard.closure import closure
from merchants.dashboard.home import home
from merchants.dashboard.members import invitation_revoke, member_remove, members
from merchants.dashboard.notifications import notification_read, notifications, notifications_read_all
from merchants.dashboard.onboarding import (
    agreement,
    application_document_upload,
    application_edit,
    application_send,
    onboarding,
)
from merchants.dashboard.reverification import reverification, reverification_document, reverification_send
from merchants.dashboard.security import authenticator
from merchants.dashboard.signin import MerchantLoginView, MerchantLogoutView, register
from merchants.dashboard.standing import standing, violation_appeal

urlpatterns = [
    path("", home, name="home"),
    path("login/", MerchantLoginView.as_view(), name="login"),
    path("logout/", MerchantLogoutView.as_view(), name="logout"),
    path("register/", register, name="register"),
    # onboarding (MER-1..MER-5)
    path("onboarding/", onboarding, name="onboarding"),
    path("onboarding/application/", application_edit, name="application"),
    path("onboarding/documents/", application_document_upload, name="application-document"),
    path("onboarding/submit/", application_send, name="application-submit"),
    path("agreement/", agreement, name="agreement"),
    # re-verification (MER-6)
    path("reverification/", reverification, name="reverification"),
    path("reverification/documents/", reverification_document, name="reverification-document"),
    path("reverification/submit/", reverification_send, name="reverification-submit"),
    path("standing/", standing, name="standing"),
    path("standing/violations/<int:violation_id>/appeal/", violation_appeal, name="violation-appeal"),
    # closure and deposit refund (MER-5, MER-8)
    path("money/closure/", closure, name="closure"),
    path("security/authenticator/", authenticator, name="authenticator"),
    path("members/", members, name="members"),
    path("members/<int:member_id>/remove/", member_remove, name="member-remove"),
    path("members/invitations/<int:invitation_id>/revoke/", invitation_revoke, name="invitation-revoke"),
    # change reports (MER-6a)
    path("changes/", changes, name="changes"),
    path("changes/report/", change_report, name="change-report"),
    path("changes/documents/", change_document, name="change-document"),
    # the notifications centre
    path("notifications/", notifications, name="notifications"),
    path("notifications/read-all/", notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", notification_read, name="notification-read"),
]
