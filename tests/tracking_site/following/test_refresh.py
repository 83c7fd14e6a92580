"""The background refresh against a DHL eCommerce fake that moves a parcel on: one push and one email per change."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.core import mail

from carriers.demo import demo_config
from carriers.model import Found
from carriers.registry import build_carriers
from tests.tracking_site.conftest import make_parcel
from tests.tracking_site.following.conftest import FOLLOWER, LABEL_ONLY, NOW, followed, with_email, with_push
from tests.tracking_site.following.push_service import PUSH_HOST
from tracking_site.following.models import FollowedParcel, Notification, ParcelChange
from tracking_site.following.refresh import refresh_due_parcels
from tracking_site.following.tasks import follow_up
from tracking_site.lookup.service import LookupOutcome, Priority

pytestmark = pytest.mark.django_db

OUT_FOR_DELIVERY = (598, "OUT FOR DELIVERY")
DELIVERED = (600, "DELIVERED")
PROCESSED = (400, "PROCESSED")
CARRIERS_DAY = NOW.date() + timedelta(days=5)  # the demo label's expected day


def test_each_change_sends_exactly_one_push_and_one_email(moving_dhl, push_service, push_sender):
    row = followed()
    with_push(row, push_service)
    with_email(row)

    moving_dhl.scan(LABEL_ONLY, OUT_FOR_DELIVERY)
    refreshed, delivered = follow_up(NOW, push_sender=push_sender)
    assert (refreshed.checked, refreshed.changed, delivered.sent) == (1, 1, 2)
    assert len(push_service.received) == 1 and len(mail.outbox) == 1
    push = push_service.received[0]
    assert push.vapid_valid and push.audience == f"https://{PUSH_HOST}"
    assert push.message["texts"]["en"]["title"] == f"Out for delivery: DHL eCommerce parcel {LABEL_ONLY}"
    assert push.message["url"] == f"http://testserver/track/dhl-ecommerce/{LABEL_ONLY}/"
    assert push.message["texts"]["nl"]["title"] == f"Bij de bezorger: DHL eCommerce-pakket {LABEL_ONLY}"
    assert mail.outbox[0].to == [FOLLOWER]
    assert mail.outbox[0].subject == f"Out for delivery: DHL eCommerce parcel {LABEL_ONLY}"

    # Nothing new: the next check, when due, sends nothing.
    refreshed, delivered = follow_up(NOW + timedelta(hours=1), push_sender=push_sender)
    assert (refreshed.checked, refreshed.changed, delivered.sent) == (1, 0, 0)

    moving_dhl.scan(LABEL_ONLY, DELIVERED, hours_after_now=2)
    refreshed, delivered = follow_up(NOW + timedelta(hours=3), push_sender=push_sender)
    assert (refreshed.changed, delivered.sent) == (1, 2)
    assert [p.message["texts"]["en"]["title"].split(":")[0] for p in push_service.received] == [
        "Out for delivery",
        "Delivered",
    ]
    assert len(mail.outbox) == 2
    assert "Delivered on Tuesday 10 March." in mail.outbox[1].body


def test_a_scan_that_changes_nothing_a_subscriber_cares_about_is_not_news(moving_dhl, push_service, push_sender):
    row = followed(status="in_transit", expected_delivery=CARRIERS_DAY)
    with_push(row, push_service)
    moving_dhl.scan(LABEL_ONLY, (220, "PICKED UP"))
    follow_up(NOW, push_sender=push_sender)
    moving_dhl.scan(LABEL_ONLY, PROCESSED, hours_after_now=1)
    refreshed, _ = follow_up(NOW + timedelta(hours=2), push_sender=push_sender)
    assert refreshed.checked == 1 and refreshed.changed == 0
    assert push_service.received == []
    assert FollowedParcel.objects.get().latest_event_at is not None


def test_a_new_expected_day_is_news(moving_dhl, push_service, push_sender):
    row = followed(expected_delivery=CARRIERS_DAY)
    with_push(row, push_service)
    new_day = NOW.date() + timedelta(days=9)
    moving_dhl.expect(LABEL_ONLY, new_day)
    follow_up(NOW + timedelta(hours=1), push_sender=push_sender)
    assert len(push_service.received) == 1
    assert push_service.received[0].message["texts"]["en"]["body"] == "Expected delivery: Thursday 19 March."


def test_a_retried_task_sends_nothing_twice(moving_dhl, push_service, push_sender):
    row = followed()
    with_push(row, push_service)
    with_email(row)
    moving_dhl.scan(LABEL_ONLY, OUT_FOR_DELIVERY)
    follow_up(NOW, push_sender=push_sender)
    # The same run again, as a retried task would (same moment, same carrier answer).
    FollowedParcel.objects.update(next_check_at=NOW)
    follow_up(NOW, push_sender=push_sender)
    assert len(push_service.received) == 1 and len(mail.outbox) == 1
    assert ParcelChange.objects.count() == 1


def test_two_consumers_running_at_once_send_each_change_once(moving_dhl, push_service, push_sender):
    """Two consumers' refresh runs interleaved step by step: each parcel is claimed by one, each message sent once."""
    from tracking_site.following.delivery import claim_due_notifications, deliver_due_notifications
    from tracking_site.following.schedule import claim_due_parcels

    row = followed()
    with_push(row, push_service)
    with_email(row)
    moving_dhl.scan(LABEL_ONLY, OUT_FOR_DELIVERY)
    first, second = claim_due_parcels(NOW), claim_due_parcels(NOW)
    assert [r.pk for r in first] == [row.pk] and second == []

    refresh_due_parcels(NOW)  # this consumer's run: nothing left to claim
    assert ParcelChange.objects.count() == 0
    FollowedParcel.objects.update(next_check_at=NOW, claim=None)
    refresh_due_parcels(NOW)
    refresh_due_parcels(NOW)
    assert ParcelChange.objects.count() == 1

    mine, theirs = claim_due_notifications(NOW), claim_due_notifications(NOW)
    assert len(mine) == 2 and theirs == []
    Notification.objects.update(next_attempt_at=NOW, claim=None)
    deliver_due_notifications(NOW, push_sender=push_sender)
    deliver_due_notifications(NOW, push_sender=push_sender)
    assert len(push_service.received) == 1 and len(mail.outbox) == 1


