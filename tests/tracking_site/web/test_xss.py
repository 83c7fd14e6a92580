"""Carrier text is untrusted: HTML in every text field shows as text on every page."""

import pytest

from tests.tracking_site.planted import TEXT_KEYS, carriers_over, demo_numbers, demo_records, html_payload, plant
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.django_db

PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def hostile_carriers():
    records = {
        slug: [plant(r, TEXT_KEYS[slug], html_payload(PAYLOAD)) for r in recs] for slug, recs in demo_records().items()
    }
    install_carriers(carriers_over(records))


def test_carrier_html_is_escaped_on_every_page(client, hostile_carriers):
    numbers = demo_numbers()
    for slug, carrier_numbers in numbers.items():
        page = client.get(f"/track/{slug}/{carrier_numbers[1]}/").content.decode()
        assert PAYLOAD not in page and "<img" not in page, slug
        assert ESCAPED in page, slug  # the text is there, as text
        results = client.get("/track/", {"q": " ".join(carrier_numbers[:3])}).content.decode()
        # Cards show places (a comma may cut the planted text short there): as text all the same.
        assert "<img" not in results and "&lt;img src=x" in results, slug


def test_carrier_html_stays_plain_text_in_the_json_api(client, hostile_carriers):
    slug, number = "nzpost", demo_numbers()["nzpost"][1]
    response = client.get(f"/api/v1/parcels/{slug}/{number}")
    assert response["Content-Type"] == "application/json"
    assert response.json()["parcel"]["events"][0]["description"] == PAYLOAD
