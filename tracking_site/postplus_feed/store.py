"""PostPlus feed events in the database: storing a page, and answering parcel lookups from what is stored."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import DatabaseError, DataError, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from carriers.base import CarrierClient
from carriers.drift import report_drift
from carriers.model import Parcel, Status, parcel_from_events
from carriers.postplus import (
    FeedEvent,
    PostPlusClient,
    last_mile,
    newest_versions,
    shows_handover,
    tracking_event,
    version_is_newer,
)
from tracking_site.lookup.event_codes import extra_code_statuses
from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.tuning import Count, Seconds, Section

logger = logging.getLogger("tracking_site.feed")


@dataclass(frozen=True)
class FeedTuning:
    """The stored PostPlus feed in front of the API (tuning section `postplus_feed`)."""

    fresh_seconds: Count = 600  # public pages answer from stored events while the last caught-up sync is this recent
    lease_seconds: Count = 300  # a sync run that stops writing pages this long loses the feed to the next run
    read_seconds: Seconds = 0.5  # a public page waits at most this long for the store, then asks the API


FEED = Section("postplus_feed", FeedTuning)

T = TypeVar("T")

# The columns an event identifies itself by: a value longer than its column cannot be cut without making it
# another event's (or no parcel's), so such an event is left out and reported; other text is shortened.
IDENTIFYING = {"event_id": "events[].event.eventId", "parcel_nr": "events[].parcel.parcelNr"}


def _field_values(event: FeedEvent) -> dict[str, object]:
    # senderParcelNr is not here: FeedEvent never carries it, so it cannot be stored.
    return {
        "event_version": event.event_version,
        "parcel_nr": event.parcel_nr,
        "carrier_parcel_nr": event.carrier_parcel_nr,
        "manifest_parcel_nr": event.manifest_parcel_nr,
        "destination_country": event.destination_country,
        "delivering_carrier": event.carrier,
        "carrier_site": event.carrier_site,
        "event_code": event.event_code,
        "event_message": event.event_message,
        "event_time": event.event_time,
        "event_location": event.event_location,
    }


UPDATED_FIELDS = [
    "event_version",
    "parcel_nr",
    "carrier_parcel_nr",
    "manifest_parcel_nr",
    "destination_country",
    "delivering_carrier",
    "carrier_site",
    "event_code",
    "event_message",
    "event_time",
    "event_location",
]


def _max_length(name: str) -> int:
    length = StoredFeedEvent._meta.get_field(name).max_length
    return length if isinstance(length, int) else 0


def fits_the_store(event: FeedEvent) -> bool:
    """Whether the event's identifying values fit their columns (else it is reported, and left out)."""
    values = {"event_id": event.event_id, "parcel_nr": event.parcel_nr}
    too_long = [name for name, value in values.items() if len(value) > _max_length(name)]
    for name in too_long:
        report_drift("postplus", IDENTIFYING[name], values[name])
    return not too_long


# Values that are no longer themselves when cut: a number or an address too long for its column is left out.
UNCUTTABLE = frozenset({"carrier_parcel_nr", "manifest_parcel_nr", "carrier_site"})


def _row_values(event: FeedEvent) -> dict[str, object]:
    """The event's column values, text cut to its column (a carrier's long message must not fail the page)."""
    values = _field_values(event)
    for name, value in values.items():
        if isinstance(value, str) and (limit := _max_length(name)) and len(value) > limit:
            values[name] = "" if name in UNCUTTABLE else value[:limit]
    return values


def store_events(events: Iterable[FeedEvent]) -> int:
    """Insert new events and replace stored ones whose version is older; returns how many rows changed.

    Call inside the transaction that also moves the cursor. One event the database refuses is left out (and
    logged), never the page: the page is written at once, and only if that fails, event by event.
    """
    incoming = {event.event_id: event for event in newest_versions(events) if fits_the_store(event)}
    try:
        with transaction.atomic():
            return _write(incoming)
    except (DataError, IntegrityError, ValueError):
        pass
    changed = 0
    for event_id, event in incoming.items():
        try:
            with transaction.atomic():
                changed += _write({event_id: event})
        except (DataError, IntegrityError, ValueError) as exc:
            logger.warning("feed=postplus outcome=event_not_stored error=%s", type(exc).__name__)
    return changed


