"""Deleting what following no longer needs: addresses past their day, push endpoints that never took a message,
parcels nobody follows any more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from tracking_site.following.models import EmailSubscription, FollowedParcel, Notification, PushSubscription
from tracking_site.following.policy import FOLLOWING

logger = logging.getLogger("tracking_site.following")


# A push endpoint that has not taken one message this long after the first was offered to it never will: a
# browser's push service answers at once, a made-up endpoint never does.
UNPROVEN_PUSH_DAYS = 1


@dataclass(frozen=True)
class PurgeReport:
    addresses: int = 0
    pushes: int = 0
    parcels: int = 0


def rows_deleted(rows: QuerySet[Any]) -> int:
    """Delete `rows`; how many of them went (not counting what the cascade took with them)."""
    return rows.delete()[1].get(rows.model._meta.label, 0)


def purge_expired(now: datetime) -> PurgeReport:
    """Delete addresses whose day has come (unconfirmed ones after the confirm window), push endpoints that never
    took a message within a day of the first offered, and finished parcels.

    A parcel is deleted (with its push subscriptions and outbox) a week after following ended, or once it has
    no subscriber left and the confirm window of its last address has passed.
    """
    addresses = rows_deleted(EmailSubscription.objects.filter(delete_after__lte=now))
    offered_long_ago = Notification.objects.filter(
        push=OuterRef("pk"), change__created_at__lte=now - timedelta(days=UNPROVEN_PUSH_DAYS)
    )
    pushes = rows_deleted(PushSubscription.objects.filter(delivered_at__isnull=True).filter(Exists(offered_long_ago)))
    after_delivery = timedelta(days=FOLLOWING.current().keep_days_after_delivery)
    finished = FollowedParcel.objects.filter(finished_at__lte=now - after_delivery)
    unfollowed = (
        FollowedParcel.objects.filter(followed_since__lte=now - timedelta(hours=FOLLOWING.current().confirm_hours))
        .exclude(Exists(PushSubscription.objects.filter(parcel=OuterRef("pk"))))
        .exclude(Exists(EmailSubscription.objects.filter(parcel=OuterRef("pk"))))
    )
    gone = set(finished.values_list("pk", flat=True)) | set(unfollowed.values_list("pk", flat=True))
    # The addresses of deleted parcels are counted with them (the cascade deletes them too).
    addresses += EmailSubscription.objects.filter(parcel_id__in=gone).count()
    FollowedParcel.objects.filter(pk__in=gone).delete()
    report = PurgeReport(addresses=addresses, pushes=pushes, parcels=len(gone))
    if addresses or pushes or gone:
        logger.info(
            "following purge addresses=%d pushes=%d parcels=%d", report.addresses, report.pushes, report.parcels
        )
    return report
