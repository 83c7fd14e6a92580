"""When a parcel should arrive: the carrier's date where it gives one, else the estimate learned on its lane."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from carriers.model import Parcel, Status
from tracking_site.estimates.figures import LaneFigure, figures_for
from tracking_site.estimates.observations import acceptance_scan
from tracking_site.presentation.local_times import parcel_zone

CARRIER, ESTIMATE = "carrier", "estimate"
# Only a parcel on its usual way gets an estimate: one held up, waiting or failed would make it a guess.
ESTIMATED_STATUSES = (Status.INFO_RECEIVED, Status.IN_TRANSIT)
FINISHED = (Status.DELIVERED, Status.RETURNED)


@dataclass(frozen=True)
class ExpectedDelivery:
    source: str  # CARRIER or ESTIMATE
    earliest: date
    latest: date
    based_on: int | None = None  # for an estimate: how many delivered parcels it rests on

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "based_on": self.based_on,
        }


def wants_estimate(parcel: Parcel) -> bool:
    return (
        parcel.expected_delivery is None and parcel.status in ESTIMATED_STATUSES and acceptance_scan(parcel) is not None
    )


def expected_delivery(parcel: Parcel, figure: LaneFigure | None) -> ExpectedDelivery | None:
    """The carrier's date, else the lane's range counted from the parcel's first scan (local dates)."""
    if parcel.status in FINISHED:
        return None
    if parcel.expected_delivery is not None:
        return ExpectedDelivery(CARRIER, parcel.expected_delivery, parcel.expected_delivery)
    accepted = acceptance_scan(parcel)
    if figure is None or accepted is None or not wants_estimate(parcel):
        return None
    zone = parcel_zone(parcel)
    start = accepted.occurred_at
    return ExpectedDelivery(
        ESTIMATE,
        (start + timedelta(seconds=figure.low_seconds)).astimezone(zone).date(),
        (start + timedelta(seconds=figure.high_seconds)).astimezone(zone).date(),
        figure.count,
    )


def expected_deliveries(parcels: list[Parcel]) -> dict[tuple[str, str], ExpectedDelivery | None]:
    """`expected_delivery` for many parcels, reading the lane figures (from the cache) once for all of them."""
    figures = figures_for([parcel for parcel in parcels if wants_estimate(parcel)])
    return {
        (parcel.carrier, parcel.tracking_number): expected_delivery(
            parcel, figures.get((parcel.carrier, parcel.tracking_number))
        )
        for parcel in parcels
    }


def expected_delivery_of(parcel: Parcel) -> ExpectedDelivery | None:
    return expected_deliveries([parcel])[(parcel.carrier, parcel.tracking_number)]
