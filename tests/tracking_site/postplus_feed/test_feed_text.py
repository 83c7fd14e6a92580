"""Carrier text as it really comes, through the feed into the store: control characters, NUL, a lone surrogate,
over-long values. One bad event never stops the feed: the rest is stored and the cursor moves.

The same tests run on PostgreSQL in test_feed_text_services.py (PostgreSQL refuses NUL where SQLite stores it).
"""

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from carriers.drift import collected
from carriers.postplus import FeedEvent, FeedPage
from tests.tracking_site.postplus_feed.feed_fakes import SINCE, feed_client, feed_item
from tracking_site.lookup.clients import install_carriers
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.sync import sync_feed

pytestmark = pytest.mark.django_db

NUMBER = "PPL250113000001"


def stored(field: str) -> dict[str, str]:
    return dict(StoredFeedEvent.objects.values_list("event_id", field))


def test_sync_postplus_feed_stores_control_characters_nul_and_a_lone_surrogate_cleaned():
    items = [
        feed_item(NUMBER, "E1", "1", code="DAMAGED", message="Parcel\x0bdamaged \x1b[31m red"),
        feed_item(NUMBER, "E2", "2", message="\u0000", location="\u0000", hours=1),
        feed_item(NUMBER, "E3", "3", message="Parcel in transit \ud800", location="\ud800Tallinn", hours=2),
    ]
    items[2]["parcel"]["carrier"] = "Omniva\ud800"
    client, _ = feed_client(items)
    install_carriers({"postplus": client})
    out = io.StringIO()
    call_command("sync_postplus_feed", "--since", SINCE, stdout=out, stderr=io.StringIO())
    assert "Caught up: 1 page(s), 3 event(s), 3 new or updated." in out.getvalue()
    assert stored("event_message") == {
        "E1": "Parcel damaged [31m red",
        "E2": "",
        "E3": "Parcel in transit \ufffd",
    }
    assert stored("event_location") == {"E1": "Tallinn", "E2": "", "E3": "\ufffdTallinn"}
    assert stored("delivering_carrier")["E3"] == "Omniva\ufffd"


class PageClient:
    """Answers the feed with pages made here: events as no parser would build them, straight to the store."""

    def __init__(self, *pages: FeedPage) -> None:
        self.pages = list(pages)

    def fetch_feed_page(self, start_date: date, fetch_id: str = "", count: int = 500) -> FeedPage:
        return self.pages.pop(0)


def feed_event(event_id: str, **changes: str) -> FeedEvent:
    event = FeedEvent(
        event_id=event_id,
        event_version="1",
        parcel_nr=NUMBER,
        destination_country="EE",
        carrier="Omniva",
        carrier_parcel_nr="CE310477291EE",
        event_code="IN_TRANSIT",
        event_message="Parcel in transit",
        event_time=datetime(2025, 1, 13, 8, tzinfo=UTC),
        event_location="Tallinn",
    )
    return replace(event, **changes)


def test_an_event_the_database_refuses_is_left_out_and_the_rest_of_the_page_stored_with_the_cursor():
    # A lone surrogate cannot be encoded for SQLite or PostgreSQL; the parser would have replaced it.
    page = FeedPage(
        next_fetch_id="NEXT-1",
        fetch_done=True,
        items=(feed_event("GOOD-1"), feed_event("BAD", event_message="x\ud800"), feed_event("GOOD-2")),
    )
    summary = sync_feed(PageClient(page), since=date(2025, 1, 13))
    assert sorted(stored("event_message")) == ["GOOD-1", "GOOD-2"]
    assert (summary.changed, summary.caught_up) == (2, True)
    cursor = FeedCursor.objects.get(feed=POSTPLUS_FEED)
    assert (cursor.next_fetch_id, cursor.events_stored) == ("NEXT-1", 2)


def test_over_long_text_is_shortened_and_an_over_long_identifier_left_out_and_reported():
    page = FeedPage(
        next_fetch_id="NEXT-1",
        fetch_done=True,
        items=(
            feed_event("LONG-TEXT", event_message="m" * 600, event_location="l" * 300, carrier_parcel_nr="9" * 80),
            feed_event("I" * 101),
            feed_event("LONG-PARCEL", parcel_nr="P" * 65),
        ),
    )
    with collected() as reports:
        sync_feed(PageClient(page), since=date(2025, 1, 13))
    row = StoredFeedEvent.objects.get()
    assert (row.event_id, len(row.event_message), len(row.event_location)) == ("LONG-TEXT", 500, 200)
    assert row.carrier_parcel_nr == ""  # cut short it would be another parcel's number
    assert [(report.path, report.seen) for report in reports] == [
        ("events[].event.eventId", "string"),
        ("events[].parcel.parcelNr", "string"),
    ]
