"""A PostPlus fake feed for the feed tests: planted items, recorded requests, and failures on chosen calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from carriers.fakes import postplus as fake_postplus
from carriers.postplus import PostPlusClient

SINCE = "2025-01-13"
FIRST_EVENT_AT = datetime(2025, 1, 13, 8, tzinfo=UTC)
SENDER_MARKER = "PRIVMARKSENDER"


def feed_item(
    parcel_nr: str,
    event_id: str,
    version: str,
    *,
    code: str = "IN_TRANSIT",
    message: str = "Parcel in transit",
    hours: float = 0,
    location: str = "Tallinn",
) -> dict[str, Any]:
    """One raw feed item in the published shape, its senderParcelNr a marker that must never be stored."""
    return {
        "parcel": {
            "parcelNr": parcel_nr,
            "senderParcelNr": f"{SENDER_MARKER}{parcel_nr}",
            "destinationCountry": "EE",
            "carrier": "TestCarrier",
            "carrierParcelNr": parcel_nr,
        },
        "event": {
            "eventId": event_id,
            "eventTime": (FIRST_EVENT_AT + timedelta(hours=hours)).isoformat(),
            "eventVersion": version,
            "eventCode": code,
            "eventMessage": message,
            "eventLocation": location,
        },
    }


def numbered_items(count: int, parcel_nr: str = "PPL250113000001") -> list[dict[str, Any]]:
    return [feed_item(parcel_nr, f"EVENT{index:04d}", str(100 + index), hours=index) for index in range(count)]


class RecordingFeed:
    """Wraps a FakePostPlus: keeps each feed request's query and answers chosen feed calls with an error."""

    def __init__(self, fake: fake_postplus.FakePostPlus, *, fail_feed_calls: dict[int, int] | None = None) -> None:
        self.fake = fake
        self.fail_feed_calls = dict(fail_feed_calls or {})
        self.feed_queries: list[dict[str, str]] = []
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        self.paths.append(path)
        if path == fake_postplus.FEED_PATH:
            query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
            self.feed_queries.append(query)
            status = self.fail_feed_calls.get(len(self.feed_queries))
            if status:
                start_response(f"{status} Injected", [("Content-Type", "application/json")])
                return [b'{"title": "Injected failure"}']
        return self.fake(environ, start_response)

    def calls_to(self, path: str) -> int:
        return self.paths.count(path)


def feed_client(items: list[dict[str, Any]], **recording: Any) -> tuple[PostPlusClient, RecordingFeed]:
    """A real PostPlus client talking to a fake serving `items`, and the recorder in front of that fake."""
    feed = RecordingFeed(fake_postplus.FakePostPlus(items), **recording)
    client = PostPlusClient(
        httpx.Client(transport=httpx.WSGITransport(app=feed)),
        base_url="http://postplus.test",
        api_key=fake_postplus.DEMO_API_KEY,
    )
    return client, feed
