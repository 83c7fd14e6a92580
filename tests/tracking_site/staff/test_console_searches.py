"""The staff searches against the demo carriers: every page of a group search, customer links, clear errors."""

import re
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from django.utils import timezone
from django.utils.html import escape

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.model import FailureReason
from carriers.registry import build_carriers
from tracking_site.lookup.clients import install_carriers
from tracking_site.presentation.failures import FAILURES, failure_text

pytestmark = pytest.mark.django_db

DEMO_PACKAGES = 15  # the DHL demo manifest and pickup: more than one page of ten


class Recording:
    """Keeps the query of every request the wrapped fake answers."""

    def __init__(self, app):
        self.app = app
        self.queries: list[dict[str, str]] = []

    def __call__(self, environ, start_response):
        self.queries.append({k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()})
        return self.app(environ, start_response)


@pytest.fixture
def fakes():
    fakes = {
        "postplus": fake_postplus.FakePostPlus(),
        "dhl-ecommerce": fake_dhl.FakeDhlEcommerce(),
        "nzpost": fake_nzpost.FakeNzPost(),
    }
    recordings = {slug: Recording(app) for slug, app in fakes.items()}
    transports = {slug: httpx.WSGITransport(app=app) for slug, app in recordings.items()}
    install_carriers(build_carriers(demo_config(), transports=transports))
    return fakes, recordings


def dhl_tracking_queries(recordings):
    return [query for query in recordings["dhl-ecommerce"].queries if "grant_type" not in query and query]


def customer_links(body):
    return re.findall(r'<input id="link-\d+" class="share-link" type="url" value="([^"]+)" readonly>', body)


def test_a_manifest_search_shows_every_page_with_a_customer_link_each(staff_client, fakes):
    _, recordings = fakes
    response = staff_client.post("/staff/search/dhl-manifest/", {"manifest_id": fake_dhl.DEMO_MANIFEST_ID})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{DEMO_PACKAGES} parcels found." in body
    assert len(dhl_tracking_queries(recordings)) == 2  # page two came from the answer's `next` link
    links = customer_links(body)
    assert len(links) == DEMO_PACKAGES
    assert f"http://testserver/track/dhl-ecommerce/{fake_dhl.DELIVERED_SIGNED}/" in links
    assert "Copy customer link" in body


def test_a_customer_link_opens_the_public_page(staff_client, fakes, client):
    body = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "cp5831"}).content.decode()
    link = customer_links(body)[0]
    assert link == f"http://testserver/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/"
    staff_client.logout()
    assert staff_client.get(link.removeprefix("http://testserver")).status_code == 200


def test_a_pickup_search_sends_yyyymmdd_dates_and_the_filters(staff_client, fakes):
    _, recordings = fakes
    today = timezone.now().date()
    form = {
        "pickup": str(fake_dhl.DEMO_PICKUP),
        "start_date": (today - timedelta(days=7)).isoformat(),
        "end_date": today.isoformat(),
        "country": "us",
    }
    body = staff_client.post("/staff/search/dhl-pickup/", form).content.decode()
    first = dhl_tracking_queries(recordings)[0]
    assert first["startDate"] == (today - timedelta(days=7)).strftime("%Y%m%d")
    assert first["endDate"] == today.strftime("%Y%m%d")
    assert first["country"] == "US" and first["pickup"] == str(fake_dhl.DEMO_PICKUP)
    assert f"{DEMO_PACKAGES} parcels found." in body


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "message"),
    [(8, 0, "within 7 days"), (0, 2, "before the start date")],
)
def test_a_pickup_date_range_dhl_would_refuse_is_caught_before_asking(
    staff_client, fakes, start_offset, end_offset, message
):
    _, recordings = fakes
    today = timezone.now().date()
    form = {
        "pickup": str(fake_dhl.DEMO_PICKUP),
        "start_date": (today - timedelta(days=start_offset)).isoformat(),
        "end_date": (today - timedelta(days=end_offset)).isoformat(),
    }
    response = staff_client.post("/staff/search/dhl-pickup/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert recordings["dhl-ecommerce"].queries == []


def test_the_pickup_form_uses_date_inputs(staff_client, fakes):
    body = staff_client.get("/staff/search/dhl-pickup/").content.decode()
    assert body.count('type="date"') == 2


def test_a_partial_nz_post_reference_finds_its_parcels(staff_client, fakes):
    body = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "AKL00"}).content.decode()
    assert fake_nzpost.RETURNED_TICKET in body
    assert "parcels found." in body


def test_a_partial_reference_too_short_is_a_clear_400(staff_client, fakes):
    _, recordings = fakes
    response = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "ab"})
    assert response.status_code == 400 and "4 to 40 letters and digits" in response.content.decode()
    assert recordings["nzpost"].queries == []


def test_postplus_sender_numbers_find_the_parcels_they_belong_to(staff_client, fakes):
    response = staff_client.post("/staff/search/postplus-sender/", {"sender_numbers": "ORD-2025-004417, 13111315187"})
    body = response.content.decode()
    assert "2 parcels found." in body
    assert "(sender number ORD-2025-004417)" in body and "<code>LB123456785EE</code>" in body
    assert "http://testserver/track/postplus/RR204817360LV/" in customer_links(body)


def test_more_than_50_sender_numbers_are_refused(staff_client, fakes):
    _, recordings = fakes
    numbers = " ".join(f"ORD-{index:05d}" for index in range(51))
    response = staff_client.post("/staff/search/postplus-sender/", {"sender_numbers": numbers})
    assert response.status_code == 400 and "At most 50" in response.content.decode()
    assert recordings["postplus"].queries == []


@pytest.mark.parametrize(
    ("fault", "value", "reason"),
    [("fail_with", 503, FailureReason.UNAVAILABLE), ("malformed", True, FailureReason.BAD_RESPONSE)],
)
def test_a_carrier_failure_is_a_friendly_message_not_a_500(staff_client, fakes, fault, value, reason):
    apps, _ = fakes
    setattr(apps["dhl-ecommerce"], fault, value)
    response = staff_client.post("/staff/search/dhl-manifest/", {"manifest_id": fake_dhl.DEMO_MANIFEST_ID})
    assert response.status_code == FAILURES[reason].http_status
    assert escape(failure_text("dhl-ecommerce", reason)) in response.content.decode()


def test_a_carrier_that_is_not_switched_on_says_so(staff_client):
    install_carriers({})
    response = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "CP58"})
    assert response.status_code == 200 and "NZ Post is not switched on" in response.content.decode()


def test_an_unknown_search_is_404(staff_client):
    assert staff_client.get("/staff/search/everything/").status_code == 404


def test_the_console_lists_every_search(staff_client):
    body = staff_client.get("/staff/").content.decode()
    for slug in ("dhl-manifest", "dhl-pickup", "nzpost-partial", "postplus-sender"):
        assert f'href="/staff/search/{slug}/"' in body
