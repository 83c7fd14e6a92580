"""Carrier call budgets while Redis is unavailable: each process keeps its own share of every carrier's budget.

The budget is shared through Redis so that all workers together stay under a carrier's documented rate. When
Redis fails, a process cannot see the others' calls; if each kept the whole budget, the carrier would see it
several times over. So each process keeps 1/N of it (N: the processes that share it, CARRIER_RATE_PROCESSES),
at least one call a window, and goes back to the shared budget by itself when Redis answers again.
"""

from __future__ import annotations

from collections.abc import Mapping

from carriers.throttle import RateLimit


def process_share(limits: Mapping[str, RateLimit], processes: int) -> dict[str, RateLimit]:
    """This process's part of each carrier's limit when `processes` processes cannot share one count."""
    return {
        carrier: RateLimit(max(limit.calls // max(processes, 1), 1), limit.window_seconds)
        for carrier, limit in limits.items()
    }
