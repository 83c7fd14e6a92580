"""The background refresh: followed parcels that are due, asked about in full carrier batches, at low priority.

Numbers go through the same lookup service (and call budget) as visitors' searches, marked BACKGROUND so
they use leftover budget only; a parcel a visitor looked at a moment ago is answered from the parcel cache.
Followed PostPlus parcels are read from the stored event feed while it is fresh, not asked of the API.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError

from carriers.model import Found, Parcel
from tracking_site.following.models import FollowedParcel
from tracking_site.following.parcel_store import finish_following, record_parcel
from tracking_site.following.schedule import checked, claim_due_parcels, followed_long_enough
from tracking_site.lookup.service import LookupOutcome, Priority, lookup_parcels

logger = logging.getLogger("tracking_site.following")

Lookup = Callable[..., list[LookupOutcome]]
FeedReader = Callable[[Sequence[str]], Mapping[str, Parcel]]


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh run did, for the task's log line and for tests."""

    checked: int = 0
    changed: int = 0
    failed: int = 0
    from_feed: int = 0
    finished: int = 0


def postplus_from_feed(numbers: Sequence[str]) -> Mapping[str, Parcel]:
    """Followed PostPlus parcels the stored feed knows, while the feed is fresh; {} otherwise."""
    from tracking_site.lookup.clients import get_carriers
    from tracking_site.postplus_feed.event_codes import extra_code_statuses
    from tracking_site.postplus_feed.store import feed_is_fresh, postplus_api, stored_parcels

    api = postplus_api(get_carriers().get("postplus"))
    try:
        if api is None or not feed_is_fresh():
            return {}
        return stored_parcels(numbers, extra_code_statuses(api))
    except DatabaseError as exc:
        logger.warning("following outcome=feed_unreadable error=%s", type(exc).__name__)
        return {}


def refresh_due_parcels(
    now: datetime,
    *,
    lookup: Lookup = lookup_parcels,
    feed: FeedReader = postplus_from_feed,
    limit: int | None = None,
) -> RefreshReport:
    """Check every followed parcel that is due (and claimed by this run); record what changed."""
    rows = claim_due_parcels(now, limit)
    expired = [row for row in rows if followed_long_enough(row, now)]
    for row in expired:
        finish_following(row, now)
    by_carrier: dict[str, list[FollowedParcel]] = defaultdict(list)
    for row in rows:
        if row not in expired:
            by_carrier[row.carrier].append(row)
    totals = {"checked": 0, "changed": 0, "failed": 0, "from_feed": 0}
    for carrier, carrier_rows in by_carrier.items():
        answers = _answers(carrier, [row.number for row in carrier_rows], lookup, feed, totals)
        for row in carrier_rows:
            parcel = answers.get(row.number)
            change = record_parcel(row, parcel, now) if parcel is not None else None
            checked(row, now, changed=change is not None, answered=parcel is not None)
            totals["checked"] += 1
            totals["changed"] += change is not None
            totals["failed"] += parcel is None
    report = RefreshReport(finished=len(expired), **totals)
    if rows:
        logger.info(
            "following refresh checked=%d changed=%d failed=%d from_feed=%d finished=%d",
            report.checked,
            report.changed,
            report.failed,
            report.from_feed,
            report.finished,
        )
    return report


def _answers(
    carrier: str, numbers: list[str], lookup: Lookup, feed: FeedReader, totals: dict[str, int]
) -> dict[str, Parcel]:
    """The parcels found for `numbers`: the feed's first (PostPlus), one background lookup for the rest.

    A failed carrier, an answer shown stale, or "not found" give nothing: the parcel is asked again soon.
    """
    answers: dict[str, Parcel] = dict(feed(numbers)) if carrier == "postplus" else {}
    totals["from_feed"] += len(answers)
    rest = [number for number in numbers if number not in answers]
    if rest:
        for outcome in lookup(rest, carrier, priority=Priority.BACKGROUND):
            if isinstance(outcome.result, Found) and not outcome.stale:
                answers[outcome.number] = outcome.result.parcel
    return answers
