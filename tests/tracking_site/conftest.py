"""Site-level test doubles: a carrier client over in-memory parcels, counting its calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from carriers.base import CarrierClient, CarrierUnavailable
from carriers.model import FailureReason, Found, Parcel, Status, TrackingEvent, TrackingResult, parcel_from_events
from tracking_site.lookup.clients import install_carriers
from tracking_site.resilience.bulkhead import Bulkhead


def make_parcel(
    carrier: str,
    number: str,
    status: Status = Status.IN_TRANSIT,
    description: str = "Processed",
    start: datetime = datetime(2024, 5, 1, 9, tzinfo=UTC),
) -> Parcel:
    """Information received at `start`, then `status` five hours later."""
    return parcel_from_events(
        carrier=carrier,
        tracking_number=number,
        events=[
            TrackingEvent(start, Status.INFO_RECEIVED, "Shipping information received"),
            TrackingEvent(start + timedelta(hours=5), status, description),
        ],
    )


def places_in_use(bulkhead: Bulkhead, carrier: str) -> int:
    """How many of `carrier`'s places are taken right now (the site itself only ever asks for one)."""
    return bulkhead._in_use.get(carrier, 0)


class InMemoryCarrier(CarrierClient):
    """A CarrierClient over a dict of parcels; `failure` makes every call fail like a real outage."""

    batch_size = 10

    def __init__(self, slug: str, parcels: Mapping[str, Parcel] = (), failure: FailureReason | None = None) -> None:
        super().__init__(httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500))))
        self.slug = slug  # type: ignore[misc]
        self.name = slug  # type: ignore[misc]
        self.parcels = dict(parcels)
        self.failure = failure
        self.batches: list[list[str]] = []

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        self.batches.append(list(numbers))
        if self.failure:
            raise CarrierUnavailable(self.failure)
        return {n: Found(self.parcels[n]) for n in numbers if n in self.parcels}


@pytest.fixture
def carriers():
    """Install in-memory carriers for all three slugs; tests fill in parcels or failures."""
    installed = {slug: InMemoryCarrier(slug) for slug in ("postplus", "dhl-ecommerce", "nzpost")}
    install_carriers(installed)
    return installed


@pytest.fixture
def planted_carriers():
    """The real carrier clients over fake APIs whose records carry markers in every private field."""
    from tests.tracking_site.planted import MARKER_PREFIX, carriers_over, demo_records, private_markers

    planted = {slug: private_markers(slug, records) for slug, records in demo_records().items()}
    # The planting must have reached the records, or a test using them proves nothing.
    assert all(MARKER_PREFIX in repr(records) for records in planted.values())
    install_carriers(carriers_over(planted))
    return planted
