"""A circuit breaker per carrier, shared by every worker: a failing carrier is answered for at once.

closed     calls go through; `failures` failed calls in a row, none older than `window_seconds`, open it.
open       no call goes for `open_seconds`: callers answer at once (the last good answer, marked stale, or a 503
           with Retry-After).
half-open  then exactly one caller, in any worker, makes a probe call; the others still answer at once. The
           probe's success closes the breaker, its failure opens it again. A probe that never reports (its
           process died) frees the way for another after `probe_seconds`.

Why not pybreaker: its Redis storage lets every caller through while half-open, counts failures without a
window, reads the wall clock itself, and raises when Redis does. Here the rules are pure functions (`ask`,
`settle`) over a small record; a store applies them atomically (a lock in one process, WATCH/MULTI in Redis), so
one algorithm serves both stores and tests drive it with an injected clock.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Protocol, TypeVar

import redis
from annotated_types import Ge
from django.conf import settings

from carriers.model import CarrierFailure, FailureReason, TrackingResult
from tracking_site.resilience import instruments
from tracking_site.resilience.redis_outage import RedisOutage, outage_for
from tracking_site.resilience.shared_or_local import SharedOrLocal
from tracking_site.tuning import Seconds, Section

logger = logging.getLogger("tracking_site.resilience")

Result = TypeVar("Result")


class BreakerState(enum.IntEnum):
    """The gauge's values, too."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass(frozen=True)
class BreakerPolicy:
    """When a carrier's breaker opens and for how long (tuning section `breaker`).

    Failed calls (timeouts, 5xx, bad answers, failed token fetches) this many times in a row, none older than the
    window, open it: the carrier's numbers are answered at once (the last good answer, marked stale, or a 503 with
    Retry-After). Then one probe call, in any worker, decides whether it closes; a probe that never reports frees
    the way for another. The window is long enough to see three of the carriers' 10 s read timeouts in a row.
    """

    failures: Annotated[int, Ge(1)] = 3  # failed calls in a row that open the breaker ...
    window_seconds: Seconds = 60.0  # ... none of them older than this
    open_seconds: Seconds = 30.0  # how long an open breaker answers at once before it lets a probe through
    probe_seconds: Seconds = 15.0  # a probe that has not reported after this long is given up (a carrier timeout +)


BREAKER = Section("breaker", BreakerPolicy)


@dataclass(frozen=True)
class BreakerRecord:
    """What the store keeps for one carrier."""

    state: BreakerState = BreakerState.CLOSED
    failures: tuple[float, ...] = ()  # when the failed calls in a row ended (closed only)
    opened_at: float = 0.0
    probe: str = ""  # the token of the probe call in flight (half-open only)
    probe_until: float = 0.0


CLOSED = BreakerRecord()


@dataclass(frozen=True)
class Permission:
    """The breaker's answer before a call: go ahead (as the probe, when `probe` is set), or answer at once."""

    allowed: bool
    state: BreakerState
    probe: str = ""
    retry_after: float = 0.0  # refused: seconds until a probe may be tried


# --- The rules ------------------------------------------------------------------------------------------------


def ask(
    record: BreakerRecord, now: float, policy: BreakerPolicy, token: str
) -> tuple[BreakerRecord | None, Permission]:
    """May a call go now? The changed record (None: unchanged) and the answer; `token` names a new probe."""
    if record.state is BreakerState.CLOSED:
        return None, Permission(True, BreakerState.CLOSED)
    if record.state is BreakerState.OPEN:
        probe_at = record.opened_at + policy.open_seconds
        if now < probe_at:
            return None, Permission(False, BreakerState.OPEN, retry_after=probe_at - now)
    elif now < record.probe_until:
        return None, Permission(False, BreakerState.HALF_OPEN, retry_after=record.probe_until - now)
    probing = replace(record, state=BreakerState.HALF_OPEN, probe=token, probe_until=now + policy.probe_seconds)
    return probing, Permission(True, BreakerState.HALF_OPEN, probe=token)


