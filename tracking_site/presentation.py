"""How outcomes are shown: failure messages, HTTP statuses, and the JSON form of the public model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carriers.model import FailureReason, Parcel, TrackingEvent
from carriers.registry import CARRIER_NAMES


@dataclass(frozen=True)
class FailureMessage:
    http_status: int
    message: str
    retry_after_seconds: int


FAILURES: dict[FailureReason, FailureMessage] = {
    FailureReason.TIMEOUT: FailureMessage(504, "did not answer in time", 30),
    FailureReason.UNAVAILABLE: FailureMessage(503, "is not available right now", 60),
    FailureReason.BAD_RESPONSE: FailureMessage(502, "sent an answer we could not read", 60),
    FailureReason.AUTH: FailureMessage(502, "refused our connection (we are on it)", 300),
    FailureReason.RATE_LIMITED: FailureMessage(503, "is busy and asked us to slow down", 30),
    FailureReason.PARTIAL: FailureMessage(502, "answered only in part (some of its systems are offline)", 60),
}


def carrier_name(slug: str) -> str:
    return CARRIER_NAMES.get(slug, slug)


def failure_text(carrier: str, reason: FailureReason) -> str:
    """A sentence for visitors: what failed and when to try again."""
    failure = FAILURES[reason]
    minutes = max(failure.retry_after_seconds // 60, 1)
    return (
        f"{carrier_name(carrier)} {failure.message}. Please try again in about {minutes} minute{'s' * (minutes > 1)}."
    )


def event_to_json(event: TrackingEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "status": event.status.value,
        "description": event.description,
        "place": {
            "depot": event.place.depot,
            "city": event.place.city,
            "region": event.place.region,
            "country": event.place.country,
            "label": event.place.label,
        },
    }


def parcel_to_json(parcel: Parcel) -> dict[str, Any]:
    """The public model as JSON: ISO 8601 times with offsets, dates as YYYY-MM-DD."""
    return {
        "carrier": parcel.carrier,
        "carrier_name": carrier_name(parcel.carrier),
        "tracking_number": parcel.tracking_number,
        "status": parcel.status.value,
        "status_label": parcel.status_label,
        "delivered_at": parcel.delivered_at.isoformat() if parcel.delivered_at else None,
        "expected_delivery": parcel.expected_delivery.isoformat() if parcel.expected_delivery else None,
        "signed": parcel.signed,
        "service": parcel.service,
        "destination_country": parcel.destination_country,
        "events": [event_to_json(event) for event in parcel.events],
    }
