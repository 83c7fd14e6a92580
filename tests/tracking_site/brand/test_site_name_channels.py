"""The site's name in every channel: page titles, link previews, the header, the Atom feed, the calendar entry,
emails and push notifications; the share image stays the site's own, with no parcel in it. Without a brand each
says "Parcel tracking" (or nothing more) as before."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import feedparser
import icalendar
import pytest
from django.utils import translation

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.tracking_site.brand.conftest import CONTACT, CONTACT_NL, EXAMPLE_NAME
from tests.tracking_site.following.conftest import followed, with_email
from tests.tracking_site.following.test_feed_and_calendar import chicago_parcel
from tracking_site.following.calendar_entry import CalendarDay, calendar_document
from tracking_site.following.mail import confirmation_message, notification_message
from tracking_site.following.messages import parcel_news, push_payload
from tracking_site.following.models import ParcelChange

pytestmark = pytest.mark.django_db

MOVING = fake_dhl.OUT_FOR_DELIVERY
PAGE = f"/track/dhl-ecommerce/{MOVING}/"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def meta(body: str, name: str) -> str:
    return re.search(rf'<meta (?:property|name)="{name}" content="([^"]*)">', body).group(1)


def title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body).group(1)


def test_page_titles_and_link_previews_carry_the_brands_name(client, example_brand):
    for path in ("/", PAGE, "/track/nzpost/CL000000000NZ/"):
        assert title(client.get(path).content.decode()).endswith(" · Fjell &amp; Fern"), path
    parcel_page = client.get(PAGE).content.decode()
    assert meta(parcel_page, "og:site_name") == "Fjell &amp; Fern"
    assert meta(client.get("/").content.decode(), "og:site_name") == "Fjell &amp; Fern"


def test_the_share_image_stays_the_sites_own_and_names_no_parcel(client, example_brand):
    branded = client.get(PAGE).content.decode()
    assert meta(branded, "og:image") == "http://testserver/static/img/share.png"
    assert MOVING not in meta(branded, "og:image") + meta(branded, "og:image:alt")


def test_without_a_brand_titles_and_previews_say_parcel_tracking(client):
    body = client.get(PAGE).content.decode()
    assert title(body).endswith(" · Parcel tracking") and meta(body, "og:site_name") == "Parcel tracking"
    assert '<a class="brand" href="/">Parcel tracking</a>' in body


def test_the_header_shows_the_logo_with_its_alt_text_and_a_dark_one_for_dark_pages(client, example_brand):
    body = client.get("/").content.decode()
    assert (
        '<a class="brand" href="/"><picture><source srcset="/static/brand/logo-dark.svg" '
        'media="(prefers-color-scheme: dark)"><img class="brand-logo" src="/static/brand/logo.svg" '
        'alt="Fjell &amp; Fern"></picture></a>'
    ) in body


def test_without_a_logo_the_header_names_the_brand(client, brand_file):
    brand_file('[name]\nen = "Kettle & Kite"\nnl = "Ketel & Vlieger"\n')
    assert '<a class="brand" href="/">Kettle &amp; Kite</a>' in client.get("/").content.decode()
    with translation.override("nl"):  # the middleware's choice would outlive the request in this thread
        dutch = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<a class="brand" href="/">Ketel &amp; Vlieger</a>' in dutch and "· Ketel &amp; Vlieger</title>" in dutch


def test_the_atom_feed_is_authored_by_the_brand(client, example_brand):
    feed = feedparser.parse(client.get(f"{PAGE}feed.atom").content)
    assert not feed.bozo and feed.feed.author == EXAMPLE_NAME


def test_without_a_brand_the_feed_is_authored_by_parcel_tracking(client):
    assert feedparser.parse(client.get(f"{PAGE}feed.atom").content).feed.author == "Parcel tracking"


def test_the_api_document_is_titled_with_the_brands_english_name(client, brand_file):
    brand_file('[name]\nen = "Kettle & Kite"\nnl = "Ketel & Vlieger"\n')
    document = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert document["info"]["title"] == "Kettle & Kite"  # the document's own language, not the visitor's


def test_without_a_brand_the_api_document_is_titled_parcel_tracking(client):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Parcel tracking"


def test_the_calendar_entry_and_its_calendar_carry_the_brands_name(example_brand):
    document = calendar_document(chicago_parcel(), CalendarDay(date(2026, 3, 12), delivered=False), NOW)
    calendar = icalendar.Calendar.from_ical(document)
    assert calendar["NAME"] == EXAMPLE_NAME and calendar["X-WR-CALNAME"] == EXAMPLE_NAME
    event = calendar.walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]).endswith(f"/track/dhl-ecommerce/GM295117494011076999/\n{EXAMPLE_NAME}")
    assert "PRODID:-//Parcel tracking//Following//EN" in document  # the software that wrote it


def test_without_a_brand_the_calendar_entry_has_no_calendar_name():
    document = calendar_document(chicago_parcel(), CalendarDay(date(2026, 3, 12), delivered=False), NOW)
    assert "NAME:" not in document
    event = icalendar.Calendar.from_ical(document).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]).endswith("/track/dhl-ecommerce/GM295117494011076999/")


def change_of(row, status: str = "out_for_delivery") -> ParcelChange:
    return ParcelChange(parcel=row, version=2, status=status, expected_delivery=date(2026, 3, 12), created_at=NOW)


def test_emails_come_from_the_brand_and_end_with_its_contact_link(example_brand):
    row = followed()
    subscription = with_email(row)
    message = notification_message(subscription, parcel_news(change_of(row), "en"))
    assert message.from_email == "Fjell & Fern <noreply@localhost>"
    assert message.message()["From"] == "Fjell & Fern <noreply@localhost>"
    assert f"Questions about this parcel? Ask Fjell & Fern: {CONTACT}{row.number}\n" in message.body
    assert confirmation_message(subscription).from_email == "Fjell & Fern <noreply@localhost>"


def test_a_dutch_email_has_the_dutch_contact_link(example_brand):
    row = followed()
    subscription = with_email(row)
    subscription.language = "nl"
    message = notification_message(subscription, parcel_news(change_of(row), "nl"))
    assert f"Vragen over dit pakket? Vraag het Fjell & Fern: {CONTACT_NL}{row.number}\n" in message.body


def test_a_sender_name_the_operator_chose_is_kept(example_brand, settings):
    settings.DEFAULT_FROM_EMAIL = "Fjell Support <support@fjell-and-fern.example>"
    row = followed()
    message = notification_message(with_email(row), parcel_news(change_of(row), "en"))
    assert message.from_email == "Fjell Support <support@fjell-and-fern.example>"


def test_a_brand_name_beyond_ascii_is_an_encoded_sender_name(brand_file):
    brand_file('name = "Fjäll, Fern & Co."\n')
    row = followed()
    message = notification_message(with_email(row), parcel_news(change_of(row), "en")).message()
    assert message["From"].startswith("=?utf-8?") and message["From"].endswith(" <noreply@localhost>")


def test_without_a_brand_emails_are_as_before(settings):
    row = followed()
    message = notification_message(with_email(row), parcel_news(change_of(row), "en"))
    assert message.from_email == "Parcel tracking <noreply@localhost>"
    assert "Questions" not in message.body
    assert message.body.startswith("Out for delivery\nExpected delivery: Thursday 12 March.\n\nThe parcel: http")


def test_push_notifications_are_titled_with_the_brand_in_each_language(example_brand):
    row = followed()
    texts = push_payload(change_of(row))["texts"]
    assert texts["en"] == {
        "title": EXAMPLE_NAME,
        "body": f"Out for delivery: DHL eCommerce parcel {row.number}\nExpected delivery: Thursday 12 March.",
    }
    assert texts["nl"]["title"] == EXAMPLE_NAME and texts["nl"]["body"].startswith(
        "Bij de bezorger: DHL eCommerce-pakket"
    )


def test_without_a_brand_push_notifications_are_as_before():
    row = followed()
    assert push_payload(change_of(row))["texts"]["en"] == {
        "title": f"Out for delivery: DHL eCommerce parcel {row.number}",
        "body": "Expected delivery: Thursday 12 March.",
    }
