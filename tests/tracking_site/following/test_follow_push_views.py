"""The push sign-up endpoint the page's script posts to, and the service worker at the site root."""

from __future__ import annotations

import json

import pytest

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.tracking_site.following.push_service import BrowserKeys
from tracking_site.following.models import FollowedParcel, PushSubscription

pytestmark = pytest.mark.django_db

MOVING = fake_dhl.OUT_FOR_DELIVERY
FOLLOW = f"/track/dhl-ecommerce/{MOVING}/follow/push"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/dY3kQ:APA91bH-test"


def post(client, path: str, data: object, **extra):
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def test_a_subscription_is_stored_with_the_parcel_and_nothing_else(client, vapid_key):
    keys = BrowserKeys()
    response = post(client, FOLLOW, keys.subscription(ENDPOINT), HTTP_USER_AGENT="Mozilla/5.0 PRIVATE-UA")
    assert response.status_code == 201 and response.json() == {"following": True}
    stored = PushSubscription.objects.get()
    assert (stored.parcel.carrier, stored.parcel.number) == ("dhl-ecommerce", MOVING)
    assert (stored.endpoint, stored.p256dh) == (ENDPOINT, keys.p256dh)
    fields = {field.name for field in PushSubscription._meta.get_fields()}
    assert fields == {"id", "parcel", "endpoint", "p256dh", "auth", "created_at", "notification"}
    assert FollowedParcel.objects.get().status == "out_for_delivery"


def test_subscribing_again_updates_the_keys_instead_of_adding_a_row(client, vapid_key):
    post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT))
    newer = BrowserKeys()
    assert post(client, FOLLOW, newer.subscription(ENDPOINT)).status_code == 201
    assert PushSubscription.objects.get().p256dh == newer.p256dh


@pytest.mark.parametrize(
    "endpoint", ["https://127.0.0.1/push", "http://fcm.googleapis.com/x", "https://localhost/x", "https://10.0.0.9/x"]
)
def test_refused_endpoints_are_not_stored(client, vapid_key, endpoint):
    response = post(client, FOLLOW, BrowserKeys().subscription(endpoint))
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_subscription"
    assert PushSubscription.objects.count() == 0


def test_without_a_vapid_key_the_site_offers_no_push(client, settings):
    settings.VAPID_PRIVATE_KEY = ""
    assert post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT)).status_code == 404
    page = client.get(f"/track/dhl-ecommerce/{MOVING}/").content.decode()
    assert "follow-push" not in page and 'name="email"' in page


def test_a_delivered_parcel_takes_no_subscription(client, vapid_key):
    path = f"/track/dhl-ecommerce/{fake_dhl.DELIVERED_SIGNED}/follow/push"
    response = post(client, path, BrowserKeys().subscription(ENDPOINT))
    assert response.status_code == 409 and response.json()["error"]["code"] == "parcel_finished"


def test_cross_site_posts_are_refused(client, vapid_key):
    response = post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and PushSubscription.objects.count() == 0


def test_stopping_forgets_only_this_parcels_subscription(client, vapid_key):
    other = f"/track/dhl-ecommerce/{fake_dhl.IN_TRANSIT_IMPB}/follow/push"
    keys = BrowserKeys()
    post(client, FOLLOW, keys.subscription(ENDPOINT))
    post(client, other, keys.subscription(ENDPOINT))
    assert post(client, FOLLOW + "/stop", {"endpoint": ENDPOINT}).json() == {"following": False}
    assert [s.parcel.number for s in PushSubscription.objects.all()] == [fake_dhl.IN_TRANSIT_IMPB]


def test_a_parcel_takes_only_so_many_followers(client, vapid_key, settings):
    settings.FOLLOWING_MAX_SUBSCRIPTIONS_PER_PARCEL = 2
    statuses = [post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}{i}")).status_code for i in range(3)]
    assert statuses == [201, 201, 409]


def test_too_many_follows_from_one_ip_get_a_json_429(client, vapid_key, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_FOLLOWS = "2/h"
    statuses = [post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}{i}")).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    assert post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT)).json()["error"]["code"] == "rate_limited"


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("push"' in response.content
