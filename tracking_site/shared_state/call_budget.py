"""Carrier call budgets shared by every worker: a slot reserved for each upstream call before it is made.

The gatherer reserves the slot of each batch it sends, then waits for it while numbers keep gathering, and sends
the call with that slot prepaid. Every other request to a carrier (token fetches, the staff console's searches, the
feed sync) reserves its own slot at the httpx transport (carriers/throttle.py) through `transport_reserve`: one
budget, one count per request. With REDIS_URL one Lua script reserves slots on the server's clock for all workers
and machines; without it this process keeps its own. The rule is written twice, once per store: `plan_reservation`
in Python and `RESERVE_SCRIPT` in Lua; tests/tracking_site/shared_state/test_call_budget.py runs against both.

A slot is a sliding window: at most `calls` in any `window_seconds`. A plain token bucket of the same rate lets a
full bucket plus its refill through in one second (twice the rate); the window allows the same burst (a 25-number
search's parallel batches) and never more than the limit. Background work asks with `keep_free`: granted only at
once and only while that many slots of the window stay unused, so it rides on headroom visitors are not using.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from carriers.throttle import Priority, RateLimit, Reserve
from tracking_site.metrics import instruments
from tracking_site.resilience.budget_fallback import process_share
from tracking_site.resilience.redis_outage import RedisOutage, outage_for
from tracking_site.resilience.shared_or_local import SharedOrLocal
from tracking_site.shared_state.redis_client import key, shared_redis


@dataclass(frozen=True)
class Reservation:
    """Granted: wait `wait_seconds`, then call. Refused: nothing is reserved; a slot may be had in `wait_seconds`."""

    granted: bool
    wait_seconds: float


class CallBudget(Protocol):
    def limit(self, carrier: str) -> RateLimit | None: ...

    def reserve(self, carrier: str, max_wait_seconds: float, *, keep_free: int = 0, peek: bool = False) -> Reservation:
        """One call's slot, at most `max_wait_seconds` away; with `keep_free`, only at once and with headroom.

        `peek`: only say when the slot would be, reserving nothing (a leader waits for it, then reserves)."""
        ...


def plan_reservation(
    recent: Sequence[float], now: float, limit: RateLimit, max_wait_seconds: float, keep_free: int
) -> tuple[Reservation, float | None]:
    """The reservation for one more call, and the slot to record if granted (`recent`: slots, oldest first).

    The slot: never before one already reserved, and one window after the `calls`-th last."""
    slot = max(now, recent[-1]) if recent else now
    if len(recent) >= limit.calls:
        slot = max(slot, recent[-limit.calls] + limit.window_seconds)
    keep_free = min(keep_free, limit.calls - 1)
    if keep_free > 0:
        in_window = [reserved for reserved in recent if reserved > now - limit.window_seconds]
        excess = len(in_window) - (limit.calls - keep_free - 1)
        if excess > 0 or slot > now:
            # Free again once enough of the window's slots have left it.
            until = in_window[excess - 1] + limit.window_seconds if excess > 0 else slot
            return Reservation(False, max(until, slot) - now), None
    wait = slot - now
    if wait > max_wait_seconds:
        return Reservation(False, wait), None
    return Reservation(True, wait), slot


class _SlotBudget:
    """What both budgets share: the limits, unlimited carriers going at once, peeks, and the metrics."""

    def __init__(self, limits: Mapping[str, RateLimit]) -> None:
        self.limits = dict(limits)

    def limit(self, carrier: str) -> RateLimit | None:
        return self.limits.get(carrier)

    def reserve(self, carrier: str, max_wait_seconds: float, *, keep_free: int = 0, peek: bool = False) -> Reservation:
        limit = self.limits.get(carrier)
        if limit is None:
            return Reservation(True, 0.0)
        reservation = self._reserve(carrier, limit, max_wait_seconds, keep_free, peek)
        # A peek, or a visitor's "is there a slot right now?" (no wait allowed), is a question, not a refusal.
        if not peek and (reservation.granted or keep_free > 0 or max_wait_seconds > 0):
            instruments.budget_reserved(
                carrier, reservation.granted, reservation.wait_seconds, background=keep_free > 0
            )
        return reservation

    def _reserve(
        self, carrier: str, limit: RateLimit, max_wait_seconds: float, keep_free: int, peek: bool
    ) -> Reservation:
        raise NotImplementedError


class LocalBudget(_SlotBudget):
    """Slots reserved in this process: right for one process (the embedded default) and for tests' clocks."""

    def __init__(self, limits: Mapping[str, RateLimit], *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(limits)
        self.clock = clock
        self._recent: dict[str, deque[float]] = {name: deque(maxlen=lim.calls) for name, lim in self.limits.items()}
        self._lock = threading.Lock()

    def _reserve(
        self, carrier: str, limit: RateLimit, max_wait_seconds: float, keep_free: int, peek: bool
    ) -> Reservation:
        with self._lock:
            reservation, slot = plan_reservation(
                self._recent[carrier], self.clock(), limit, max_wait_seconds, keep_free
            )
            if slot is not None and not peek:
                self._recent[carrier].append(slot)
        return reservation


# plan_reservation over a Redis list of the last `calls` slots (oldest first). Times travel as "%.6f" strings:
# Lua numbers sent back as replies would be cut to integers.
RESERVE_SCRIPT = """
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local keep_free = math.min(tonumber(ARGV[5]), calls - 1)
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local recent = redis.call('LRANGE', KEYS[1], 0, -1)
local count = #recent
local slot = now
if count > 0 then
  slot = math.max(slot, tonumber(recent[count]))
end
if count >= calls then
  slot = math.max(slot, tonumber(recent[count - calls + 1]) + window)
end
if keep_free > 0 then
  local in_window = {}
  for _, reserved in ipairs(recent) do
    if tonumber(reserved) > now - window then
      table.insert(in_window, tonumber(reserved))
    end
  end
  local excess = #in_window - (calls - keep_free - 1)
  if excess > 0 or slot > now then
    local untl = slot
    if excess > 0 then
      untl = math.max(slot, in_window[excess] + window)
    end
    return {0, string.format('%.6f', untl - now)}
  end
end
local wait = slot - now
if wait > max_wait then
  return {0, string.format('%.6f', wait)}
end
if ARGV[6] == '1' then
  return {1, string.format('%.6f', wait)}
end
redis.call('RPUSH', KEYS[1], string.format('%.6f', slot))
redis.call('LTRIM', KEYS[1], -calls, -1)
redis.call('PEXPIRE', KEYS[1], math.ceil((wait + window) * 1000) + 1000)
return {1, string.format('%.6f', wait)}
"""


class RedisBudget(_SlotBudget):
    """Slots reserved in Redis by one atomic script; `clock` only for tests (the server's clock otherwise)."""

    def __init__(
        self, client: Any, limits: Mapping[str, RateLimit], *, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__(limits)
        self.clock = clock
        self._script = client.register_script(RESERVE_SCRIPT)

    def _reserve(
        self, carrier: str, limit: RateLimit, max_wait_seconds: float, keep_free: int, peek: bool
    ) -> Reservation:
        now = "" if self.clock is None else f"{self.clock():.6f}"
        granted, wait = self._script(
            keys=[key("budget", "v2", carrier)],
            args=[limit.calls, limit.window_seconds, max_wait_seconds, now, keep_free, "1" if peek else "0"],
        )
        return Reservation(bool(granted), float(wait))


# --- Settings, and the transport's view of the same budget ------------------------------------------------------


def rate_limits_from_settings() -> dict[str, RateLimit]:
    """Each carrier's calls per second, over a window stretched by CARRIER_RATE_MARGIN_SECONDS: calls leave our side
    a window apart but reach the carrier late by network jitter and by this machine's scheduling, and it is the
    carrier's count that must stay under its limit."""
    window = 1.0 + float(settings.CARRIER_RATE_MARGIN_SECONDS)
    return {carrier: RateLimit(calls, window) for carrier, calls in settings.CARRIER_RATE_LIMITS.items() if calls}


class SharedOrLocalBudget:
    """The Redis budget while Redis answers; while it does not, this process's share of each limit (never a 5xx:
    the carrier still sees at most the whole budget, however many processes fall back)."""

    def __init__(self, shared: CallBudget, local: CallBudget, outage: RedisOutage) -> None:
        self._budgets = SharedOrLocal(shared, local, outage)

    def limit(self, carrier: str) -> RateLimit | None:
        return self._budgets.shared.limit(carrier)

    def reserve(self, carrier: str, max_wait_seconds: float, *, keep_free: int = 0, peek: bool = False) -> Reservation:
        return self._budgets.run(
            lambda budget: budget.reserve(carrier, max_wait_seconds, keep_free=keep_free, peek=peek)
        )


def budget_from_settings() -> CallBudget:
    """The process's budget: shared through Redis when REDIS_URL is set; demo fakes have no rate to respect."""
    limits = {} if settings.TRACKING_DEMO else rate_limits_from_settings()
    client = shared_redis()
    if client is None:
        return LocalBudget(limits)
    share = LocalBudget(process_share(limits, settings.CARRIER_RATE_PROCESSES))
    return SharedOrLocalBudget(RedisBudget(client, limits), share, outage_for(settings.REDIS_URL))


def headroom(limit: RateLimit | None, share: float) -> int:
    """The calls of a window background work leaves unused: `share` of them, at least one."""
    return max(int(limit.calls * share), 1) if limit else 0


def transport_reserve(
    budget: CallBudget,
    max_wait_seconds: float,
    *,
    background_wait_seconds: float = 10.0,
    keep_free_share: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Reserve:
    """carriers/throttle.py's gate over `budget`: a visitor's request reserves a slot at most `max_wait_seconds`
    away; a background one waits (up to `background_wait_seconds`) for a slot that leaves visitors headroom."""

    def reserve(carrier: str, priority: Priority) -> float | None:
        if priority is Priority.BACKGROUND:
            return _background_slot(carrier)
        reservation = budget.reserve(carrier, max_wait_seconds)
        return reservation.wait_seconds if reservation.granted else None

    def _background_slot(carrier: str) -> float | None:
        keep_free = headroom(budget.limit(carrier), keep_free_share)
        give_up = clock() + background_wait_seconds
        while True:
            reservation = budget.reserve(carrier, 0.0, keep_free=keep_free)
            if reservation.granted:
                return 0.0
            left = give_up - clock()
            if left <= 0:
                return None
            sleep(min(max(reservation.wait_seconds, 0.01), left))  # until the headroom is back, not a spin

    return reserve
