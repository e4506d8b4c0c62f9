"""Staff admin for merchants: the application review queue (MER-2, MER-3), merchants by status (MER-8),
agreements (MER-4, MER-10), re-verification and changes (MER-6, MER-6a), violations (VIO-1), penalties
(VIO-2, VIO-3, VIO-5), the appeals queue (VIO-4), credit snapshots (REP-3) and KPIs (VIO-6).

Transition buttons come from django-fsm-2's ``FSMAdminMixin``; every button runs the service (never the
bare transition), so audit, deadlines and notifications happen exactly as through the API.
Each sub-module registers its pages; importing them here lets admin autodiscovery find them.
"""

from merchants.admin import (  # noqa: F401
    agreements,
    applications,
    closure,
    credit,
    merchant,
    reverification,
    violations,
)
