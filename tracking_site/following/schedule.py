"""When a followed parcel is asked about again, and which refresh run asks.

About every FOLLOWING_REFRESH_MINUTES while it moves, twice as seldom after each check that found nothing new
(up to FOLLOWING_REFRESH_MAX_MINUTES), never again once delivered, returned or followed FOLLOWING_MAX_DAYS.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from tracking_site.following.models import EmailSubscription, FollowedParcel, PushSubscription
from tracking_site.following.policy import FOLLOWING

# A run that claimed parcels and died gives them back after this long.
CLAIM_MINUTES = 10


def next_check_delay(unchanged_checks: int) -> timedelta:
    """15, 30, 60, 120, 240 minutes... capped: a parcel that keeps moving is asked about every 15 minutes."""
    base = FOLLOWING.current().refresh_minutes
    minutes = min(base * 2 ** min(unchanged_checks, 16), max(FOLLOWING.current().refresh_max_minutes, base))
    return timedelta(minutes=minutes)


def has_subscribers() -> Q:
    """Followed by a browser or by a confirmed address: an unconfirmed address costs no carrier calls."""
    pushes = PushSubscription.objects.filter(parcel=OuterRef("pk"))
    emails = EmailSubscription.objects.filter(parcel=OuterRef("pk"), confirmed_at__isnull=False)
    return Q(Exists(pushes)) | Q(Exists(emails))


def claim_due_parcels(now: datetime, limit: int | None = None) -> list[FollowedParcel]:
    """The parcels due for a check, claimed for this run: another run (another consumer) gets none of them.

    The claim is one conditional UPDATE that moves `next_check_at` past now: a concurrent run's UPDATE finds
    those rows no longer due (PostgreSQL re-reads a row it waited for; SQLite runs writers one at a time).
    """
    due = (
        FollowedParcel.objects.filter(finished_at__isnull=True, next_check_at__lte=now)
        .filter(has_subscribers())
        .order_by("next_check_at")
        .values_list("pk", flat=True)[: limit or FOLLOWING.current().refresh_batch]
    )
    claim = uuid.uuid4()
    FollowedParcel.objects.filter(pk__in=list(due), finished_at__isnull=True, next_check_at__lte=now).update(
        next_check_at=now + timedelta(minutes=CLAIM_MINUTES), claim=claim
    )
    return list(FollowedParcel.objects.filter(claim=claim).order_by("carrier", "pk"))


def followed_long_enough(row: FollowedParcel, now: datetime) -> bool:
    return now - row.followed_since >= timedelta(days=FOLLOWING.current().max_days)


def checked(row: FollowedParcel, now: datetime, *, changed: bool, answered: bool) -> None:
    """Schedule the next check of a parcel this run held: soon after news or a failed call, later after none."""
    if not answered:
        unchanged, delay = row.unchanged_checks, next_check_delay(0)
    elif changed:
        unchanged, delay = 0, next_check_delay(0)
    else:
        unchanged = row.unchanged_checks + 1
        delay = next_check_delay(unchanged)
    mine = FollowedParcel.objects.filter(pk=row.pk, claim=row.claim)
    mine.filter(finished_at__isnull=True).update(
        next_check_at=now + delay, unchanged_checks=unchanged, last_checked_at=now, claim=None
    )
    # A parcel this very check saw delivered is finished: no next check, no claim.
    mine.filter(finished_at__isnull=False).update(last_checked_at=now, claim=None)
