"""Demo mode: the real carrier clients over the built-in fake carrier APIs, served in-process.

Only the places that wire demo mode import this module (the lookup's clients when TRACKING_DEMO is on, the
home page's demo list, the import command's demo key, benchmarks and tests), so production code never loads
the fakes.
"""

from __future__ import annotations

from typing import Any

import httpx

from .base import CarrierClient
from .detect import DHL_ECOMMERCE, NZPOST, POSTPLUS
from .fakes import dhl_ecommerce as fake_dhl
from .fakes import nzpost as fake_nzpost
from .fakes import postplus as fake_postplus
from .registry import CarrierConfig, build_carriers

DEMO_BASE_URLS = {
    POSTPLUS: "http://postplus.demo",
    DHL_ECOMMERCE: "http://dhl-ecommerce.demo",
    NZPOST: "http://nzpost.demo",
}
DEMO_INTEGRATION_KEY = fake_postplus.DEMO_INTEGRATION_KEY


def demo_config() -> CarrierConfig:
    """A configuration whose credentials and addresses are the demo fakes' own."""
    return CarrierConfig(
        postplus_api_key=fake_postplus.DEMO_API_KEY,
        postplus_base_url=DEMO_BASE_URLS[POSTPLUS],
        dhl_client_id=fake_dhl.DEMO_CLIENT_ID,
        dhl_client_secret=fake_dhl.DEMO_CLIENT_SECRET,
        dhl_base_url=DEMO_BASE_URLS[DHL_ECOMMERCE],
        nzpost_client_id=fake_nzpost.DEMO_CLIENT_ID,
        nzpost_client_secret=fake_nzpost.DEMO_CLIENT_SECRET,
        nzpost_base_url=DEMO_BASE_URLS[NZPOST],
        nzpost_token_url=f"{DEMO_BASE_URLS[NZPOST]}/as/token.oauth2",
    )


def demo_transports(latency_seconds: float = 0.0) -> dict[str, httpx.BaseTransport]:
    """WSGI transports serving the fake carrier APIs in-process; `latency_seconds` makes each answer wait."""
    return {
        POSTPLUS: httpx.WSGITransport(app=fake_postplus.FakePostPlus(latency_seconds=latency_seconds)),
        DHL_ECOMMERCE: httpx.WSGITransport(app=fake_dhl.FakeDhlEcommerce(latency_seconds=latency_seconds)),
        NZPOST: httpx.WSGITransport(app=fake_nzpost.FakeNzPost(latency_seconds=latency_seconds)),
    }


def build_demo_carriers(latency_seconds: float = 0.0, **options: Any) -> dict[str, CarrierClient]:
    """The three carriers' real clients over the fakes; `options` as for `build_carriers`."""
    return build_carriers(demo_config(), transports=demo_transports(latency_seconds), **options)


# The carriers' own published samples, which the fakes serve under their own numbers beside the demo's stories:
# the demo shows the shapes the carriers publish. DHL eCommerce's is among its fake's demo numbers already; PostPlus's
# get-many placeholder parcel ("string") and NZ Post's two further tickets of the same sample would add nothing.
PUBLISHED_SAMPLES: dict[str, list[tuple[str, str]]] = {
    POSTPLUS: [
        ("PARCEL-NR-1", "PostPlus's published feed example, with the delivery of its published import example"),
        ("PARCEL-NR-2", "PostPlus's published import example: delivered"),
    ],
    NZPOST: [
        (number, story)
        for number, story in fake_nzpost.PUBLISHED_NUMBERS
        if number in (fake_nzpost.PUBLISHED_S10, fake_nzpost.PUBLISHED_PARTIAL_MATCHES[0])
    ],
}


def demo_numbers() -> dict[str, list[tuple[str, str]]]:
    """The demo parcels per carrier with what each shows, for the home page: the stories, then the published
    samples."""
    return {
        POSTPLUS: [*fake_postplus.DEMO_NUMBERS, *PUBLISHED_SAMPLES[POSTPLUS]],
        DHL_ECOMMERCE: list(fake_dhl.DEMO_NUMBERS),
        NZPOST: [*fake_nzpost.DEMO_NUMBERS, *PUBLISHED_SAMPLES[NZPOST]],
    }
