"""The feed lock on the real PostgreSQL: a row lock held by another connection or process stops a run at once."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from carriers.fakes import postplus as fake_postplus
from tests.tracking_site.postplus_feed.feed_fakes import feed_client, numbered_items
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.sync import FeedBusy, acquire_lease, release_lease, store_page

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@contextmanager
def cursor_row_locked_elsewhere(*, take_over_for: str = "") -> Iterator[None]:
    """Another connection (another thread) holds the cursor row lock until the block ends.

    With `take_over_for`, that connection also hands the lease to another owner before it commits.
    """
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                FeedCursor.objects.select_for_update().get(feed=POSTPLUS_FEED)
                if take_over_for:
                    FeedCursor.objects.filter(feed=POSTPLUS_FEED).update(lock_owner=take_over_for)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        holder.join(timeout=10)


def wait_until_a_backend_waits_for_a_lock(seconds: float = 20) -> None:
    """Poll PostgreSQL until some connection is blocked on a lock (proof that a writer is queued)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
    raise AssertionError("no connection ever waited for the cursor row lock")


def sync_process(*args: str) -> subprocess.Popen[str]:
    """`manage.py sync_postplus_feed` in its own process, on this test's database, against the demo PostPlus."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TRACKING_DEMO": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "sync_postplus_feed", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_a_row_lock_held_by_another_connection_stops_taking_the_lease_at_once():
    FeedCursor.objects.create(feed=POSTPLUS_FEED)
    with cursor_row_locked_elsewhere(), pytest.raises(FeedBusy, match="writing"):
        acquire_lease("second-run", now=timezone.now())
    assert FeedCursor.objects.get().lock_owner == ""


def test_a_page_write_waits_for_the_row_lock_then_sees_its_lease_was_taken_over_and_stores_nothing():
    client, _ = feed_client(numbered_items(2))
    acquire_lease("this-run", now=timezone.now())
    page = client.fetch_feed_page(date(2025, 1, 13))
    outcome: list[BaseException | int] = []

    def write() -> None:
        try:
            outcome.append(store_page(page, owner="this-run", start_date=date(2025, 1, 13), now=timezone.now()))
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connection.close()

    with cursor_row_locked_elsewhere(take_over_for="other-run"):
        writer = threading.Thread(target=write)
        writer.start()
        wait_until_a_backend_waits_for_a_lock()
        assert outcome == []  # still queued behind the other connection
    writer.join(timeout=20)
    assert len(outcome) == 1 and isinstance(outcome[0], FeedBusy)
    assert StoredFeedEvent.objects.count() == 0
    assert FeedCursor.objects.get().next_fetch_id == ""


def test_another_process_cannot_start_while_the_cursor_row_is_locked():
    FeedCursor.objects.create(feed=POSTPLUS_FEED)
    with cursor_row_locked_elsewhere():
        process = sync_process("--since", "2020-01-01")
        _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Another run is writing the PostPlus feed cursor" in err
    assert StoredFeedEvent.objects.count() == 0


def test_processes_started_while_another_run_holds_the_lease_are_refused_until_it_is_released():
    acquire_lease("long-run-elsewhere", now=timezone.now())
    # One after the other: two started together may meet each other's brief row lock first (a refusal too,
    # worded for that case; test_two_processes_started_together_store_each_event_once covers the race).
    for _ in range(2):
        process = sync_process("--since", "2020-01-01")
        _, err = process.communicate(timeout=60)
        assert process.returncode != 0 and "Another sync_postplus_feed run holds the PostPlus feed" in err
    assert StoredFeedEvent.objects.count() == 0
    release_lease("long-run-elsewhere")
    process = sync_process("--since", "2020-01-01")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "Caught up" in output


def test_two_processes_started_together_store_each_event_once():
    processes = [sync_process("--since", "2020-01-01", "--page-size", "3") for _ in range(2)]
    outcomes = [(process.wait(timeout=120), process.communicate()) for process in processes]
    succeeded = [output for code, (output, _) in outcomes if code == 0]
    refused = [err for code, (_, err) in outcomes if code != 0]
    assert succeeded, outcomes
    # The other one either met the first one's lock, or started after it and found its saved cursor.
    assert all("Another" in err or "saved cursor" in err for err in refused), refused
    # Every demo record but the published get-many schema's placeholder, whose "eventTime" is "string".
    demo_items = [item for item in fake_postplus.demo_records(timezone.now()) if item["event"]["eventTime"] != "string"]
    cursor = FeedCursor.objects.get()
    # Every demo event stored once, and the one update applied once: no page was consumed twice.
    assert StoredFeedEvent.objects.count() == len({item["event"]["eventId"] for item in demo_items})
    assert cursor.events_stored == len(demo_items)
    assert cursor.lock_owner == "" and cursor.last_caught_up_at is not None
