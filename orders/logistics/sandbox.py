"""ORD-5 (development only, decision 019): the sandbox carrier signs its webhook with HMAC-SHA256.

Body (JSON): ``{"event_id", "tracking_number", "kind", "at" (ISO 8601), "location", "description"}``;
header ``X-Carrier-Signature`` = hex HMAC-SHA256 of the raw body with ``ORDERS_LOGISTICS_SANDBOX_KEY``.
``kind`` is a ``TrackingEvent.Kind``: ``picked_up``, ``in_transit``, ``out_for_delivery``, ``delivered`` or
``exception`` (ORD-10: an exception opens a delivery case; the simulator and the tests emit one with
``sandbox_webhook(kind="exception", …)``). The sandbox is its own courier: an order shipped with carrier
``sandbox`` is tracked by it.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.utils.dateparse import parse_datetime

from orders.logistics.base import CarrierPush, CarrierRejected, TrackingUpdate

SIGNATURE_HEADER = "X-Carrier-Signature"


def sandbox_sign(body: bytes) -> str:
    return hmac.new(settings.ORDERS_LOGISTICS_SANDBOX_KEY.encode(), body, hashlib.sha256).hexdigest()


def sandbox_webhook(
    *, event_id: str, tracking_number: str, kind: str, at: datetime, location: str = "", description: str = ""
) -> tuple[dict[str, str], bytes]:
    """What the sandbox carrier sends: ``(headers, body)``."""
    body = json.dumps(
        {
            "event_id": event_id,
            "tracking_number": tracking_number,
            "kind": kind,
            "at": at.isoformat(),
            "location": location,
            "description": description,
        },
        sort_keys=True,
    ).encode()
    return {SIGNATURE_HEADER: sandbox_sign(body), "Content-Type": "application/json"}, body


class SandboxCarrier:
    name = "sandbox"
    ack: bytes | None = None  # the API answers with the recorded event

    def tracks(self, courier: str) -> bool:
        return courier == self.name

    def verify_webhook(self, headers: dict[str, str], body: bytes) -> CarrierPush:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        if not given or not hmac.compare_digest(given, sandbox_sign(body)):
            raise CarrierRejected("bad signature")
        try:
            data = json.loads(body)
            at = parse_datetime(str(data["at"]))
            if at is None:
                raise ValueError("bad time")
            update = TrackingUpdate(
                event_id=str(data["event_id"]),
                tracking_number=str(data["tracking_number"]),
                kind=str(data["kind"]),
                at=at,
                location=str(data.get("location", "")),
                description=str(data.get("description", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CarrierRejected(f"malformed webhook: {exc!r}") from exc
        return CarrierPush(courier=self.name, tracking_number=update.tracking_number, updates=[update])
