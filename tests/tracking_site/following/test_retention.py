"""Addresses are kept until delivery plus 7 days, 60 days at most; unconfirmed ones 48 hours (injected clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.tracking_site.following.conftest import NOW, followed, with_email, with_push
from tests.tracking_site.following.push_service import BrowserKeys
from tracking_site.following.delivery import deliver_due_notifications
from tracking_site.following.mail import kept_until
from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription
from tracking_site.following.parcel_store import finish_following, queue_notifications
from tracking_site.following.retention import purge_expired

pytestmark = pytest.mark.django_db


def test_an_unconfirmed_address_is_gone_after_the_confirm_window():
    row = followed()
    with_email(row, confirmed=False)  # followed an hour before NOW, deleted 48 hours after that
    assert purge_expired(NOW + timedelta(hours=46, minutes=59)).addresses == 0
    assert purge_expired(NOW + timedelta(hours=47)).addresses == 1
    assert EmailSubscription.objects.count() == 0


def test_a_confirmed_address_lives_60_days_at_most():
    row = followed()
    subscription = with_email(row)
    subscription.delete_after = kept_until(subscription)
    subscription.save()
    assert subscription.delete_after == subscription.created_at + timedelta(days=60)
    assert purge_expired(subscription.created_at + timedelta(days=59, hours=23)).addresses == 0
    assert purge_expired(subscription.created_at + timedelta(days=60)).addresses == 1


def test_a_delivered_parcels_addresses_go_seven_days_later_with_the_parcel(push_service):
    row = followed()
    with_email(row)
    with_push(row, push_service)
    finish_following(row, NOW)
    assert EmailSubscription.objects.get().delete_after == NOW + timedelta(days=7)
    assert purge_expired(NOW + timedelta(days=6, hours=23)).parcels == 0
    report = purge_expired(NOW + timedelta(days=7))
    assert report.addresses == 1 and report.parcels == 1
    assert FollowedParcel.objects.count() == PushSubscription.objects.count() == EmailSubscription.objects.count() == 0


def test_an_address_confirmed_after_delivery_is_still_gone_a_week_after_it():
    row = followed()
    subscription = with_email(row, confirmed=False)
    finish_following(row, NOW)
    subscription.refresh_from_db()
    assert kept_until(subscription) == NOW + timedelta(days=7)


def test_a_parcel_nobody_follows_any_more_is_deleted_once_its_confirm_window_passed():
    followed(followed_since=NOW - timedelta(hours=47))
    kept = followed("GM295117494011076453")
    with_email(kept)
    assert purge_expired(NOW).parcels == 0
    assert purge_expired(NOW + timedelta(hours=1)).parcels == 1
    assert list(FollowedParcel.objects.values_list("number", flat=True)) == ["GM295117494011076453"]


def test_a_push_endpoint_that_never_took_a_message_within_a_day_is_dropped(push_service, push_sender):
    row = followed()
    took = with_push(row, push_service, "real-browser")
    target = BrowserKeys().target("https://push.squatter.net/made-up")  # resolves nowhere: retried, never sent
    PushSubscription.objects.create(
        parcel=row, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth, created_at=NOW
    )
    quiet = with_push(followed("GM295117494011076453"), push_service, "quiet-parcel")  # never offered a message
    queue_notifications(row.changes.create(version=1, status="in_transit", created_at=NOW), NOW)
    report = deliver_due_notifications(NOW, push_sender=push_sender)
    assert (report.sent, report.retried) == (1, 1)

    assert purge_expired(NOW + timedelta(hours=23, minutes=59)).pushes == 0
    assert purge_expired(NOW + timedelta(days=1)).pushes == 1
    assert set(PushSubscription.objects.values_list("pk", flat=True)) == {took.pk, quiet.pk}
    took.refresh_from_db()
    assert took.delivered_at == NOW
