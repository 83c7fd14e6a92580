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
    results_pages = []
    for slug, carrier_numbers in numbers.items():
        page = client.get(f"/track/{slug}/{carrier_numbers[1]}/").content.decode()
        assert PAYLOAD not in page and "<img" not in page, slug
        assert ESCAPED in page, slug  # the text is there, as text
        results = client.get("/track/", {"q": " ".join(carrier_numbers[:3])}).content.decode()
        assert "<img" not in results, slug
        results_pages.append(results)
    # Cards show a parcel's last place, not its carrier's text; where a place holds the planted text (a comma may
    # cut it short there), it is there as text.
    assert any("&lt;img src=x" in results for results in results_pages)


def test_carrier_html_stays_plain_text_in_the_json_api(client, hostile_carriers):
    slug, number = "nzpost", demo_numbers()["nzpost"][1]
    response = client.get(f"/api/v1/parcels/{slug}/{number}")
    assert response["Content-Type"] == "application/json"
    assert response.json()["parcel"]["events"][0]["description"] == PAYLOAD