def _write(incoming: Mapping[str, FeedEvent]) -> int:
    stored = StoredFeedEvent.objects.in_bulk(list(incoming), field_name="event_id")
    to_create: list[StoredFeedEvent] = []
    to_update: list[StoredFeedEvent] = []
    for event_id, event in incoming.items():
        row = stored.get(event_id)
        if row is None:
            to_create.append(StoredFeedEvent(event_id=event_id, **_row_values(event)))
        elif version_is_newer(event.event_version, row.event_version):
            for name, value in _row_values(event).items():
                setattr(row, name, value)
            to_update.append(row)
    StoredFeedEvent.objects.bulk_create(to_create)
    if to_update:
        StoredFeedEvent.objects.bulk_update(to_update, UPDATED_FIELDS)
    return len(to_create) + len(to_update)


# --- reading ------------------------------------------------------------------------------------------------


def feed_is_fresh(now: datetime | None = None) -> bool:
    """Whether the last sync caught up recently enough for stored events to stand in for the API."""
    return caught_up_recently(last_caught_up(), now or timezone.now())


def last_caught_up() -> datetime | None:
    return FeedCursor.objects.filter(feed=POSTPLUS_FEED).values_list("last_caught_up_at", flat=True).first()


def caught_up_recently(caught_up: datetime | None, now: datetime) -> bool:
    return caught_up is not None and now - caught_up <= timedelta(seconds=FEED.current().fresh_seconds)


class FeedStoreUnreadable(Exception):
    """The store did not answer within its deadline (a hanging database), or failed."""


# A handful of reads at once per process; a read stuck on a hanging database holds one of these, never a visitor.
READERS = 4
_reads = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="feed-store")


def bounded_read(read: Callable[[], T], seconds: float) -> T:
    """`read()` against the database, given up after `seconds`: a public page never waits on a hanging database.

    The read runs on a small pool and closes its connection when done, so no connection outlives it. Inside a
    transaction (a test, a management command) it runs right here: only this connection sees the transaction's rows.
    """
    if connection.in_atomic_block:
        return read()
    future = _reads.submit(_closing_connections, read)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout as exc:
        raise FeedStoreUnreadable("the feed store did not answer in time") from exc
    except DatabaseError as exc:
        raise FeedStoreUnreadable(type(exc).__name__) from exc


def _closing_connections(read: Callable[[], T]) -> T:
    try:
        return read()
    finally:
        connections.close_all()


def _recheck_in_background(task: Callable[[], None]) -> None:
    threading.Thread(target=task, name="feed-freshness", daemon=True).start()


