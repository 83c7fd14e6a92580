"""The public PostPlus page answers from stored feed events while the feed is fresh, and from the API otherwise;
the feed store is asked in the request's thread, bounded, and leaves no database connection open behind it."""

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.utils import timezone

from carriers.fakes.postplus import PARCEL_NRS_PATH
from carriers.model import Found, LastMile, NotFound, Status
from tests.conftest import tune
from tests.tracking_site.postplus_feed.feed_fakes import feed_client, feed_item
from tracking_site.lookup.clients import install_carriers, lookup_parts
from tracking_site.lookup.service import lookup_parcels
from tracking_site.postplus_feed import store
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.store import FEED, FeedFreshness, FeedSource, version_is_newer
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


def feed_in_front(client, **options) -> FeedSource:
    """PostPlus as the site wires it: the feed asked first, the API for the rest."""
    feed = FeedSource(**options)
    install_carriers({"postplus": client}, sources=[feed])
    return feed


def track(*numbers):
    return [outcome.result for outcome in lookup_parcels(list(numbers), "postplus")]


@pytest.mark.parametrize(
    ("candidate", "current", "newer"),
    [("10", "9", True), ("9", "10", False), ("7", "7", False), ("b", "a", True), ("", "1", False)],
)
def test_versions_compare_as_numbers_when_both_are_digits(candidate, current, newer):
    assert version_is_newer(candidate, current) is newer


def test_a_fresh_feed_answers_from_the_database_without_asking_postplus(synced):
    client, feed = synced
    feed_in_front(client)
    [result] = track(STORED)
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

    feed_in_front(client)
    parcel = track(STORED)[0].parcel

    assert parcel.last_mile == LastMile(carrier="Omniva", number="CE310477291EE", handed_over=True)
    assert feed.calls_to(PARCEL_NRS_PATH) == 0
    assert parcel == client.track(STORED).parcel  # the API reads the same parcel data the same way


def test_stored_rows_answer_to_the_manifest_number_and_keep_only_the_origin_of_the_carriers_page():
    manifest = "MAN250113000001"
    page = "https://tracking.postnord.com/?id=00370712345678901234&postcode=10149&name=Mari"
    first = feed_item(STORED, "E1", "1", message="Parcel data received or updated")
    handed = feed_item(STORED, "E2", "2", code="HANDED_TO_LAST_MILE_CARRIER", message="Handed over", hours=5)
    for item in (first, handed):  # a last-mile name only the page's address identifies, as integrators write them
        item["parcel"].update(
            manifestParcelNr=manifest, carrier="Last mile partner", carrierParcelNr="00370712345678901234"
        )
    handed["parcel"]["carrierUrl"] = page
    client, feed = feed_client([first, handed])
    sync_feed(client, since=date(2025, 1, 13))

    feed_in_front(client)
    parcel = track(manifest)[0].parcel

    assert feed.calls_to(PARCEL_NRS_PATH) == 0  # answered from the store, as the parcel number would be
    assert parcel.last_mile == LastMile(
        "Last mile partner", "00370712345678901234", handed_over=True, url="https://tracking.postnord.com"
    )
    assert parcel == client.track(manifest).parcel  # the API reads the same parcel data the same way
    stored = list(StoredFeedEvent.objects.values_list("manifest_parcel_nr", "carrier_site"))
    assert sorted(stored) == [(manifest, ""), (manifest, "https://tracking.postnord.com")]
    assert not StoredFeedEvent.objects.filter(carrier_site__contains="postcode").exists()


def test_a_placeholder_carrier_in_stored_rows_is_no_last_mile(synced):
    client, _ = synced
    feed_in_front(client)
    assert track(STORED)[0].parcel.last_mile is None


def test_numbers_the_fresh_feed_lacks_are_asked_of_the_api(synced):
    client, feed = synced
    feed_in_front(client)
    results = track(STORED, NOT_STORED_YET, "PPL999999999999")
    assert [type(result) for result in results] == [Found, Found, NotFound]
    assert feed.calls_to(PARCEL_NRS_PATH) == 1
    assert results[1].parcel.events[0].description == "Parcel in transit"


def test_a_stale_feed_falls_back_to_the_api(synced, settings):
    client, feed = synced
    FeedCursor.objects.filter(feed=POSTPLUS_FEED).update(last_caught_up_at=timezone.now() - timedelta(minutes=11))
    tune(settings, postplus_feed={"fresh_seconds": 600})
    StoredFeedEvent.objects.update(event_message="only in the database")
    feed_in_front(client)
    [result] = track(STORED)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1
    assert "only in the database" not in [event.description for event in result.parcel.events]


def test_a_feed_that_never_caught_up_is_not_trusted():
    client, feed = feed_client([feed_item(STORED, "E1", "1")])
    FeedCursor.objects.create(feed=POSTPLUS_FEED, next_fetch_id="abc")
    feed_in_front(client)
    track(STORED)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1


def test_the_site_puts_the_feed_in_front_of_the_postplus_api():
    install_carriers(None)
    assert [type(source) for source in lookup_parts().sources] == [FeedSource]


