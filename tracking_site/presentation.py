"""How outcomes are shown: status words, failure messages, HTTP statuses, and the JSON form of the public model.

Our own words are translated here (carriers/ knows nothing of Django); carrier descriptions are shown as
the carrier wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from carriers.model import FailureReason, Parcel, Status, TrackingEvent
from carriers.registry import CARRIER_NAMES

STATUS_LABELS: dict[Status, Promise] = {
    Status.INFO_RECEIVED: _("Information received"),
    Status.IN_TRANSIT: _("In transit"),
    Status.OUT_FOR_DELIVERY: _("Out for delivery"),
    Status.AWAITING_PICKUP: _("Awaiting pickup"),
    Status.DELIVERED: _("Delivered"),
    Status.DELIVERY_FAILED: _("Delivery attempt failed"),
    Status.EXCEPTION: _("Exception"),
    Status.RETURNED: _("Returned to sender"),
    Status.UNKNOWN: _("Status unknown"),
}


def status_label(status: Status | str) -> str:
    """The status in words, in the visitor's language."""
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return str(STATUS_LABELS[Status.UNKNOWN])


@dataclass(frozen=True)
class FailureMessage:
    http_status: int
    message: str  # a whole sentence with %(carrier)s, so translators can order the words
    retry_after_seconds: int


FAILURES: dict[FailureReason, FailureMessage] = {
    FailureReason.TIMEOUT: FailureMessage(504, gettext_noop("%(carrier)s did not answer in time."), 30),
    FailureReason.UNAVAILABLE: FailureMessage(503, gettext_noop("%(carrier)s is not available right now."), 60),
    FailureReason.BAD_RESPONSE: FailureMessage(502, gettext_noop("%(carrier)s sent an answer we could not read."), 60),
    FailureReason.AUTH: FailureMessage(502, gettext_noop("%(carrier)s refused our connection (we are on it)."), 300),
    FailureReason.RATE_LIMITED: FailureMessage(503, gettext_noop("%(carrier)s is busy and asked us to slow down."), 30),
    FailureReason.PARTIAL: FailureMessage(
        502, gettext_noop("%(carrier)s answered only in part (some of its systems are offline)."), 60
    ),
}

# carriers.detect's InvalidNumber messages, listed so the catalogue can translate them on the bad-number page.
INVALID_NUMBER_MESSAGES = (
    gettext_noop("That is not a tracking number."),
    gettext_noop("A tracking number has 5 to 40 characters."),
    gettext_noop("A tracking number has only letters, digits and hyphens."),
)


def carrier_name(slug: str) -> str:
    return CARRIER_NAMES.get(slug, slug)


def failure_text(carrier: str, reason: FailureReason) -> str:
    """A sentence for visitors: what failed and when to try again."""
    failure = FAILURES[reason]
    minutes = max(failure.retry_after_seconds // 60, 1)
    what = gettext(failure.message) % {"carrier": carrier_name(carrier)}
    when = ngettext(
        "Please try again in about %(minutes)d minute.", "Please try again in about %(minutes)d minutes.", minutes
    ) % {"minutes": minutes}
    return f"{what} {when}"


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
