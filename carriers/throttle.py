"""Carrier call budgets, enforced where every upstream call passes: the httpx transport.

Before each request (API calls and token fetches alike) the transport reserves a slot from a `Reserve` callable
and waits for it, or fails the request as rate limited. The site gives it one over the budget every worker shares
(tracking_site/shared_state/call_budget.py: how slots are counted against a `RateLimit`); this module knows
nothing of Django, nor of how slots are counted.

What a request's slot depends on travels with the request, in httpx's per-request extensions (see
`CarrierClient.with_extensions`): `PRIORITY`, whose budget it may use (absent: a visitor's), and `PREPAID_SLOT`,
a slot its caller already reserved for it.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .base import CarrierUnavailable
from .model import FailureReason

logger = logging.getLogger("carriers")

PRIORITY = "carrier_call_priority"  # a request extension: a Priority
PREPAID_SLOT = "carrier_prepaid_slot"  # a request extension: a PrepaidSlot


class Priority(enum.Enum):
    """Who waits for a carrier's answer: the budget goes to visitors first, and queues order numbers by it."""

    VISITOR = 0  # someone is waiting on a page
    BACKGROUND = 1  # refreshing followed parcels, warming, the feed sync: only budget visitors leave unused

    def __lt__(self, other: Priority) -> bool:
        return self.value < other.value


@dataclass(frozen=True)
class RateLimit:
    """A carrier's limit: at most `calls` upstream calls in any window of `window_seconds`."""

    calls: int
    window_seconds: float


class PrepaidSlot:
    """One call's slot, reserved by its caller before the call: the call's first request uses it, and any later
    one (a next page, a retry with a fresh token) reserves a slot of its own. A call's requests go one at a time."""

    def __init__(self) -> None:
        self._unused = True

    def use(self) -> bool:
        """True once, for the request that takes the slot."""
        unused, self._unused = self._unused, False
        return unused


# Seconds until the slot reserved for a request of this priority, or None when the wait would be longer than the
# caller may wait.
Reserve = Callable[[str, Priority], float | None]


class ThrottledTransport(httpx.BaseTransport):
    """Wraps a carrier's transport: each request uses its prepaid slot, or reserves one and waits for it, or fails
    as rate limited."""

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
        prepaid: PrepaidSlot | None = request.extensions.get(PREPAID_SLOT)
        if prepaid is None or not prepaid.use():
            wait = self.reserve(self.carrier, request.extensions.get(PRIORITY, Priority.VISITOR))
            if wait is None:
                logger.warning("carrier=%s outcome=over_rate_budget path=%s", self.carrier, request.url.path)
                raise CarrierUnavailable(FailureReason.RATE_LIMITED, "our budget of calls to this carrier is spent")
            if wait > 0:
                self.sleep(wait)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()
