"""Without SITE_BRAND the site looks as it did before brands: no part a brand adds reaches a page.

Each key page is rendered twice, without a brand and under the example brand (docs/brand-example/): every mark a
brand leaves (its stylesheet, logo, notice, footer links, name, the "reach the sender" block where a customer needs
someone) is on the branded page and on no unbranded one, which keeps the site's own name and colour. Parcel pages
are rendered from their template with an injected clock; the other pages are asked of the site itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from carriers.model import Found, Parcel, Place, Status, TrackingEvent, parcel_from_events
from tests.tracking_site.brand.conftest import EXAMPLE
from tracking_site.lookup.service import LookupOutcome
from tracking_site.presentation.arrival import CARRIER, ExpectedDelivery
from tracking_site.presentation.parcel_view import build_parcel_view
from tracking_site.presentation.status_words import carrier_name
from tracking_site.web.forms import SearchForm

pytestmark = pytest.mark.django_db

# What a brand adds to every page (the example brand's name, escaped as a page writes it).
EVERY_PAGE_MARKS = ("/brand.css", 'class="brand-logo"', "brand-notice", 'class="brand-links"', "Fjell &amp; Fern")
# ... and to the pages of a customer who needs someone.
NEEDS_SOMEONE_MARK = 'class="reach-sender"'
NEEDS_SOMEONE = {"not-found.html", "results-not-found.html", "parcel-returned.html", "parcel-delivery-failed.html"}
NEEDS_SOMEONE |= {"parcel-late.html"}
SITE_OWN_COLOUR = 'content="#0b57d0"'
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
NUMBER = "CL092594238NZ"

SITE_PAGES = {
    "home.html": "/",
    "not-found.html": "/track/nzpost/CL000000000NZ/",
    "results-not-found.html": "/track/?q=CL000000000NZ,GM0000000000000001",
    "bad-number.html": "/track/nzpost/AB/",
}


def nz_parcel(status: Status, description: str, **fields: object) -> Parcel:
    return parcel_from_events(
        carrier="nzpost",
        tracking_number=NUMBER,
        events=[
            TrackingEvent(NOW - timedelta(days=4), Status.INFO_RECEIVED, "Shipping information received"),
            TrackingEvent(NOW - timedelta(days=3), Status.IN_TRANSIT, "Picked up", Place(depot="Tauranga Fleet")),
            TrackingEvent(NOW - timedelta(hours=30), status, description, Place(depot="Christchurch Fleet")),
        ],
        **fields,
    )


PARCEL_PAGES = {
    "parcel-returned.html": (nz_parcel(Status.RETURNED, "Returned to sender"), None),
    "parcel-delivery-failed.html": (nz_parcel(Status.DELIVERY_FAILED, "Delivery unsuccessful: no access"), None),
    "parcel-late.html": (
        nz_parcel(Status.IN_TRANSIT, "In transit to the delivery depot", expected_delivery=date(2026, 12, 5)),
        ExpectedDelivery(CARRIER, date(2026, 12, 5), date(2026, 12, 5)),
    ),
    "parcel-delivered.html": (nz_parcel(Status.DELIVERED, "Delivered"), None),
}


def parcel_page(parcel: Parcel, expected: ExpectedDelivery | None, language: str) -> str:
    """The parcel page as the view renders it, at NOW."""
    request = RequestFactory().get(f"/track/nzpost/{parcel.tracking_number}/")
    outcome = LookupOutcome(parcel.tracking_number, Found(parcel), fetched_at=NOW - timedelta(minutes=3))
    with translation.override(language):
        request.LANGUAGE_CODE = language
        context = {
            "outcome": outcome,
            "number": parcel.tracking_number,
            "carrier": carrier_name(parcel.carrier),
            "carrier_slug": parcel.carrier,
            "form": SearchForm(initial={"q": ""}, enabled_carriers=["postplus", "dhl-ecommerce", "nzpost"]),
            "parcel": parcel,
            "view": build_parcel_view(
                parcel, now=NOW, page_language=language, expected=expected, fetched_at=outcome.fetched_at
            ),
        }
        return render_to_string("parcel.html", context, request)


def assert_unbranded(body: str, language: str) -> None:
    assert [mark for mark in (*EVERY_PAGE_MARKS, NEEDS_SOMEONE_MARK) if mark in body] == []
    with translation.override(language):
        own_name = f'<a class="brand" href="/">{gettext("Parcel tracking")}</a>'
    assert SITE_OWN_COLOUR in body and own_name in body


def assert_branded(name: str, body: str) -> None:
    assert [mark for mark in EVERY_PAGE_MARKS if mark not in body] == []
    assert (NEEDS_SOMEONE_MARK in body) is (name in NEEDS_SOMEONE)


def site_page(client, name: str, language: str) -> str:
    with translation.override(language):  # the middleware's choice would outlive the request in this thread
        return client.get(SITE_PAGES[name], HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", list(SITE_PAGES))
def test_a_site_page_carries_a_brand_only_when_one_is_set(client, carriers, settings, name, language):
    assert_unbranded(site_page(client, name, language), language)
    settings.SITE_BRAND = str(EXAMPLE / "brand.toml")
    assert_branded(name, site_page(client, name, language))


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", list(PARCEL_PAGES))
def test_a_parcel_page_carries_a_brand_only_when_one_is_set(settings, name, language):
    parcel, expected = PARCEL_PAGES[name]
    assert_unbranded(parcel_page(parcel, expected, language), language)
    settings.SITE_BRAND = str(EXAMPLE / "brand.toml")
    assert_branded(name, parcel_page(parcel, expected, language))
