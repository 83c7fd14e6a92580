"""Staff customer links name the canonical address (SITE_URL), whatever Host the console was opened on."""

import re

import pytest

from carriers.fakes import nzpost as fake_nzpost
from tracking_site.staff.views import customer_link

pytestmark = pytest.mark.django_db


def test_a_customer_link_is_on_the_canonical_address(settings):
    settings.SITE_URL = "https://track.example.com"
    assert customer_link("nzpost", "cl092594238nz") == "https://track.example.com/track/nzpost/CL092594238NZ/"


def test_an_unusable_number_gets_no_link(settings):
    assert customer_link("nzpost", "<script>") == ""


def test_the_console_shows_links_on_the_canonical_address_not_its_own_host(staff_client, settings):
    settings.SITE_URL = "https://track.example.com"
    settings.ALLOWED_HOSTS = ["*"]
    response = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "cp5831"}, HTTP_HOST="10.0.0.7")
    body = response.content.decode()
    assert response.status_code == 200
    links = re.findall(r'class="share-link" type="url" value="([^"]+)" readonly>', body)
    assert links == [f"https://track.example.com/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/"]
    assert "10.0.0.7" not in body
