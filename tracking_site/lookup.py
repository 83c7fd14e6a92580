"""The lookup service: numbers in, one outcome per number out, asking every carrier concurrently.

Views call `lookup_parcels`; it decides which carriers to ask (auto-detection from number shapes),
serves fresh answers from the parcel cache, fans out the rest (every batch of every carrier in parallel),
makes sure concurrent requests for the same parcel cause one carrier call (single flight), and falls back
to a stale cached answer when a carrier fails.
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
from .single_flight import SingleFlight

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


def lookup_parcels(
    numbers: Sequence[str], carrier: str | None = None, *, flights: SingleFlight | None = None
) -> list[LookupOutcome]:
    """Track validated, normalized numbers; one outcome per distinct number, in order."""
    carriers = get_carriers()
    wanted = list(dict.fromkeys(numbers))
    plan = {number: carriers_to_ask(number, carrier, list(carriers)) for number in wanted}

    answers: dict[tuple[str, str], parcel_cache.CachedResult] = {}
    missing: list[tuple[str, str]] = []
    for number, slugs in plan.items():
        for slug in slugs:
            cached = parcel_cache.get(slug, number)
            if cached and cached.is_fresh():
                answers[(slug, number)] = cached
            else:
                missing.append((slug, number))
    if missing:
        answers.update(_fetch_once(carriers, missing, flights or SingleFlight.from_settings()))
    return [_merge(number, plan[number], answers, carrier) for number in wanted]


def _fetch_once(
    carriers: dict[str, CarrierClient], missing: list[tuple[str, str]], flights: SingleFlight
) -> dict[tuple[str, str], parcel_cache.CachedResult]:
    """Ask the carriers for what nobody else is asking right now; wait for the answers others are getting."""
    leases = {key: flights.begin(_flight_key(key)) for key in missing}
    led = [key for key, lease in leases.items() if lease]
    answers: dict[tuple[str, str], parcel_cache.CachedResult] = {}
    try:
        answers.update(_fetch_and_store(carriers, led))
    finally:
        for key in led:
            lease = leases[key]
            if lease is not None:
                flights.finish(lease, answers.get(key))

    followed = [key for key in missing if key not in answers]
    if not followed:
        return answers
    published = flights.wait([_flight_key(key) for key in followed])
    unanswered: list[tuple[str, str]] = []
    for key in followed:
        result = published.get(_flight_key(key))
        if isinstance(result, parcel_cache.CachedResult):
            answers[key] = _with_stale_fallback(key[0], result)
            continue
        cached = parcel_cache.get(*key)
        if cached and cached.is_fresh():
            answers[key] = cached  # the leader stored it just before we looked
        elif cached:
            answers[key] = cached.as_stale()  # the carrier is slow: the last good answer beats piling on
        else:
            unanswered.append(key)
    if unanswered:
        logger.info("outcome=single_flight_fallback numbers=%d", len(unanswered))
        answers.update(_fetch_and_store(carriers, unanswered))
    return answers


def _flight_key(key: tuple[str, str]) -> str:
    return parcel_cache.cache_key(*key)


def _fetch_and_store(
    carriers: dict[str, CarrierClient], keys: list[tuple[str, str]]
) -> dict[tuple[str, str], parcel_cache.CachedResult]:
    """Fetch (carrier, number) pairs; store answers in the parcel cache, fall back to stale ones on failure."""
    to_fetch: dict[str, list[str]] = defaultdict(list)
    for slug, number in keys:
        to_fetch[slug].append(number)
    answers: dict[tuple[str, str], parcel_cache.CachedResult] = {}
    for slug, results in _fetch_all(carriers, to_fetch).items():
        for result in results:
            if isinstance(result, CarrierFailure):
                answers[(slug, result.tracking_number)] = _with_stale_fallback(
                    slug, parcel_cache.CachedResult.now(result)
                )
            else:
                answers[(slug, result.tracking_number)] = parcel_cache.put(slug, result)
    return answers


def _with_stale_fallback(slug: str, fetched: parcel_cache.CachedResult) -> parcel_cache.CachedResult:
    """A failed fetch shows the last good answer (marked stale) when there is one."""
    if not isinstance(fetched.result, CarrierFailure):
        return fetched
    stale = parcel_cache.get(slug, fetched.result.tracking_number)
    return stale.as_stale() if stale else fetched


def _fetch_all(carriers: dict[str, CarrierClient], to_fetch: dict[str, list[str]]) -> dict[str, list[TrackingResult]]:
    """Every batch of every carrier at once (25 DHL numbers are three parallel calls); the caller takes one."""
    jobs = [(slug, batch) for slug, numbers in to_fetch.items() for batch in _planned_batches(carriers[slug], numbers)]
    if not jobs:
        return {}
    futures: list[tuple[str, Future[list[TrackingResult]]]] = [
        (slug, _executor.submit(_track_safely, carriers[slug], batch)) for slug, batch in jobs[1:]
    ]
    first_slug, first_batch = jobs[0]
    results: dict[str, list[TrackingResult]] = defaultdict(list)
    results[first_slug].extend(_track_safely(carriers[first_slug], first_batch))
    for slug, future in futures:
        results[slug].extend(future.result())
    return results


def _planned_batches(client: CarrierClient, numbers: list[str]) -> list[list[str]]:
    try:
        return client.plan_batches(numbers)
    except Exception:  # planning is a convenience: one sequential track_many call is still correct
        logger.exception("carrier=%s outcome=batch_planning_crashed", client.slug)
        return [numbers]


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