def test_a_late_answer_older_than_what_is_stored_changes_nothing(moving_dhl, push_service, push_sender):
    from tracking_site.following.parcel_store import record_parcel

    row = followed()
    with_push(row, push_service)
    moving_dhl.scan(LABEL_ONLY, OUT_FOR_DELIVERY)
    follow_up(NOW, push_sender=push_sender)
    older = make_parcel("dhl-ecommerce", LABEL_ONLY)  # scans from 2024: a slow answer arriving late
    assert record_parcel(FollowedParcel.objects.get(), older, NOW) is None
    assert FollowedParcel.objects.get().status == "out_for_delivery"


def test_delivered_parcels_are_not_asked_about_again(moving_dhl, push_sender):
    row = followed()
    with_email(row)
    moving_dhl.scan(LABEL_ONLY, DELIVERED)
    follow_up(NOW, push_sender=push_sender)
    row.refresh_from_db()
    assert row.finished_at == NOW and row.next_check_at is None
    calls = moving_dhl.tracking_calls
    refreshed, _ = follow_up(NOW + timedelta(days=1), push_sender=push_sender)
    assert refreshed.checked == 0 and moving_dhl.tracking_calls == calls
    # The address is kept only a week past delivery.
    assert row.email_subscriptions.get().delete_after == NOW + timedelta(days=7)


def test_following_stops_after_thirty_days(moving_dhl, push_sender):
    row = followed(followed_since=NOW - timedelta(days=30))
    with_email(row)
    refreshed, _ = follow_up(NOW, push_sender=push_sender)
    assert refreshed.finished == 1 and refreshed.checked == 0 and moving_dhl.tracking_calls == 0
    row.refresh_from_db()
    assert row.finished_at == NOW


