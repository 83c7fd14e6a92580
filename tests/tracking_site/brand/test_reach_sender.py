"""Where a customer needs someone (a failed delivery, held up, returned, late, not found), the operator's contact
and returns links come before the carrier's, with the tracking number filled in, and say what to include."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from carriers.fakes import nzpost as fake_nzpost
from carriers.model import Status
from tests.tracking_site.brand.conftest import CONTACT, CONTACT_NL, RETURNS
from tests.tracking_site.brand.test_unbranded_pages import NOW, NUMBER, PARCEL_PAGES, nz_parcel, parcel_page
from tracking_site.brand.model import with_number
from tracking_site.presentation.what_now import what_now

pytestmark = pytest.mark.django_db

BOTH_LINKS = [CONTACT + NUMBER, RETURNS + NUMBER]


def sender_urls(box) -> list[str]:
    return [link.url for link in box.sender.links]


@pytest.mark.parametrize("status", [Status.DELIVERY_FAILED, Status.EXCEPTION, Status.RETURNED])
def test_a_parcel_that_needs_someone_offers_the_operators_links_with_its_number(example_brand, status):
    box = what_now(nz_parcel(status, "Something happened"), NOW, "en")
    assert box is not None and box.sender is not None
    assert sender_urls(box) == BOTH_LINKS
    assert [link.text for link in box.sender.links] == ["Contact Fjell & Fern", "Returns"]
    assert box.sender.lead == "Ask Fjell & Fern first: they sent the parcel and can ask the carrier for you."
    assert box.sender.include == f"Tell them the tracking number, {NUMBER}, and your order number."
    assert box.carrier_page is not None  # the carrier's page is still offered, after


def test_a_parcel_at_a_pickup_point_needs_only_the_pickup_point(example_brand):
    box = what_now(nz_parcel(Status.AWAITING_PICKUP, "Ready to collect"), NOW, "en")
    assert box is not None and box.sender is None


def test_a_dutch_page_gets_the_dutch_contact_address_and_words(example_brand):
    with translation.override("nl"):
        box = what_now(nz_parcel(Status.RETURNED, "Returned"), NOW, "nl")
    assert box is not None and box.sender is not None
    assert sender_urls(box) == [CONTACT_NL + NUMBER, RETURNS + NUMBER]
    assert box.sender.links[0].text == "Contact met Fjell & Fern"


def test_a_late_parcel_gets_a_box_sending_the_customer_to_the_operator_first(example_brand):
    box = what_now(nz_parcel(Status.IN_TRANSIT, "In transit"), NOW, "en", late=True)
    assert box is not None and box.sender is not None and sender_urls(box) == BOTH_LINKS
    assert box.advice == "It is later than the carrier said. Parcels often move again within a day or two."
    assert box.carrier_page is not None and box.link_text == "Ask NZ Post on its website"
    assert what_now(nz_parcel(Status.IN_TRANSIT, "In transit"), NOW, "en", late=False) is None


def test_without_a_brand_a_late_parcel_gets_no_box_and_the_others_no_operator():
    assert what_now(nz_parcel(Status.IN_TRANSIT, "In transit"), NOW, "en", late=True) is None
    box = what_now(nz_parcel(Status.RETURNED, "Returned"), NOW, "en")
    assert box is not None and box.sender is None


def test_a_brand_without_contact_or_returns_offers_nothing_to_reach(brand_file):
    brand_file('name = "Quiet"\n[links]\nprivacy = "https://quiet.example/privacy"\n')
    assert what_now(nz_parcel(Status.IN_TRANSIT, "In transit"), NOW, "en", late=True) is None
    box = what_now(nz_parcel(Status.RETURNED, "Returned"), NOW, "en")
    assert box is not None and box.sender is None


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a (?:class="[^"]*" )?href="([^"]+)"', html)


@pytest.mark.parametrize("name", ["parcel-delivery-failed.html", "parcel-returned.html", "parcel-late.html"])
def test_on_the_page_the_operators_links_come_before_the_carriers(example_brand, name):
    parcel, expected = PARCEL_PAGES[name]
    body = parcel_page(parcel, expected, "en")
    box = re.search(r'<section class="what-now.*?</section>', body, re.S).group(0)
    assert hrefs(box) == [*BOTH_LINKS, f"https://www.nzpost.co.nz/tools/tracking?trackid={NUMBER}"]
    assert f"Tell them the tracking number, {NUMBER}, and your order number." in box


def test_the_not_found_page_says_to_ask_the_operator_after_a_few_days(client, example_brand):
    body = client.get("/track/nzpost/CL000000000NZ/").content.decode()
    block = re.search(r'<div class="reach-sender">.*?</div>', body, re.S).group(0)
    assert "Still not found a few days after Fjell &amp; Fern sent it? Ask them" in block
    assert hrefs(block) == [CONTACT + "CL000000000NZ", RETURNS + "CL000000000NZ"]
    assert "Tell them the tracking number, CL000000000NZ, and your order number." in block


def test_a_results_card_not_found_says_the_same(client, example_brand, carriers):
    body = client.get("/track/", {"q": "CL000000000NZ GM0000000000000001"}).content.decode()
    cards = re.findall(r'<li class="card card-missing">.*?</li>\n', body, re.S)
    assert len(cards) == 2
    assert all("reach-sender" in card for card in cards)
    assert CONTACT + "GM0000000000000001" in cards[1]


def test_a_found_parcel_on_its_way_shows_no_reach_block(client, example_brand):
    body = client.get(f"/track/nzpost/{fake_nzpost.IN_TRANSIT_S10}/").content.decode()
    assert "reach-sender" not in body


@pytest.mark.parametrize(
    ("url", "number", "filled"),
    [
        ("https://x.example/help?parcel={number}", "LB123456785EE", "https://x.example/help?parcel=LB123456785EE"),
        ("https://x.example/{number}/help", "A B/C&d", "https://x.example/A%20B%2FC%26d/help"),
        ("mailto:help@x.example?subject=Parcel%20{number}", "CL1", "mailto:help@x.example?subject=Parcel%20CL1"),
        ("https://x.example/help", "CL1", "https://x.example/help"),
    ],
)
def test_the_number_is_url_quoted_where_the_link_takes_it(url, number, filled):
    assert with_number(url, number) == filled
