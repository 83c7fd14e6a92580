"""What following stores: the followed parcels' public state, their changes, the subscriptions, the outbox.

A followed parcel keeps only what its public page shows (status, expected day, latest scan time). A push
subscription is the endpoint and keys the browser gave, nothing else; an email subscription is the address
and when to delete it. These models belong to the site's one app label, `tracking_site` (its migrations).
"""

from __future__ import annotations

import uuid

from django.db import models


class FollowedParcel(models.Model):
    """A parcel someone follows: its last known public state and when to ask about it again.

    Anything that learns a parcel's state (the refresh task, the PostPlus feed, later a carrier's own push)
    hands a public-model Parcel to `following.parcel_store.record_parcel`, which updates this row.
    """

    carrier = models.CharField(max_length=40)
    number = models.CharField(max_length=64)
    status = models.CharField(max_length=40)
    expected_delivery = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    latest_event_at = models.DateTimeField(null=True, blank=True)  # the newest scan: "stuck" is measured from it
    # Bumped by every notable change; a writer that read an older version loses (see parcel_store.py).
    version = models.PositiveIntegerField(default=0)
    followed_since = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)
    unchanged_checks = models.PositiveIntegerField(default=0)
    # When the refresh task should ask again; a run claims a parcel by moving this forward (see schedule.py).
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claim = models.UUIDField(null=True, blank=True)  # the refresh run that holds the parcel until next_check_at
    finished_at = models.DateTimeField(null=True, blank=True)  # delivered, returned, or followed long enough

    class Meta:
        app_label = "tracking_site"
        constraints = [models.UniqueConstraint(fields=["carrier", "number"], name="followed_parcel_once")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.number[:3]}… ({self.status})"


class ParcelChange(models.Model):
    """A notable change of a followed parcel (status or expected day): what every subscriber is told once."""

    parcel = models.ForeignKey(FollowedParcel, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=40)
    expected_delivery = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)  # the day where it was delivered
    created_at = models.DateTimeField()

    class Meta:
        app_label = "tracking_site"
        constraints = [models.UniqueConstraint(fields=["parcel", "version"], name="parcel_change_once")]

    def __str__(self) -> str:
        return f"change {self.version} of {self.parcel_id}: {self.status}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription for one parcel: the endpoint and its keys, nothing else."""

    parcel = models.ForeignKey(FollowedParcel, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    # When its push service first took a message for it: only then does it count towards the parcel's cap, and
    # one that never took a message within a day of being offered one is dropped (retention.py).
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "tracking_site"
        constraints = [models.UniqueConstraint(fields=["parcel", "endpoint"], name="push_subscription_once")]

    def __str__(self) -> str:
        return f"push subscription {self.pk}"


class EmailSubscription(models.Model):
    """An email address following one parcel, confirmed or not, and the moment it is deleted.

    The address is stored as the mail backend sends it (mail.sendable_address) and never logged, shown or served;
    `address_hash` (a keyed hash of it) finds duplicates and keys the per-address confirmation limit without
    reading the address. `key` is what the confirm and unsubscribe links sign.
    """

    parcel = models.ForeignKey(FollowedParcel, on_delete=models.CASCADE, related_name="email_subscriptions")
    address = models.EmailField(max_length=254)
    address_hash = models.CharField(max_length=64, db_index=True)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(max_length=10, default="en")  # the page's language when they followed
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When its confirmation email last went out; None while it waits for room in its address's limit.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    delete_after = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "tracking_site"
        constraints = [models.UniqueConstraint(fields=["parcel", "address_hash"], name="email_subscription_once")]

    def __str__(self) -> str:  # never the address
        return f"email subscription {self.pk}"


class Notification(models.Model):
    """The outbox: one row per subscription and change, so a change is sent once whoever tries to send it.

    A sender claims a row by moving `next_attempt_at` forward in one conditional UPDATE; a row whose sender died
    is claimed again once that lease has passed (see delivery.py).
    """

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # given up: refused address, or too many attempts

    change = models.ForeignKey(ParcelChange, on_delete=models.CASCADE, related_name="notifications")
    push = models.ForeignKey(PushSubscription, null=True, blank=True, on_delete=models.CASCADE)
    email = models.ForeignKey(EmailSubscription, null=True, blank=True, on_delete=models.CASCADE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a sender may take the row next; claiming it moves this past now for as long as the send may take.
    next_attempt_at = models.DateTimeField(db_index=True)
    claim = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "tracking_site"
        constraints = [
            models.UniqueConstraint(fields=["change", "push"], name="notification_once_per_push"),
            models.UniqueConstraint(fields=["change", "email"], name="notification_once_per_email"),
            models.CheckConstraint(
                condition=models.Q(push__isnull=False, email__isnull=True)
                | models.Q(push__isnull=True, email__isnull=False),
                name="notification_has_one_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.state})"
