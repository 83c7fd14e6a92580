"""Demo carriers whose raw records carry planted values: markers in private fields, HTML in text fields."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpx

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.registry import CarrierConfig, build_carriers

NOW = datetime.now(UTC)

# Every field a carrier's documents name as private (or that we choose never to show), per carrier.
PRIVATE_KEYS = {
    "postplus": {"senderParcelNr"},
    "dhl-ecommerce": {
        "pickupDetail",
        "recipient",
        "signedForName",
        "manifestId",
        "orderedProductId",
        "weight",
        "postalCode",
        "customerReference",  # billing references
        "billedProductId",
    },
    "nzpost": {"courier_full_name", "courier_first_name", "signed_by", "location", "run_name", "seqref"},
}
# Every free-text field a carrier's documents name, which pages show.
TEXT_KEYS = {
    "postplus": {"eventMessage", "eventLocation"},
    "dhl-ecommerce": {"primaryEventDescription", "secondaryEventDescription", "location", "productName"},
    "nzpost": {"status", "description", "depot_name"},
}
MARKER_PREFIX = "PRIVMARK"
# Numbers planted in private numeric fields (coordinates, account numbers); pages must not show their digits.
MARKER_DIGITS = "987654"

_counter = itertools.count()


def _mark_everything_below(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _mark_everything_below(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark_everything_below(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(f"-41.{MARKER_DIGITS}{next(_counter) % 10}")
    return f"{MARKER_PREFIX}{next(_counter)}X"


def plant(value: Any, keys: set[str], replace: Callable[[Any], Any]) -> Any:
    """A copy of `value` with every field named in `keys` replaced (recursively, wherever it appears)."""
    if isinstance(value, dict):
        return {key: (replace(item) if key in keys else plant(item, keys, replace)) for key, item in value.items()}
    if isinstance(value, list):
        return [plant(item, keys, replace) for item in value]
    return value


def private_markers(slug: str, records: Iterable[Any]) -> list[Any]:
    return [plant(record, PRIVATE_KEYS[slug], _mark_everything_below) for record in records]


def html_payload(payload: str) -> Callable[[Any], Any]:
    return lambda value: payload if isinstance(value, str) or value is None else value


def demo_records() -> dict[str, list[Any]]:
    return {
        "postplus": fake_postplus.demo_records(NOW),
        "dhl-ecommerce": fake_dhl.demo_records(NOW),
        "nzpost": fake_nzpost.demo_records(NOW),
    }


def carriers_over(records: dict[str, list[Any]]) -> dict[str, Any]:
    """The real carrier clients, each talking to a fake API that serves `records`."""
    transports = {
        "postplus": httpx.WSGITransport(app=fake_postplus.FakePostPlus(records["postplus"])),
        "dhl-ecommerce": httpx.WSGITransport(app=fake_dhl.FakeDhlEcommerce(records["dhl-ecommerce"])),
        "nzpost": httpx.WSGITransport(app=fake_nzpost.FakeNzPost(records["nzpost"])),
    }
    config: CarrierConfig = demo_config()
    return build_carriers(config, transports=transports)


def demo_numbers() -> dict[str, list[str]]:
    return {
        "postplus": [number for number, _ in fake_postplus.DEMO_NUMBERS],
        "dhl-ecommerce": [number for number, _ in fake_dhl.DEMO_NUMBERS],
        "nzpost": [number for number, _ in fake_nzpost.DEMO_NUMBERS],
    }
