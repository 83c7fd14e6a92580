"""Where numbers wanted from a carrier wait for its next call: queues per (carrier, identifier kind), one lease per
carrier, and an inbox per request that wakes it.

The lookup gatherer (tracking_site/lookup/gatherer.py) decides when a call leaves and what it carries; this module
only keeps the shared state and changes it atomically: with Redis in scripts (gather_store_redis.py), in this
process under one lock here. Both follow the same rules:

- `join`: a request registers as a waiter for each number it wants and queues the ones nobody is asking yet
  (visitors ahead of background work, oldest first); if the carrier's lease is free it takes it, and becomes the
  carrier's leader. A number finished a moment ago is answered from its done marker instead.
- The leader `view`s the queue, `take`s up to a batch of it (its own numbers first) into flight, and keeps the lease
  while its own request still has numbers queued; otherwise the lease goes at once to a live waiter of the oldest
  queued number, woken by a "lead" message (it is the queue's next caller), or is freed when nothing is queued.
- `settle`: a finished call wakes every waiter of its numbers with the answer, and queues numbers not found by one
  identifier kind again under the next.
- `abandon` and `leave`: a request past its deadline stops waiting; a number nobody waits for leaves the queue.

The lease is not redis-py's `Lock`: it is handed from one leader to the next in the same atomic step that changes
the queue, which a lock taken and freed by one owner cannot express.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from carriers.throttle import Priority

LEAD = "lead"  # you hold the carrier's lease now: lead its next call
FULL = "full"  # (to a leader) a whole batch is waiting
DONE = "done"  # the answer for one number (payload)
REFUSED = "refused"  # (to a request, from its own leader) no slot before your deadline; `payload`: seconds to one


@dataclass(frozen=True)
class Wanted:
    carrier: str
    number: str
    kind: str


@dataclass(frozen=True)
class Message:
    what: str
    carrier: str
    number: str = ""
    payload: Any = None


@dataclass(frozen=True)
class Marker:
    """A stored answer's done marker: kept `seconds` (never past the answer's freshness); `written_at` (epoch
    seconds) is when the answer was in the parcel cache, so a request that read the cache before then may use it."""

    seconds: float
    written_at: float


@dataclass(frozen=True)
class Joined:
    settled: dict[tuple[str, str], Any]  # (carrier, number): an answer finished a moment ago
    leads: tuple[str, ...]  # carriers whose lease the request took


@dataclass(frozen=True)
class QueueView:
    """What the leader sees before it takes a batch."""

    kind: str | None  # the identifier kind the next call carries; None when nothing is queued
    visitors: int  # visitor numbers queued under that kind
    background: int  # background numbers queued under that kind
    others: int  # visitor numbers queued for the carrier (any kind) that are not the leader's own request's
    quiet_seconds: float  # since another request last queued a visitor number for the carrier


@dataclass(frozen=True)
class Taken:
    numbers: tuple[str, ...]  # now in flight, for the leader to call
    keep_lead: bool  # the leader's own request still has numbers queued: it keeps the lease
    next_view: QueueView | None = None  # when it keeps it: the queue as the next call will see it


@dataclass(frozen=True)
class Joining:
    """A request's numbers as it joins their carriers' queues."""

    request: str
    wanted: Sequence[Wanted]
    priority: Priority
    alive_seconds: float  # how long the request may still wait: no lease is handed to a request gone
    batch_sizes: Mapping[str, int]  # per carrier: this many visitor numbers queued wake its leader (FULL)
    # Done markers written before this (when the request read the parcel cache) do not count: an older answer
    # should have been in the parcel cache, and is not there any more.
    answered_since: float = -math.inf


@dataclass(frozen=True)
class Settled:
    """What one call brought: an answer (payload) for each number it carried; `stored` ones also leave a done
    marker, for requests that missed the parcel cache just before the answer was written there; `requeue` ones
    ({number: next kind}) the call did not find, queued again under their next identifier kind."""

    answers: Mapping[str, Any]
    stored: Mapping[str, Marker] = field(default_factory=dict)
    requeue: Mapping[str, str] = field(default_factory=dict)


def lead_id(request: str, carrier: str) -> str:
    """The lease holder's name (also the inbox its FULL messages go to)."""
    return f"{request}/{carrier}"


def request_of(lead: str) -> str:
    """The request a lease holder's name belongs to (its inbox)."""
    return lead.rsplit("/", 1)[0]


