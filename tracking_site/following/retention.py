"""Deleting what following no longer needs: addresses past their day, parcels nobody follows any more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription

logger = logging.getLogger("tracking_site.following")


@dataclass(frozen=True)
class PurgeReport:
    addresses: int = 0
    parcels: int = 0


def purge_expired(now: datetime) -> PurgeReport:
    """Delete addresses whose day has come (unconfirmed ones after the confirm window) and finished parcels.

    A parcel is deleted (with its push subscriptions and outbox) a week after following ended, or once it has
    no subscriber left and the confirm window of its last address has passed.
    """
    addresses, _ = EmailSubscription.objects.filter(delete_after__lte=now).delete()
    after_delivery = timedelta(days=settings.FOLLOWING_EMAIL_KEEP_DAYS_AFTER_DELIVERY)
    finished = FollowedParcel.objects.filter(finished_at__lte=now - after_delivery)
    unfollowed = (
        FollowedParcel.objects.filter(followed_since__lte=now - timedelta(hours=settings.FOLLOWING_CONFIRM_HOURS))
        .exclude(Exists(PushSubscription.objects.filter(parcel=OuterRef("pk"))))
        .exclude(Exists(EmailSubscription.objects.filter(parcel=OuterRef("pk"))))
    )
    gone = set(finished.values_list("pk", flat=True)) | set(unfollowed.values_list("pk", flat=True))
    # The addresses of deleted parcels are counted with them (the cascade deletes them too).
    addresses += EmailSubscription.objects.filter(parcel_id__in=gone).count()
    FollowedParcel.objects.filter(pk__in=gone).delete()
    report = PurgeReport(addresses=addresses, parcels=len(gone))
    if addresses or gone:
        logger.info("following purge addresses=%d parcels=%d", report.addresses, report.parcels)
    return report
