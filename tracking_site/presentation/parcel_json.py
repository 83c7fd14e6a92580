"""The JSON form of the public model, shared by the JSON API and the ETag of every parcel answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from carriers.model import Parcel, TrackingEvent
from tracking_site.presentation.arrival import expected_delivery_of
from tracking_site.presentation.event_meanings import event_meaning
from tracking_site.presentation.status_words import carrier_name, status_label


def event_to_json(event: TrackingEvent, carrier: str) -> dict[str, Any]:
    """One scan: the carrier's words kept as they are, our meaning of its code beside them (null where unknown)."""
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "status": event.status.value,
        "description": event.description or status_label(event.status),
        "meaning": event_meaning(carrier, event) or None,
        "place": {
            "depot": event.place.depot,
            "city": event.place.city,
            "region": event.place.region,
            "country": event.place.country,
            "label": event.place.label,
        },
    }


def parcel_to_json(parcel: Parcel) -> dict[str, Any]:
    """The public model as JSON: ISO 8601 times with offsets, dates as YYYY-MM-DD.

    `status_label` and each event's `meaning` are in the visitor's language, which `labels_language` names
    (Accept-Language or the language cookie); `status` is the stable machine-readable value. `expected_delivery` is
    the carrier's date (`source` "carrier", earliest = latest) or the estimate learned on the parcel's lane
    (`source` "estimate", a range and `based_on` parcels), or null.
    """
    expected = expected_delivery_of(parcel)
    return {
        "carrier": parcel.carrier,
        "carrier_name": carrier_name(parcel.carrier),
        "tracking_number": parcel.tracking_number,
        "status": parcel.status.value,
        "status_label": status_label(parcel.status),
        "labels_language": get_language() or "en",
        "delivered_at": parcel.delivered_at.isoformat() if parcel.delivered_at else None,
        "expected_delivery": expected.as_json() if expected else None,
        "signed": parcel.signed,
        "service": parcel.service,
        "destination_country": parcel.destination_country,
        "events": [event_to_json(event, parcel.carrier) for event in parcel.events],
    }
