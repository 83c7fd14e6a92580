"""sync_postplus_feed: pages until fetchDone, events keyed by eventId, cursor saved with each page, one run at once."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from carriers.fakes.postplus import FEED_PATH
from tests.tracking_site.postplus_feed.feed_fakes import SENDER_MARKER, SINCE, feed_client, feed_item, numbered_items
from tracking_site.lookup.clients import install_carriers
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.store import store_events
from tracking_site.postplus_feed.sync import FeedBusy, acquire_lease, store_page, sync_feed

pytestmark = pytest.mark.django_db


def run_sync(*args: str, **options):
    out = io.StringIO()
    call_command("sync_postplus_feed", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def install(items, **recording):
    client, feed = feed_client(items, **recording)
    install_carriers({"postplus": client})
    return client, feed


def stored_versions():
    return sorted(StoredFeedEvent.objects.values_list("event_id", "event_version"))


def cursor():
    return FeedCursor.objects.get(feed=POSTPLUS_FEED)


def test_first_run_without_since_is_refused_before_asking_postplus():
    _, feed = install(numbered_items(3))
    with pytest.raises(CommandError, match="--since"):
        run_sync()
    assert feed.calls_to(FEED_PATH) == 0


def test_a_since_that_is_not_a_date_is_a_clear_error():
    install(numbered_items(3))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run_sync("--since", "13/01/2025")


def test_sync_pages_until_fetch_done_and_prints_progress_per_page():
    _, feed = install(numbered_items(5))
    output = run_sync("--since", SINCE, "--page-size", "2")
    assert [line.split(":")[0] for line in output.splitlines()[:3]] == ["page 1", "page 2", "page 3"]
    assert "(feed done)" in output.splitlines()[2]
    assert "Caught up: 3 page(s), 5 event(s), 5 new or updated." in output
    assert feed.feed_queries[0] == {"startDate": SINCE, "count": "2"}
    assert StoredFeedEvent.objects.count() == 5
    saved = cursor()
    assert saved.start_date == date(2025, 1, 13) and saved.pages_stored == 3 and saved.events_stored == 5
    assert saved.last_caught_up_at is not None
    assert saved.lock_owner == "" and saved.locked_until is None


def test_an_update_replaces_the_event_only_when_its_version_is_numerically_newer():
    items = [
        feed_item("PPL1", "E1", "9", message="first version"),
        feed_item("PPL1", "E2", "12", message="kept: newest"),
        feed_item("PPL1", "E1", "10", message="second version"),  # "10" < "9" as text, newer as a number
        feed_item("PPL1", "E2", "11", message="late, older version"),
    ]
    install(items)
    run_sync("--since", SINCE, "--page-size", "1")
    messages = dict(StoredFeedEvent.objects.values_list("event_id", "event_message"))
    assert messages == {"E1": "second version", "E2": "kept: newest"}
    assert stored_versions() == [("E1", "10"), ("E2", "12")]


def test_a_page_carrying_an_event_and_its_update_stores_the_update():
    install([feed_item("PPL1", "E1", "5", message="old"), feed_item("PPL1", "E1", "6", message="new")])
    run_sync("--since", SINCE)
    assert list(StoredFeedEvent.objects.values_list("event_message", flat=True)) == ["new"]


def test_a_later_run_continues_from_the_saved_cursor():
    _, feed = install(numbered_items(4))
    run_sync("--since", SINCE, "--page-size", "2")
    saved_cursor = cursor().next_fetch_id
    feed.fake.records.append(feed_item("PPL250113000002", "LATE", "900", hours=30))
    feed.fake.records.append(feed_item("PPL250113000001", "EVENT0001", "901", message="updated later", hours=1))
    output = run_sync("--page-size", "2")
    assert feed.feed_queries[-1]["fetchId"] == saved_cursor
    assert "Caught up: 1 page(s), 2 event(s), 2 new or updated." in output
    assert StoredFeedEvent.objects.count() == 5
    assert StoredFeedEvent.objects.get(event_id="EVENT0001").event_message == "updated later"


def test_since_is_refused_once_a_cursor_is_saved():
    install(numbered_items(2))
    run_sync("--since", SINCE)
    with pytest.raises(CommandError, match="saved cursor"):
        run_sync("--since", SINCE)


def test_crash_on_the_third_page_loses_nothing_and_the_next_run_resumes_from_the_cursor():
    items = numbered_items(6)
    _, feed = install(items, fail_feed_calls={3: 500})
    with pytest.raises(CommandError, match="continues from the saved cursor"):
        run_sync("--since", SINCE, "--page-size", "2")
    assert stored_versions() == [(f"EVENT{i:04d}", str(100 + i)) for i in range(4)]
    after_crash = cursor()
    assert after_crash.pages_stored == 2 and after_crash.lock_owner == ""
    assert after_crash.last_caught_up_at is None

    run_sync("--page-size", "2")
    assert feed.feed_queries[3]["fetchId"] == after_crash.next_fetch_id  # the failed page, asked again
    assert len(feed.feed_queries) == 4
    assert stored_versions() == [(f"EVENT{i:04d}", str(100 + i)) for i in range(6)]
    assert cursor().events_stored == 6  # each event stored once


def test_a_database_failure_mid_page_rolls_back_the_page_and_its_cursor_together():
    client, feed = install(numbered_items(6))
    calls = []

    def store_then_fail_on_second_page(events):
        calls.append(1)
        changed = store_events(events)  # the rows are written, then the transaction fails
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return changed

    with pytest.raises(RuntimeError):
        sync_feed(client, since=date(2025, 1, 13), page_size=2, store=store_then_fail_on_second_page)
    assert stored_versions() == [("EVENT0000", "100"), ("EVENT0001", "101")]
    first_page_cursor = feed.feed_queries[1]["fetchId"]
    assert cursor().next_fetch_id == first_page_cursor and cursor().pages_stored == 1
    assert cursor().lock_owner == ""

    summary = sync_feed(client, page_size=2)
    assert feed.feed_queries[2]["fetchId"] == first_page_cursor
    assert summary.pages == 2 and summary.changed == 4
    assert StoredFeedEvent.objects.count() == 6


def test_a_live_lease_of_another_run_makes_a_second_run_fail_fast():
    _, feed = install(numbered_items(2))
    acquire_lease("another-host:1:abcd", now=timezone.now())
    with pytest.raises(CommandError, match="Another sync_postplus_feed run"):
        run_sync("--since", SINCE)
    assert feed.calls_to(FEED_PATH) == 0
    assert cursor().lock_owner == "another-host:1:abcd"


def test_an_expired_lease_of_a_crashed_run_is_taken_over():
    install(numbered_items(2))
    acquire_lease("crashed-host:1:abcd", now=timezone.now() - timedelta(hours=1))
    assert "Caught up" in run_sync("--since", SINCE)
    assert StoredFeedEvent.objects.count() == 2


def test_a_run_that_lost_its_lease_writes_nothing():
    client, _ = feed_client(numbered_items(2))
    acquire_lease("new-owner", now=timezone.now())
    page = client.fetch_feed_page(date(2025, 1, 13))
    with pytest.raises(FeedBusy):
        store_page(page, owner="old-owner", start_date=date(2025, 1, 13), now=timezone.now())
    assert StoredFeedEvent.objects.count() == 0
    assert cursor().next_fetch_id == ""


def test_the_shops_own_reference_is_never_stored():
    install(numbered_items(3))
    run_sync("--since", SINCE)
    everything = repr(list(StoredFeedEvent.objects.values())) + repr(list(FeedCursor.objects.values()))
    assert "PPL250113000001" in everything  # the dump is of the right rows
    assert SENDER_MARKER not in everything


def test_no_postplus_configured_is_a_clear_error():
    install_carriers({})
    with pytest.raises(CommandError, match="not configured"):
        run_sync("--since", SINCE)
