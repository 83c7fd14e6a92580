"""The Atom feed and the calendar entry, parsed by real parsers (feedparser, icalendar) as readers would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.model import Place, Status, TrackingEvent, parcel_from_events
from tracking_site.following.calendar_entry import CalendarDay, calendar_document, escape_text, fold

pytestmark = pytest.mark.django_db

MOVING = fake_dhl.OUT_FOR_DELIVERY
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<img src=x onerror="alert(1)">'


def chicago_parcel(expected: date | None = date(2026, 3, 12), description: str = "ARRIVED AT SORT FACILITY"):
    chicago = ZoneInfo("America/Chicago")
    return parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number="GM295117494011076999",
        events=[
            TrackingEvent(datetime(2026, 3, 9, 8, 5, tzinfo=chicago), Status.INFO_RECEIVED, "LABEL CREATED"),
            TrackingEvent(
                datetime(2026, 3, 10, 14, 31, tzinfo=chicago), Status.IN_TRANSIT, description, Place(city="Chicago")
            ),
        ],
        expected_delivery=expected,
    )


def test_the_feed_is_valid_atom_with_one_entry_per_scan(client):
    response = client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == f"DHL eCommerce parcel {MOVING}"
    assert feed.feed.link == f"http://testserver/track/dhl-ecommerce/{MOVING}/"
    page = client.get(f"/track/dhl-ecommerce/{MOVING}/").content.decode()
    assert page.count('<li class="event ') == len(feed.entries) >= 3
    newest = feed.entries[0]
    assert newest.title.startswith("Out for delivery · Brooklyn, NY, US · ")
    assert newest.title.endswith(("EST", "EDT"))  # the scan's own local time, with its zone
    assert newest.link == f"http://testserver/track/dhl-ecommerce/{MOVING}/"
    assert newest.updated_parsed is not None


def test_a_feed_says_a_scan_we_understand_in_its_language_and_quotes_the_carriers_words(client):
    spanish = summaries_of(client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom?lang=es").content)
    # DHL's 598 is out for delivery: our words first, then DHL's own, marked as English for readers that speak.
    assert spanish[0].startswith('En reparto<br>DHL eCommerce: <q lang="en">OUT FOR DELIVERY</q><br>')
    # A code without our words (DHL publishes no table) is said by its status, DHL's words beside it.
    assert spanish[1].startswith('En tránsito<br>DHL eCommerce: <q lang="en">ARRIVED USPS SORT FACILITY</q>')
    english = summaries_of(client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom").content)
    assert english[0].startswith("Out for delivery<br>")  # DHL's words say the same: ours alone
    assert english[1].startswith('<span lang="en">ARRIVED USPS SORT FACILITY</span>')  # more than "In transit"


def summaries_of(feed: bytes) -> list[str]:
    """The entries' summaries as a reader gets them (HTML, unescaped once)."""
    return [element.text or "" for element in ET.fromstring(feed).iter(f"{ATOM}summary")]  # noqa: S314 - our own feed


