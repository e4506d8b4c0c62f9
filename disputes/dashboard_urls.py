"""The merchant dashboard's dispute pages (DSP-1..DSP-5): opening one on an order, the cases.

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from disputes import dashboard

urlpatterns = [
    path("disputes/", dashboard.disputes, name="disputes"),
    path("orders/<int:order_id>/dispute/", dashboard.dispute_open_view, name="dispute-open"),
    path("disputes/<int:dispute_id>/", dashboard.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/evidence/", dashboard.dispute_evidence, name="dispute-evidence"),
    path("disputes/<int:dispute_id>/appeal/", dashboard.dispute_appeal_view, name="dispute-appeal"),
    path(
        "disputes/<int:dispute_id>/return-received/",
        dashboard.dispute_return_receive_view,
        name="dispute-return-receive",
    ),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/accept/",
        dashboard.dispute_proposal_accept,
        name="dispute-proposal-accept",
    ),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/reject/",
        dashboard.dispute_proposal_reject,
        name="dispute-proposal-reject",
    ),
]
