"""The background refresh: followed parcels that are due, asked about in full carrier batches, at low priority.

Numbers go through the same lookup service (and call budget) as visitors' searches, marked BACKGROUND so
they use leftover budget only; a parcel a visitor looked at a moment ago is answered from the parcel cache, and
one a local store holds (the PostPlus event feed, while fresh) from that store, not the carrier's API.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from carriers.model import Found, Parcel
from tracking_site.following.models import FollowedParcel
from tracking_site.following.parcel_store import finish_following, record_parcel
from tracking_site.following.schedule import checked, claim_due_parcels, followed_long_enough
from tracking_site.lookup.service import LookupOutcome, Priority, lookup_parcels

logger = logging.getLogger("tracking_site.following")

Lookup = Callable[..., list[LookupOutcome]]


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh run did, for the task's log line and for tests."""

    checked: int = 0
    changed: int = 0
    failed: int = 0
    from_store: int = 0  # answered by a local store (the PostPlus event feed), not the carrier
    finished: int = 0


def refresh_due_parcels(
    now: datetime,
    *,
    lookup: Lookup = lookup_parcels,
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
    totals = {"checked": 0, "changed": 0, "failed": 0, "from_store": 0}
    for carrier, carrier_rows in by_carrier.items():
        answers = _answers(carrier, [row.number for row in carrier_rows], lookup, totals)
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
            "following refresh checked=%d changed=%d failed=%d from_store=%d finished=%d",
            report.checked,
            report.changed,
            report.failed,
            report.from_store,
            report.finished,
        )
    return report


def _answers(carrier: str, numbers: list[str], lookup: Lookup, totals: dict[str, int]) -> dict[str, Parcel]:
    """The parcels found for `numbers`, in one background lookup.

    A failed carrier, an answer shown stale, or "not found" give nothing: the parcel is asked again soon.
    """
    answers: dict[str, Parcel] = {}
    for outcome in lookup(numbers, carrier, priority=Priority.BACKGROUND):
        if isinstance(outcome.result, Found) and not outcome.stale:
            answers[outcome.number] = outcome.result.parcel
            totals["from_store"] += outcome.from_store
    return answers
