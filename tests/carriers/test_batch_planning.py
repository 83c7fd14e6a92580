"""Batch plans: the calls track_many would make, which the lookup service runs in parallel."""

import httpx

from carriers.dhl_ecommerce import DHL_PACKAGE_ID, TRACKING_ID, build_dhl_ecommerce_client
from carriers.nzpost import build_nzpost_client
from carriers.postplus import build_postplus_client


def _http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500)))


def test_postplus_asks_fifty_numbers_a_call():
    client = build_postplus_client(_http(), base_url="http://postplus.test", api_key="k")
    numbers = [f"PPL{index:09d}" for index in range(120)]
    assert client.plan_batches(numbers) == [("", numbers[:50]), ("", numbers[50:100]), ("", numbers[100:])]


def test_nzpost_asks_ten_references_a_call_without_repeating_one():
    client = build_nzpost_client(
        _http(), base_url="http://nzpost.test", token_url="http://nzpost.test/t", client_id="c", client_secret="s"
    )
    numbers = [f"{100000 + index}" for index in range(25)]
    assert client.plan_batches(numbers + numbers[:3]) == [("", numbers[:10]), ("", numbers[10:20]), ("", numbers[20:])]


def test_dhl_asks_ten_identifiers_of_one_kind_a_call():
    client = build_dhl_ecommerce_client(_http(), base_url="http://dhl.test", client_id="c", client_secret="s")
    package_ids = [f"GM{2951170000000000 + index}" for index in range(12)]
    barcodes = [f"92612903573112{index:08d}" for index in range(13)]
    mixed = [number for pair in zip(package_ids, barcodes, strict=False) for number in pair] + barcodes[12:]
    assert client.plan_batches(mixed) == [
        (DHL_PACKAGE_ID, package_ids[:10]),
        (DHL_PACKAGE_ID, package_ids[10:]),
        (TRACKING_ID, barcodes[:10]),
        (TRACKING_ID, barcodes[10:]),
    ]
