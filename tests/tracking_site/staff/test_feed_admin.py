"""Django admin shows the stored PostPlus feed and its cursor to staff, read-only."""

from datetime import date

import pytest

from tests.tracking_site.postplus_feed.feed_fakes import feed_client, numbered_items
from tracking_site.postplus_feed.models import FeedCursor, StoredFeedEvent
from tracking_site.postplus_feed.sync import sync_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced():
    client, _ = feed_client(numbered_items(3))
    sync_feed(client, since=date(2025, 1, 13))


def test_staff_see_the_stored_events_and_the_cursor(staff_client, synced):
    events = staff_client.get("/staff/admin/tracking_site/storedfeedevent/")
    assert events.status_code == 200
    assert "PPL250113000001" in events.content.decode()
    cursor = staff_client.get("/staff/admin/tracking_site/feedcursor/")
    assert cursor.status_code == 200 and "postplus" in cursor.content.decode()


def test_an_event_opens_read_only(staff_client, synced):
    event = StoredFeedEvent.objects.first()
    page = staff_client.get(f"/staff/admin/tracking_site/storedfeedevent/{event.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert event.event_id in body and 'name="_save"' not in body


def test_nothing_can_be_added_changed_or_deleted(staff_client, synced):
    event = StoredFeedEvent.objects.first()
    cursor = FeedCursor.objects.get()
    base = "/staff/admin/tracking_site"
    assert staff_client.get(f"{base}/storedfeedevent/add/").status_code == 403
    assert staff_client.get(f"{base}/feedcursor/add/").status_code == 403
    assert staff_client.post(f"{base}/storedfeedevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.post(f"{base}/feedcursor/{cursor.pk}/delete/", {"post": "yes"}).status_code == 403
    staff_client.post(f"{base}/feedcursor/{cursor.pk}/change/", {"feed": "changed", "next_fetch_id": "x"})
    assert FeedCursor.objects.get().feed == "postplus"
    assert StoredFeedEvent.objects.count() == 3


def test_users_who_are_not_staff_do_not_get_into_the_admin(customer_client, synced):
    response = customer_client.get("/staff/admin/tracking_site/storedfeedevent/")
    assert response.status_code == 302 and "/login/" in response["Location"]
