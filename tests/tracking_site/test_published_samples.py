"""Every published sample through the whole site: the real clients over fakes serving the carriers' own samples, a
marker planted in a copy of every private field, and every answer swept for them.

The parcel page, the JSON API, search, the Atom feed and the calendar entry; PostPlus's feed sync of its published
feed example; the staff console's searches; following by email and push, with the notifications the samples give.
"""

from __future__ import annotations

import io
import json
import logging
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from carriers.drift import collected
from carriers.fakes import postplus as fake_postplus
from tests.tracking_site.following.conftest import followed, with_email, with_push
from tests.tracking_site.following.push_service import FakePushService
from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX
from tests.tracking_site.published_samples import (
    PUBLISHED_NUMBERS,
    carriers_serving,
    planted_published_records,
    published_fakes,
)
from tracking_site.following.models import FollowedParcel, ParcelChange
from tracking_site.following.tasks import follow_up
from tracking_site.following.vapid import new_private_key, vapid_signer
from tracking_site.lookup.clients import install_carriers
from tracking_site.metrics.instruments import ANSWER_DRIFT
from tracking_site.models import StoredFeedEvent
from tracking_site.postplus_feed.store import FeedLookup

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DHL_SCAN = "EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER"
NZPOST_SCAN = "CourierPost were advised that your item is ready to be picked up."
# What the site reads of each published sample: its status, and its events' descriptions, newest first.
READ: dict[tuple[str, str], tuple[str, list[str]]] = {
    ("postplus", "PARCEL-NR-1"): ("delivered", ["Parcel data received or updated", "Delivered to the recipient"]),
    ("postplus", "PARCEL-NR-2"): ("delivered", ["Delivered to the recipient"]),
    # The get-many reference's placeholder parcel: its event's time is the placeholder "string", so the event is
    # left out (and reported); the parcel is still answered.
    ("postplus", "STRING"): ("unknown", []),
    **{("dhl-ecommerce", number): ("info_received", [DHL_SCAN]) for number in PUBLISHED_NUMBERS["dhl-ecommerce"]},
    **{("nzpost", number): ("info_received", [NZPOST_SCAN]) for number in PUBLISHED_NUMBERS["nzpost"]},
}


@pytest.fixture
def published():
    """The site's carriers serve the published samples only, each with markers planted in its private fields."""
    fakes = published_fakes(planted_published_records())
    install_carriers(carriers_serving(fakes), feed=FeedLookup())  # as the site has it: the stored feed in front
    return fakes


