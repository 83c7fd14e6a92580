"""The staff console's PostPlus sender search against PostPlus's published get-many shape (a bare list of parcels
with their events nested): it used to answer 'could not read' for every search."""

from pathlib import Path

import httpx
import pytest

from carriers.drift import collected
from carriers.registry import CarrierConfig, build_carriers
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "postplus"


def postplus_answering(name: str, seen: list[httpx.Request]) -> None:
    body = (FIXTURES / name).read_bytes()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    config = CarrierConfig(postplus_api_key="staff-test-key", postplus_base_url="https://api.test.post-plus.io")
    install_carriers(build_carriers(config, transports={"postplus": httpx.MockTransport(handle)}))


def test_sender_numbers_find_their_parcels_in_the_published_shape(staff_client):
    seen: list[httpx.Request] = []
    postplus_answering("get_many.json", seen)
    with collected() as reports:
        response = staff_client.post("/staff/search/postplus-sender/", {"sender_numbers": "13111315032 ORDER-404"})
    body = response.content.decode()
    assert response.status_code == 200 and "1 parcel found." in body
    assert "(sender number 13111315032)" in body and "<code>PARCEL-NR-2</code>" in body
    assert "13111315031" not in body  # the other parcel's shop reference, never asked for
    assert seen[0].url.query.decode() == "SenderParcelNrs=13111315032,ORDER-404"
    assert reports == []


def test_the_published_get_many_answer_with_its_placeholders_is_a_result_not_an_error(staff_client):
    seen: list[httpx.Request] = []
    postplus_answering("get-many-answer-schema.json", seen)
    response = staff_client.post("/staff/search/postplus-sender/", {"sender_numbers": "string"})
    assert response.status_code == 200 and "1 parcel found." in response.content.decode()