def test_checks_come_every_fifteen_minutes_while_moving_and_less_often_when_not(moving_dhl, push_sender):
    row = followed()
    with_email(row)
    moving_dhl.scan(LABEL_ONLY, (220, "PICKED UP"))
    follow_up(NOW, push_sender=push_sender)
    row.refresh_from_db()
    assert row.next_check_at == NOW + timedelta(minutes=15)
    moment, gaps = row.next_check_at, []
    for _ in range(6):
        follow_up(moment, push_sender=push_sender)
        row.refresh_from_db()
        gaps.append(int((row.next_check_at - moment).total_seconds() // 60))
        moment = row.next_check_at
    assert gaps == [30, 60, 120, 240, 240, 240]
    moving_dhl.scan(LABEL_ONLY, OUT_FOR_DELIVERY, hours_after_now=1)
    follow_up(moment, push_sender=push_sender)
    row.refresh_from_db()
    assert row.next_check_at == moment + timedelta(minutes=15)


def test_a_failing_carrier_is_asked_again_soon_and_tells_nobody_anything(settings, push_service, push_sender):
    from carriers.model import FailureReason
    from tests.tracking_site.conftest import InMemoryCarrier
    from tracking_site.lookup.clients import install_carriers

    install_carriers({"dhl-ecommerce": InMemoryCarrier("dhl-ecommerce", failure=FailureReason.TIMEOUT)})
    row = followed(unchanged_checks=3)
    with_push(row, push_service)
    refreshed, delivered = follow_up(NOW, push_sender=push_sender)
    assert refreshed.failed == 1 and delivered.sent == 0
    row.refresh_from_db()
    assert row.next_check_at == NOW + timedelta(minutes=15) and row.unchanged_checks == 3


def test_an_unconfirmed_address_costs_no_carrier_calls(moving_dhl):
    row = followed()
    with_email(row, confirmed=False)
    refreshed = refresh_due_parcels(NOW)
    assert refreshed.checked == 0 and moving_dhl.tracking_calls == 0


def test_numbers_go_out_in_one_background_batch_per_carrier(db):
    asked: list[tuple[list[str], str | None, Priority]] = []
    numbers = [f"GM2951174940110765{index:02d}" for index in range(8)]

    def lookup(wanted, carrier=None, *, priority=Priority.VISITOR):
        asked.append((list(wanted), carrier, priority))
        return [LookupOutcome(n, Found(make_parcel("dhl-ecommerce", n))) for n in wanted]

    for number in numbers:
        with_email(followed(number))
    refreshed = refresh_due_parcels(NOW, lookup=lookup)
    assert refreshed.checked == 8
    assert len(asked) == 1
    assert sorted(asked[0][0]) == sorted(numbers) and asked[0][1:] == ("dhl-ecommerce", Priority.BACKGROUND)


def test_followed_postplus_parcels_come_from_a_fresh_feed_not_the_api(push_service, push_sender):
    from django.utils import timezone

    from carriers.fakes import postplus as fake_postplus
    from tracking_site.lookup.clients import install_carriers
    from tracking_site.postplus_feed.models import POSTPLUS_FEED, FeedCursor, StoredFeedEvent
    from tracking_site.postplus_feed.store import FeedSource

    api = fake_postplus.FakePostPlus()
    carriers = build_carriers(demo_config(), transports={"postplus": httpx.WSGITransport(app=api)})
    install_carriers({"postplus": carriers["postplus"]}, sources=[FeedSource()])
    FeedCursor.objects.create(feed=POSTPLUS_FEED, last_caught_up_at=timezone.now())
    number = "PPL250113000001"
    for index, (code, message) in enumerate([("IN_TRANSIT", "In transit"), ("OUT_FOR_DELIVERY", "Out for delivery")]):
        StoredFeedEvent.objects.create(
            event_id=f"E{index}",
            event_version="1",
            parcel_nr=number,
            destination_country="EE",
            event_code=code,
            event_message=message,
            event_time=NOW - timedelta(hours=3 - index),
            event_location="Tallinn",
        )
    row = followed(number, carrier="postplus", status="in_transit")
    with_push(row, push_service)
    refreshed, delivered = follow_up(NOW, push_sender=push_sender)
    assert (refreshed.from_store, refreshed.changed, delivered.sent) == (1, 1, 1)
    assert api.calls[fake_postplus.PARCEL_NRS_PATH] == 0
    assert push_service.received[0].message["texts"]["en"]["title"].startswith("Out for delivery")
