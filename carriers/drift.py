"""The drift alarm: a carrier answered something its parser does not know.

A parser that meets an unknown top-level shape, an unreadable date, an unknown zone name, event code or field
type leaves the field out and reports it here by carrier and field path (`packages[].events[].timeZone`), with
the JSON type it saw. Never the value: it may be personal data. Each report is counted by the listeners (the site
adds a Prometheus counter) and logged once per carrier and path per hour; `collected()` gathers the reports of one
block for the go-live check (`manage.py check_carriers`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("carriers.drift")

LOG_INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True)
class Drift:
    """One thing a carrier sent that its parser did not understand: where, and the JSON type seen there."""

    carrier: str
    path: str
    seen: str


Listener = Callable[[Drift], None]


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type: object, array, string, number, boolean or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


class DriftAlarm:
    """Counts every report through its listeners; logs one line per carrier and path per `log_interval`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, log_interval: float = LOG_INTERVAL_SECONDS):
        self._clock = clock
        self._log_interval = log_interval
        self._logged_at: dict[tuple[str, str], float] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def report(self, carrier: str, path: str, value: Any) -> Drift:
        drift = Drift(carrier=carrier, path=path, seen=json_type(value))
        collector = _collector.get()
        if collector is not None:
            collector.append(drift)
        for listener in tuple(self._listeners):
            listener(drift)
        now = self._clock()
        key = (carrier, path)
        with self._lock:
            last = self._logged_at.get(key)
            due = last is None or now - last >= self._log_interval
            if due:
                self._logged_at[key] = now
        if due:
            logger.warning("carrier=%s outcome=answer_drift path=%s seen=%s", carrier, path, drift.seen)
        return drift


_collector: ContextVar[list[Drift] | None] = ContextVar("drift_collector", default=None)

ALARM = DriftAlarm()


def report_drift(carrier: str, path: str, value: Any) -> None:
    """Report that `carrier` sent `value` at `path` and the parser could not read it (the value is not kept)."""
    ALARM.report(carrier, path, value)


@contextmanager
def collected() -> Iterator[list[Drift]]:
    """Every drift reported inside the block (in this thread or context), in order."""
    reports: list[Drift] = []
    token = _collector.set(reports)
    try:
        yield reports
    finally:
        _collector.reset(token)
