"""The followed parcels' store: what we last knew of each, and the notable changes subscribers are told of.

Whatever learns a parcel's state hands the public-model Parcel to `record_parcel`: the refresh task today
(lookups and the PostPlus feed), a carrier's own push (DHL eCommerce's Tracking Webhooks) later, parsed into
a Parcel by its carrier module first. Nothing here sees raw carrier data, so nothing private can be stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F

from carriers.base import shorten_number
from carriers.model import Parcel, Status
from tracking_site.following.arrival import delivered_day
from tracking_site.following.models import (
    EmailSubscription,
    FollowedParcel,
    Notification,
    ParcelChange,
    PushSubscription,
)
from tracking_site.following.policy import FOLLOWING

logger = logging.getLogger("tracking_site.following")

# The statuses a subscriber hears about when a parcel reaches them; "information received" and "unknown" are
# not news.
NOTIFIED_STATUSES = frozenset(
    {
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
        Status.AWAITING_PICKUP,
        Status.DELIVERY_FAILED,
        Status.EXCEPTION,
        Status.RETURNED,
    }
)
# Where following ends: nothing more will happen to the parcel.
FINAL_STATUSES = frozenset({Status.DELIVERED, Status.RETURNED})


@dataclass(frozen=True)
class PublicState:
    """The part of a parcel that decides whether subscribers hear of it."""

    status: Status
    expected_delivery: date | None
    delivered_at: datetime | None
    latest_event_at: datetime | None

    @classmethod
    def of(cls, parcel: Parcel) -> PublicState:
        latest = parcel.latest_event
        return cls(
            status=parcel.status,
            expected_delivery=parcel.expected_delivery,
            delivered_at=parcel.delivered_at,
            latest_event_at=latest.occurred_at if latest else None,
        )

    @classmethod
    def stored(cls, row: FollowedParcel) -> PublicState:
        return cls(
            status=Status(row.status) if row.status in Status._value2member_map_ else Status.UNKNOWN,
            expected_delivery=row.expected_delivery,
            delivered_at=row.delivered_at,
            latest_event_at=row.latest_event_at,
        )

    def fields(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "expected_delivery": self.expected_delivery,
            "delivered_at": self.delivered_at,
            "latest_event_at": self.latest_event_at,
        }


def is_notable(before: PublicState, after: PublicState) -> bool:
    """A new status worth telling, or a new expected day for a parcel still on its way; not every scan."""
    new_status = after.status != before.status and after.status in NOTIFIED_STATUSES
    new_day = (
        after.expected_delivery is not None
        and after.expected_delivery != before.expected_delivery
        and after.status not in FINAL_STATUSES
    )
    return new_status or new_day


def is_older(before: PublicState, after: PublicState) -> bool:
    """Whether `after` was known before `before` (a slower answer arriving late): it must not undo news."""
    return (
        before.latest_event_at is not None
        and after.latest_event_at is not None
        and after.latest_event_at < before.latest_event_at
    )


def follow_parcel(parcel: Parcel, now: datetime) -> FollowedParcel:
    """The followed row of `parcel`, created (its state as of now, nothing to tell) or reopened if it had ended."""
    row, created = FollowedParcel.objects.get_or_create(
        carrier=parcel.carrier,
        number=parcel.tracking_number,
        defaults={**PublicState.of(parcel).fields(), "followed_since": now, "next_check_at": first_check(now)},
    )
    if not created and row.finished_at is not None and parcel.status not in FINAL_STATUSES:
        FollowedParcel.objects.filter(pk=row.pk).update(
            finished_at=None, followed_since=now, next_check_at=first_check(now), unchanged_checks=0
        )
        row.refresh_from_db()
    return row


def first_check(now: datetime) -> datetime:
    return now + timedelta(minutes=FOLLOWING.current().refresh_minutes)


def record_parcel(row: FollowedParcel, parcel: Parcel, now: datetime) -> ParcelChange | None:
    """Store what we now know of a followed parcel; a notable change is recorded once, with its notifications.

    Two writers with the same news (two consumers, a retried task) race on the row's version: the one whose
    conditional UPDATE still finds the version it read records the change, the other records nothing.
    """
    before, after = PublicState.stored(row), PublicState.of(parcel)
    if is_older(before, after) or before == after:
        return None
    notable = is_notable(before, after)
    fields: dict[str, object] = after.fields()
    if after.status in FINAL_STATUSES:
        fields.update(finished_at=now, next_check_at=None)
    with transaction.atomic():
        if notable:
            fields["version"] = F("version") + 1
        won = FollowedParcel.objects.filter(pk=row.pk, version=row.version).update(**fields)
        if not won:
            return None
        if after.status in FINAL_STATUSES:
            keep_addresses_until(row, now + timedelta(days=FOLLOWING.current().keep_days_after_delivery))
        if not notable:
            return None
        change = ParcelChange.objects.create(
            parcel=row,
            version=row.version + 1,
            status=after.status.value,
            expected_delivery=after.expected_delivery,
            delivered_on=delivered_day(parcel),
            created_at=now,
        )
        queued = queue_notifications(change, now)
    logger.info(
        "following carrier=%s number=%s change=%s notifications=%d",
        row.carrier,
        shorten_number(row.number),
        after.status.value,
        queued,
    )
    return change


def queue_notifications(change: ParcelChange, now: datetime) -> int:
    """One outbox row per push subscription and confirmed address of the parcel; a row already there stays."""
    pushes = PushSubscription.objects.filter(parcel_id=change.parcel_id).values_list("pk", flat=True)
    emails = EmailSubscription.objects.filter(parcel_id=change.parcel_id, confirmed_at__isnull=False).values_list(
        "pk", flat=True
    )
    rows = [Notification(change=change, push_id=pk, next_attempt_at=now) for pk in pushes]
    rows += [Notification(change=change, email_id=pk, next_attempt_at=now) for pk in emails]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def keep_addresses_until(row: FollowedParcel, moment: datetime) -> None:
    """Following is over: no address of this parcel is kept past `moment`."""
    EmailSubscription.objects.filter(parcel=row, delete_after__gt=moment).update(delete_after=moment)


def finish_following(row: FollowedParcel, now: datetime) -> None:
    """Stop asking about a parcel followed for long enough; its addresses go a few days later."""
    FollowedParcel.objects.filter(pk=row.pk, finished_at__isnull=True).update(finished_at=now, next_check_at=None)
    keep_addresses_until(row, now + timedelta(days=FOLLOWING.current().keep_days_after_delivery))