@pytest.fixture
def staff_client(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(django_user_model.objects.create_user("support", password="not used here", is_staff=True))
    return client


def drift_counts() -> dict[str, float]:
    """The site's drift counter (tracking_carrier_answer_drift) per field path, every carrier together."""
    return {
        sample.labels["field"]: sample.value
        for metric in ANSWER_DRIFT.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }


def assert_swept(texts: list[str]) -> None:
    assert texts
    for text in texts:
        assert MARKER_PREFIX not in text
        assert MARKER_DIGITS not in text


def test_the_published_numbers_are_every_sample_we_hold():
    assert sorted(READ) == sorted((slug, number.upper()) for slug, ns in PUBLISHED_NUMBERS.items() for number in ns)


def test_every_published_sample_answers_its_page_json_search_feed_and_calendar(client, published, caplog):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for (slug, number), (status, descriptions) in READ.items():
        drift_before = drift_counts()
        page = client.get(f"/track/{slug}/{number}/")
        api = client.get(f"/api/v1/parcels/{slug}/{number}")
        search = client.get("/track/", {"q": number.lower()})
        feed = client.get(f"/track/{slug}/{number}/feed.atom")
        calendar = client.get(f"/track/{slug}/{number}/calendar.ics")
        assert (page.status_code, api.status_code, feed.status_code) == (200, 200, 200), (slug, number)
        parcel = api.json()["parcel"]
        assert parcel["status"] == status, (slug, number)
        assert [event["description"] for event in parcel["events"]] == descriptions, (slug, number)
        body = page.content.decode()
        assert body.count('<li class="event ') == len(descriptions), (slug, number)
        assert all(text.casefold() in body.casefold() for text in descriptions), (slug, number)
        assert search.status_code == 302 and search["Location"] == f"/track/{slug}/{number}/", (slug, number)
        entries = list(ET.fromstring(feed.content).iter(f"{ATOM}entry"))  # noqa: S314 - our own feed
        assert len(entries) == len(descriptions), (slug, number)
        # A calendar entry where the carrier names a day (DHL's sample: 12/25/2019) or the parcel was delivered.
        has_day = slug == "dhl-ecommerce" or status == "delivered"
        assert calendar.status_code == (200 if has_day else 404), (slug, number)
        # Only the placeholder parcel holds what the parser does not know: the site's drift counter says where.
        drifted = {path for path, count in drift_counts().items() if count > drift_before.get(path, 0)}
        assert drifted == ({"[].events[].eventTime", "[].destinationCountry"} if number == "STRING" else set())
        seen += [body, api.content.decode(), feed.content.decode(), calendar.content.decode()]
    everything = " ".join(number for _, number in READ)
    results = client.get("/track/", {"q": everything})
    assert results.status_code == 200
    assert all(f'href="/track/{slug}/{number}/"' in results.content.decode() for slug, number in READ)
    seen += [results.content.decode(), *(record.getMessage() for record in caplog.records)]
    assert_swept(seen)


def test_the_published_feed_example_is_synced_stored_without_private_fields_and_answers_the_page(
    client, published, caplog
):
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    with collected() as drift:
        call_command("sync_postplus_feed", "--since", "2024-01-01", stdout=out, stderr=io.StringIO())

    assert "Caught up: 1 page(s), 3 event(s), 3 new or updated." in out.getvalue()
    stored = list(StoredFeedEvent.objects.order_by("event_time").values())
    assert [(row["parcel_nr"], row["event_code"]) for row in stored] == [
        ("PARCEL-NR-1", "DELIVERED"),
        ("PARCEL-NR-2", "DELIVERED"),
        ("PARCEL-NR-1", "CREATE_OR_UPDATE"),
    ]
    assert stored[-1]["event_id"] == "WoxFW73f47o2d55PPHwzit"  # the published example's own event
    # The placeholder item's time is "string": left out of the store, and said where.
    assert "events[].event.eventTime" in {report.path for report in drift}

    asked_before = published["postplus"].calls[fake_postplus.PARCEL_NRS_PATH]
    page = client.get("/track/postplus/PARCEL-NR-1/").content.decode()
    api = client.get("/api/v1/parcels/postplus/PARCEL-NR-1").json()["parcel"]
    assert published["postplus"].calls[fake_postplus.PARCEL_NRS_PATH] == asked_before  # answered from the store
    assert [event["description"] for event in api["events"]] == READ[("postplus", "PARCEL-NR-1")][1]
    assert_swept([repr(stored), page, json.dumps(api), *(record.getMessage() for record in caplog.records)])


def test_the_staff_console_finds_the_published_samples_by_sender_number_and_partial_reference(staff_client, published):
    sender_marker = next(
        item["parcel"]["senderParcelNr"]
        for item in published["postplus"].records
        if item["parcel"]["parcelNr"] == "PARCEL-NR-1"
    )
    by_sender = staff_client.post("/staff/search/postplus-sender/", {"sender_numbers": sender_marker})
    partial = staff_client.post("/staff/search/nzpost-partial/", {"partial_reference": "36160600100515"})

    sender_body, partial_body = by_sender.content.decode(), partial.content.decode()
    assert by_sender.status_code == 200 and "1 parcel found." in sender_body
    assert "<code>PARCEL-NR-1</code>" in sender_body
    assert partial.status_code == 200 and "3 parcels found." in partial_body
    assert all(number in partial_body for number in PUBLISHED_NUMBERS["nzpost"][1:])
    # The staff member's own search is shown back to them; nothing else private is.
    assert_swept([sender_body.replace(sender_marker, "the typed sender number"), partial_body])


def test_every_published_sample_can_be_followed_and_its_news_reaches_email_and_push(
    client, published, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.VAPID_PRIVATE_KEY = new_private_key()
    signer = vapid_signer()
    assert signer is not None
    now = timezone.now()
    seen: list[str] = []
    for index, (slug, number) in enumerate(READ):
        response = client.post(f"/track/{slug}/{number}/follow/email", {"email": f"new{index}@follower-mail.net"})
        # A delivered parcel has nothing more to tell: following it is refused, said on the form.
        assert response.status_code == (409 if READ[(slug, number)][0] == "delivered" else 302), (slug, number)
        seen.append(response.content.decode())
    confirmations = len(mail.outbox)
    assert confirmations == sum(1 for status, _ in READ.values() if status != "delivered")

    with FakePushService() as push_service:
        # Followed before anything was known, each due now: the first refresh tells what the samples hold.
        FollowedParcel.objects.all().delete()
        for index, (slug, number) in enumerate(READ):
            row = followed(
                number, carrier=slug, status="unknown", followed_since=now - timedelta(hours=1), next_check_at=now
            )
            with_push(row, push_service, f"browser-{index}")
            with_email(row, f"reader{index}@follower-mail.net")
        refreshed, delivered = follow_up(now, push_sender=push_service.sender(signer))
        pushes = [json.dumps(push.message, ensure_ascii=False) for push in push_service.received]

    assert refreshed.checked == len(READ) and refreshed.failed == 0
    # News: PostPlus's delivered samples, and DHL's expected day (12/25/2019) under each of its numbers. Information
    # received is no news.
    changed = set(ParcelChange.objects.values_list("parcel__carrier", "parcel__number"))
    assert changed == {("postplus", "PARCEL-NR-1"), ("postplus", "PARCEL-NR-2")} | {
        ("dhl-ecommerce", n) for n in PUBLISHED_NUMBERS["dhl-ecommerce"]
    }
    assert len(pushes) == len(changed) and delivered.sent == 2 * len(changed)
    assert any("Delivered" in push for push in pushes)
    seen += pushes
    seen += ["\n".join([m.subject, m.body, *map(str, m.extra_headers.values())]) for m in mail.outbox]
    assert len(mail.outbox) == confirmations + len(changed)
    seen += [record.getMessage() for record in caplog.records]
    assert_swept(seen)
