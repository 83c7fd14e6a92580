"""What stands between a request and a carrier: the carrier's circuit breaker and this process's bulkheads.

The gatherer asks the guard twice. Before a request joins a carrier's queue: an open breaker, or as many visitors
already waiting on that carrier as the bulkhead allows, answers at once. Before a call: the bulkhead on calls in
flight, then the breaker (which may make this call its one probe); how the call went is recorded afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import redis
from django.conf import settings

from carriers.model import CarrierFailure, FailureReason, TrackingResult
from tracking_site.resilience.bulkhead import Bulkhead
from tracking_site.resilience.circuit_breaker import CircuitBreaker, breaker_from_settings, call_failed
from tracking_site.resilience.redis_outage import RedisOutage

Call = Callable[[], Mapping[str, TrackingResult]]


@dataclass(frozen=True)
class CarrierGuard:
    breaker: CircuitBreaker
    calls: Bulkhead  # calls in flight on one carrier, in this process
    waiters: Bulkhead  # visitors' requests waiting on one carrier, in this process

    def refused_reason(self, carrier: str) -> FailureReason | None:
        """Why a request must not wait on `carrier` now (None: it may); taking a waiter's place when it may.

        A request that was not refused calls `done_waiting(carrier)` when it stops waiting."""
        if self.breaker.refusal(carrier) is not None:
            return FailureReason.UNAVAILABLE
        if not self.waiters.try_enter(carrier):
            return FailureReason.RATE_LIMITED
        return None

    def done_waiting(self, carrier: str) -> None:
        self.waiters.leave(carrier)

    def call(self, carrier: str, numbers: Sequence[str], call: Call) -> Mapping[str, TrackingResult]:
        """`call()` unless the bulkhead is full ("busy") or the breaker is open ("unavailable"), at once."""
        with self.calls.place(carrier) as admitted:
            if not admitted:
                return failures(carrier, numbers, FailureReason.RATE_LIMITED)
            permission = self.breaker.allow(carrier)
            if not permission.allowed:
                return failures(carrier, numbers, FailureReason.UNAVAILABLE)
            try:
                results = call()
            except BaseException:
                self.breaker.record(carrier, permission, ok=False)
                raise
            self.breaker.record(carrier, permission, ok=not call_failed(results))
            return results


def failures(carrier: str, numbers: Sequence[str], reason: FailureReason) -> dict[str, TrackingResult]:
    return {number: CarrierFailure(carrier, number, reason) for number in numbers}


def guard_from_settings(client: redis.Redis | None, outage: RedisOutage | None = None) -> CarrierGuard:
    """The process's guard: breakers shared through `client` (none: this process's own), bulkheads of its own."""
    return CarrierGuard(
        breaker_from_settings(client, outage),
        calls=Bulkhead(int(settings.CARRIER_BULKHEAD_CALLS)),
        waiters=Bulkhead(int(settings.CARRIER_BULKHEAD_WAITERS)),
    )
