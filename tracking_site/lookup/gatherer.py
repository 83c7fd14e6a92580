"""The gatherer: numbers wanted from a carrier, by any request in any worker, share its calls.

Carriers ration calls, not parcels (PostPlus about 5 calls a second of up to 50 numbers). A request whose numbers
missed the parcel cache `join`s them to the carrier's queue in the shared store, then either leads the carrier's
next call (it took the carrier's lease) or waits in its inbox for the answers. The leader:

1. reserves the carrier's next slot in the call budget (visitors: at most as far away as its deadline; background
   work: only at once and only while the budget has headroom visitors are not using),
2. waits for the slot while numbers keep gathering, then lingers briefly while a burst is still arriving
   (see `Linger`), and leaves at once with a full batch,
3. takes up to a batch of the queue (its own numbers first, visitors before background), passes the lease on so the
   next slot can be led while this call is in flight, and makes one call,
4. stores every answer in the parcel cache and wakes everyone waiting for them; a number one identifier kind did
   not find is queued again under the next kind (DHL's packageId, dhlPackageId, trackingId batch across requests).

The carriers' guard (tracking_site.resilience.carrier_guard) answers at once for a carrier whose breaker is open,
on which this process already has as many calls in flight as its bulkhead allows, or which is slow and already
has as many of this process's visitors waiting as their bulkhead allows.

A visitor's number waits at most `wait_seconds` for a call to carry it. A leader that cannot get a slot within its
own deadline says so at once, and its request answers "busy" (or the last good answer, marked stale, which the
lookup service adds) for those numbers; a later request with more time left leads instead. Numbers already in
flight are waited for until their call ends (carrier timeouts bound it), or `deadline_seconds` at most; a search
that must answer sooner (`answer_within`) leaves them to finish without it: their answers land in the parcel cache.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import KW_ONLY, dataclass, field

from carriers.base import CarrierClient
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, TrackingResult
from carriers.throttle import PREPAID_SLOT, PrepaidSlot, Priority
from tracking_site.lookup.parcel_cache import CachedResult
from tracking_site.metrics import instruments
from tracking_site.resilience.carrier_guard import CarrierGuard
from tracking_site.resilience.redis_outage import REDIS_ERRORS, RedisOutage
from tracking_site.shared_state.call_budget import CallBudget, headroom
from tracking_site.shared_state.gather_store import (
    DONE,
    LEAD,
    MONOTONIC,
    REFUSED,
    GatherStore,
    Joining,
    Marker,
    Message,
    QueueView,
    Settled,
    WaitClock,
    Wanted,
    lead_id,
)

logger = logging.getLogger("tracking_site.lookup")

Pair = tuple[str, str]
Keep = Callable[[Sequence[tuple[str, Found | NotFound]]], list[CachedResult]]
Run = Callable[[Callable[[], None]], None]

# A waiting request looks at the store itself this often, in case a wake-up was lost (a leader's process died).
RECHECK_SECONDS = 1.0
# A leader's store round trips between its slot and its take.
TAKE_MARGIN_SECONDS = 0.05
# Closer than this to a moment counts as there (sums of float seconds are never exact).
INSTANT = 1e-6


@dataclass(frozen=True)
class Linger:
    """How long a leader at its slot waits for a burst to finish arriving before it takes a partial batch.

    It lingers only while numbers of other requests are queued and another one joined less than `quiet_seconds`
    ago, and never longer than `max_seconds`: a lone lookup, or one search on an idle site, leaves at once.
    """

    quiet_seconds: float = 0.02
    max_seconds: float = 0.1


@dataclass(frozen=True)
class Timing:
    wait_seconds: float = 2.0  # a visitor's number waits at most this long for a call to carry it
    background_wait_seconds: float = 10.0
    deadline_seconds: float = 15.0  # the whole wait, a call in flight included
    linger: Linger = Linger()
    background_keep_free: float = 0.5  # background-only calls leave this share of the budget's window unused

    @property
    def lease_seconds(self) -> float:
        """A leader holds the lease through its slot wait and its linger; a vanished one loses it soon after."""
        return self.wait_seconds + self.linger.max_seconds + 1.0


_executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="carrier")


def run_in_pool(task: Callable[[], None]) -> None:
    _executor.submit(task)


@dataclass(eq=False, repr=False)
class Gatherer:
    """Carrier calls shared by every request that wants the same carrier, within the carrier's budget.

    With a `fallback` (this process's own gatherer, for a `store` in Redis), a request that meets a Redis failure
    starts over on the fallback, so a Redis outage costs it the socket timeout once, and costs later requests
    nothing until Redis is tried again (`outage`).
    """

    carriers: Mapping[str, CarrierClient]
    store: GatherStore
    budget: CallBudget
    keep: Keep
    _: KW_ONLY
    timing: Timing = Timing()
    clock: WaitClock = MONOTONIC
    run: Run = run_in_pool
    outage: RedisOutage | None = None  # told of Redis failures, those in work done off the request's thread included
    guard: CarrierGuard | None = None  # breakers and bulkheads; None: every call goes
    fallback: Gatherer | None = None
    _process: str = field(init=False, default_factory=lambda: f"{os.getpid()}-{secrets.token_hex(4)}")
    _requests: Iterator[int] = field(init=False, default_factory=itertools.count)

    def gather(
        self,
        pairs: Sequence[Pair],
        priority: Priority = Priority.VISITOR,
        *,
        cache_read_at: float = -math.inf,
        answer_within: float | None = None,
    ) -> dict[Pair, CachedResult]:
        """An answer for every (carrier, number): the carrier's, or a CarrierFailure (busy, timeout, failed call).

        `cache_read_at` (epoch seconds): when the caller found these missing from the parcel cache; an answer
        stored before then and missing since (evicted, cleared) is asked again, not taken from a done marker.
        `answer_within` (seconds): pairs whose call is still in flight by then are left out of the answers.
        """
        pairs = list(dict.fromkeys(pairs))
        if not pairs:
            return {}

        def wait(gatherer: Gatherer) -> dict[Pair, CachedResult]:
            request = f"{gatherer._process}-{next(gatherer._requests)}"
            return Waiting(gatherer, request, pairs, priority, cache_read_at, answer_within).run()

        fallback, outage = self.fallback, self.outage
        if fallback is None or outage is None:
            return wait(self)
        return outage.guard(lambda: wait(self), lambda: wait(fallback))

    # --- Leading a carrier's calls ---------------------------------------------------------------------------

    def lead(self, carrier: str, request: str, own: list[str], priority: Priority, queue_deadline: float) -> None:
        """Lead `carrier`'s calls for as long as this request holds its lease (runs on the pool)."""
        lead = lead_id(request, carrier)
        try:
            self._lead(carrier, lead, own, priority, queue_deadline)
        except REDIS_ERRORS as error:  # its waiters go on without Redis (on the fallback)
            self._redis_failed(error)
        except Exception:  # a bug here must not strand the waiters: the lease goes on, the store stays consistent
            logger.exception("carrier=%s outcome=leader_crashed", carrier)
            try:
                self.store.step_down(carrier, lead, lease_seconds=self.timing.lease_seconds, hand_over=True)
            except REDIS_ERRORS as error:
                self._redis_failed(error)

    def _redis_failed(self, error: BaseException) -> None:
        if self.outage is not None:
            self.outage.failed(error)
        else:
            logger.warning("outcome=gather_store_failed error=%s", type(error).__name__)

    def _lead(self, carrier: str, lead: str, own: list[str], priority: Priority, queue_deadline: float) -> None:
        client = self.carriers[carrier]
        lease = self.timing.lease_seconds
        ahead_view: QueueView | None = None
        while True:
            view = ahead_view or self.store.view(carrier, lead, own)
            ahead_view = None
            if view.kind is None:
                self.store.step_down(carrier, lead, lease_seconds=lease, hand_over=False)
                return
            now = self.clock.now()
            # The batch must be taken before this request's deadline, lingering included.
            take_by = min(queue_deadline, now + self.timing.wait_seconds) - TAKE_MARGIN_SECONDS
            if view.visitors == 0:
                reservation = self.budget.reserve(carrier, 0.0, keep_free=self._keep_free(carrier))
            elif view.others == 0 and (at_once := self.budget.reserve(carrier, 0.0)).granted:
                reservation = at_once  # nobody else's numbers to linger for, and a slot free now: book it
            else:
                # Wait for the slot first, then linger, and only then reserve it: the call leaves when it is
                # booked, so the carrier never sees two windows' calls closer than a window.
                ahead = self.budget.reserve(carrier, take_by - self.timing.linger.max_seconds - now, peek=True)
                if ahead.granted:
                    self._wait_until(lead, now + ahead.wait_seconds)
                    view = self._linger(carrier, lead, own, client.batch_size)
                    reservation = self.budget.reserve(carrier, max(take_by - self.clock.now(), 0.0))
                else:
                    reservation = ahead
            if not reservation.granted:
                refused = Message(REFUSED, carrier, payload=reservation.wait_seconds)
                # Visitors' numbers go to a leader with more time left; background work waits for headroom.
                self.store.step_down(carrier, lead, lease_seconds=lease, hand_over=view.visitors > 0, tell=refused)
                return
            self._wait_until(lead, self.clock.now() + reservation.wait_seconds)  # a slot taken meanwhile
            view = self.store.view(carrier, lead, own) if reservation.wait_seconds > INSTANT else view
            if view.kind is None:
                self.store.step_down(carrier, lead, lease_seconds=lease, hand_over=False)
                return
            taken = self.store.take(carrier, lead, view.kind, own, client.batch_size, lease_seconds=lease)
            if not taken.numbers:
                if taken.keep_lead:
                    continue
                return
            kind, numbers = view.kind, list(taken.numbers)
            if not taken.keep_lead:
                self.call(carrier, kind, numbers)
                return
            own = [number for number in own if number not in taken.numbers]
            ahead_view = taken.next_view
            self.run(functools.partial(self.call, carrier, kind, numbers))

    def _keep_free(self, carrier: str) -> int:
        return headroom(self.budget.limit(carrier), self.timing.background_keep_free)

    def _wait_until(self, inbox: str, moment: float) -> None:
        """Sleep until the reserved slot; messages to the leader mean nothing before it."""
        while (left := moment - self.clock.now()) > INSTANT:
            self.store.receive(inbox, left)

    def _linger(self, carrier: str, lead: str, own: Sequence[str], batch_size: int) -> QueueView:
        linger = self.timing.linger
        until = self.clock.now() + linger.max_seconds
        while True:
            view = self.store.view(carrier, lead, own)
            if view.kind is None or view.visitors + view.background >= batch_size or view.others == 0:
                return view
            left = min(linger.quiet_seconds - view.quiet_seconds, until - self.clock.now())
            if left <= INSTANT:
                return view
            self.store.receive(lead, left)  # a FULL message ends it early

    # --- One call --------------------------------------------------------------------------------------------

    def call(self, carrier: str, kind: str, numbers: list[str]) -> None:
        """One upstream call; every number's waiters hear its answer, whatever happens."""
        client = self.carriers[carrier]
        payloads: dict[str, CachedResult] = {}
        stored: dict[str, Marker] = {}
        requeue: dict[str, str] = {}
        try:
            results = self._call_carrier(client, kind, numbers)
            final: dict[str, TrackingResult] = {}
            for number in numbers:
                result = results.get(number) or CarrierFailure(carrier, number, FailureReason.BAD_RESPONSE)
                after = client.next_kind(number, kind) if isinstance(result, NotFound) else None
                if after is not None:
                    requeue[number] = after
                else:
                    final[number] = result
            answered = [(carrier, r) for r in final.values() if isinstance(r, Found | NotFound)]
            payloads = {n: CachedResult.now(r) for n, r in final.items() if isinstance(r, CarrierFailure)}
            try:
                entries = self.keep(answered)
                # After the write: a request that read the parcel cache before now may have missed these.
                stored_at = time.time()
                for (_, result), entry in zip(answered, entries, strict=True):
                    payloads[result.tracking_number] = entry
                    stored[result.tracking_number] = _marker(entry, stored_at)
            except Exception:  # the parcel cache is an optimisation: waiters still get the answers
                logger.exception("carrier=%s outcome=parcel_cache_write_failed", carrier)
                payloads.update({r.tracking_number: CachedResult.now(r) for _, r in answered})
        finally:
            for number in numbers:
                if number not in payloads and number not in requeue:
                    payloads[number] = CachedResult.now(CarrierFailure(carrier, number, FailureReason.BAD_RESPONSE))
            try:
                settled = Settled(payloads, stored, requeue)
                self.store.settle(carrier, settled, lease_seconds=self.timing.lease_seconds)
            except REDIS_ERRORS as error:  # the answers are in the parcel cache; waiters find them when they retry
                self._redis_failed(error)

    def _call_carrier(self, client: CarrierClient, kind: str, numbers: list[str]) -> Mapping[str, TrackingResult]:
        started = time.perf_counter()

        def call() -> Mapping[str, TrackingResult]:
            # The slot `_lead` reserved pays for the call's first request at the transport (carriers/throttle.py).
            return client.with_extensions({PREPAID_SLOT: PrepaidSlot()}).call_batch(numbers, kind)

        try:
            results = call() if self.guard is None else self.guard.call(client.slug, numbers, call)
        except Exception:  # a bug in one carrier module must not take the other carriers' answers down
            logger.exception("carrier=%s outcome=client_crashed", client.slug)
            results = {n: CarrierFailure(client.slug, n, FailureReason.BAD_RESPONSE) for n in numbers}
        failure = next((r for r in results.values() if isinstance(r, CarrierFailure)), None)
        outcome = failure.reason.value if failure else "answered"
        instruments.carrier_call(client.slug, len(numbers), time.perf_counter() - started, outcome)
        return results

    def first_kind(self, carrier: str, number: str) -> str:
        return self.carriers[carrier].first_kind(number)


# Long enough to cover a request's cache read and its join; never past the answer's freshness.
DONE_MARKER_SECONDS = 2.0


def _marker(entry: CachedResult, stored_at: float) -> Marker:
    seconds = min(DONE_MARKER_SECONDS, (entry.fresh_until - entry.fetched_at).total_seconds())
    return Marker(seconds, stored_at)


class Waiting:
    """One request's wait for its numbers: leading where it holds a lease, woken by its inbox otherwise."""

    def __init__(
        self,
        gatherer: Gatherer,
        request: str,
        pairs: list[Pair],
        priority: Priority,
        cache_read_at: float,
        answer_within: float | None = None,
    ) -> None:
        self.g = gatherer
        self.cache_read_at = cache_read_at
        self.request = request
        self.priority = priority
        timing = gatherer.timing
        self.started = gatherer.clock.now()
        wait = timing.background_wait_seconds if priority is Priority.BACKGROUND else timing.wait_seconds
        self.queue_deadline = self.started + wait
        self.deadline = self.started + max(timing.deadline_seconds, wait)
        # Past this, numbers still in flight are left to their calls (their answers land in the parcel cache).
        self.answer_by = self.deadline if answer_within is None else min(self.started + answer_within, self.deadline)
        self.wanted = {pair: Wanted(pair[0], pair[1], gatherer.first_kind(*pair)) for pair in pairs}
        self.pending: set[Pair] = set(pairs)
        self.answers: dict[Pair, CachedResult] = {}
        self.retry_at: float | None = None
        self.gave_up = False
        self.waiting_on: list[str] = []  # carriers whose waiter bulkhead this request holds a place in

    def run(self) -> dict[Pair, CachedResult]:
        try:
            self._admit()
            if self.pending:  # nothing to join when the guard answered for every carrier
                self._join([pair for pair in self.wanted if pair in self.pending])
                self._wait()
        finally:
            guard = self.g.guard
            for carrier in self.waiting_on:
                assert guard is not None  # noqa: S101 - places are only taken from a guard
                guard.done_waiting(carrier)
        if self.g.clock.now() + INSTANT >= self.deadline:  # still in flight: the caller vanished or hangs
            for carrier, number in self.pending:
                self.answers[(carrier, number)] = CachedResult.now(
                    CarrierFailure(carrier, number, FailureReason.TIMEOUT)
                )
        instruments.lookup_waited(
            "background" if self.priority is Priority.BACKGROUND else "visitor", self.g.clock.now() - self.started
        )
        return self.answers

    def _admit(self) -> None:
        """Answer at once for carriers the guard refuses: an open breaker, or too many waiting on it here."""
        guard = self.g.guard
        if guard is None:
            return
        for carrier in dict.fromkeys(carrier for carrier, _ in self.wanted):
            refusal = guard.refusal(carrier)
            if refusal is None:
                self.waiting_on.append(carrier)
                continue
            for pair in [pair for pair in self.pending if pair[0] == carrier]:
                failure = CarrierFailure(carrier, pair[1], refusal.reason, refusal.retry_after_seconds)
                self._answer(pair, CachedResult.now(failure))

    def _wait(self) -> None:
        try:
            while self.pending:
                now = self.g.clock.now() + INSTANT
                if now >= self.answer_by:
                    break
                if not self.gave_up and now >= self.queue_deadline:
                    self._give_up_queued(self.pending)
                    continue
                until = min(self.answer_by if self.gave_up else self.queue_deadline, now + RECHECK_SECONDS)
                if self.retry_at is not None:
                    until = min(until, self.retry_at)
                messages = self.g.store.receive(self.request, until - now)
                for message in messages:
                    self._read(message)
                if not messages and self.g.clock.now() + INSTANT >= until:
                    self._look_again()
        finally:
            self.g.store.leave(
                self.request,
                self.pending,
                {carrier for carrier, _ in self.wanted},
                lease_seconds=self.g.timing.lease_seconds,
            )

    def _join(self, pairs: list[Pair]) -> None:
        timing = self.g.timing
        joining = Joining(
            self.request,
            [self.wanted[pair] for pair in pairs],
            self.priority,
            alive_seconds=self.deadline - self.g.clock.now() + 1.0,
            batch_sizes={carrier: self.g.carriers[carrier].batch_size for carrier, _ in pairs},
            answered_since=self.cache_read_at,
        )
        joined = self.g.store.join(joining, lease_seconds=timing.lease_seconds)
        for pair, payload in joined.settled.items():
            self._answer(pair, payload)
        for carrier in joined.leads:
            self._start_lead(carrier)

    def _read(self, message: Message) -> None:
        pair = (message.carrier, message.number)
        if message.what == DONE and pair in self.pending:
            self._answer(pair, message.payload)
        elif message.what == LEAD:
            self._start_lead(message.carrier)
        elif message.what == REFUSED:
            if self.priority is Priority.BACKGROUND:
                self.retry_at = self.g.clock.now() + float(message.payload)
            else:
                # The leader's budget has no slot before the deadline; the next one is this far away.
                next_slot = max(math.ceil(float(message.payload)), 1)
                self._give_up_queued({pair for pair in self.pending if pair[0] == message.carrier}, next_slot)

    def _answer(self, pair: Pair, payload: CachedResult) -> None:
        self.answers[pair] = payload
        self.pending.discard(pair)

    def _start_lead(self, carrier: str) -> None:
        own = [number for c, number in self.wanted if c == carrier and (c, number) in self.pending]
        self.g.run(lambda: self.g.lead(carrier, self.request, own, self.priority, self.queue_deadline))

    def _give_up_queued(self, pairs: set[Pair], retry_after_seconds: int | None = None) -> None:
        """Numbers no call will carry before the deadline are "busy"; those in flight are still waited for."""
        if pairs == self.pending:
            self.gave_up = True
        found = self.g.store.abandon(self.request, sorted(pairs))
        for pair, where in found.items():
            if where == "queued":
                busy = CarrierFailure(pair[0], pair[1], FailureReason.RATE_LIMITED, retry_after_seconds)
                self._answer(pair, CachedResult.now(busy))

    def _look_again(self) -> None:
        """No message for a while: join again (idempotent), taking a lease that was lost or freed."""
        self.retry_at = None
        if not self.gave_up:
            self._join(sorted(self.pending))
