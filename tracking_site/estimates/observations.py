"""What one delivered parcel teaches: its lane and how long it took from the first scan to the door.

Nothing here can name the parcel: the tracking number goes into a keyed hash (HMAC with the site's secret
key), which only says "this parcel was counted already".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.crypto import salted_hmac

from carriers.model import Parcel, Status, TrackingEvent

# A parcel's lane where the carrier does not say where it goes: NZ Post delivers in New Zealand.
CARRIER_HOME_COUNTRIES = {"nzpost": "NZ"}
# Longer than this is a lost-and-found story, not a transit time.
LONGEST_TRANSIT = timedelta(days=60)
NOT_YET_MOVING = (Status.INFO_RECEIVED, Status.UNKNOWN)


@dataclass(frozen=True)
class Lane:
    """Parcels that travel alike: one carrier, one service, one destination country."""

    carrier: str
    service: str
    destination: str

    def any_service(self) -> Lane:
        """The carrier's lane to the same country, whatever the service: more parcels, a broader figure."""
        return Lane(self.carrier, ANY_SERVICE, self.destination)


ANY_SERVICE = "*"


@dataclass(frozen=True)
class Observation:
    parcel_key: str
    lane: Lane
    transit_seconds: int
    delivered_on: date
    source: str  # "lookup", "feed" or "demo"


def parcel_key(carrier: str, number: str) -> str:
    """A keyed hash of the parcel: the same parcel gives the same key, the key gives no number back."""
    return salted_hmac("tracking_site.estimates.parcel", f"{carrier}:{number.upper()}", algorithm="sha256").hexdigest()


def lane_of(parcel: Parcel) -> Lane:
    destination = parcel.destination_country.strip().upper() or CARRIER_HOME_COUNTRIES.get(parcel.carrier, "")
    return Lane(parcel.carrier, parcel.service.strip().casefold(), destination)


def acceptance_scan(parcel: Parcel) -> TrackingEvent | None:
    """The carrier's first scan of the parcel itself (the oldest event past "information received")."""
    for event in reversed(parcel.events):  # events are newest first
        if event.status not in NOT_YET_MOVING:
            return event
    return None


def observation_of(parcel: Parcel, source: str) -> Observation | None:
    """The transit time a delivered parcel shows, or None when it shows none worth counting."""
    if parcel.status is not Status.DELIVERED or parcel.delivered_at is None:
        return None
    accepted = acceptance_scan(parcel)
    if accepted is None or accepted.status is Status.DELIVERED:
        return None
    transit = parcel.delivered_at - accepted.occurred_at
    if not timedelta(0) < transit <= LONGEST_TRANSIT:
        return None
    return Observation(
        parcel_key=parcel_key(parcel.carrier, parcel.tracking_number),
        lane=lane_of(parcel),
        transit_seconds=int(transit.total_seconds()),
        delivered_on=parcel.delivered_at.date(),
        source=source,
    )
