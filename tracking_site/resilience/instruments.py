"""Prometheus instruments of the breakers and bulkheads (the site's /metrics shows them beside the others).

Labels are carriers only. Under gunicorn each worker writes its values to PROMETHEUS_MULTIPROC_DIR; a breaker's
state is the same for every worker (it is shared through Redis), so the gauge reports the most recent value any
worker saw rather than a sum or a maximum that a worker which last looked while it was open would hold up.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

BREAKER_STATE = Gauge(
    "tracking_carrier_breaker_state",
    "Each carrier's circuit breaker: 0 closed, 1 half-open (one probe call allowed), 2 open (answering at once).",
    ["carrier"],
    multiprocess_mode="mostrecent",
)
BREAKER_REFUSALS = Counter(
    "tracking_carrier_breaker_refusals",
    "Carrier calls not made because the carrier's breaker was open (or its one probe was in flight).",
    ["carrier"],
)
BULKHEAD_REFUSALS = Counter(
    "tracking_carrier_bulkhead_refusals",
    "Carrier calls or waits refused at once because this worker already had as many on that carrier as allowed.",
    ["carrier"],
)


def breaker_state(carrier: str, state: int) -> None:
    BREAKER_STATE.labels(carrier).set(state)


def breaker_refused(carrier: str) -> None:
    BREAKER_REFUSALS.labels(carrier).inc()


def bulkhead_refused(carrier: str) -> None:
    BULKHEAD_REFUSALS.labels(carrier).inc()
