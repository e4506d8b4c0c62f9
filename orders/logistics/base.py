"""ORD-5: what every carrier adapter returns: the parcel's updates from one verified push."""

from dataclasses import dataclass, field
from datetime import datetime


class CarrierRejected(Exception):
    """The push is not authentic or not well-formed: refused (400), nothing recorded."""


class CarrierUnavailable(Exception):
    """The carrier's API could not be reached or failed on its side: try again later."""


class CarrierRefused(Exception):
    """The carrier's API refused the request for good (unknown courier, bad number): staff entry instead."""


@dataclass(frozen=True)
class TrackingUpdate:
    event_id: str
    tracking_number: str
    kind: str  # a TrackingEvent.Kind value
    at: datetime
    location: str
    description: str


@dataclass(frozen=True)
class CarrierPush:
    """One verified push: the courier and tracking number it is about, its updates oldest first, and the
    courier code the parcel was subscribed under if the aggregator corrected it."""

    courier: str
    tracking_number: str
    updates: list[TrackingUpdate] = field(default_factory=list)
    courier_before: str = ""
