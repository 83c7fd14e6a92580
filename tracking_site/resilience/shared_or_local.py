"""One thing kept in Redis for every worker, or in this process while Redis is unavailable.

Carrier call budgets and circuit breakers are shared through Redis so that all workers see one count. When Redis
fails, each process carries on with its own (a budget's share, a breaker of its own): less exact, never a 5xx.
Every call asks Redis while it is up; during an outage the process's own copy answers at once, and Redis is tried
again by one caller every few seconds (`RedisOutage`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from tracking_site.resilience.redis_outage import RedisOutage

Store = TypeVar("Store")
Answer = TypeVar("Answer")


class SharedOrLocal(Generic[Store]):
    """`shared` (over Redis) while Redis answers, `local` (this process's own) while it does not."""

    def __init__(self, shared: Store, local: Store, outage: RedisOutage) -> None:
        self.shared = shared
        self.local = local
        self.outage = outage

    def run(self, operation: Callable[[Store], Answer]) -> Answer:
        """`operation` on the shared store, or on the local one when Redis fails or is known to be down."""
        return self.outage.guard(lambda: operation(self.shared), lambda: operation(self.local))
