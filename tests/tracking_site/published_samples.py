"""The carriers' published samples as the fakes serve them, with markers planted in a copy of every private field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from carriers.base import CarrierClient
from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.registry import build_carriers
from tests.tracking_site.planted import MARKER_PREFIX, plant, private_markers

# Every number a published sample answers to, per carrier (tests/fixtures/README.md); PostPlus's "string" is the
# get-many reference's placeholder parcel, its event's time the placeholder "string" too.
PUBLISHED_NUMBERS: dict[str, list[str]] = {
    "postplus": list(fake_postplus.PUBLISHED_NUMBERS),
    "dhl-ecommerce": [
        fake_dhl.PUBLISHED_PACKAGE_ID,
        "4341002003719794",  # its dhlPackageId
        "532339200210204734751",  # its trackingId
        "9374869903500011991251",  # its deliveryConfirmationNumber, found as a trackingId
    ],
    "nzpost": [number for number, _ in fake_nzpost.PUBLISHED_NUMBERS],
}
# A carrier's own tracking page as an integrator might give it, the recipient's name in its query.
PLANTED_CARRIER_URL = f"https://tracking.postnord.com/?id=00370712345678901234&name={MARKER_PREFIX}URL"


def planted(slug: str, records: list[Any]) -> list[Any]:
    return plant(private_markers(slug, records), {"carrierUrl"}, lambda _: PLANTED_CARRIER_URL)


def planted_published_records() -> dict[str, list[Any]]:
    """Copies of the published samples, every private field (and PostPlus's carrierUrl) holding a marker."""
    records = {
        "postplus": planted("postplus", fake_postplus.published_records()),
        "dhl-ecommerce": planted("dhl-ecommerce", fake_dhl.published_packages()),
        "nzpost": planted("nzpost", fake_nzpost.published_records()),
    }
    # The planting must have reached every carrier's records, or a test using them proves nothing.
    assert all(MARKER_PREFIX in repr(carrier_records) for carrier_records in records.values())
    return records


def published_fakes(records: dict[str, list[Any]]) -> dict[str, Any]:
    """Fakes serving `records` only (the DHL fake without its own copy of the sample)."""
    return {
        "postplus": fake_postplus.FakePostPlus(records["postplus"]),
        "dhl-ecommerce": fake_dhl.FakeDhlEcommerce(records["dhl-ecommerce"], published=False),
        "nzpost": fake_nzpost.FakeNzPost(records["nzpost"]),
    }


def carriers_serving(fakes: dict[str, Any], **config: Any) -> dict[str, CarrierClient]:
    """The real carrier clients over `fakes` (WSGI apps), with the demo's credentials unless `config` changes them."""
    transports = {slug: httpx.WSGITransport(app=app) for slug, app in fakes.items()}
    return build_carriers(replace(demo_config(), **config), transports=transports)
