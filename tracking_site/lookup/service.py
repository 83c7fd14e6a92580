"""The lookup service: numbers in, one outcome per number out.

Views call `lookup_parcels`; it decides which carriers to ask (auto-detection from number shapes), answers what the
parcel cache holds fresh, then what the PostPlus feed store holds while the feed is fresh (both asked here, in the
request's own thread), and hands the rest to the gatherer, which shares carrier calls with every other request and
worker wanting the same carrier, within the carrier's budget. A number whose carrier failed, or that no call could
carry in time, shows its last good answer (marked stale) when there is one. A search that must answer within a
deadline leaves numbers still being asked `pending`; their answers land in the parcel cache for the next look.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from carriers.base import shorten_number
from carriers.detect import candidate_carriers
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, TrackingResult
from carriers.throttle import Priority
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import lookup_parts
from tracking_site.metrics import instruments
from tracking_site.postplus_feed.store import postplus_api

logger = logging.getLogger("tracking_site.lookup")

Pair = tuple[str, str]


@dataclass(frozen=True)
class LookupOutcome:
    """What the site knows about one asked number."""

    number: str
    result: TrackingResult
    fetched_at: datetime | None = None
    stale: bool = False  # a cached answer shown because the carrier failed or was too busy just now
    failures: tuple[CarrierFailure, ...] = ()  # carriers that failed while another one answered
    fresh_until: datetime | None = None  # until then, asking again would give this very answer
    pending: tuple[str, ...] = ()  # carriers still being asked when the search's deadline came (result: a timeout)

    @property
    def found(self) -> bool:
        return isinstance(self.result, Found)


def carriers_to_ask(number: str, carrier: str | None, enabled: Sequence[str]) -> list[str]:
    """The carriers to ask for a number: the one chosen, or every enabled carrier its shape fits."""
    if carrier:
        return [carrier] if carrier in enabled else []
    return [slug for slug in candidate_carriers(number) if slug in enabled]


def lookup_parcels(
    numbers: Sequence[str],
    carrier: str | None = None,
    *,
    priority: Priority = Priority.VISITOR,
    answer_within: float | None = None,
) -> list[LookupOutcome]:
    """Track validated, normalized numbers; one outcome per distinct number, in order.

    `answer_within` (seconds): a search's overall deadline; numbers whose carrier call is still in flight then come
    back `pending` (the call goes on, and its answer is in the parcel cache for the next look)."""
    parts = lookup_parts()
    wanted = list(dict.fromkeys(numbers))
    plan = {number: carriers_to_ask(number, carrier, list(parts.carriers)) for number in wanted}

    pairs = [(slug, number) for number, slugs in plan.items() for slug in slugs]
    read_at = time.time()
    cached = parcel_cache.get_many(pairs)
    answers = {pair: entry for pair, entry in cached.items() if entry.is_fresh()}
    for slug, number in pairs:
        instruments.parcel_cache_read(slug, _cache_read((slug, number), cached, answers))
    missing = [pair for pair in pairs if pair not in answers]
    answers.update(_from_feed(missing))
    missing = [pair for pair in missing if pair not in answers]
    pending: set[Pair] = set()
    if missing:
        gathered = parts.gatherer.gather(missing, priority, cache_read_at=read_at, answer_within=answer_within)
        for pair in missing:
            if pair in gathered:
                answers[pair] = _with_stale_fallback(gathered[pair], cached.get(pair))
                if priority == Priority.VISITOR and _busy(answers[pair].result):
                    instruments.turned_away(pair[0])  # "busy", with no earlier answer to show instead
            elif pair in cached:
                answers[pair] = cached[pair].as_stale()  # still being asked: the last good answer meanwhile
            else:
                pending.add(pair)
    return [_merge(number, plan[number], answers, carrier, pending) for number in wanted]


def _cache_read(pair: Pair, cached: Mapping[Pair, object], fresh: Mapping[Pair, object]) -> str:
    return "fresh" if pair in fresh else "stale" if pair in cached else "miss"


def _from_feed(missing: Sequence[Pair]) -> dict[Pair, parcel_cache.CachedResult]:
    """PostPlus numbers the stored feed answers, kept in the parcel cache like the API's answers."""
    parts = lookup_parts()
    api = postplus_api(parts.carriers.get("postplus"))
    numbers = [number for slug, number in missing if slug == "postplus"]
    if api is None or parts.feed is None or not numbers:
        return {}
    found = [("postplus", Found(parcel)) for parcel in parts.feed.parcels(api, numbers).values()]
    if not found:
        return {}
    entries = parcel_cache.put_many(found)
    return {("postplus", entry.result.tracking_number): entry for entry in entries}


def _busy(result: TrackingResult) -> bool:
    return isinstance(result, CarrierFailure) and result.reason is FailureReason.RATE_LIMITED


def _with_stale_fallback(
    fetched: parcel_cache.CachedResult, last_good: parcel_cache.CachedResult | None
) -> parcel_cache.CachedResult:
    """A failed or busy lookup shows the last good answer (marked stale) when there is one."""
    if not isinstance(fetched.result, CarrierFailure) or last_good is None:
        return fetched
    instruments.stale_answer(fetched.result.carrier, fetched.result.reason.value)
    return last_good.as_stale()


def _merge(
    number: str,
    slugs: list[str],
    answers: dict[Pair, parcel_cache.CachedResult],
    chosen: str | None,
    pending: set[Pair],
) -> LookupOutcome:
    """Found anywhere wins; else still being asked; else a carrier failure (we cannot say "not found"); else not
    found."""
    cached = [answers[(slug, number)] for slug in slugs if (slug, number) in answers]
    failures = tuple(c.result for c in cached if isinstance(c.result, CarrierFailure))
    for entry in cached:
        if isinstance(entry.result, Found):
            return LookupOutcome(number, entry.result, entry.fetched_at, entry.stale, failures, entry.fresh_until)
    asking = tuple(slug for slug in slugs if (slug, number) in pending)
    if asking:
        still = CarrierFailure(asking[0], number, FailureReason.TIMEOUT)
        return LookupOutcome(number, still, None, False, failures, pending=asking)
    if failures:
        logger.info("number=%s outcome=carrier_failure carriers=%d", shorten_number(number), len(failures))
        first = next(c for c in cached if isinstance(c.result, CarrierFailure))
        return LookupOutcome(number, first.result, first.fetched_at, False, failures)
    fetched_at = cached[0].fetched_at if cached else None
    return LookupOutcome(number, NotFound(slugs[0] if slugs else (chosen or "auto"), number), fetched_at)
