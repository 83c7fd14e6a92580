"""Carrier text as it really comes, through every channel: arbitrary unicode (controls, NUL, lone surrogates
included) in every text field of an event, for each carrier, through the real client over its fake.

The parcel page and the JSON API answer 200 with the text cleaned (no C0 control but tab and newline, no lone
surrogate); the Atom feed parses as XML 1.0; the calendar entry parses with icalendar; following sends its email
and its push message; PostPlus's feed store keeps the event, cleaned (tests/tracking_site/
test_carrier_text_channels_services.py runs the store's test on PostgreSQL, which refuses NUL).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carriers.base import as_text
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from tests.tracking_site.following.conftest import followed, with_email, with_push
from tests.tracking_site.following.push_service import FakePushService
from tests.tracking_site.planted import TEXT_KEYS, carriers_over, demo_records, plant
from tracking_site.following.models import FollowedParcel
from tracking_site.following.tasks import follow_up
from tracking_site.following.vapid import new_private_key, vapid_signer
from tracking_site.lookup.clients import get_carriers, install_carriers
from tracking_site.models import FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.store import FeedLookup, postplus_api
from tracking_site.postplus_feed.sync import sync_feed
from tracking_site.web.answer_cache import local_copies

pytestmark = pytest.mark.django_db

# One delivered parcel per carrier: its page, feed and calendar entry (its delivery day) all have something to say.
PARCELS = {
    "postplus": "RR204817360LV",
    "dhl-ecommerce": fake_dhl.DELIVERED_SIGNED,
    "nzpost": fake_nzpost.DELIVERED_PACE_JOB,
}
# Every text field of an event or parcel the site shows: TEXT_KEYS, and PostPlus's last-mile carrier's name.
TEXT_FIELDS = {**TEXT_KEYS, "postplus": TEXT_KEYS["postplus"] | {"carrier"}}
# What the issue found carriers answering (each took a page, a feed or the whole feed sync down).
ISSUE_TEXTS = ["Parcel\x0bdamaged \x1b[31m red", "\u0000", "\ud800"]
# What clean text may not hold: C0 controls other than tab and newline, DEL, and lone surrogates.
UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")

carrier_text = st.text(st.characters(exclude_categories=()), max_size=120)
every_carrier = pytest.mark.parametrize("slug", sorted(PARCELS))


def any_text(strategy: st.SearchStrategy[str]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The test's `text` drawn from `strategy`, the issue's three texts first; no deadline (a whole site per text)."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        for text in ISSUE_TEXTS:
            test = example(text=text)(test)
        wrapped: Callable[..., None] = given(text=strategy)(test)
        return settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])(wrapped)

    return decorate


def with_text(slug: str, text: str) -> list[Any]:
    """The carrier's raw records of its one parcel, every text field of every event (and the parcel) `text`."""
    number = PARCELS[slug]
    records = [record for record in demo_records()[slug] if number in json.dumps(record)]
    assert records, slug
    return plant(records, TEXT_FIELDS[slug], lambda value: text if isinstance(value, str) or value is None else value)


def serve(slug: str, text: str, **install: Any) -> None:
    """The site's carriers: `slug`'s real client over a fake serving its parcel with `text`; nothing cached."""
    cache.clear()
    local_copies.clear()
    records = {name: [] for name in PARCELS}
    records[slug] = with_text(slug, text)
    install_carriers({slug: carriers_over(records)[slug]}, **install)


def assert_clean(text: str) -> None:
    assert not UNCLEAN.search(text), ascii(UNCLEAN.search(text))


def json_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value.keys(), *(s for item in value.values() for s in json_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in json_strings(item)]
    return [value] if isinstance(value, str) else []


@every_carrier
@any_text(carrier_text)
def test_any_carrier_text_gives_a_clean_page_json_answer_xml_feed_and_calendar_entry(slug, text):
    serve(slug, text)
    client = Client()
    number = PARCELS[slug]

    page = client.get(f"/track/{slug}/{number}/")
    api = client.get(f"/api/v1/parcels/{slug}/{number}")
    feed = client.get(f"/track/{slug}/{number}/feed.atom")
    calendar = client.get(f"/track/{slug}/{number}/calendar.ics")

    assert (page.status_code, api.status_code, feed.status_code) == (200, 200, 200)
    assert_clean(page.content.decode())  # strict UTF-8: a surrogate could not have been encoded
    answer = json.loads(api.content)
    assert answer["parcel"]["events"]
    for string in json_strings(answer):
        assert_clean(string)
    entries = list(ET.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}entry"))  # noqa: S314
    assert len(entries) == len(answer["parcel"]["events"])
    # Delivered, unless the carrier's words say otherwise (then no day may be known): either way, no error.
    assert calendar.status_code in (200, 404)
    if calendar.status_code == 200:
        assert icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")


@pytest.fixture
def push_service():
    with FakePushService() as service:
        yield service


@every_carrier
@any_text(carrier_text)
def test_any_carrier_text_still_lets_following_send_its_email_and_push_message(slug, text, push_service, settings):
    if not settings.VAPID_PRIVATE_KEY:
        settings.VAPID_PRIVATE_KEY = new_private_key()
    sender = push_service.sender(vapid_signer())
    serve(slug, text)
    FollowedParcel.objects.all().delete()
    mail.outbox.clear()
    push_service.received.clear()
    now = timezone.now()
    # Followed before anything was known: the refresh finds news, whatever the carrier's words say the status is.
    row = followed(
        PARCELS[slug], carrier=slug, status="unknown", followed_since=now - timedelta(hours=1), next_check_at=now
    )
    with_push(row, push_service, "browser")
    with_email(row, "reader@follower-mail.net")

    refreshed, delivered = follow_up(now, push_sender=sender)

    assert (refreshed.checked, refreshed.changed, refreshed.failed) == (1, 1, 0)
    assert delivered.failed == 0 and delivered.sent == 2 * refreshed.changed
    for message in mail.outbox:
        assert_clean(message.message().as_bytes().decode())
    for push in push_service.received:
        for string in json_strings(push.message):
            assert_clean(string)


def sync_then_read(text: str) -> tuple[list[dict[str, Any]], Any]:
    """PostPlus's feed synced from scratch with `text` in its events: the stored rows, and the parcel's page
    answered from the store."""
    serve("postplus", text, feed=FeedLookup())
    StoredFeedEvent.objects.all().delete()
    FeedCursor.objects.all().delete()
    client = postplus_api(get_carriers()["postplus"])
    assert client is not None
    assert sync_feed(client, since=date(2000, 1, 1)).caught_up
    page = Client().get(f"/track/postplus/{PARCELS['postplus']}/")
    return list(StoredFeedEvent.objects.values()), page


@any_text(st.one_of(carrier_text, st.text(st.characters(exclude_categories=()), min_size=480, max_size=700)))
def test_any_carrier_text_is_stored_from_the_feed_cleaned_and_the_page_answers_from_the_store(text):
    rows, page = sync_then_read(text)

    # No event left out for its text: each is stored once (PostPlus sends one of them again, updated), its text as
    # cleaned where it entered, cut to its column.
    events = {item["event"]["eventId"] for item in with_text("postplus", text)}
    assert sorted(row["event_id"] for row in rows) == sorted(events)
    expected = as_text(text)
    assert {row["event_location"] for row in rows} == {expected[:200]}
    assert {row["event_message"] for row in rows} == {expected[:500]}
    assert {row["delivering_carrier"] for row in rows} == {expected[:100]}
    assert page.status_code == 200
    assert_clean(page.content.decode())
