"""ORD-5: carrier tracking behind one interface (decisions 019, 023, 024).

A *tracker* turns a courier's tracking number into ``TrackingEvent`` rows: it may be asked to watch a
parcel (``subscribe``) and it pushes signed updates to ``/api/v1/logistics/callbacks/<tracker>/``. The
order's ``carrier`` field holds the courier code the merchant shipped with (快递100's company codes:
``shunfeng``, ``zhongtong``, …); ``tracker_for(courier)`` names the enabled tracker that follows it.

- ``sandbox`` (development only): its own courier, HMAC-signed JSON webhooks (``orders.logistics.sandbox``).
- ``kuaidi100``: the 快递100 aggregator, any courier it knows (``orders.logistics.kuaidi100``).

``settings.ORDERS_LOGISTICS_CARRIERS`` enables trackers; production never enables the sandbox. A parcel no
enabled tracker follows (or one the aggregator refuses) is tracked by staff entry (the order admin).
"""

from django.conf import settings

from orders.logistics.base import (
    CarrierPush,
    CarrierRefused,
    CarrierRejected,
    CarrierUnavailable,
    TrackingUpdate,
)
from orders.logistics.kuaidi100 import Kuaidi100Carrier
from orders.logistics.sandbox import SIGNATURE_HEADER, SandboxCarrier, sandbox_sign, sandbox_webhook

__all__ = [
    "SIGNATURE_HEADER",
    "CarrierPush",
    "CarrierRefused",
    "CarrierRejected",
    "CarrierUnavailable",
    "Kuaidi100Carrier",
    "SandboxCarrier",
    "TrackingUpdate",
    "carrier_get",
    "sandbox_sign",
    "sandbox_webhook",
    "tracker_for",
]

Carrier = SandboxCarrier | Kuaidi100Carrier
CARRIERS: dict[str, type[Carrier]] = {
    SandboxCarrier.name: SandboxCarrier,
    Kuaidi100Carrier.name: Kuaidi100Carrier,
}


def carrier_get(name: str) -> Carrier:
    """ORD-5: the tracker called ``name`` if ``settings.ORDERS_LOGISTICS_CARRIERS`` enables it (decision 019:
    production never enables the sandbox); ``KeyError`` otherwise."""
    if name not in settings.ORDERS_LOGISTICS_CARRIERS or name not in CARRIERS:
        raise KeyError(name)
    return CARRIERS[name]()


def tracker_for(courier: str) -> Carrier | None:
    """The enabled tracker that follows parcels of ``courier`` (the sandbox its own, 快递100 any other)."""
    for name in settings.ORDERS_LOGISTICS_CARRIERS:
        if name in CARRIERS and CARRIERS[name]().tracks(courier):
            return CARRIERS[name]()
    return None
