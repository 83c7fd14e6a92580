"""Web Push: which endpoints we accept, where we connect, and what each push service answer does."""

from __future__ import annotations

import json

import pytest

from tests.conftest import tune
from tests.tracking_site.following.conftest import NOW, followed, with_push
from tests.tracking_site.following.push_service import PUSH_HOST, BrowserKeys
from tracking_site.following.delivery import deliver_due_notifications
from tracking_site.following.forms import SubscriptionRefused, parse_push_subscription
from tracking_site.following.models import Notification, PushSubscription
from tracking_site.following.parcel_store import queue_notifications
from tracking_site.following.push import PushResult, PushSender, push_http_client
from tracking_site.following.push_urls import endpoint_refusal, is_public_address
from tracking_site.following.vapid import application_server_key, new_private_key, vapid_signer

MESSAGE = {"url": "http://testserver/", "tag": "t", "texts": {"en": {"title": "Hi", "body": "There"}}}


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://127.0.0.1/push",
        "https://10.0.0.8/push",
        "https://[::1]/push",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/push",
        "https://push.localhost/x",
        "https://metadata.google.internal/x",
        "https://printer.local/x",
        "https://intranet/x",  # no dot: a name only a local resolver knows
        "https://push.shop.test/x",  # reserved names (RFC 2606, RFC 6761)
        "https://push.site.example/x",
        "https://push.nowhere.invalid/x",
        "https://example.com/push",  # documentation names (RFC 2606): they resolve, but nobody's service is there
        "https://push.example.org/x",
        # Numbers a URL parser reads as IPv4 (WHATWG): all of these are 127.0.0.1, or 0.0.0.0.
        "https://0177.0.0.1/x",
        "https://0x7f.0.0.1/x",
        "https://127.1/x",
        "https://127.0.1/x",
        "https://0.0/x",
        "https://push.service.0x1f/x",
        "https://user:secret@updates.push.services.mozilla.com/wpush/v2/x",
        "https://updates.push.services.mozilla.com:8443/wpush/v2/x",
        "https://web.push.apple.com/x#fragment",
        "https://bad_host.push.apple.com/x",
        "https://web.push.apple.com/" + "x" * 1000,
        "https://web.push.apple.com/with space",
        "ftp://web.push.apple.com/x",
        "",
    ],
)
def test_endpoints_that_are_refused(endpoint):
    assert endpoint_refusal(endpoint) != ""


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dY3kQ:APA91bH",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
        "https://web.push.apple.com/QGuQyavXutnMH:443",
        "https://wns2-by3p.notify.windows.com:443/w/?token=BQYAAAD",
    ],
)
def test_push_services_endpoints_are_accepted(endpoint):
    assert endpoint_refusal(endpoint.replace("H:443", "H")) == ""


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("142.250.74.106", True),
        ("2a00:1450:4001:82b::200a", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, not a bind
        ("224.0.0.1", False),
        ("not an address", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public_address(address) is public


def test_a_subscription_needs_real_keys():
    keys = BrowserKeys()
    good = keys.subscription("https://fcm.googleapis.com/fcm/send/x")
    assert parse_push_subscription(json.dumps(good).encode()).endpoint == good["endpoint"]
    for broken in (
        {**good, "keys": {"p256dh": good["keys"]["p256dh"][:20], "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "AAAA"}},
        {**good, "keys": {"p256dh": "A" + good["keys"]["p256dh"][1:], "auth": good["keys"]["auth"]}},
        {**good, "keys": None},
        {**good, "endpoint": "https://10.0.0.1/x"},
        [good],
    ):
        with pytest.raises(SubscriptionRefused):
            parse_push_subscription(json.dumps(broken).encode())
    with pytest.raises(SubscriptionRefused):
        parse_push_subscription(b"{" * 5000)


def test_the_public_key_is_derived_from_the_private_one(settings):
    settings.VAPID_PRIVATE_KEY = ""
    assert application_server_key() == ""
    settings.VAPID_PRIVATE_KEY = new_private_key()
    key = application_server_key()
    assert len(key) == 87 and key.startswith("B")  # base64url of a 65-byte uncompressed point


def test_a_message_reaches_the_push_service_encrypted_and_signed(push_service, push_sender):
    keys = push_service.subscribe("one")
    assert push_sender.send(keys.target(push_service.endpoint("one")), MESSAGE) is PushResult.SENT
    [received] = push_service.received
    assert received.message == MESSAGE
    assert received.vapid_valid and received.audience == f"https://{PUSH_HOST}"
    assert received.headers["Content-Encoding"] == "aes128gcm" and int(received.headers["TTL"]) > 0


def test_a_name_resolving_inside_our_network_is_refused_without_connecting(push_service, vapid_key):
    signer = vapid_signer()
    assert signer is not None
    sender = PushSender(
        push_service.client(),
        signer,
        subject="mailto:x@example.com",
        resolve=lambda host, port: [("93.184.216.34", port), ("10.0.0.5", port)],
    )
    keys = push_service.subscribe("inside")
    assert sender.send(keys.target(push_service.endpoint("inside")), MESSAGE) is PushResult.REFUSED
    assert push_service.requests == []


def test_redirects_are_not_followed(push_service, push_sender):
    keys = push_service.subscribe("moved")
    push_service.subscribe("elsewhere")
    push_service.answers["moved"] = ("redirect", f"https://{PUSH_HOST}/elsewhere")
    assert push_sender.send(keys.target(push_service.endpoint("moved")), MESSAGE) is PushResult.REFUSED
    assert push_service.requests == ["moved"]


def test_a_hanging_push_service_is_given_up_on_quickly(push_service, vapid_key):
    signer = vapid_signer()
    assert signer is not None
    sender = push_service.sender(signer, timeout=0.3)
    keys = push_service.subscribe("slow")
    push_service.answers["slow"] = "hang"
    assert sender.send(keys.target(push_service.endpoint("slow")), MESSAGE) is PushResult.RETRY


def test_the_production_client_follows_no_redirect_and_has_short_timeouts(settings):
    tune(settings, following={"push_timeout_seconds": 4})
    client = push_http_client()
    assert client.follow_redirects is False
    assert client.timeout.read == 4 and client.timeout.connect == 3


@pytest.mark.django_db
@pytest.mark.parametrize("status", [404, 410])
def test_endpoints_the_push_service_forgot_are_deleted(push_service, push_sender, status):
    row = followed()
    subscription = with_push(row, push_service, "gone")
    push_service.answers["gone"] = status
    change = row.changes.create(version=1, status="in_transit", created_at=NOW)
    queue_notifications(change, NOW)
    report = deliver_due_notifications(NOW, push_sender=push_sender)
    assert report.removed == 1
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_push_service_is_tried_again_later_then_given_up(push_service, push_sender):
    from datetime import timedelta

    row = followed()
    with_push(row, push_service, "down")
    push_service.answers["down"] = 503
    queue_notifications(row.changes.create(version=1, status="in_transit", created_at=NOW), NOW)
    moment, outcomes = NOW, []
    for _ in range(5):
        report = deliver_due_notifications(moment, push_sender=push_sender)
        outcomes.append("retried" if report.retried else "failed" if report.failed else "none")
        moment = Notification.objects.get().next_attempt_at
    assert outcomes == ["retried", "retried", "retried", "retried", "failed"]
    assert Notification.objects.get().state == Notification.State.FAILED
    assert deliver_due_notifications(moment + timedelta(days=1), push_sender=push_sender).retried == 0
    assert PushSubscription.objects.count() == 1  # a push service having a bad day is no reason to forget anyone
