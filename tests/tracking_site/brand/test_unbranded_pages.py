"""Without SITE_BRAND the site renders byte for byte as it did before brands existed: key pages are kept as files.

The files in `unbranded/` were written by this module from the code before brands (main at 9d0c305, in a worktree
of its own). Every part a brand adds sits behind `{% if brand %}`, so an unbranded page must not differ by a byte.
A deliberate change to one of these pages (a new word, another footer) makes this fail: check that the difference
is the one meant, then write the files again with `REFRESH_UNBRANDED_PAGES=1 .venv/bin/pytest <this file>` (the
run fails once, saying it wrote them) and commit them.

Parcel pages are rendered from their template with an injected clock (the view asks the wall clock, which would
make every run's "3 minutes ago" different); the other pages are asked of the site itself.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from carriers.model import Found, Parcel, Place, Status, TrackingEvent, parcel_from_events
from tracking_site.lookup.service import LookupOutcome
from tracking_site.presentation.arrival import CARRIER, ExpectedDelivery
from tracking_site.presentation.parcel_view import build_parcel_view
from tracking_site.presentation.status_words import carrier_name
from tracking_site.web.forms import SearchForm

pytestmark = pytest.mark.django_db

KEPT = Path(__file__).parent / "unbranded"
REFRESH = os.environ.get("REFRESH_UNBRANDED_PAGES") == "1"
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


def compare(name: str, body: str) -> None:
    kept = KEPT / name
    if REFRESH:
        KEPT.mkdir(exist_ok=True)
        kept.write_text(body, encoding="utf-8")
        pytest.fail(f"wrote {kept}: check the difference and commit it")
    assert body == kept.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", list(SITE_PAGES))
def test_an_unbranded_site_page_is_byte_for_byte_as_before(client, carriers, name, language):
    with translation.override(language):  # the middleware's choice would outlive the request in this thread
        body = client.get(SITE_PAGES[name], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    compare(f"{language}-{name}", body)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", list(PARCEL_PAGES))
def test_an_unbranded_parcel_page_is_byte_for_byte_as_before(name, language):
    parcel, expected = PARCEL_PAGES[name]
    compare(f"{language}-{name}", parcel_page(parcel, expected, language))
