"""What the public jury plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from disputes.services.mediation import arbitration_routers
from jury.services import jury_arbitration_router

# DSP-6: a consented small case goes to a jury, not the committee.
arbitration_routers.register(jury_arbitration_router)
