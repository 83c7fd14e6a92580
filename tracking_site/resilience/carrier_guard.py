"""What stands between a request and a carrier: the carrier's circuit breaker and this process's bulkheads.

The gatherer asks the guard twice. Before a request joins a carrier's queue: an open breaker answers at once, and
so does a slow carrier (a call of this process has been in flight on it for `slow_seconds`) that already has as
many visitors waiting here as the waiters' bulkhead allows. A healthy carrier's burst is never turned away: its
calls end long before anyone could be kept from a cached page. Before a call: the bulkhead on calls in flight,
then the breaker (which may make this call its one probe); how the call went is recorded afterwards.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

import redis
from annotated_types import Ge
from django.conf import settings

from carriers.model import CarrierFailure, FailureReason, TrackingResult
from tracking_site.resilience.bulkhead import Bulkhead
from tracking_site.resilience.circuit_breaker import CircuitBreaker, breaker_from_settings, call_failed
from tracking_site.resilience.redis_outage import RedisOutage
from tracking_site.tuning import Seconds, Section

Call = Callable[[], Mapping[str, TrackingResult]]


@dataclass(frozen=True)
class Refusal:
    reason: FailureReason
    retry_after_seconds: int | None = None  # known for an open breaker: until its probe may go


@dataclass
class CarrierGuard:
    breaker: CircuitBreaker
    calls: Bulkhead  # calls in flight on one carrier, in this process
    waiters: Bulkhead  # visitors' requests waiting on one carrier, in this process (while it is slow)
    slow_seconds: float = 3.0  # a call in flight this long makes its carrier slow
    clock: Callable[[], float] = time.monotonic
    _started: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def refusal(self, carrier: str) -> Refusal | None:
        """Why a request must not wait on `carrier` now (None: it may, and it holds a waiter's place).

        A request that was not refused calls `done_waiting(carrier)` when it stops waiting."""
        if (breaker := self.breaker.refusal(carrier)) is not None:
            return Refusal(FailureReason.UNAVAILABLE, retry_after_seconds=max(math.ceil(breaker.retry_after), 1))
        if not self.waiters.try_enter(carrier, force=not self.is_slow(carrier)):
            return Refusal(FailureReason.RATE_LIMITED)
        return None

    def done_waiting(self, carrier: str) -> None:
        self.waiters.leave(carrier)

    def is_slow(self, carrier: str) -> bool:
        """Whether a call of this process has been in flight on `carrier` for `slow_seconds` or more."""
        with self._lock:
            started = self._started.get(carrier)
            if not started:
                return False
            return self.clock() - min(started) >= self.slow_seconds

    def call(self, carrier: str, numbers: Sequence[str], call: Call) -> Mapping[str, TrackingResult]:
        """`call()` unless the bulkhead is full ("busy") or the breaker is open ("unavailable"), at once."""
        with self.calls.place(carrier) as admitted:
            if not admitted:
                return failures(carrier, numbers, FailureReason.RATE_LIMITED)
            permission = self.breaker.allow(carrier)
            if not permission.allowed:
                return failures(carrier, numbers, FailureReason.UNAVAILABLE)
            started = self._began(carrier)
            try:
                results = call()
            except BaseException:
                self.breaker.record(carrier, permission, ok=False)
                raise
            finally:
                self._ended(carrier, started)
            self.breaker.record(carrier, permission, ok=not call_failed(results))
            return results

    def _began(self, carrier: str) -> float:
        moment = self.clock()
        with self._lock:
            self._started.setdefault(carrier, []).append(moment)
        return moment

    def _ended(self, carrier: str, started: float) -> None:
        with self._lock:
            self._started[carrier].remove(started)


def failures(carrier: str, numbers: Sequence[str], reason: FailureReason) -> dict[str, TrackingResult]:
    return {number: CarrierFailure(carrier, number, reason) for number in numbers}


@dataclass(frozen=True)
class BulkheadTuning:
    """Bulkheads, per carrier in each worker process (tuning section `bulkhead`).

    At most `calls` calls in flight on one carrier; and while the carrier is slow (a call in flight for
    `slow_seconds`), at most `waiters` visitors waiting on it. Beyond, "busy" at once (the last good answer, marked
    stale, where there is one). A hanging carrier then cannot take the call pool other carriers' calls need, nor the
    request threads cached pages need; a healthy carrier's burst is never turned away.
    """

    calls: Annotated[int, Ge(1)] = 16
    waiters: Annotated[int, Ge(1)] | None = None  # default: three quarters of gunicorn's threads per worker
    slow_seconds: Seconds = 3.0

    @property
    def waiting_places(self) -> int:
        return self.waiters if self.waiters is not None else settings.GUNICORN_THREADS * 3 // 4


BULKHEAD = Section("bulkhead", BulkheadTuning)


def guard_from_settings(client: redis.Redis | None, outage: RedisOutage | None = None) -> CarrierGuard:
    """The process's guard: breakers shared through `client` (none: this process's own), bulkheads of its own."""
    tuned = BULKHEAD.current()
    return CarrierGuard(
        breaker_from_settings(client, outage),
        calls=Bulkhead(tuned.calls),
        waiters=Bulkhead(tuned.waiting_places),
        slow_seconds=tuned.slow_seconds,
    )
