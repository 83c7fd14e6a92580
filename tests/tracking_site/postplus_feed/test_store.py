"""The public PostPlus page answers from stored feed events while the feed is fresh, and from the API otherwise."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from carriers.fakes.postplus import PARCEL_NRS_PATH
from carriers.model import Found, LastMile, NotFound, Status
from tests.tracking_site.postplus_feed.feed_fakes import feed_client, feed_item
from tracking_site.lookup.clients import get_carriers, install_carriers
from tracking_site.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed import store
from tracking_site.postplus_feed.store import FeedBackedPostPlus, version_is_newer
from tracking_site.postplus_feed.sync import sync_feed
from tracking_site.web.answer_cache import local_copies

pytestmark = pytest.mark.django_db

STORED = "PPL250113000001"
NOT_STORED_YET = "PPL250113000002"


@pytest.fixture
def synced():
    """A feed with one parcel, synced; the fake also knows a second parcel the feed has not delivered yet."""
    client, feed = feed_client(
        [
            feed_item(STORED, "E1", "1", code="CREATE_OR_UPDATE", message="Parcel data received or updated"),
            feed_item(STORED, "E2", "2", code="DELIVERED", message="Parcel delivered", hours=30, location="Riga"),
        ]
    )
    sync_feed(client, since=date(2025, 1, 13))
    feed.fake.records.append(feed_item(NOT_STORED_YET, "E3", "3", message="Parcel in transit"))
    return client, feed


@pytest.mark.parametrize(
    ("candidate", "current", "newer"),
    [("10", "9", True), ("9", "10", False), ("7", "7", False), ("b", "a", True), ("", "1", False)],
)
def test_versions_compare_as_numbers_when_both_are_digits(candidate, current, newer):
    assert version_is_newer(candidate, current) is newer


def test_a_fresh_feed_answers_from_the_database_without_asking_postplus(synced):
    client, feed = synced
    result = FeedBackedPostPlus(client).track(STORED)
    assert isinstance(result, Found)
    assert result.parcel.status is Status.DELIVERED
    assert [event.description for event in result.parcel.events] == [
        "Parcel delivered",
        "Parcel data received or updated",
    ]
    assert result.parcel.destination_country == "EE"
    assert feed.calls_to(PARCEL_NRS_PATH) == 0


def test_stored_rows_name_the_delivering_carrier_as_the_last_mile():
    first = feed_item(STORED, "E1", "1", message="Parcel data received or updated")
    handed = feed_item(STORED, "E2", "2", code="HANDED_TO_LAST_MILE_CARRIER", message="Handed over", hours=5)
    handed["parcel"].update(carrier="Omniva", carrierParcelNr="CE310477291EE")
    client, feed = feed_client([first, handed])
    sync_feed(client, since=date(2025, 1, 13))

    parcel = FeedBackedPostPlus(client).track(STORED).parcel

    assert parcel.last_mile == LastMile(carrier="Omniva", number="CE310477291EE")
    assert feed.calls_to(PARCEL_NRS_PATH) == 0
    assert parcel == client.track(STORED).parcel  # the API reads the same parcel data the same way


def test_a_placeholder_carrier_in_stored_rows_is_no_last_mile(synced):
    client, _ = synced
    assert FeedBackedPostPlus(client).track(STORED).parcel.last_mile is None


def test_numbers_the_fresh_feed_lacks_are_asked_of_the_api(synced):
    client, feed = synced
    results = FeedBackedPostPlus(client).track_many([STORED, NOT_STORED_YET, "PPL999999999999"])
    assert [type(result) for result in results] == [Found, Found, NotFound]
    assert feed.calls_to(PARCEL_NRS_PATH) == 1
    assert results[1].parcel.events[0].description == "Parcel in transit"


def test_a_stale_feed_falls_back_to_the_api(synced, settings):
    client, feed = synced
    FeedCursor.objects.filter(feed=POSTPLUS_FEED).update(last_caught_up_at=timezone.now() - timedelta(minutes=11))
    settings.POSTPLUS_FEED_FRESH_SECONDS = 600
    StoredFeedEvent.objects.update(event_message="only in the database")
    result = FeedBackedPostPlus(client).track(STORED)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1
    assert "only in the database" not in [event.description for event in result.parcel.events]


def test_a_feed_that_never_caught_up_is_not_trusted():
    client, feed = feed_client([feed_item(STORED, "E1", "1")])
    FeedCursor.objects.create(feed=POSTPLUS_FEED, next_fetch_id="abc")
    FeedBackedPostPlus(client).track(STORED)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1


def test_the_registry_puts_the_feed_in_front_of_the_postplus_api():
    install_carriers(None)
    assert isinstance(get_carriers()["postplus"], FeedBackedPostPlus)


def test_the_public_page_shows_stored_events_when_fresh_and_the_api_when_stale(client, synced):
    postplus, _ = synced
    feed_backed = FeedBackedPostPlus(postplus)
    install_carriers({"postplus": feed_backed})
    StoredFeedEvent.objects.filter(event_id="E2").update(event_message="Delivered (from the stored feed)")
    assert "Delivered (from the stored feed)" in client.get(f"/track/postplus/{STORED}/").content.decode()

    FeedCursor.objects.update(last_caught_up_at=timezone.now() - timedelta(days=1))
    cache.clear()  # the parcel cache would otherwise keep the first answer for a minute ...
    local_copies.clear()  # ... and this process its finished page for a few seconds
    feed_backed.freshness.forget()  # (the cursor is read again every few seconds)
    page = client.get(f"/track/postplus/{STORED}/").content.decode()
    assert "Delivered (from the stored feed)" not in page and "Parcel delivered" in page


def test_the_cursor_is_read_every_few_seconds_not_on_every_lookup(synced, django_assert_num_queries):
    from tracking_site.postplus_feed.store import FeedFreshness

    now = [0.0]
    freshness = FeedFreshness(recheck_seconds=5, clock=lambda: now[0])
    with django_assert_num_queries(1):
        assert freshness() and freshness() and freshness()
    FeedCursor.objects.update(last_caught_up_at=timezone.now() - timedelta(days=1))
    assert freshness()  # remembered for a few seconds ...
    now[0] = 5.0
    assert not freshness()  # ... then read again


def test_a_remembered_catch_up_still_goes_stale_on_time(synced, settings, monkeypatch):
    from tracking_site.postplus_feed.store import FeedFreshness

    freshness = FeedFreshness(recheck_seconds=3600)
    assert freshness()
    later = timezone.now() + timedelta(seconds=settings.POSTPLUS_FEED_FRESH_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert not freshness()


def test_an_unreadable_store_is_tried_again_only_after_a_while(monkeypatch, caplog):
    from django.db import OperationalError

    reads = []

    def broken() -> None:
        reads.append(1)
        raise OperationalError("no such table")

    monkeypatch.setattr(store, "last_caught_up", broken)
    now = [0.0]
    freshness = store.FeedFreshness(recheck_seconds=5, clock=lambda: now[0])
    assert not freshness() and not freshness()
    assert len(reads) == 1
    assert "outcome=store_unreadable error=OperationalError" in caplog.text
    now[0] = 5.0
    freshness()
    assert len(reads) == 2


def test_a_store_failing_mid_lookup_falls_back_to_the_api(synced, monkeypatch):
    from django.db import OperationalError

    client, feed = synced

    def broken(*args, **kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(store, "stored_parcels", broken)
    result = FeedBackedPostPlus(client, is_fresh=lambda: True).track(STORED)
    assert isinstance(result, Found)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1
