"""PostPlus feed events in the database: storing a page, and answering parcel lookups from what is stored."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from carriers.base import CarrierClient
from carriers.model import Found, Parcel, Status, TrackingEvent, TrackingResult, parcel_from_events
from carriers.postplus import FeedEvent, PostPlusClient, last_mile, place_from_location, status_for_event
from tracking_site.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.event_codes import extra_code_statuses

logger = logging.getLogger("tracking_site.feed")


def version_is_newer(candidate: str, current: str) -> bool:
    """Whether eventVersion `candidate` is above `current`: as numbers when both are digits, else as text."""
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate > current


def newest_versions(events: Iterable[FeedEvent]) -> dict[str, FeedEvent]:
    """One event per eventId, its newest version (a page may carry an event and its update)."""
    newest: dict[str, FeedEvent] = {}
    for event in events:
        current = newest.get(event.event_id)
        if current is None or version_is_newer(event.event_version, current.event_version):
            newest[event.event_id] = event
    return newest


def _field_values(event: FeedEvent) -> dict[str, object]:
    # senderParcelNr is not here: FeedEvent never carries it, so it cannot be stored.
    return {
        "event_version": event.event_version,
        "parcel_nr": event.parcel_nr,
        "carrier_parcel_nr": event.carrier_parcel_nr,
        "destination_country": event.destination_country,
        "delivering_carrier": event.carrier,
        "event_code": event.event_code,
        "event_message": event.event_message,
        "event_time": event.event_time,
        "event_location": event.event_location,
    }


UPDATED_FIELDS = [
    "event_version",
    "parcel_nr",
    "carrier_parcel_nr",
    "destination_country",
    "delivering_carrier",
    "event_code",
    "event_message",
    "event_time",
    "event_location",
]


def store_events(events: Iterable[FeedEvent]) -> int:
    """Insert new events and replace stored ones whose version is older; returns how many rows changed.

    Call inside the transaction that also moves the cursor.
    """
    incoming = newest_versions(events)
    stored = StoredFeedEvent.objects.in_bulk(list(incoming), field_name="event_id")
    to_create: list[StoredFeedEvent] = []
    to_update: list[StoredFeedEvent] = []
    for event_id, event in incoming.items():
        row = stored.get(event_id)
        if row is None:
            to_create.append(StoredFeedEvent(event_id=event_id, **_field_values(event)))
        elif version_is_newer(event.event_version, row.event_version):
            for name, value in _field_values(event).items():
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
    return caught_up is not None and now - caught_up <= timedelta(seconds=settings.POSTPLUS_FEED_FRESH_SECONDS)


class FeedFreshness:
    """`feed_is_fresh`, reading the cursor at most every `recheck_seconds`.

    Every PostPlus lookup asks; without this, each would pay two database round trips (a connection check
    and the cursor) before its API call, mostly to learn that nothing changed. The time of the last catch-up
    is what is remembered, so a feed going stale is noticed at once; one catching up, within `recheck_seconds`.
    """

    def __init__(self, recheck_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self._caught_up: datetime | None = None
        self._read_at: float | None = None

    def __call__(self) -> bool:
        moment = self.clock()
        if self._read_at is None or moment - self._read_at >= self.recheck_seconds:
            try:
                _usable_connection()
                self._caught_up = last_caught_up()
            except DatabaseError as exc:  # the API still answers: one warning per recheck, not per lookup
                logger.warning("feed=postplus outcome=store_unreadable error=%s", type(exc).__name__)
                self._caught_up = None
            self._read_at = moment
        return caught_up_recently(self._caught_up, timezone.now())

    def forget(self) -> None:
        """Read the cursor again on the next call."""
        self._read_at = None


def stored_parcels(numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None) -> dict[str, Parcel]:
    """Parcels built from stored events, keyed by the asked number (parcelNr or carrierParcelNr)."""
    asked = {number.upper(): number for number in numbers}
    rows = StoredFeedEvent.objects.filter(Q(parcel_nr__in=list(asked)) | Q(carrier_parcel_nr__in=list(asked)))
    grouped: dict[str, list[StoredFeedEvent]] = {}
    for row in rows.order_by("event_time", "id"):
        number = asked.get(row.parcel_nr.upper()) or asked.get(row.carrier_parcel_nr.upper())
        if number:
            grouped.setdefault(number, []).append(row)
    statuses = dict(extra_codes or {})
    return {number: parcel_from_rows(number, group, statuses) for number, group in grouped.items()}


def parcel_from_rows(number: str, rows: list[StoredFeedEvent], extra_codes: Mapping[str, Status]) -> Parcel:
    """The public Parcel of one parcel's stored events (oldest first)."""
    events = [
        TrackingEvent(
            occurred_at=row.event_time,
            status=status_for_event(row.event_code, row.event_message, extra_codes),
            description=row.event_message or row.event_code.replace("_", " ").capitalize(),
            place=place_from_location(row.event_location),
        )
        for row in rows
    ]
    countries = [row.destination_country for row in rows if row.destination_country]
    handovers = (last_mile(row.delivering_carrier, row.carrier_parcel_nr) for row in reversed(rows))
    return parcel_from_events(
        carrier=PostPlusClient.slug,
        tracking_number=number,
        events=events,
        destination_country=countries[-1] if countries else "",
        last_mile=next((handover for handover in handovers if handover is not None), None),
    )


class FeedBackedPostPlus(CarrierClient):
    """PostPlus answered from stored feed events while the feed is fresh; the API for the rest or when stale."""

    def __init__(
        self,
        api: PostPlusClient,
        *,
        is_fresh: Callable[[], bool] | None = None,
        code_statuses: Callable[[PostPlusClient], Mapping[str, Status]] = extra_code_statuses,
    ) -> None:
        super().__init__(api.http)
        self.api = api
        self.slug = api.slug  # type: ignore[misc]
        self.name = api.name  # type: ignore[misc]
        self.batch_size = api.batch_size  # type: ignore[misc]
        self.freshness: Callable[[], bool] = is_fresh or FeedFreshness()
        self._code_statuses = code_statuses

    def __repr__(self) -> str:
        return f"FeedBackedPostPlus({self.api!r})"

    def accepts(self, number: str) -> bool:
        return self.api.accepts(number)

    def identifier_kinds(self, number: str) -> tuple[str, ...]:
        return self.api.identifier_kinds(number)

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        found: dict[str, TrackingResult] = {}
        try:
            if self.freshness():
                _usable_connection()
                found = {n: Found(p) for n, p in stored_parcels(numbers, self._code_statuses(self.api)).items()}
        except DatabaseError as exc:
            logger.warning("feed=postplus outcome=store_unreadable error=%s", type(exc).__name__)
            found = {}
        missing = [number for number in numbers if number not in found]
        if missing:
            found = {**found, **self.api.track_batch(missing, kind)}
        return found


def _usable_connection() -> None:
    """The lookup's worker threads never see request_started: drop a dead or too-old connection here."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def postplus_api(client: CarrierClient | None) -> PostPlusClient | None:
    """The PostPlus API client behind whatever the registry installed for the postplus slug."""
    if isinstance(client, FeedBackedPostPlus):
        return client.api
    return client if isinstance(client, PostPlusClient) else None
