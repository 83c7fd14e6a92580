"""The registry: which carriers are on, their names from the clients, and how PostPlus gets its code list."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx

from carriers.dhl_ecommerce import DhlEcommerceClient
from carriers.model import Status
from carriers.nzpost import NzPostClient
from carriers.postplus import PostPlusClient
from carriers.registry import CARRIER_CLASSES, CARRIER_NAMES, CarrierConfig, build_carriers


def test_carrier_names_are_the_clients_own():
    assert CARRIER_NAMES == {"postplus": "PostPlus", "dhl-ecommerce": "DHL eCommerce", "nzpost": "NZ Post"}
    assert [client.slug for client in CARRIER_CLASSES] == list(CARRIER_NAMES)
    assert all(CARRIER_NAMES[client.slug] == client.name for client in CARRIER_CLASSES)


def test_a_carrier_is_on_only_when_its_credentials_are_set():
    carriers = build_carriers(
        CarrierConfig(
            postplus_api_key="k", dhl_client_id="id-without-secret", nzpost_client_id="c", nzpost_client_secret="s"
        )
    )
    assert sorted(carriers) == ["nzpost", "postplus"]
    assert isinstance(carriers["postplus"], PostPlusClient) and isinstance(carriers["nzpost"], NzPostClient)
    both = build_carriers(CarrierConfig(dhl_client_id="id", dhl_client_secret="secret"))
    assert isinstance(both["dhl-ecommerce"], DhlEcommerceClient)


def locker_answer(request: httpx.Request) -> httpx.Response:
    event = {
        "eventId": "E1",
        "eventTime": "2025-01-13T01:56:27+00:00",
        "eventVersion": "1",
        "eventCode": "LOCKER_DROP",
        "eventMessage": "Your parcel is waiting for you",
        "eventLocation": "Tallinn",
    }
    return httpx.Response(200, json={"events": [{"parcel": {"parcelNr": "PARCEL-NR-1"}, "event": event}]})


def test_postplus_maps_codes_through_its_list_fetched_by_a_plain_client_that_cannot_loop():
    listers: list[Any] = []

    def code_statuses(lister: PostPlusClient) -> dict[str, Status]:
        listers.append(lister)
        return {"LOCKER_DROP": Status.AWAITING_PICKUP}

    config = CarrierConfig(postplus_api_key="k", postplus_base_url="http://postplus.test")
    transports = {"postplus": httpx.MockTransport(locker_answer)}
    client = build_carriers(config, transports=transports, postplus_code_statuses=code_statuses)["postplus"]

    assert client.track("PARCEL-NR-1").parcel.status is Status.AWAITING_PICKUP  # type: ignore[union-attr]
    (lister,) = listers
    assert isinstance(lister, PostPlusClient) and lister is not client
    assert lister.http is client.http
    assert lister.code_statuses() == {}  # asking the lister never asks for the list again


def test_without_a_code_list_postplus_reads_unknown_codes_from_their_message():
    config = CarrierConfig(postplus_api_key="k", postplus_base_url="http://postplus.test")
    client = build_carriers(config, transports={"postplus": httpx.MockTransport(locker_answer)})["postplus"]
    assert client.track("PARCEL-NR-1").parcel.status is Status.UNKNOWN  # type: ignore[union-attr]


def test_the_carriers_for_production_load_no_demo_fakes():
    program = (
        "import sys\n"
        "import carriers.registry, carriers.base, carriers.detect, carriers.model, carriers.oauth, carriers.throttle\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('carriers.fakes') or m == 'carriers.demo')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