def settle(
    record: BreakerRecord, now: float, policy: BreakerPolicy, probe: str, ok: bool
) -> tuple[BreakerRecord | None, BreakerState]:
    """A call ended (`ok` or failed): the changed record (None: unchanged) and the state after it.

    Only the probe decides a half-open breaker; calls that started before the breaker opened change nothing."""
    if record.state is BreakerState.CLOSED:
        if ok:
            return (CLOSED if record.failures else None), BreakerState.CLOSED
        in_a_row = tuple(at for at in record.failures if at > now - policy.window_seconds) + (now,)
        if len(in_a_row) >= policy.failures:
            return BreakerRecord(BreakerState.OPEN, opened_at=now), BreakerState.OPEN
        return replace(record, failures=in_a_row), BreakerState.CLOSED
    if record.state is BreakerState.HALF_OPEN and probe and probe == record.probe:
        if ok:
            return CLOSED, BreakerState.CLOSED
        return BreakerRecord(BreakerState.OPEN, opened_at=now), BreakerState.OPEN
    return None, record.state


# Failures that say the carrier (or its token endpoint) is unwell. Not: a carrier's own rate limit or our budget
# (the budget handles those), nor NZ Post's partial results (it answered).
TRIPPING_REASONS = frozenset(
    {FailureReason.TIMEOUT, FailureReason.UNAVAILABLE, FailureReason.BAD_RESPONSE, FailureReason.AUTH}
)


def call_failed(results: Mapping[str, TrackingResult]) -> bool:
    """Whether one upstream call's results count against the carrier's breaker."""
    return any(isinstance(result, CarrierFailure) and result.reason in TRIPPING_REASONS for result in results.values())


# --- Stores ---------------------------------------------------------------------------------------------------

Decide = Callable[[BreakerRecord, float], tuple[BreakerRecord | None, Result]]


class BreakerStore(Protocol):
    def change(self, carrier: str, decide: Decide[Result]) -> Result:
        """Apply `decide(record, now)` atomically: store the record it returns (unless None), answer its result."""
        ...


class LocalBreakerStore:
    """Records in this process: one process, tests, and every worker's own while Redis is unavailable."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._records: dict[str, BreakerRecord] = {}
        self._lock = threading.Lock()

    def change(self, carrier: str, decide: Decide[Result]) -> Result:
        with self._lock:
            changed, result = decide(self._records.get(carrier, CLOSED), self.clock())
            if changed is not None:
                self._records[carrier] = changed
            return result


class RedisBreakerStore:
    """Records in Redis for every worker: read in one round trip; changed under WATCH, so of two workers that
    both saw the breaker ready for a probe, only one makes it half-open with its own probe.

    A record read as plainly closed is remembered for `closed_recheck_seconds`: a search asks the breaker about
    every carrier before it waits and before and after each call, and on a healthy site every answer is "closed".
    A breaker another worker opened is seen that much later here (a few more calls at most); this worker's own
    failures always read and write the shared record.

    The clock is each worker's wall clock: breaker times are tens of seconds, machines' clocks agree to
    milliseconds."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "tracking:breaker:v1:",
        keep_seconds: int = 3600,
        closed_recheck_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.keep_seconds = keep_seconds  # a record untouched this long is forgotten (closed)
        self.closed_recheck_seconds = closed_recheck_seconds
        self.clock = clock
        self._closed_until: dict[str, float] = {}

    def change(self, carrier: str, decide: Decide[Result]) -> Result:
        key = self.prefix + carrier
        now = self.clock()
        remembered = self._closed_until.get(carrier, -math.inf) > now
        record = CLOSED if remembered else decode(self.client.get(key))
        changed, result = decide(record, now)
        if changed is None:  # the common case (closed, a call that went well): one GET, or none
            if record == CLOSED and not remembered:
                self._closed_until[carrier] = now + self.closed_recheck_seconds
            return result
        self._closed_until.pop(carrier, None)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    changed, result = decide(decode(pipe.get(key)), self.clock())
                    if changed is None:
                        pipe.unwatch()
                        return result
                    pipe.multi()
                    pipe.set(key, encode(changed), ex=self.keep_seconds)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another worker changed it first: decide again on what it wrote


