"""A bulkhead per carrier in this process: at most N calls (or visitors waiting) on one carrier at once.

A hanging carrier holds whatever waits on it until a deadline passes. Without a bound, enough visitors asking
for it would hold every thread the worker has, and cached pages of other carriers would queue behind them. Past
the bound the answer is an immediate "busy" (the last good answer, marked stale, where there is one): nobody
queues for a place, so no thread is ever held waiting for the bulkhead itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tracking_site.resilience import instruments


class Bulkhead:
    """`size` places per carrier, or as many as `sizes` names for a carrier."""

    def __init__(self, size: int, sizes: Mapping[str, int] | None = None) -> None:
        self._default = size
        self._sizes = dict(sizes or {})
        self._in_use: dict[str, int] = {}
        self._lock = threading.Lock()

    def size(self, carrier: str) -> int:
        return self._sizes.get(carrier, self._default)

    def try_enter(self, carrier: str, *, force: bool = False) -> bool:
        """Take a place on `carrier`, or False at once when all are taken (`force`: take one even then)."""
        with self._lock:
            taken = self._in_use.get(carrier, 0)
            if taken >= self.size(carrier) and not force:
                refused = True
            else:
                self._in_use[carrier] = taken + 1
                refused = False
        if refused:
            instruments.bulkhead_refused(carrier)
        return not refused

    def leave(self, carrier: str) -> None:
        with self._lock:
            self._in_use[carrier] = max(self._in_use.get(carrier, 0) - 1, 0)

    @contextmanager
    def place(self, carrier: str) -> Iterator[bool]:
        """`with bulkhead.place(carrier) as admitted:`; the place (if one was given) is freed on the way out."""
        admitted = self.try_enter(carrier)
        try:
            yield admitted
        finally:
            if admitted:
                self.leave(carrier)
