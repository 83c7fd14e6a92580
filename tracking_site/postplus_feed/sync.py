"""Consuming the PostPlus event feed: one run at a time, each page's events and cursor in one transaction.

The lock has two layers that work the same on PostgreSQL and SQLite:
- a lease on the cursor row (locked_until, lock_owner), taken with a conditional UPDATE: one run holds the
  feed across pages while it waits for PostPlus, and a crashed run's lease simply runs out;
- a row lock on the cursor row whenever a run takes the lease or writes a page. Taking the lease uses
  `select_for_update(nowait=True)`: on PostgreSQL a second run fails at once instead of queueing. Writing a
  page waits for the row (a competitor only holds it for a moment while it is being refused), then checks
  the owner: a run whose lease ran out and was taken over writes nothing. (SQLite has no row locks; its
  writers are serialised anyway, and the conditional UPDATE decides.)
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from carriers.base import CarrierUnavailable
from carriers.model import FailureReason, Status
from carriers.postplus import MAX_FEED_COUNT, FeedEvent, FeedPage, PostPlusClient, status_for_event
from tracking_site.estimates import observe
from tracking_site.estimates.models import DeliveryObservation
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor
from tracking_site.postplus_feed.store import FEED, store_events, stored_parcels

logger = logging.getLogger("tracking_site.feed")

Clock = Callable[[], datetime]


class FeedBusy(Exception):
    """Another run holds the feed's cursor."""


class FeedNotStarted(ValueError):
    """The first run needs a start date; later runs must not be given one."""


@dataclass(frozen=True)
class PageStored:
    """What one page did, for progress output."""

    page: int
    events: int
    changed: int
    fetch_done: bool


@dataclass(frozen=True)
class SyncSummary:
    pages: int
    events: int
    changed: int
    caught_up: bool


def run_owner() -> str:
    """Who holds the lease: host, process and a random part, so two runs never share an identity."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _locked_cursor(*, nowait: bool) -> FeedCursor:
    """The cursor row, row-locked for this transaction; with nowait, FeedBusy when another transaction holds it."""
    rows = FeedCursor.objects.select_for_update(nowait=nowait)
    if not nowait:
        return rows.get(feed=POSTPLUS_FEED)
    try:
        return rows.get(feed=POSTPLUS_FEED)
    except DatabaseError as exc:
        raise FeedBusy("Another run is writing the PostPlus feed cursor right now.") from exc


def acquire_lease(owner: str, *, now: datetime) -> None:
    """Take the feed for `owner` until now + the lease time; FeedBusy while another run's lease is live."""
    FeedCursor.objects.get_or_create(feed=POSTPLUS_FEED)
    with transaction.atomic():
        _locked_cursor(nowait=True)
        free = Q(locked_until__isnull=True) | Q(locked_until__lte=now) | Q(lock_owner=owner)
        taken = FeedCursor.objects.filter(free, feed=POSTPLUS_FEED).update(
            locked_until=now + timedelta(seconds=FEED.current().lease_seconds), lock_owner=owner
        )
    if not taken:
        raise FeedBusy("Another sync_postplus_feed run holds the PostPlus feed; try again when it has finished.")


def release_lease(owner: str) -> None:
    FeedCursor.objects.filter(feed=POSTPLUS_FEED, lock_owner=owner).update(locked_until=None, lock_owner="")


def store_page(
    page: FeedPage,
    *,
    owner: str,
    start_date: date,
    now: datetime,
    store: Callable[[Iterable[FeedEvent]], int] = store_events,
) -> int:
    """Store a page's events and move the cursor past it, both or neither; returns rows changed."""
    with transaction.atomic():
        cursor = _locked_cursor(nowait=False)
        if cursor.lock_owner != owner:
            raise FeedBusy("This run's lease on the PostPlus feed ran out and another run took it over.")
        changed = store(page.items)
        # A last page may come without a cursor: keep the one we have, so the next run asks from there.
        if page.next_fetch_id:
            cursor.next_fetch_id = page.next_fetch_id
        cursor.start_date = start_date
        cursor.pages_stored += 1
        cursor.events_stored += changed
        cursor.locked_until = now + timedelta(seconds=FEED.current().lease_seconds)
        if page.fetch_done:
            cursor.last_caught_up_at = now
        cursor.save()
    return changed


def observe_feed_page(page: FeedPage) -> int:
    """Buffer, for the arrival estimates, the transit times of the parcels a page just stored shows delivered
    (read back from the store, whole); how many were buffered."""
    delivered = {
        event.parcel_nr
        for event in page.items
        if event.parcel_nr and status_for_event(event.event_code, event.event_message) is Status.DELIVERED
    }
    if not delivered:
        return 0
    try:
        parcels = stored_parcels(sorted(delivered)).values()
    except DatabaseError as exc:  # the page is stored; its statistics can wait for the parcel's next lookup
        logger.warning("estimates outcome=feed_parcels_unreadable error=%s", type(exc).__name__)
        return 0
    return observe(parcels, source=DeliveryObservation.FEED)


def sync_feed(
    client: PostPlusClient,
    *,
    since: date | None = None,
    page_size: int = MAX_FEED_COUNT,
    on_page: Callable[[PageStored], None] = lambda progress: None,
    clock: Clock = timezone.now,
    store: Callable[[Iterable[FeedEvent]], int] = store_events,
    owner: str | None = None,
) -> SyncSummary:
    """Page through the feed from the saved cursor (or from `since` on the first run) until fetchDone.

    Raises FeedBusy, FeedNotStarted, CarrierUnavailable; whatever was stored before an error stays stored,
    with the cursor right after it.
    """
    owner = owner or run_owner()
    acquire_lease(owner, now=clock())
    try:
        cursor = FeedCursor.objects.get(feed=POSTPLUS_FEED)
        fetch_id = cursor.next_fetch_id
        if fetch_id and since is not None:
            raise FeedNotStarted("The feed already has a saved cursor: run without --since to continue from it.")
        if not fetch_id and since is None:
            raise FeedNotStarted("The first run needs --since YYYY-MM-DD: the day to start reading the feed from.")
        start_date = since or cursor.start_date or clock().date()
        pages = events = changed = 0
        while True:
            page = client.fetch_feed_page(start_date, fetch_id, page_size)
            page_changed = store_page(page, owner=owner, start_date=start_date, now=clock(), store=store)
            observe_feed_page(page)
            pages, events, changed = pages + 1, events + len(page.items), changed + page_changed
            on_page(PageStored(pages, len(page.items), page_changed, page.fetch_done))
            if page.fetch_done:
                break
            if page.next_fetch_id == fetch_id:
                raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed's cursor did not move")
            fetch_id = page.next_fetch_id
        logger.info("feed=postplus outcome=caught_up pages=%d events=%d changed=%d", pages, events, changed)
        return SyncSummary(pages, events, changed, caught_up=True)
    finally:
        release_lease(owner)