class FeedFreshness:
    """`feed_is_fresh`, reading the cursor at most every `recheck_seconds`, each read bounded by `read_seconds`.

    Every PostPlus lookup asks; without this, each would pay a database round trip before its API call, mostly to
    learn that nothing changed. The time of the last catch-up is what is remembered, so a feed going stale is
    noticed at once; one catching up, within `recheck_seconds` (plus one read). Only the first read is waited
    for: a recheck runs on `run` (a thread of its own) while lookups go on with what was read last, so no visitor
    pays for opening a database connection to learn the cursor moved. An unreadable store counts as stale (the API
    answers) until the next recheck.
    """

    def __init__(
        self,
        recheck_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        read_seconds: float = 0.5,
        run: Callable[[Callable[[], None]], None] = _recheck_in_background,
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self.read_seconds = read_seconds
        self.clock = clock
        self.run = run
        self._caught_up: datetime | None = None
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        moment = self.clock()
        if self._read_at is None:
            with self._lock:  # the first read: every lookup waits for it
                if self._read_at is None:
                    self._caught_up = self._read()
                    self._read_at = moment
        elif moment - self._read_at >= self.recheck_seconds and self._lock.acquire(blocking=False):
            self._read_at = moment  # one recheck at a time; the others use what was read last
            self.run(self._recheck)
        return caught_up_recently(self._caught_up, timezone.now())

    def _recheck(self) -> None:
        try:
            self._caught_up = self._read()
            self._read_at = self.clock()
        finally:
            self._lock.release()

    def _read(self) -> datetime | None:
        try:
            return bounded_read(last_caught_up, self.read_seconds)
        except (FeedStoreUnreadable, DatabaseError) as exc:  # the API still answers: one warning per recheck
            logger.warning("feed=postplus outcome=store_unreadable error=%s", _error_name(exc))
            return None

    def forget(self) -> None:
        """Read the cursor again on the next call."""
        self._read_at = None

    def distrust(self) -> None:
        """The store just failed a read: count the feed as stale until the next recheck."""
        self._caught_up = None
        self._read_at = self.clock()


def _error_name(exc: Exception) -> str:
    cause = exc.__cause__
    if isinstance(exc, FeedStoreUnreadable) and isinstance(cause, DatabaseError):
        return type(cause).__name__
    return type(exc).__name__


def stored_parcels(numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None) -> dict[str, Parcel]:
    """Parcels built from stored events, keyed by the asked number (parcelNr, manifestParcelNr or carrierParcelNr)."""
    asked = {number.upper(): number for number in numbers}
    rows = StoredFeedEvent.objects.filter(
        Q(parcel_nr__in=list(asked)) | Q(manifest_parcel_nr__in=list(asked)) | Q(carrier_parcel_nr__in=list(asked))
    )
    grouped: dict[str, list[StoredFeedEvent]] = {}
    for row in rows.order_by("event_time", "id"):
        number = (
            asked.get(row.parcel_nr.upper())
            or asked.get(row.manifest_parcel_nr.upper())
            or asked.get(row.carrier_parcel_nr.upper())
        )
        if number:
            grouped.setdefault(number, []).append(row)
    statuses = dict(extra_codes or {})
    return {number: parcel_from_rows(number, group, statuses) for number, group in grouped.items()}


def parcel_from_rows(number: str, rows: list[StoredFeedEvent], extra_codes: Mapping[str, Status]) -> Parcel:
    """The public Parcel of one parcel's stored events (oldest first), read as the API's answer would be."""
    events = [
        tracking_event(row.event_time, row.event_code, row.event_message, row.event_location, extra_codes)
        for row in rows
    ]
    countries = [row.destination_country for row in rows if row.destination_country]
    handed_over = shows_handover(events)
    handovers = (
        last_mile(row.delivering_carrier, row.carrier_parcel_nr, url=row.carrier_site, handed_over=handed_over)
        for row in reversed(rows)
    )
    return parcel_from_events(
        carrier=PostPlusClient.slug,
        tracking_number=number,
        events=events,
        destination_country=countries[-1] if countries else "",
        last_mile=next((handover for handover in handovers if handover is not None), None),
    )


class FeedSource:
    """The PostPlus parcels the stored feed can answer: a lookup source (lookup/sources.py), asked before the API.

    Only while the feed is fresh, and never for longer than `read_seconds`; a failing or hanging store answers
    nothing, so the API is asked for everything.
    """

    carrier = PostPlusClient.slug

    def __init__(
        self,
        *,
        is_fresh: Callable[[], bool] | None = None,
        code_statuses: Callable[[PostPlusClient], Mapping[str, Status]] = extra_code_statuses,
        read_seconds: float = 0.5,
    ) -> None:
        self.freshness: Callable[[], bool] = is_fresh or FeedFreshness(read_seconds=read_seconds)
        self.read_seconds = read_seconds
        self._code_statuses = code_statuses

    @classmethod
    def from_settings(cls) -> FeedSource:
        return cls(read_seconds=FEED.current().read_seconds)

    def warm_up(self) -> None:
        self.freshness()

    def parcels(self, client: CarrierClient, numbers: Sequence[str]) -> dict[str, Parcel]:
        """Parcels built from stored events, keyed by the asked number; {} when the feed is stale or unreadable."""
        api = postplus_api(client)
        if api is None or not numbers or not self.freshness():
            return {}
        statuses = self._code_statuses(api)
        try:
            return bounded_read(lambda: stored_parcels(numbers, statuses), self.read_seconds)
        except (FeedStoreUnreadable, DatabaseError) as exc:
            logger.warning("feed=postplus outcome=store_unreadable error=%s", _error_name(exc))
            if isinstance(self.freshness, FeedFreshness):
                self.freshness.distrust()
            return {}


def postplus_api(client: CarrierClient | None) -> PostPlusClient | None:
    """The PostPlus API client among the enabled carriers, if PostPlus is on."""
    return client if isinstance(client, PostPlusClient) else None
