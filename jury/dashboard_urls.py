"""The merchant dashboard's public-jury action (DSP-6).

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from jury import dashboard

urlpatterns = [
    path(
        "disputes/<int:dispute_id>/jury-consent/",
        dashboard.dispute_jury_consent,
        name="dispute-jury-consent",
    ),
]
