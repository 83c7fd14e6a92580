"""The public model: the only shape carrier data takes once it leaves a carrier module.

Every field here is safe to show to anyone holding the tracking number. Parsers copy allowed
fields into these dataclasses and nothing else, so recipient data, pickup details, signatures,
signer names, courier full names, billing references and precise coordinates cannot leak:
there is nowhere to put them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Status(enum.StrEnum):
    """Normalized parcel status, shared by every carrier."""

    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AWAITING_PICKUP = "awaiting_pickup"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    EXCEPTION = "exception"
    RETURNED = "returned"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Place:
    """A coarse place: a depot name or a city/region/country, never an address or coordinates."""

    depot: str = ""
    city: str = ""
    region: str = ""
    country: str = ""

    @property
    def label(self) -> str:
        parts = [self.depot] if self.depot else [p for p in (self.city, self.region, self.country) if p]
        return ", ".join(parts)

    def __bool__(self) -> bool:
        return bool(self.label)


@dataclass(frozen=True)
class TrackingEvent:
    """One scan or status change. `occurred_at` is aware, in the zone where it happened when known.

    `description` is the carrier's own text, "" when it sent none (pages then show the status in words).
    `code` is the carrier's own code for the event (a PostPlus eventCode, a DHL primaryEventId, an NZ Post
    EDIFACT code), "" when it sent none: pages say a known code's meaning in the visitor's language.
    """

    occurred_at: datetime
    status: Status
    description: str
    place: Place = field(default_factory=Place)
    code: str = ""

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValueError("TrackingEvent.occurred_at must be timezone-aware")


@dataclass(frozen=True)
class LastMile:
    """The carrier that delivers (or delivered) the last mile, and the number it tracks the parcel under.

    `handed_over` is True once a scan shows the parcel in that carrier's hands; before that, the carrier named is
    the one that *will* deliver it. `url` is the origin (scheme, host, port) of the tracking page the carrier's data
    named, nothing of its path or query (they may carry the recipient's data): untrusted text, that only tells the
    site which carrier's page it was (tracking_site/presentation/carrier_links.py).
    """

    carrier: str
    number: str
    handed_over: bool = False
    url: str = ""


@dataclass(frozen=True)
class Parcel:
    """A parcel as the public sees it. Events are newest first.

    `last_mile` names the delivering carrier when a consolidator (PostPlus) hands the parcel on.
    """

    carrier: str
    tracking_number: str
    status: Status
    events: tuple[TrackingEvent, ...] = ()
    delivered_at: datetime | None = None
    expected_delivery: date | None = None
    signed: bool = False
    service: str = ""
    destination_country: str = ""
    last_mile: LastMile | None = None

    @property
    def latest_event(self) -> TrackingEvent | None:
        return self.events[0] if self.events else None


# Statuses that never override a movement scan when deciding a parcel's status.
UNINFORMATIVE = (Status.INFO_RECEIVED, Status.UNKNOWN)


def sort_newest_first(events: list[TrackingEvent] | tuple[TrackingEvent, ...]) -> tuple[TrackingEvent, ...]:
    """Order events newest first; ties keep the carrier's order (stable sort)."""
    return tuple(sorted(events, key=lambda event: event.occurred_at, reverse=True))


def parcel_from_events(
    *,
    carrier: str,
    tracking_number: str,
    events: list[TrackingEvent],
    expected_delivery: date | None = None,
    signed: bool = False,
    service: str = "",
    destination_country: str = "",
    last_mile: LastMile | None = None,
) -> Parcel:
    """Build a Parcel whose status and delivered-at follow from its newest events."""
    ordered = sort_newest_first(events)
    # The newest event that says where the parcel stands decides. A later "parcel data received or updated" or an
    # event nobody can read says nothing about that: a delivered parcel whose sender updates its data is still
    # delivered. A parcel delivered and then returned is not "delivered" any more: only the newest movement counts.
    deciding = next((event for event in ordered if event.status not in UNINFORMATIVE), ordered[0] if ordered else None)
    status = deciding.status if deciding else Status.UNKNOWN
    delivered_at = deciding.occurred_at if deciding and status is Status.DELIVERED else None
    return Parcel(
        carrier=carrier,
        tracking_number=tracking_number,
        status=status,
        events=ordered,
        delivered_at=delivered_at,
        # A delivered or returned parcel is not expected anywhere any more.
        expected_delivery=None if status in (Status.DELIVERED, Status.RETURNED) else expected_delivery,
        signed=signed,
        service=service,
        destination_country=destination_country,
        last_mile=last_mile,
    )


class FailureReason(enum.StrEnum):
    """Why a carrier could not answer; each has a machine-readable code for the JSON API."""

    TIMEOUT = "carrier_timeout"
    UNAVAILABLE = "carrier_unavailable"
    BAD_RESPONSE = "carrier_bad_response"
    AUTH = "carrier_auth_failed"
    RATE_LIMITED = "carrier_rate_limited"
    PARTIAL = "carrier_partial_results"


@dataclass(frozen=True)
class Found:
    parcel: Parcel
    # The carrier said not every one of its systems answered: the events shown may be missing some.
    incomplete: bool = False

    @property
    def carrier(self) -> str:
        return self.parcel.carrier

    @property
    def tracking_number(self) -> str:
        return self.parcel.tracking_number


@dataclass(frozen=True)
class NotFound:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class CarrierFailure:
    carrier: str
    tracking_number: str
    reason: FailureReason
    # When the site knows how long until it can ask again (its budget's next slot, a breaker's reopening); None:
    # the failure's usual wait. Not part of what the failure is: equal failures may come with different waits.
    retry_after_seconds: int | None = field(default=None, compare=False)


TrackingResult = Found | NotFound | CarrierFailure
