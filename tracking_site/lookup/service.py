"""The lookup service: numbers in, one outcome per number out, asking every carrier concurrently.

Views call `lookup_parcels`; it decides which carriers to ask (auto-detection from number shapes),
serves fresh answers from the parcel cache, fans out the rest (every batch of every carrier in parallel),
makes sure concurrent requests for the same parcel cause one carrier call (single flight), and falls back
to a stale cached answer when a carrier fails.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from carriers.base import CarrierClient, shorten_number
from carriers.detect import candidate_carriers
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, TrackingResult
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.single_flight import SingleFlight

logger = logging.getLogger("tracking_site.lookup")

# Threads for the fan-out; carrier calls are I/O-bound, so threads are the simple, sufficient tool.
_executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="carrier")


class Priority(enum.IntEnum):
    """Who is waiting for an answer: carrier budget goes to visitors first."""

    VISITOR = 0  # someone is waiting on a page
    BACKGROUND = 1  # refreshing followed parcels, warming: leftover carrier budget only


@dataclass(frozen=True)
class LookupOutcome:
    """What the site knows about one asked number."""

    number: str
    result: TrackingResult
    fetched_at: datetime | None = None
    stale: bool = False  # a cached answer shown because the carrier failed just now
    failures: tuple[CarrierFailure, ...] = ()  # carriers that failed while another one answered
    fresh_until: datetime | None = None  # until then, asking again would give this very answer

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
    flights: SingleFlight | None = None,
) -> list[LookupOutcome]:
    """Track validated, normalized numbers; one outcome per distinct number, in order.

    `priority` says who waits; every call is served alike for now (the budget's priorities are to come).
    """
    carriers = get_carriers()
    wanted = list(dict.fromkeys(numbers))
    plan = {number: carriers_to_ask(number, carrier, list(carriers)) for number in wanted}

    pairs = [(slug, number) for number, slugs in plan.items() for slug in slugs]
    cached = parcel_cache.get_many(pairs)
    answers = {pair: entry for pair, entry in cached.items() if entry.is_fresh()}
    missing = [pair for pair in pairs if pair not in answers]
    if missing:
        answers.update(_fetch_once(carriers, missing, flights or SingleFlight.from_settings()))
    return [_merge(number, plan[number], answers, carrier) for number in wanted]


def _fetch_once(
    carriers: dict[str, CarrierClient], missing: list[tuple[str, str]], flights: SingleFlight
) -> dict[tuple[str, str], parcel_cache.CachedResult]:
    """Ask the carriers for what nobody else is asking right now; wait for the answers others are getting."""
    leases = flights.begin_many([_flight_key(key) for key in missing])
    led = [key for key in missing if _flight_key(key) in leases]
    answers: dict[tuple[str, str], parcel_cache.CachedResult] = {}
    try:
        # A leader that finished between our cache read and our lease has stored its answer: use it.
        stored = parcel_cache.get_many(led) if led else {}
        answers.update({key: entry for key, entry in stored.items() if entry.is_fresh()})
        answers.update(_fetch_and_store(carriers, [key for key in led if key not in answers]))
    finally:
        flights.finish_many([(leases[_flight_key(key)], _for_waiters(answers.get(key))) for key in led])

    followed = [key for key in missing if key not in answers]
    if not followed:
        return answers
    published = flights.wait([_flight_key(key) for key in followed])
    unanswered: list[tuple[str, str]] = []
    stored = parcel_cache.get_many(
        key for key in followed if not isinstance(published.get(_flight_key(key)), parcel_cache.CachedResult)
    )
    for key in followed:
        result = published.get(_flight_key(key))
        if isinstance(result, parcel_cache.CachedResult):
            answers[key] = _with_stale_fallback(key[0], result)
            continue
        cached = stored.get(key)
        if cached and result == IN_PARCEL_CACHE:
            answers[key] = cached  # the leader's own answer, just stored
        elif cached and cached.is_fresh():
            answers[key] = cached  # the leader stored it just before we looked
        elif cached:
            answers[key] = cached.as_stale()  # the carrier is slow: the last good answer beats piling on
        else:
            unanswered.append(key)
    if unanswered:
        logger.info("outcome=single_flight_fallback numbers=%d", len(unanswered))
        answers.update(_fetch_and_store(carriers, unanswered))
    return answers


# What a leader publishes for an answer it stored in the parcel cache: its waiters read it from there, so a
# 25-number search does not write every parcel twice.
IN_PARCEL_CACHE = "in-parcel-cache"


def _for_waiters(entry: parcel_cache.CachedResult | None) -> object:
    """The leader's answer for its waiters: failures (never cached) in full, stored answers by reference."""
    if entry is not None and not entry.stale and not isinstance(entry.result, CarrierFailure):
        return IN_PARCEL_CACHE
    return entry


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
    fetched = _fetch_all(carriers, to_fetch)
    answered = [(slug, r) for slug, results in fetched.items() for r in results if not isinstance(r, CarrierFailure)]
    for (slug, _), entry in zip(answered, parcel_cache.put_many(answered), strict=True):
        answers[(slug, entry.result.tracking_number)] = entry
    failed = [(slug, r) for slug, results in fetched.items() for r in results if isinstance(r, CarrierFailure)]
    last_good = parcel_cache.get_many((slug, failure.tracking_number) for slug, failure in failed) if failed else {}
    for slug, failure in failed:
        stale = last_good.get((slug, failure.tracking_number))
        answers[(slug, failure.tracking_number)] = stale.as_stale() if stale else parcel_cache.CachedResult.now(failure)
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
    # The biggest batches leave first (their answers take the carrier longest to build); this thread takes the
    # smallest one itself once the others are on their way.
    jobs.sort(key=lambda job: len(job[1]), reverse=True)
    futures: list[tuple[str, Future[list[TrackingResult]]]] = [
        (slug, _executor.submit(_track_safely, carriers[slug], batch)) for slug, batch in jobs[:-1]
    ]
    own_slug, own_batch = jobs[-1]
    results: dict[str, list[TrackingResult]] = defaultdict(list)
    results[own_slug].extend(_track_safely(carriers[own_slug], own_batch))
    for slug, future in futures:
        results[slug].extend(future.result())
    return results


def _planned_batches(client: CarrierClient, numbers: list[str]) -> list[list[str]]:
    try:
        return [batch for _, batch in client.plan_batches(numbers)]
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
            return LookupOutcome(number, entry.result, entry.fetched_at, entry.stale, failures, entry.fresh_until)
    if failures:
        logger.info("number=%s outcome=carrier_failure carriers=%d", shorten_number(number), len(failures))
        first = next(c for c in cached if isinstance(c.result, CarrierFailure))
        return LookupOutcome(number, first.result, first.fetched_at, False, failures)
    fetched_at = cached[0].fetched_at if cached else None
    return LookupOutcome(number, NotFound(slugs[0] if slugs else (chosen or "auto"), number), fetched_at)