def test_entry_ids_stay_the_same_from_one_fetch_to_the_next(client):
    first = feedparser.parse(client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom").content)
    second = feedparser.parse(client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom").content)
    ids = [entry.id for entry in first.entries]
    assert ids == [entry.id for entry in second.entries] and len(set(ids)) == len(ids)
    assert all(entry_id.startswith("tag:") for entry_id in ids)


def test_carrier_text_in_the_feed_is_text_not_markup(client, carriers):
    parcel = chicago_parcel(description=HOSTILE)
    carriers["dhl-ecommerce"].parcels[parcel.tracking_number] = parcel
    body = client.get(f"/track/dhl-ecommerce/{parcel.tracking_number}/feed.atom").content
    summaries = [element.text or "" for element in ET.fromstring(body).iter(f"{ATOM}summary")]  # noqa: S314 - our own feed
    # Summaries are HTML: the reader unescapes them once and must find the carrier's text escaped.
    assert any("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in summary for summary in summaries)
    assert not any("<img" in summary for summary in summaries)
    entry = feedparser.parse(body).entries[0]
    assert entry.title.startswith("In transit · Chicago · Tue 10 Mar")
    assert entry.title.endswith("14:31 CDT")


def test_feed_links_use_the_canonical_site_not_the_host_header(client):
    body = client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom", HTTP_HOST="localhost").content.decode()
    assert "localhost" not in body and "http://testserver/" in body


def test_feeds_of_missing_or_invalid_parcels_answer_plainly(client):
    missing = client.get("/track/dhl-ecommerce/GM0000000000000001/feed.atom")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("text/plain")
    assert client.get("/track/dhl-ecommerce/AB/feed.atom").status_code == 400


def test_the_calendar_entry_is_an_all_day_event_on_the_expected_day(client):
    response = client.get(f"/track/dhl-ecommerce/{MOVING}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"DTSTART;VALUE=DATE:" in response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert isinstance(start, date) and not isinstance(start, datetime)
    assert event.decoded("DTEND") == start + timedelta(days=1)
    assert str(event["SUMMARY"]) == f"Parcel delivery: DHL eCommerce parcel {MOVING}"
    assert str(event["URL"]) == f"http://testserver/track/dhl-ecommerce/{MOVING}/"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]


def test_the_uid_stays_when_the_day_moves(client, carriers):
    parcel = chicago_parcel()
    carriers["dhl-ecommerce"].parcels[parcel.tracking_number] = parcel
    path = f"/track/dhl-ecommerce/{parcel.tracking_number}/calendar.ics"
    before = icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")[0]
    carriers["dhl-ecommerce"].parcels[parcel.tracking_number] = replace(parcel, expected_delivery=date(2026, 3, 14))
    from django.core.cache import cache

    cache.clear()
    after = icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")[0]
    assert str(before["UID"]) == str(after["UID"])
    assert (before.decoded("DTSTART"), after.decoded("DTSTART")) == (date(2026, 3, 12), date(2026, 3, 14))


def test_a_later_copy_has_a_higher_sequence():
    parcel = chicago_parcel()
    moment = datetime(2026, 3, 10, 12, tzinfo=UTC)
    early = icalendar.Calendar.from_ical(calendar_document(parcel, CalendarDay(date(2026, 3, 12), False), moment))
    later = icalendar.Calendar.from_ical(
        calendar_document(parcel, CalendarDay(date(2026, 3, 13), False), moment + timedelta(hours=2))
    )
    assert later.walk("VEVENT")[0]["SEQUENCE"] > early.walk("VEVENT")[0]["SEQUENCE"]


def test_a_delivered_parcel_is_entered_on_its_delivery_day(client):
    response = client.get(f"/track/dhl-ecommerce/{fake_dhl.DELIVERED_SIGNED}/calendar.ics")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Delivered: ")


def test_no_day_no_calendar_entry_and_no_link(client, carriers):
    parcel = chicago_parcel(expected=None)
    carriers["dhl-ecommerce"].parcels[parcel.tracking_number] = parcel
    assert client.get(f"/track/dhl-ecommerce/{parcel.tracking_number}/calendar.ics").status_code == 404
    page = client.get(f"/track/dhl-ecommerce/{parcel.tracking_number}/").content.decode()
    assert 'type="text/calendar"' not in page and 'type="application/atom+xml"' in page


def test_the_parcel_page_links_its_feed_and_calendar_entry_in_the_pages_language(client):
    page = client.get(f"/track/dhl-ecommerce/{MOVING}/", headers={"accept-language": "nl"}).content.decode()
    head = page.split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head
    assert f'href="/track/dhl-ecommerce/{MOVING}/feed.atom?lang=nl"' in head
    assert f'<a href="/track/dhl-ecommerce/{MOVING}/feed.atom?lang=nl" type="application/atom+xml">' in page
    assert f'<a href="/track/dhl-ecommerce/{MOVING}/calendar.ics?lang=nl" type="text/calendar">' in page


def test_the_feed_and_calendar_speak_the_language_their_link_names(client):
    feed = client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom?lang=nl")
    assert feed["Content-Language"] == "nl"
    parsed = feedparser.parse(feed.content)
    assert parsed.feed.title == f"DHL eCommerce-pakket {MOVING}"
    assert parsed.feed.language == "nl"
    calendar = client.get(f"/track/dhl-ecommerce/{MOVING}/calendar.ics?lang=nl").content.decode()
    assert "SUMMARY:Pakketbezorging: DHL eCommerce-pakket" in calendar
    # A language the site does not speak is no choice: the feed answers as any page would.
    assert client.get(f"/track/dhl-ecommerce/{MOVING}/feed.atom?lang=xx")["Content-Language"] == "en"


def test_a_feed_readers_problem_is_said_in_the_links_language(client):
    answer = client.get("/track/nzpost/CL000000000NZ/feed.atom?lang=nl")
    assert answer.status_code == 404
    assert answer.content.decode() == "Er is geen pakket met dit nummer.\n"


def test_long_lines_are_folded_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_calendar_text_is_escaped_and_parses_back():
    raw = "Delivered; left with A, B\\C\nsecond line"
    line = f"SUMMARY:{escape_text(raw)}"
    assert line == "SUMMARY:Delivered\\; left with A\\, B\\\\C\\nsecond line"
    document = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260310T000000Z\r\n"
    document += f"DTSTART;VALUE=DATE:20260312\r\n{fold(line)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    assert str(icalendar.Calendar.from_ical(document).walk("VEVENT")[0]["SUMMARY"]) == raw


def test_without_a_carrier_date_the_entry_spans_the_lanes_estimated_days(client, carriers):
    from django.utils import timezone

    from tracking_site.estimates.figures import LaneFigure, store_figures
    from tracking_site.estimates.observations import Lane

    accepted = timezone.now() - timedelta(hours=30)
    parcel = parcel_from_events(
        carrier="nzpost",
        tracking_number="CL092594238NZ",
        events=[TrackingEvent(accepted, Status.IN_TRANSIT, "Picked up", Place(depot="Hamilton Fleet"))],
    )
    carriers["nzpost"].parcels[parcel.tracking_number] = parcel
    path = f"/track/nzpost/{parcel.tracking_number}/calendar.ics"
    assert client.get(path).status_code == 404  # no carrier date and no figures for the lane yet
    store_figures({Lane("nzpost", "", "NZ"): LaneFigure(2 * 86400, 4 * 86400, 33)})
    event = icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")[0]
    auckland = ZoneInfo("Pacific/Auckland")
    first = (accepted + timedelta(days=2)).astimezone(auckland).date()
    last = (accepted + timedelta(days=4)).astimezone(auckland).date()
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (first, last + timedelta(days=1))