def test_the_public_page_shows_stored_events_when_fresh_and_the_api_when_stale(client, synced):
    postplus, _ = synced
    feed = feed_in_front(postplus)
    StoredFeedEvent.objects.filter(event_id="E2").update(event_message="Delivered (from the stored feed)")
    assert "Delivered (from the stored feed)" in client.get(f"/track/postplus/{STORED}/").content.decode()

    FeedCursor.objects.update(last_caught_up_at=timezone.now() - timedelta(days=1))
    cache.clear()  # the parcel cache would otherwise keep the first answer for a minute ...
    local_copies.clear()  # ... and this process its finished page for a few seconds
    feed.freshness.forget()  # (the cursor is read again every few seconds)
    page = client.get(f"/track/postplus/{STORED}/").content.decode()
    assert "Delivered (from the stored feed)" not in page and "Parcel delivered" in page


def test_the_cursor_is_read_every_few_seconds_not_on_every_lookup(synced, django_assert_num_queries):
    from tracking_site.postplus_feed.store import FeedFreshness

    now = [0.0]
    rechecks: list[Callable[[], None]] = []
    freshness = FeedFreshness(recheck_seconds=5, clock=lambda: now[0], run=rechecks.append)
    with django_assert_num_queries(1):
        assert freshness() and freshness() and freshness()
    FeedCursor.objects.update(last_caught_up_at=timezone.now() - timedelta(days=1))
    assert freshness()  # remembered for a few seconds ...
    now[0] = 5.0
    with django_assert_num_queries(0):  # ... then read again, off the lookup's own thread: nobody waits for it
        assert freshness() and freshness()
    assert len(rechecks) == 1
    with django_assert_num_queries(1):
        rechecks[0]()
    assert not freshness()
    assert len(rechecks) == 1  # read at 5 s: the next recheck is due at 10 s


def test_a_remembered_catch_up_still_goes_stale_on_time(synced, settings, monkeypatch):
    from tracking_site.postplus_feed.store import FeedFreshness

    freshness = FeedFreshness(recheck_seconds=3600)
    assert freshness()
    later = timezone.now() + timedelta(seconds=FEED.current().fresh_seconds + 1)
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
    freshness = store.FeedFreshness(recheck_seconds=5, clock=lambda: now[0], run=lambda recheck: recheck())
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
    feed_in_front(client, is_fresh=lambda: True)
    [result] = track(STORED)
    assert isinstance(result, Found)
    assert feed.calls_to(PARCEL_NRS_PATH) == 1


@pytest.mark.django_db(transaction=True)
def test_a_hanging_store_is_given_up_on_and_the_api_answers(synced, monkeypatch, caplog):
    client, feed = synced
    hanging = threading.Event()

    def hangs(*args, **kwargs):
        assert hanging.wait(10)
        return {}

    monkeypatch.setattr(store, "stored_parcels", hangs)
    lookup = feed_in_front(client, is_fresh=lambda: True, read_seconds=0.05)
    try:
        [result] = track(STORED)
        assert isinstance(result, Found)  # from the API
        assert feed.calls_to(PARCEL_NRS_PATH) == 1
        assert "outcome=store_unreadable error=FeedStoreUnreadable" in caplog.text
        assert lookup.parcels(client, [STORED]) == {}
    finally:
        hanging.set()


def _searches_of_postplus_numbers(count: int) -> None:
    for _ in range(count):
        cache.clear()
        local_copies.clear()
        (source,) = lookup_parts().sources
        assert isinstance(source, FeedSource) and isinstance(source.freshness, FeedFreshness)
        source.freshness.forget()
        outcomes = lookup_parcels([STORED, NOT_STORED_YET, "PPL999999999999"], "postplus")
        assert [type(outcome.result) for outcome in outcomes] == [Found, Found, NotFound]


@pytest.mark.django_db(transaction=True)
def test_no_database_connection_outlives_a_search_of_postplus_numbers(synced, monkeypatch):
    client, _ = synced
    feed_in_front(client)
    here = threading.current_thread().name
    opened: list[tuple[str, object]] = []
    closed: list[object] = []
    wrapper_class = type(connections["default"])
    close = wrapper_class.close

    def closing(wrapper):  # the test database is in memory, which Django never really closes: count the calls
        closed.append(wrapper)
        close(wrapper)

    def record(sender, connection, **kwargs):
        opened.append((threading.current_thread().name, connection))

    monkeypatch.setattr(wrapper_class, "close", closing)
    connection_created.connect(record)
    try:
        _searches_of_postplus_numbers(3)
    finally:
        connection_created.disconnect(record)

    elsewhere = [wrapper for thread, wrapper in opened if thread != here]
    assert elsewhere, "the feed store was read in this thread: nothing bounded the read"
    assert all(any(wrapper is done for done in closed) for wrapper in elsewhere)  # each closed after its read


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_searches_leave_no_idle_connection_per_thread_behind(synced):
    client, _ = synced
    feed_in_front(client, read_seconds=5.0)

    def ours() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return int(cursor.fetchone()[0])

    before = ours()
    searchers = [threading.Thread(target=_searches_of_postplus_numbers, args=(5,)) for _ in range(12)]
    for searcher in searchers:
        searcher.start()
    for searcher in searchers:
        searcher.join(30)
    # At most the feed store's own readers (a handful, pooled), never one per searching thread.
    assert ours() - before <= store.READERS
