"""What the PostPlus feed stores: its events (public fields only) and the feed's cursor.

Under the site's one app label, `tracking_site` (its migrations); defined here, with the feed that writes them.
"""

from __future__ import annotations

from django.db import models

POSTPLUS_FEED = "postplus"


class StoredFeedEvent(models.Model):
    """One PostPlus feed event, its newest version. The shop's own reference (senderParcelNr) is never stored."""

    event_id = models.CharField(max_length=100, unique=True)
    event_version = models.CharField(max_length=40, blank=True)
    parcel_nr = models.CharField(max_length=64, db_index=True)
    carrier_parcel_nr = models.CharField(max_length=64, blank=True, db_index=True)
    manifest_parcel_nr = models.CharField(max_length=64, blank=True, db_index=True)
    destination_country = models.CharField(max_length=2, blank=True)
    delivering_carrier = models.CharField(max_length=100, blank=True)
    # The origin of the carrier's tracking page (carriers/postplus.py carrier_site): whose page, never its query.
    carrier_site = models.CharField(max_length=200, blank=True)
    event_code = models.CharField(max_length=100, blank=True)
    event_message = models.CharField(max_length=500, blank=True)
    event_time = models.DateTimeField()
    event_location = models.CharField(max_length=200, blank=True)
    stored_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "tracking_site"
        ordering = ["-event_time"]
        verbose_name = "PostPlus feed event"

    def __str__(self) -> str:
        return f"{self.event_code} at {self.event_time:%Y-%m-%d %H:%M}"


class FeedCursor(models.Model):
    """Where a feed's next run starts, when it last caught up, and which run holds it (the lease)."""

    feed = models.CharField(max_length=40, unique=True)
    start_date = models.DateField(null=True, blank=True)
    next_fetch_id = models.CharField(max_length=500, blank=True)
    pages_stored = models.PositiveIntegerField(default=0)
    events_stored = models.PositiveIntegerField(default=0)
    # When a run last reached fetchDone: the public PostPlus page trusts stored events only while this is recent.
    last_caught_up_at = models.DateTimeField(null=True, blank=True)
    # The portable lock: a run owns the cursor while locked_until is in the future (see postplus_feed/sync.py).
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_owner = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "tracking_site"
        verbose_name = "feed cursor"

    def __str__(self) -> str:
        return f"{self.feed} feed cursor"
