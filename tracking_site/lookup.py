"""The lookup service: numbers in, one outcome per number out, asking every carrier concurrently.

Views call `lookup_parcels`; it decides which carriers to ask (auto-detection from number shapes),
serves fresh answers from the parcel cache, fans out the rest (one batched call set per carrier, all
carriers in parallel), and falls back to a stale cached answer when a carrier fails.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from carriers.base import CarrierClient, shorten_number
from carriers.detect import candidate_carriers
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, TrackingResult

from . import parcel_cache
from .carrier_registry import get_carriers

logger = logging.getLogger("tracking_site.lookup")

# Threads for the fan-out; carrier calls are I/O-bound, so threads are the simple, sufficient tool.
_executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="carrier")


@dataclass(frozen=True)
class LookupOutcome:
    """What the site knows about one asked number."""

    number: str
    result: TrackingResult
    fetched_at: datetime | None = None
    stale: bool = False  # a cached answer shown because the carrier failed just now
    failures: tuple[CarrierFailure, ...] = ()  # carriers that failed while another one answered

    @property
    def found(self) -> bool:
        return isinstance(self.result, Found)


def carriers_to_ask(number: str, carrier: str | None, enabled: Sequence[str]) -> list[str]:
    """The carriers to ask for a number: the one chosen, or every enabled carrier its shape fits."""
    if carrier:
        return [carrier] if carrier in enabled else []
    return [slug for slug in candidate_carriers(number) if slug in enabled]


def lookup_parcels(numbers: Sequence[str], carrier: str | None = None) -> list[LookupOutcome]:
    """Track validated, normalized numbers; one outcome per distinct number, in order."""
    carriers = get_carriers()
    wanted = list(dict.fromkeys(numbers))
    plan = {number: carriers_to_ask(number, carrier, list(carriers)) for number in wanted}

    answers: dict[tuple[str, str], parcel_cache.CachedResult] = {}
    to_fetch: dict[str, list[str]] = defaultdict(list)
    for number, slugs in plan.items():
        for slug in slugs:
            cached = parcel_cache.get(slug, number)
            if cached and cached.is_fresh():
                answers[(slug, number)] = cached
            else:
                to_fetch[slug].append(number)

    for slug, results in _fetch_all(carriers, to_fetch).items():
        for result in results:
            key = (slug, result.tracking_number)
            if isinstance(result, CarrierFailure):
                stale = parcel_cache.get(slug, result.tracking_number)
                answers[key] = stale.as_stale() if stale else parcel_cache.CachedResult.now(result)
            else:
                answers[key] = parcel_cache.put(slug, result)

    return [_merge(number, plan[number], answers, carrier) for number in wanted]


def _fetch_all(carriers: dict[str, CarrierClient], to_fetch: dict[str, list[str]]) -> dict[str, list[TrackingResult]]:
    """Ask each carrier for its numbers, all carriers at once; the caller's thread takes one share."""
    if not to_fetch:
        return {}
    jobs = list(to_fetch.items())
    futures: dict[str, Future[list[TrackingResult]]] = {
        slug: _executor.submit(_track_safely, carriers[slug], numbers) for slug, numbers in jobs[1:]
    }
    first_slug, first_numbers = jobs[0]
    results = {first_slug: _track_safely(carriers[first_slug], first_numbers)}
    results.update((slug, future.result()) for slug, future in futures.items())
    return results


def _track_safely(client: CarrierClient, numbers: list[str]) -> list[TrackingResult]:
    try:
        return client.track_many(numbers)
    except Exception:  # a bug in one carrier module must not take the other carriers' answers down
        logger.exception("carrier=%s outcome=client_crashed", client.slug)
        return [CarrierFailure(client.slug, n, FailureReason.BAD_RESPONSE) for n in numbers]


def _merge(
    number: str,
    slugs: list[str],
    answers: dict[tuple[str, str], parcel_cache.CachedResult],
    chosen: str | None,
) -> LookupOutcome:
    """Found anywhere wins; else a carrier failure (we cannot say "not found"); else not found."""
    cached = [answers[(slug, number)] for slug in slugs if (slug, number) in answers]
    failures = tuple(c.result for c in cached if isinstance(c.result, CarrierFailure))
    for entry in cached:
        if isinstance(entry.result, Found):
            return LookupOutcome(number, entry.result, entry.fetched_at, entry.stale, failures)
    if failures:
        logger.info("number=%s outcome=carrier_failure carriers=%d", shorten_number(number), len(failures))
        first = next(c for c in cached if isinstance(c.result, CarrierFailure))
        return LookupOutcome(number, first.result, first.fetched_at, False, failures)
    fetched_at = cached[0].fetched_at if cached else None
    return LookupOutcome(number, NotFound(slugs[0] if slugs else (chosen or "auto"), number), fetched_at)