class SharedBreakerStore:
    """The Redis store while Redis answers; this process's own records while it does not."""

    def __init__(self, stores: SharedOrLocal[BreakerStore]) -> None:
        self.stores = stores

    def change(self, carrier: str, decide: Decide[Result]) -> Result:
        return self.stores.run(lambda store: store.change(carrier, decide))


def encode(record: BreakerRecord) -> str:
    return json.dumps(
        {
            "state": int(record.state),
            "failures": list(record.failures),
            "opened_at": record.opened_at,
            "probe": record.probe,
            "probe_until": record.probe_until,
        }
    )


def decode(raw: bytes | str | None) -> BreakerRecord:
    """A stored record; anything unreadable (an older format) counts as closed."""
    if raw is None:
        return CLOSED
    try:
        data: Any = json.loads(raw)
        return BreakerRecord(
            BreakerState(int(data["state"])),
            tuple(float(at) for at in data["failures"]),
            float(data["opened_at"]),
            str(data["probe"]),
            float(data["probe_until"]),
        )
    except (ValueError, KeyError, TypeError):
        return CLOSED


# --- The breaker ----------------------------------------------------------------------------------------------


class CircuitBreaker:
    """Every carrier's breaker, over one store: ask `allow` before a call, `record` how it ended."""

    def __init__(
        self,
        store: BreakerStore,
        policy: BreakerPolicy = BreakerPolicy(),
        *,
        new_token: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self.store = store
        self.policy = policy
        self.new_token = new_token

    def allow(self, carrier: str) -> Permission:
        token = self.new_token()
        permission = self.store.change(carrier, lambda record, now: ask(record, now, self.policy, token))
        instruments.breaker_state(carrier, permission.state)
        if not permission.allowed:
            instruments.breaker_refused(carrier)
        elif permission.probe:
            logger.info("carrier=%s breaker=half_open outcome=probe", carrier)
        return permission

    def refusal(self, carrier: str) -> Permission | None:
        """The refusal `allow` would give now, without taking a probe: None when a call (or a probe) may go.

        Lets a request answer at once for an open carrier without joining its queue."""
        token = ""

        def peek(record: BreakerRecord, now: float) -> tuple[None, Permission]:
            return None, ask(record, now, self.policy, token)[1]

        permission = self.store.change(carrier, peek)
        if permission.allowed:
            return None
        instruments.breaker_refused(carrier)
        return permission

    def record(self, carrier: str, permission: Permission, *, ok: bool) -> BreakerState:
        """How an allowed call ended; the breaker's state after it."""

        def decide(record: BreakerRecord, now: float) -> tuple[BreakerRecord | None, tuple[BreakerState, bool]]:
            changed, state = settle(record, now, self.policy, permission.probe, ok)
            return changed, (state, state is not record.state)

        state, moved = self.store.change(carrier, decide)
        instruments.breaker_state(carrier, state)
        if moved:
            logger.warning("carrier=%s breaker=%s", carrier, state.name.lower())
        return state

    def call(
        self, carrier: str, call: Callable[[], Result], *, failed: Callable[[Result], bool]
    ) -> Result | Permission:
        """`call()` when the breaker allows it (recording how it went), else the refusal, at once."""
        permission = self.allow(carrier)
        if not permission.allowed:
            return permission
        try:
            result = call()
        except BaseException:
            self.record(carrier, permission, ok=False)
            raise
        self.record(carrier, permission, ok=not failed(result))
        return result

    def state(self, carrier: str) -> BreakerState:
        def read(record: BreakerRecord, _now: float) -> tuple[None, BreakerState]:  # a read needs no clock
            return None, record.state

        return self.store.change(carrier, read)


def breaker_from_settings(client: redis.Redis | None, outage: RedisOutage | None = None) -> CircuitBreaker:
    """The process's breakers: shared through `client` (the one redis-py client), this process's own without it."""
    policy = BREAKER.current()
    if client is None:
        return CircuitBreaker(LocalBreakerStore(), policy)
    stores: SharedOrLocal[BreakerStore] = SharedOrLocal(
        RedisBreakerStore(client), LocalBreakerStore(), outage or outage_for(settings.REDIS_URL)
    )
    return CircuitBreaker(SharedBreakerStore(stores), policy)
