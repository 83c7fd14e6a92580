"""Adding and removing a parcel's followers, within its cap, counting only followers that are proven.

The tuning value following.max_subscriptions_per_parcel bounds the browsers and addresses one parcel takes. Only
proven ones count: an address that followed its confirmation link, a browser whose push service took a message.
Anyone can post an address or make up a push endpoint; neither fills a parcel so that its recipient cannot follow
it, and neither tells the poster whether an address follows (a full parcel is noticed when the address is confirmed).

Counting and adding happen under the parcel row's lock, so concurrent follows never take a parcel past its cap
(PostgreSQL waits on the lock; SQLite runs one writer at a time).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction

from tracking_site.following.mail import kept_until
from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription
from tracking_site.following.policy import FOLLOWING
from tracking_site.following.push import PushTarget


def proven_followers(parcel_id: int) -> int:
    """Confirmed addresses and browsers that took a message: what counts towards the cap."""
    confirmed = EmailSubscription.objects.filter(parcel_id=parcel_id, confirmed_at__isnull=False).count()
    delivered = PushSubscription.objects.filter(parcel_id=parcel_id, delivered_at__isnull=False).count()
    return confirmed + delivered


@contextmanager
def parcel_locked(parcel_id: int) -> Iterator[None]:
    """A transaction holding the followed parcel's row: one follower is counted and added at a time."""
    with transaction.atomic():
        list(FollowedParcel.objects.select_for_update().filter(pk=parcel_id).values_list("pk", flat=True))
        yield


def is_full(parcel_id: int) -> bool:
    return proven_followers(parcel_id) >= FOLLOWING.current().max_subscriptions_per_parcel


def add_push(row: FollowedParcel, target: PushTarget, now: datetime) -> bool:
    """Store a browser's subscription for the parcel (a known browser's keys are updated); False when it is full."""
    keys = {"p256dh": target.p256dh, "auth": target.auth}
    with parcel_locked(row.pk):
        known = PushSubscription.objects.filter(parcel=row, endpoint=target.endpoint)
        if not known.exists() and is_full(row.pk):
            return False
        PushSubscription.objects.update_or_create(
            parcel=row, endpoint=target.endpoint, defaults=keys, create_defaults={**keys, "created_at": now}
        )
    return True


def forget_push(carrier: str, number: str, endpoint: str) -> None:
    """Delete a browser's subscription for the parcel (the endpoint itself is the proof of ownership)."""
    PushSubscription.objects.filter(parcel__carrier=carrier, parcel__number=number, endpoint=endpoint).delete()


class Confirmed(enum.Enum):
    """What confirming an address came to (the values are the log line's outcome)."""

    YES = "confirmed"
    FULL = "parcel_full"  # the parcel has as many proven followers as it takes: the address is deleted
    GONE = "gone"  # unsubscribed or purged meanwhile


def confirm_address(subscription: EmailSubscription, now: datetime) -> Confirmed:
    """Confirm the address if its parcel has room; a full parcel deletes it (we will never mail it)."""
    with parcel_locked(subscription.parcel_id):
        current = EmailSubscription.objects.filter(pk=subscription.pk).first()
        if current is None:
            return Confirmed.GONE
        if current.confirmed_at is not None:  # confirmed a moment ago (a second click)
            return Confirmed.YES
        if is_full(subscription.parcel_id):
            current.delete()
            return Confirmed.FULL
        current.confirmed_at = now
        current.delete_after = kept_until(current)
        current.save(update_fields=["confirmed_at", "delete_after"])
    return Confirmed.YES
