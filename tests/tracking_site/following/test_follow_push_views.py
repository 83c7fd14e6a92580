"""The push sign-up endpoint the page's script posts to, and the service worker at the site root."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.conftest import tune
from tests.tracking_site.following.conftest import FOLLOWER
from tests.tracking_site.following.push_service import BrowserKeys
from tracking_site.following import views
from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription

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
    assert fields == {"id", "parcel", "endpoint", "p256dh", "auth", "created_at", "delivered_at", "notification"}
    assert FollowedParcel.objects.get().status == "out_for_delivery"


def test_subscribing_again_updates_the_keys_instead_of_adding_a_row(client, vapid_key):
    post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT))
    newer = BrowserKeys()
    assert post(client, FOLLOW, newer.subscription(ENDPOINT)).status_code == 201
    assert PushSubscription.objects.get().p256dh == newer.p256dh


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push",
        "http://fcm.googleapis.com/x",
        "https://localhost/x",
        "https://10.0.0.9/x",
        "https://0177.0.0.1/x",
        "https://0x7f.0.0.1/x",
        "https://127.1/x",
        "https://127.0.1/x",
        "https://0.0/x",
    ],
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


def test_a_parcel_takes_only_so_many_followers_that_took_a_message(client, vapid_key, settings):
    tune(settings, following={"max_subscriptions_per_parcel": 2})
    for index in range(2):
        assert post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}{index}")).status_code == 201
    PushSubscription.objects.update(delivered_at=timezone.now())  # both browsers showed a message
    refused = post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}2"))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "too_many_followers"
    assert post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}1")).status_code == 201  # a known one


def test_made_up_endpoints_cannot_fill_a_parcel_before_its_recipient_follows(client, vapid_key, settings):
    tune(settings, following={"max_subscriptions_per_parcel": 3})
    for index in range(3):  # push follows need no confirmation: endpoints nobody will ever answer at
        squat = BrowserKeys().subscription(f"https://push{index}.squatter-{index}.net/never")
        assert post(client, FOLLOW, squat, REMOTE_ADDR=f"203.0.113.{index}").status_code == 201
    assert client.post(f"/track/dhl-ecommerce/{MOVING}/follow/email", {"email": FOLLOWER}).status_code == 302
    confirm = re.search(r"http://testserver(/follow/email/confirm/\S+/)", mail.outbox[0].body)
    assert confirm is not None
    assert client.post(confirm.group(1)).status_code == 200
    assert EmailSubscription.objects.get().confirmed_at is not None
    assert post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT)).status_code == 201


def test_every_answer_of_the_push_endpoints_is_json(client, vapid_key):
    for path in (FOLLOW, FOLLOW + "/stop"):
        wrong_method = client.get(path)
        assert wrong_method.status_code == 405 and wrong_method["Allow"] == "POST"
        assert wrong_method.json()["error"]["code"] == "method_not_allowed"
        huge = client.post(path, b'{"endpoint": "' + b"x" * 3_000_000 + b'"}', content_type="application/json")
        assert huge.status_code == 400 and huge.json()["error"]["code"] == "bad_subscription"


@pytest.mark.parametrize(("path", "writer"), [(FOLLOW, "follow_parcel"), (FOLLOW + "/stop", "forget_push")])
def test_a_locked_database_is_a_json_503_with_retry_after(vapid_key, monkeypatch, path, writer):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, writer, locked)
    response = post(Client(raise_request_exception=False), path, BrowserKeys().subscription(ENDPOINT))
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "database_unavailable"


def test_too_many_follows_from_one_ip_get_a_json_429(client, vapid_key, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"follows": "2/h"})
    statuses = [post(client, FOLLOW, BrowserKeys().subscription(f"{ENDPOINT}{i}")).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    assert post(client, FOLLOW, BrowserKeys().subscription(ENDPOINT)).json()["error"]["code"] == "rate_limited"


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("push"' in response.content