class GatherStore(Protocol):
    """The operations the module's docstring describes, each one atomic."""

    def join(self, joining: Joining, *, lease_seconds: float) -> Joined:
        """Register and queue; an answer finished a moment ago comes back at once instead."""
        ...

    def receive(self, inbox: str, timeout: float) -> list[Message]:
        """The inbox's messages, waiting up to `timeout` seconds for the first."""
        ...

    def view(self, carrier: str, lead: str, own: Sequence[str]) -> QueueView: ...

    def take(
        self, carrier: str, lead: str, kind: str, own: Sequence[str], limit: int, *, lease_seconds: float
    ) -> Taken: ...

    def settle(self, carrier: str, settled: Settled, *, lease_seconds: float) -> None:
        """Wake the waiters of every answer, leave the done markers, queue the rest again."""
        ...

    def step_down(
        self, carrier: str, lead: str, *, lease_seconds: float, hand_over: bool, tell: Message | None = None
    ) -> None:
        """The leader gives the lease up without a call: to the next waiter (skipping its own request) or free."""
        ...

    def abandon(self, request: str, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Stop waiting for numbers still queued: {pair: "queued" (dropped), "flying" or "gone"}."""
        ...

    def leave(
        self, request: str, pending: Iterable[tuple[str, str]], carriers: Iterable[str], *, lease_seconds: float
    ) -> None:
        """The request is done: forget its waits, pass on any lease handed to it that it will not use."""
        ...


# --- Clocks a local store waits on -------------------------------------------------------------------------------


class WaitClock(Protocol):
    """Time, and waiting on it: tests pass a clock that moves only when the test moves it."""

    def now(self) -> float: ...

    def condition(self) -> threading.Condition:
        """A condition whose waits go through `wait`."""
        ...

    def wait(self, condition: threading.Condition, timeout: float) -> None:
        """Wait on `condition` (held) until notified or `timeout` seconds pass on this clock."""
        ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    def condition(self) -> threading.Condition:
        return threading.Condition()

    def wait(self, condition: threading.Condition, timeout: float) -> None:
        condition.wait(timeout)


MONOTONIC = MonotonicClock()


# --- In this process --------------------------------------------------------------------------------------------


@dataclass(order=True)
class _Score:
    priority: Priority
    at: float
    seq: int


@dataclass
class _Joins:
    at: float = -math.inf
    by: str = ""
    before: float = -math.inf  # the last join by anyone but `by`


@dataclass
class _State:
    queues: dict[tuple[str, str], dict[str, _Score]] = field(default_factory=dict)
    kinds: dict[str, list[str]] = field(default_factory=dict)
    waiters: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    flying: dict[tuple[str, str], tuple[Priority, float]] = field(default_factory=dict)  # priority, until
    done: dict[tuple[str, str], tuple[Any, float, float]] = field(default_factory=dict)  # payload, written, until
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)  # carrier: (lead, until)
    joins: dict[str, _Joins] = field(default_factory=dict)
    alive: dict[str, float] = field(default_factory=dict)
    inboxes: dict[str, list[Message]] = field(default_factory=dict)


class LocalGatherStore:
    """The gather store of one process (the embedded default), under one lock, on an injectable clock."""

    def __init__(self, clock: WaitClock = MONOTONIC, *, flying_seconds: float = 30.0):
        self.clock = clock
        self.flying_seconds = flying_seconds
        self._state = _State()
        self._seq = 0
        self._changed = clock.condition()

    # The public operations, each under the one lock ----------------------------------------------------------

    def join(self, joining: Joining, *, lease_seconds: float) -> Joined:
        request, priority = joining.request, joining.priority
        with self._changed:
            now = self.clock.now()
            state = self._state
            state.alive[request] = now + joining.alive_seconds
            settled: dict[tuple[str, str], Any] = {}
            leads: list[str] = []
            by_carrier: dict[str, list[Wanted]] = {}
            for item in joining.wanted:
                by_carrier.setdefault(item.carrier, []).append(item)
            for carrier, items in by_carrier.items():
                queued_any = added = False
                before: dict[str, int] = {}
                for item in items:
                    pair = (carrier, item.number)
                    done = self._live(state.done, pair, now)
                    if done is not None and done[1] >= joining.answered_since:
                        settled[pair] = done[0]
                        continue
                    state.waiters.setdefault(pair, set()).add(request)
                    flying = self._live(state.flying, pair, now)
                    if flying is not None:
                        if priority < flying[0]:
                            state.flying[pair] = (priority, flying[1])
                        continue
                    kind = self._queued_kind(carrier, item.number)
                    if kind is not None:
                        queue = state.queues[(carrier, kind)]
                        if priority < queue[item.number].priority:  # a visitor wants it now: ahead, as old as it is
                            queue[item.number] = replace(queue[item.number], priority=priority)
                    else:
                        before.setdefault(item.kind, _visitors(state.queues.get((carrier, item.kind), {}).values()))
                        self._queue(carrier, item.kind, item.number, priority, now)
                        added = True
                    queued_any = True
                # A burst is visitors arriving; background work comes at once.
                if added and priority is Priority.VISITOR:
                    self._joined(carrier, request, now)
                if not queued_any:
                    continue
                holder = self._holder(carrier, now)
                if holder is None:
                    state.leases[carrier] = (lead_id(request, carrier), now + lease_seconds)
                    leads.append(carrier)
                elif holder != lead_id(request, carrier):
                    batch = joining.batch_sizes.get(carrier, 1)
                    for kind, count in before.items():
                        if count < batch <= _visitors(state.queues[(carrier, kind)].values()):
                            self._push(holder, Message(FULL, carrier))
            return Joined(settled, tuple(leads))

    def receive(self, inbox: str, timeout: float) -> list[Message]:
        with self._changed:
            deadline = self.clock.now() + max(timeout, 0.0)
            while not self._state.inboxes.get(inbox):
                left = deadline - self.clock.now()
                if left <= 0:
                    return []
                self.clock.wait(self._changed, left)
            return self._state.inboxes.pop(inbox)

    def view(self, carrier: str, lead: str, own: Sequence[str]) -> QueueView:
        with self._changed:
            return self._view(carrier, lead, own, self.clock.now())

    def _view(self, carrier: str, lead: str, own: Sequence[str], now: float) -> QueueView:
        """The view under the lock (also what `take` hands a leader that keeps the lease)."""
        request = request_of(lead)
        kinds = self._state.kinds.get(carrier, [])
        queues = {kind: self._state.queues.get((carrier, kind), {}) for kind in kinds}
        mine = [(kind, queues[kind][number]) for number in own for kind in kinds if number in queues[kind]]
        own_kinds = [kind for kind, _ in mine]
        own_visitors = _visitors(score for _, score in mine)
        all_visitors = sum(_visitors(queue.values()) for queue in queues.values())
        kind = _next_kind(queues, own_kinds)
        joins = self._state.joins.get(carrier, _Joins())
        other_at = joins.at if joins.by != request else joins.before
        if kind is None:
            return QueueView(None, 0, 0, 0, now - other_at)
        visitors = _visitors(queues[kind].values())
        others = all_visitors - own_visitors
        return QueueView(kind, visitors, len(queues[kind]) - visitors, others, now - other_at)

    def take(
        self, carrier: str, lead: str, kind: str, own: Sequence[str], limit: int, *, lease_seconds: float
    ) -> Taken:
        with self._changed:
            now = self.clock.now()
            if self._holder(carrier, now) != lead:
                return Taken((), False)
            queue = self._state.queues.get((carrier, kind), {})
            mine = set(own)
            # Visitors before background, the leader's own first within each, then the oldest: a background
            # leader handed the lease never puts its own numbers ahead of a visitor's.
            chosen = sorted(queue, key=lambda n: (queue[n].priority, n not in mine, queue[n]))[:limit]
            for number in chosen:
                score = queue.pop(number)
                self._state.flying[(carrier, number)] = (score.priority, now + self.flying_seconds)
            request = request_of(lead)
            left = [number for number in own if self._queued_kind(carrier, number) is not None]
            if left:
                self._state.leases[carrier] = (lead, now + lease_seconds)
                return Taken(tuple(chosen), True, self._view(carrier, lead, left, now))
            self._hand_over(carrier, now, lease_seconds, exclude=request)
            return Taken(tuple(chosen), False)

    def settle(self, carrier: str, settled: Settled, *, lease_seconds: float) -> None:
        with self._changed:
            now = self.clock.now()
            state = self._state
            for number, payload in settled.answers.items():
                pair = (carrier, number)
                state.flying.pop(pair, None)
                for waiter in state.waiters.pop(pair, set()):
                    self._push(waiter, Message(DONE, carrier, number, payload))
                marker = settled.stored.get(number)
                if marker is not None and marker.seconds > 0:
                    state.done[pair] = (payload, marker.written_at, now + marker.seconds)
            requeued = False
            for number, kind in settled.requeue.items():
                pair = (carrier, number)
                priority = state.flying.pop(pair, (Priority.VISITOR, 0.0))[0]
                if state.waiters.get(pair):
                    self._queue(carrier, kind, number, priority, now)
                    requeued = True
            if requeued and self._holder(carrier, now) is None:
                self._hand_over(carrier, now, lease_seconds, exclude=None)

    def step_down(
        self, carrier: str, lead: str, *, lease_seconds: float, hand_over: bool, tell: Message | None = None
    ) -> None:
        with self._changed:
            now = self.clock.now()
            request = request_of(lead)
            if self._holder(carrier, now) == lead:
                if hand_over:
                    self._hand_over(carrier, now, lease_seconds, exclude=request)
                else:
                    del self._state.leases[carrier]
            if tell is not None:
                self._push(request, tell)

    def abandon(self, request: str, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        with self._changed:
            now = self.clock.now()
            found: dict[tuple[str, str], str] = {}
            for pair in pairs:
                carrier, number = pair
                if self._live(self._state.flying, pair, now) is not None:
                    found[pair] = "flying"
                elif self._queued_kind(carrier, number) is not None:
                    self._forget_waiter(request, pair)
                    found[pair] = "queued"
                else:
                    found[pair] = "gone"
            return found

    def leave(
        self, request: str, pending: Iterable[tuple[str, str]], carriers: Iterable[str], *, lease_seconds: float
    ) -> None:
        with self._changed:
            now = self.clock.now()
            self._state.alive.pop(request, None)
            for pair in pending:
                self._forget_waiter(request, pair)
            for carrier in carriers:
                if self._holder(carrier, now) == lead_id(request, carrier):
                    self._hand_over(carrier, now, lease_seconds, exclude=request)
            self._state.inboxes.pop(request, None)

    # Helpers, called with the lock held -------------------------------------------------------------------------

    def _queue(self, carrier: str, kind: str, number: str, priority: Priority, now: float) -> None:
        self._seq += 1
        self._state.queues.setdefault((carrier, kind), {})[number] = _Score(priority, now, self._seq)
        if kind not in self._state.kinds.setdefault(carrier, []):
            self._state.kinds[carrier].append(kind)

    @staticmethod
    def _live(entries: dict[tuple[str, str], Any], pair: tuple[str, str], now: float) -> Any:
        entry = entries.get(pair)
        if entry is not None and entry[-1] <= now:
            del entries[pair]
            return None
        return entry

    def _queued_kind(self, carrier: str, number: str) -> str | None:
        for kind in self._state.kinds.get(carrier, []):
            if number in self._state.queues.get((carrier, kind), {}):
                return kind
        return None

    def _holder(self, carrier: str, now: float) -> str | None:
        lease = self._state.leases.get(carrier)
        if lease is None or lease[1] <= now:
            self._state.leases.pop(carrier, None)
            return None
        return lease[0]

    def _joined(self, carrier: str, request: str, now: float) -> None:
        joins = self._state.joins.setdefault(carrier, _Joins())
        if joins.by != request:
            joins.before = joins.at
            joins.by = request
        joins.at = now

    def _push(self, inbox: str, message: Message) -> None:
        self._state.inboxes.setdefault(inbox, []).append(message)
        self._changed.notify_all()

    def _is_alive(self, request: str, now: float) -> bool:
        until = self._state.alive.get(request)
        if until is None or until <= now:
            self._state.alive.pop(request, None)
            return False
        return True

    def _forget_waiter(self, request: str, pair: tuple[str, str]) -> None:
        waiters = self._state.waiters.get(pair)
        if waiters is None:
            return
        waiters.discard(request)
        if waiters:
            return
        del self._state.waiters[pair]
        kind = self._queued_kind(*pair)
        if kind is not None:
            del self._state.queues[(pair[0], kind)][pair[1]]

    def _hand_over(self, carrier: str, now: float, lease_seconds: float, *, exclude: str | None) -> None:
        """The lease to a live waiter of the oldest queued number (visitors first), or free."""
        state = self._state
        queued = [
            (score, kind, number)
            for kind in state.kinds.get(carrier, [])
            for number, score in state.queues.get((carrier, kind), {}).items()
        ]
        for _, kind, number in sorted(queued):
            pair = (carrier, number)
            live = sorted(w for w in state.waiters.get(pair, set()) if self._is_alive(w, now))
            if not live:  # everyone who wanted it is gone
                state.waiters.pop(pair, None)
                del state.queues[(carrier, kind)][number]
                continue
            chosen = next((waiter for waiter in live if waiter != exclude), None)
            if chosen is not None:
                state.leases[carrier] = (lead_id(chosen, carrier), now + lease_seconds)
                self._push(chosen, Message(LEAD, carrier))
                return
        state.leases.pop(carrier, None)


def _visitors(scores: Iterable[_Score]) -> int:
    return sum(1 for score in scores if score.priority is Priority.VISITOR)


def _next_kind(queues: Mapping[str, Mapping[str, _Score]], own_kinds: Sequence[str]) -> str | None:
    """The kind the next call carries: the leader's own first while visitors wait in it (or nowhere), then the
    kind with the most visitor numbers, then the most background ones; None when every queue is empty."""
    waiting = {kind: _visitors(queue.values()) for kind, queue in queues.items() if queue}
    if not waiting:
        return None
    anyone = any(waiting.values())
    for kind in own_kinds:
        if waiting.get(kind) or not anyone:
            return kind
    return max(waiting, key=lambda kind: (waiting[kind], len(queues[kind])))
