"""What the arrival estimates store: delivered parcels' transit times per lane, never a tracking number.

Under the site's one app label, `tracking_site` (its migrations); defined here, with the estimates that read them.
"""

from __future__ import annotations

from django.db import models


class DeliveryObservation(models.Model):
    """One delivered parcel's transit time on its lane. No tracking number: `parcel_key` is a keyed hash of it."""

    LOOKUP, FEED, DEMO = "lookup", "feed", "demo"
    SOURCES = [(LOOKUP, "a lookup"), (FEED, "the PostPlus feed"), (DEMO, "the demo")]

    parcel_key = models.CharField(max_length=64, unique=True)
    carrier = models.CharField(max_length=40)
    service = models.CharField(max_length=100, blank=True)
    destination = models.CharField(max_length=2, blank=True)
    # From the carrier's first scan of the parcel itself to its delivery.
    transit_seconds = models.PositiveIntegerField()
    delivered_on = models.DateField()
    source = models.CharField(max_length=10, choices=SOURCES)

    class Meta:
        app_label = "tracking_site"
        indexes = [models.Index(fields=["carrier", "destination", "service", "-delivered_on"], name="observation_lane")]
        verbose_name = "delivery observation"

    def __str__(self) -> str:
        return f"{self.carrier} to {self.destination or '?'}: {self.transit_seconds // 3600} h"
