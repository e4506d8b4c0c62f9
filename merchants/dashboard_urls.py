"""The merchant dashboard's own pages: home, sign-in, onboarding (MER-1..MER-6), standing and members.

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from merchants import dashboard

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("login/", dashboard.MerchantLoginView.as_view(), name="login"),
    path("logout/", dashboard.MerchantLogoutView.as_view(), name="logout"),
    path("register/", dashboard.register, name="register"),
    # onboarding (MER-1..MER-5)
    path("onboarding/", dashboard.onboarding, name="onboarding"),
    path("onboarding/application/", dashboard.application_edit, name="application"),
    path("onboarding/documents/", dashboard.application_document_upload, name="application-document"),
    path("onboarding/submit/", dashboard.application_send, name="application-submit"),
    path("agreement/", dashboard.agreement, name="agreement"),
    # re-verification (MER-6)
    path("reverification/", dashboard.reverification, name="reverification"),
    path("reverification/documents/", dashboard.reverification_document, name="reverification-document"),
    path("reverification/submit/", dashboard.reverification_send, name="reverification-submit"),
    path("standing/", dashboard.standing, name="standing"),
    path(
        "standing/violations/<int:violation_id>/appeal/", dashboard.violation_appeal, name="violation-appeal"
    ),
    path("members/", dashboard.members, name="members"),
    path("members/<int:member_id>/remove/", dashboard.member_remove, name="member-remove"),
]
