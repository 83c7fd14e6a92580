"""Carrier rate limits, enforced where every upstream call passes: the httpx transport.

Before each request (API calls and token fetches alike) the transport reserves a slot from a `Reserve`
callable. The site gives it one backed by the shared cache so that all workers together stay under the
carrier's documented rate; this module knows nothing of Django and offers an in-process one.

The limit is a sliding window: at most `calls` requests in any window of `window_seconds`. A plain token
bucket of the same rate lets a full bucket plus its refill through in one second (twice the rate); the
window allows the same burst (a 25-number search's parallel batches) and never more than the limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import httpx

from .base import CarrierUnavailable, Clock
from .model import FailureReason

logger = logging.getLogger("carriers")

# Seconds until the reserved slot, or None when the wait would be longer than the caller may wait.
Reserve = Callable[[str], float | None]

# Calls leave our side spaced exactly one window apart but arrive late by network jitter and by the
# sending process's scheduling delay (bench: up to ~0.1 s on a loaded 2-core machine); the slack keeps
# the carrier's own count, not ours, under its limit.
JITTER_MARGIN_SECONDS = 0.1


@dataclass(frozen=True)
class RateLimit:
    """At most `calls` upstream calls in any window of `window_seconds`."""

    calls: int
    window_seconds: float

    @classmethod
    def per_second(cls, calls: int) -> RateLimit:
        """A carrier's documented calls-per-second, with room for jitter."""
        return cls(calls=calls, window_seconds=1.0 + JITTER_MARGIN_SECONDS)


def next_slot(recent: Sequence[float], now: float, limit: RateLimit) -> float:
    """When the next call may go, given the slots already reserved (oldest first)."""
    slot = max(now, recent[-1]) if recent else now
    if len(recent) >= limit.calls:
        slot = max(slot, recent[-limit.calls] + limit.window_seconds)
    return slot


class LocalSlots:
    """Slots reserved in this process only: right for one process, or for tests with an injected clock."""

    def __init__(self, limits: Mapping[str, RateLimit], *, max_wait_seconds: float, clock: Clock = time.monotonic):
        self.limits = dict(limits)
        self.max_wait_seconds = max_wait_seconds
        self.clock = clock
        self._recent: dict[str, deque[float]] = {
            carrier: deque(maxlen=limit.calls) for carrier, limit in self.limits.items()
        }
        self._lock = threading.Lock()

    def reserve(self, carrier: str) -> float | None:
        """Seconds to wait before calling `carrier`, or None when its budget is spent for longer than we wait."""
        limit = self.limits.get(carrier)
        if limit is None:
            return 0.0
        with self._lock:
            now = self.clock()
            recent = self._recent[carrier]
            slot = next_slot(recent, now, limit)
            if slot - now > self.max_wait_seconds:
                return None
            recent.append(slot)
            return slot - now


class ThrottledTransport(httpx.BaseTransport):
    """Wraps a carrier's transport: each request first reserves a slot, waits for it, or fails as rate limited."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        carrier: str,
        reserve: Reserve,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.carrier = carrier
        self.reserve = reserve
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        wait = self.reserve(self.carrier)
        if wait is None:
            logger.warning("carrier=%s outcome=over_rate_budget path=%s", self.carrier, request.url.path)
            raise CarrierUnavailable(FailureReason.RATE_LIMITED, "our budget of calls to this carrier is spent")
        if wait > 0:
            self.sleep(wait)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()
