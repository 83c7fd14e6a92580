"""The site's Prometheus instruments, and one small function per thing worth counting.

Labels are carriers, outcomes and priorities: never a tracking number, a client or anything a visitor typed.
Under gunicorn every worker writes its values to PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it) and
`/metrics` adds them up; elsewhere (runserver, tests) the process's own registry answers.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from carriers.drift import Drift

CALL_SIZE_BUCKETS = (1, 2, 3, 5, 10, 20, 30, 40, 50)
LATENCY_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 20.0)
WAIT_BUCKETS = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)

CARRIER_CALLS = Counter(
    "tracking_carrier_calls", "Tracking calls made to a carrier, by how they ended.", ["carrier", "outcome"]
)
CALL_NUMBERS = Histogram(
    "tracking_carrier_call_numbers", "Tracking numbers carried by one call.", ["carrier"], buckets=CALL_SIZE_BUCKETS
)
CALL_SECONDS = Histogram(
    "tracking_carrier_call_seconds", "How long one tracking call took.", ["carrier"], buckets=LATENCY_BUCKETS
)
BUDGET_WAIT_SECONDS = Histogram(
    "tracking_budget_wait_seconds",
    "How long a granted call waited for its slot in the carrier's budget.",
    ["carrier"],
    buckets=WAIT_BUCKETS,
)
BUDGET_REFUSALS = Counter(
    "tracking_budget_refusals",
    "Slots not granted: the budget was spent for longer than the caller could wait.",
    ["carrier", "priority"],
)
TURNED_AWAY = Counter(
    "tracking_visitors_turned_away",
    "Numbers a visitor was told 'busy' with no earlier answer to show: no call could carry them before their "
    "deadline, the carrier's guard refused them, or the carrier itself answered 429.",
    ["carrier"],
)
STALE_ANSWERS = Counter(
    "tracking_stale_answers", "Numbers answered with the last good answer, marked stale.", ["carrier", "reason"]
)
PARCEL_CACHE = Counter(
    "tracking_parcel_cache_lookups", "Parcel-cache reads per (carrier, number) asked.", ["carrier", "result"]
)
GATHER_WAIT_SECONDS = Histogram(
    "tracking_lookup_wait_seconds",
    "How long a lookup waited for the numbers it could not answer from the cache.",
    ["priority"],
    buckets=LATENCY_BUCKETS,
)
ANSWER_DRIFT = Counter(
    "tracking_carrier_answer_drift",
    "Fields of a carrier's answer its parser did not understand and left out (an unknown shape, date, zone, "
    "event code or field type), by carrier and field path.",
    ["carrier", "field"],
)
# The breakers' and bulkheads' instruments live beside them: tracking_site/resilience/instruments.py.


def carrier_call(carrier: str, numbers: int, seconds: float, outcome: str) -> None:
    CARRIER_CALLS.labels(carrier, outcome).inc()
    CALL_NUMBERS.labels(carrier).observe(numbers)
    CALL_SECONDS.labels(carrier).observe(seconds)


def budget_reserved(carrier: str, granted: bool, wait_seconds: float, *, background: bool) -> None:
    if granted:
        BUDGET_WAIT_SECONDS.labels(carrier).observe(wait_seconds)
    else:
        BUDGET_REFUSALS.labels(carrier, "background" if background else "visitor").inc()


def turned_away(carrier: str) -> None:
    TURNED_AWAY.labels(carrier).inc()


def stale_answer(carrier: str, reason: str) -> None:
    STALE_ANSWERS.labels(carrier, reason).inc()


def parcel_cache_read(carrier: str, result: str) -> None:
    PARCEL_CACHE.labels(carrier, result).inc()


def lookup_waited(priority: str, seconds: float) -> None:
    GATHER_WAIT_SECONDS.labels(priority).observe(seconds)


def answer_drift(drift: Drift) -> None:
    """Listener of the carriers' drift alarm (registered when the site starts)."""
    ANSWER_DRIFT.labels(drift.carrier, drift.path).inc()
