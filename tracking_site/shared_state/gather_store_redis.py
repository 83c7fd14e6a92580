"""The gather store in Redis: the same rules as gather_store.LocalGatherStore, each operation one Lua script.

Keys (under redis_client.KEY_PREFIX + "gather:v1:"): `q:<carrier>:<kind>` a sorted set of queued numbers
(score: priority × 1e13 + the server's milliseconds, so visitors come first, oldest first), `kinds:<carrier>`,
`w:<carrier>:<number>` the requests waiting for it, `f:<carrier>:<number>` in flight (its priority),
`d:<carrier>:<number>` done a moment ago (its answer), `lease:<carrier>`, `j:<carrier>` the last joins,
`alive:<request>`, `in:<inbox>` a list of messages. The scripts name keys they compute, so this wants one Redis
(or one Cluster slot), not a sharded Cluster. Messages are `L:<carrier>`, `F:<carrier>`, `R:<carrier>\\n<seconds>`
or `D:<carrier>\\n<number>\\n<pickled answer>`. Needs Redis 7 (BLMPOP).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable, Sequence
from typing import Any

from tracking_site.shared_state.gather_store import (
    DONE,
    FULL,
    LEAD,
    REFUSED,
    Joined,
    Joining,
    Message,
    QueueView,
    Settled,
    Taken,
    request_of,
)
from tracking_site.shared_state.redis_client import MAX_BLOCK_SECONDS, key

PREFIX = key("gather", "v1") + ":"

# Shared by the scripts: the clock, the queue lookups and the hand-over of a carrier's lease.
COMMON = """
local P = ARGV[1]
local function now_ms()
  if ARGV[2] ~= '' then return tonumber(ARGV[2]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local BG = 1e13
local function qkey(c, kind) return P .. 'q:' .. c .. ':' .. kind end
local function kinds_of(c) return redis.call('SMEMBERS', P .. 'kinds:' .. c) end
local function queued_kind(c, n)
  for _, kind in ipairs(kinds_of(c)) do
    if redis.call('ZSCORE', qkey(c, kind), n) then return kind end
  end
  return nil
end
local function visitors(q) return redis.call('ZCOUNT', q, '-inf', '(' .. BG) end
local function push(inbox, message, ttl_ms)
  local k = P .. 'in:' .. inbox
  redis.call('RPUSH', k, message)
  redis.call('PEXPIRE', k, ttl_ms)
end
local function forget_waiter(c, n, request)
  local w = P .. 'w:' .. c .. ':' .. n
  redis.call('SREM', w, request)
  if redis.call('SCARD', w) == 0 then
    redis.call('DEL', w)
    local kind = queued_kind(c, n)
    if kind then redis.call('ZREM', qkey(c, kind), n) end
  end
end
local function hand_over(c, lease_ms, exclude)
  local lease = P .. 'lease:' .. c
  local oldest = {}
  for _, kind in ipairs(kinds_of(c)) do
    local entries = redis.call('ZRANGE', qkey(c, kind), 0, 49, 'WITHSCORES')
    for i = 1, #entries, 2 do
      table.insert(oldest, {tonumber(entries[i + 1]), kind, entries[i]})
    end
  end
  table.sort(oldest, function(a, b) return a[1] < b[1] end)
  for _, entry in ipairs(oldest) do
    local kind, n = entry[2], entry[3]
    local w = P .. 'w:' .. c .. ':' .. n
    local waiters = redis.call('SMEMBERS', w)
    table.sort(waiters)
    local live = 0
    local chosen = nil
    for _, r in ipairs(waiters) do
      if redis.call('EXISTS', P .. 'alive:' .. r) == 1 then
        live = live + 1
        if r ~= exclude and not chosen then chosen = r end
      end
    end
    if live == 0 then
      redis.call('DEL', w)
      redis.call('ZREM', qkey(c, kind), n)
    elseif chosen then
      redis.call('SET', lease, chosen .. '/' .. c, 'PX', lease_ms)
      push(chosen, 'L:' .. c, lease_ms + 60000)
      return
    end
  end
  redis.call('DEL', lease)
end
"""

# ARGV: prefix, now, request, priority, alive ms, lease ms, plan (JSON: [[carrier, batch, [[number, kind]...]]...]),
# answered since (epoch seconds: older done markers do not count)
JOIN = (
    COMMON
    + """
local request = ARGV[3]
local priority = tonumber(ARGV[4])
local alive_ms = tonumber(ARGV[5])
local lease_ms = tonumber(ARGV[6])
local plan = cjson.decode(ARGV[7])
local answered_since = tonumber(ARGV[8])
local now = now_ms()
redis.call('SET', P .. 'alive:' .. request, '1', 'PX', alive_ms)
local leads = {}
local settled = {}
for _, entry in ipairs(plan) do
  local c, batch, numbers = entry[1], tonumber(entry[2]), entry[3]
  local queued_any, added = false, false
  local before = {}
  for _, item in ipairs(numbers) do
    local n, kind = item[1], item[2]
    local done = redis.call('GET', P .. 'd:' .. c .. ':' .. n)
    local sep = done and string.find(done, '|', 1, true)
    if done and tonumber(string.sub(done, 1, sep - 1)) >= answered_since then
      table.insert(settled, string.sub(done, sep + 1))
    else
      local w = P .. 'w:' .. c .. ':' .. n
      redis.call('SADD', w, request)
      redis.call('PEXPIRE', w, alive_ms + 5000)
      local f = P .. 'f:' .. c .. ':' .. n
      local flying = redis.call('GET', f)
      if flying then
        if tonumber(flying) > priority then redis.call('SET', f, priority, 'KEEPTTL') end
      else
        local found = queued_kind(c, n)
        if found then
          local score = tonumber(redis.call('ZSCORE', qkey(c, found), n))
          if priority == 0 and score >= BG then
            redis.call('ZADD', qkey(c, found), 'XX', score - BG, n)  -- a visitor wants it now: ahead, as old as it is
          end
        else
          local q = qkey(c, kind)
          if before[kind] == nil then before[kind] = visitors(q) end
          redis.call('ZADD', q, priority * BG + now, n)
          redis.call('SADD', P .. 'kinds:' .. c, kind)
          added = true
        end
        queued_any = true
      end
    end
  end
  if added and priority == 0 then
    local j = P .. 'j:' .. c
    local by = redis.call('HGET', j, 'by')
    if by ~= request then
      redis.call('HSET', j, 'before', redis.call('HGET', j, 'at') or '-1e15', 'by', request)
    end
    redis.call('HSET', j, 'at', now)
    redis.call('PEXPIRE', j, 3600000)
  end
  if queued_any then
    local lease = P .. 'lease:' .. c
    local holder = redis.call('GET', lease)
    if not holder then
      redis.call('SET', lease, request .. '/' .. c, 'PX', lease_ms)
      table.insert(leads, c)
    elseif holder ~= request .. '/' .. c then
      for kind, count in pairs(before) do
        if count < batch and visitors(qkey(c, kind)) >= batch then
          push(holder, 'F:' .. c, lease_ms)
        end
      end
    end
  end
end
return {leads, settled}
"""
)

# The leader's view of a carrier's queues (gather_store.QueueView): {queued?, kind, visitors, background, others,
# quiet ms}.
VIEW_OF = """
local function view_of(c, request, own, now)
  local waiting, sizes, order = {}, {}, {}
  local anyone = false
  for _, kind in ipairs(kinds_of(c)) do
    local size = redis.call('ZCARD', qkey(c, kind))
    if size > 0 then
      waiting[kind] = visitors(qkey(c, kind))
      sizes[kind] = size
      table.insert(order, kind)
      if waiting[kind] > 0 then anyone = true end
    end
  end
  local own_kinds = {}
  local own_visitors = 0
  local all_visitors = 0
  for _, kind in ipairs(order) do all_visitors = all_visitors + waiting[kind] end
  for _, n in ipairs(own) do
    for _, kind in ipairs(order) do
      local score = redis.call('ZSCORE', qkey(c, kind), n)
      if score then
        table.insert(own_kinds, kind)
        if tonumber(score) < BG then own_visitors = own_visitors + 1 end
      end
    end
  end
  local chosen = nil
  for _, kind in ipairs(own_kinds) do
    if waiting[kind] > 0 or not anyone then chosen = kind; break end
  end
  if not chosen then
    for _, kind in ipairs(order) do
      if not chosen or waiting[kind] > waiting[chosen]
          or (waiting[kind] == waiting[chosen] and sizes[kind] > sizes[chosen]) then
        chosen = kind
      end
    end
  end
  local j = P .. 'j:' .. c
  local at = tonumber(redis.call('HGET', j, 'at') or '-1e15')
  if redis.call('HGET', j, 'by') == request then at = tonumber(redis.call('HGET', j, 'before') or '-1e15') end
  local quiet = tostring(now - at)
  if not chosen then return {0, '', 0, 0, 0, quiet} end
  return {1, chosen, waiting[chosen], sizes[chosen] - waiting[chosen], all_visitors - own_visitors, quiet}
end
"""

# ARGV: prefix, now, carrier, request, own (JSON list)
VIEW = (
    COMMON
    + VIEW_OF
    + """
return view_of(ARGV[3], ARGV[4], cjson.decode(ARGV[5]), now_ms())
"""
)

# ARGV: prefix, now, carrier, lead, request, kind, own (JSON), limit, lease ms, flying ms
TAKE = (
    COMMON
    + VIEW_OF
    + """
local c, lead, request, kind = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local own = cjson.decode(ARGV[7])
local limit = tonumber(ARGV[8])
local lease_ms, flying_ms = tonumber(ARGV[9]), tonumber(ARGV[10])
local lease = P .. 'lease:' .. c
if redis.call('GET', lease) ~= lead then return {{}, 0} end
local q = qkey(c, kind)
local taken, chosen = {}, {}
local function take(n)
  local score = redis.call('ZSCORE', q, n)
  if score and not chosen[n] and #taken < limit then
    redis.call('ZREM', q, n)
    local priority = 0
    if tonumber(score) >= BG then priority = 1 end
    redis.call('SET', P .. 'f:' .. c .. ':' .. n, priority, 'PX', flying_ms)
    chosen[n] = true
    table.insert(taken, n)
  end
end
-- Visitors before background, the leader's own first within each, then the oldest.
for _, n in ipairs(own) do
  local score = redis.call('ZSCORE', q, n)
  if score and tonumber(score) < BG then take(n) end
end
if #taken < limit then
  for _, n in ipairs(redis.call('ZRANGE', q, '-inf', '(' .. BG, 'BYSCORE', 'LIMIT', 0, limit - #taken)) do take(n) end
end
for _, n in ipairs(own) do take(n) end
if #taken < limit then
  for _, n in ipairs(redis.call('ZRANGE', q, 0, limit - #taken - 1)) do take(n) end
end
local left = {}
for _, n in ipairs(own) do
  if queued_kind(c, n) then table.insert(left, n) end
end
if #left > 0 then
  redis.call('PEXPIRE', lease, lease_ms)
  return {taken, 1, view_of(c, request, left, now_ms())}
end
hand_over(c, lease_ms, request)
return {taken, 0}
"""
)

# ARGV: prefix, now, carrier, lease ms, requeue (JSON [[number, kind]...]), then number, marker ms, written at,
# message... (a marker is stored as "<written at>|<message>")
SETTLE = (
    COMMON
    + """
local c = ARGV[3]
local lease_ms = tonumber(ARGV[4])
local requeue = cjson.decode(ARGV[5])
local now = now_ms()
for i = 6, #ARGV, 4 do
  local n, marker_ms, written, message = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  redis.call('DEL', P .. 'f:' .. c .. ':' .. n)
  local w = P .. 'w:' .. c .. ':' .. n
  for _, r in ipairs(redis.call('SMEMBERS', w)) do push(r, message, lease_ms + 60000) end
  redis.call('DEL', w)
  if marker_ms > 0 then redis.call('SET', P .. 'd:' .. c .. ':' .. n, written .. '|' .. message, 'PX', marker_ms) end
end
local requeued = false
for _, item in ipairs(requeue) do
  local n, kind = item[1], item[2]
  local f = P .. 'f:' .. c .. ':' .. n
  local priority = tonumber(redis.call('GET', f) or '0')
  redis.call('DEL', f)
  if redis.call('SCARD', P .. 'w:' .. c .. ':' .. n) > 0 then
    redis.call('ZADD', qkey(c, kind), priority * BG + now, n)
    redis.call('SADD', P .. 'kinds:' .. c, kind)
    requeued = true
  end
end
if requeued and redis.call('EXISTS', P .. 'lease:' .. c) == 0 then hand_over(c, lease_ms, nil) end
return 1
"""
)

# ARGV: prefix, now, carrier, lead, request, lease ms, hand over ('1'/'0'), message to the request ('' for none)
STEP_DOWN = (
    COMMON
    + """
local c, lead, request = ARGV[3], ARGV[4], ARGV[5]
local lease_ms = tonumber(ARGV[6])
if redis.call('GET', P .. 'lease:' .. c) == lead then
  if ARGV[7] == '1' then hand_over(c, lease_ms, request) else redis.call('DEL', P .. 'lease:' .. c) end
end
if ARGV[8] ~= '' then push(request, ARGV[8], lease_ms + 60000) end
return 1
"""
)

# ARGV: prefix, now, request, pairs (JSON [[carrier, number]...])
ABANDON = (
    COMMON
    + """
local request = ARGV[3]
local found = {}
for _, pair in ipairs(cjson.decode(ARGV[4])) do
  local c, n = pair[1], pair[2]
  if redis.call('EXISTS', P .. 'f:' .. c .. ':' .. n) == 1 then
    table.insert(found, 'flying')
  elseif queued_kind(c, n) then
    forget_waiter(c, n, request)
    table.insert(found, 'queued')
  else
    table.insert(found, 'gone')
  end
end
return found
"""
)

# ARGV: prefix, now, request, pending (JSON [[carrier, number]...]), carriers (JSON), lease ms
LEAVE = (
    COMMON
    + """
local request = ARGV[3]
redis.call('DEL', P .. 'alive:' .. request)
for _, pair in ipairs(cjson.decode(ARGV[4])) do forget_waiter(pair[1], pair[2], request) end
for _, c in ipairs(cjson.decode(ARGV[5])) do
  if redis.call('GET', P .. 'lease:' .. c) == request .. '/' .. c then hand_over(c, tonumber(ARGV[6]), request) end
end
redis.call('DEL', P .. 'in:' .. request)
return 1
"""
)


SCRIPTS = (JOIN, VIEW, TAKE, SETTLE, STEP_DOWN, ABANDON, LEAVE)


def encode(message: Message) -> bytes:
    if message.what == DONE:
        return b"D:%s\n%s\n%s" % (message.carrier.encode(), message.number.encode(), pickle.dumps(message.payload))
    if message.what == REFUSED:
        return f"R:{message.carrier}\n{float(message.payload):.6f}".encode()
    return f"{message.what[0].upper()}:{message.carrier}".encode()


def decode(raw: bytes) -> Message:
    tag, rest = raw[:2], raw[2:]
    if tag == b"D:":
        carrier, number, payload = rest.split(b"\n", 2)
        return Message(DONE, carrier.decode(), number.decode(), pickle.loads(payload))  # noqa: S301 - our own
    if tag == b"R:":
        carrier, seconds = rest.split(b"\n", 1)
        return Message(REFUSED, carrier.decode(), payload=float(seconds))
    return Message({b"L:": LEAD, b"F:": FULL}[tag], rest.decode())


def _queue_view(raw: Sequence[Any]) -> QueueView:
    queued, kind, visitors, background, others, quiet = raw
    chosen = kind.decode() if queued else None
    return QueueView(chosen, int(visitors), int(background), int(others), float(quiet) / 1000)


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class RedisGatherStore:
    """The gather store every worker (and machine) shares; `clock` (milliseconds' source) only for tests."""

    def __init__(
        self,
        client: Any,
        blocking: Any,
        *,
        clock: Any = None,
        flying_seconds: float = 30.0,
    ) -> None:
        self.client = client
        self.blocking = blocking
        self.clock = clock
        self.flying_seconds = flying_seconds
        self._join = client.register_script(JOIN)
        self._view = client.register_script(VIEW)
        self._take = client.register_script(TAKE)
        self._settle = client.register_script(SETTLE)
        self._step_down = client.register_script(STEP_DOWN)
        self._abandon = client.register_script(ABANDON)
        self._leave = client.register_script(LEAVE)

    def _run(self, script: Any, *args: Any) -> Any:
        """One of the scripts; its first two arguments are always the key prefix and the clock (tests')."""
        now = "" if self.clock is None else str(int(self.clock() * 1000))
        return script(args=[PREFIX, now, *args])

    def join(self, joining: Joining, *, lease_seconds: float) -> Joined:
        plan: dict[str, list[list[str]]] = {}
        for item in joining.wanted:
            plan.setdefault(item.carrier, []).append([item.number, item.kind])
        entries = [[carrier, joining.batch_sizes.get(carrier, 1), numbers] for carrier, numbers in plan.items()]
        since = f"{max(joining.answered_since, -1e15):.6f}"
        alive, lease = _ms(joining.alive_seconds), _ms(lease_seconds)
        leads, settled = self._run(
            self._join, joining.request, joining.priority.value, alive, lease, json.dumps(entries), since
        )
        answers = {(message.carrier, message.number): message.payload for message in map(decode, settled)}
        return Joined(answers, tuple(carrier.decode() for carrier in leads))

    def receive(self, inbox: str, timeout: float) -> list[Message]:
        name = PREFIX + "in:" + inbox
        if timeout < 0.001:  # Redis reads a shorter block as 0: forever
            raw = self.client.lpop(name, 100) or []
        else:
            popped = self.blocking.blmpop(min(timeout, MAX_BLOCK_SECONDS), 1, name, direction="LEFT", count=100)
            raw = popped[1] if popped else []
        return [decode(item) for item in raw]

    def view(self, carrier: str, lead: str, own: Sequence[str]) -> QueueView:
        return _queue_view(self._run(self._view, carrier, request_of(lead), json.dumps(list(own))))

    def take(
        self, carrier: str, lead: str, kind: str, own: Sequence[str], limit: int, *, lease_seconds: float
    ) -> Taken:
        own_numbers, lease, flying = json.dumps(list(own)), _ms(lease_seconds), _ms(self.flying_seconds)
        numbers, keep, *after = self._run(
            self._take, carrier, lead, request_of(lead), kind, own_numbers, limit, lease, flying
        )
        next_view = _queue_view(after[0]) if after else None
        return Taken(tuple(number.decode() for number in numbers), bool(keep), next_view)

    def settle(self, carrier: str, settled: Settled, *, lease_seconds: float) -> None:
        flat: list[Any] = []
        for number, payload in settled.answers.items():
            marker = settled.stored.get(number)
            kept = _ms(marker.seconds) if marker is not None and marker.seconds > 0 else 0
            written = f"{marker.written_at:.6f}" if marker is not None else "0"
            flat += [number, kept, written, encode(Message(DONE, carrier, number, payload))]
        requeue = json.dumps([[number, kind] for number, kind in settled.requeue.items()])
        self._run(self._settle, carrier, _ms(lease_seconds), requeue, *flat)

    def step_down(
        self, carrier: str, lead: str, *, lease_seconds: float, hand_over: bool, tell: Message | None = None
    ) -> None:
        told = encode(tell) if tell is not None else ""
        self._run(self._step_down, carrier, lead, request_of(lead), _ms(lease_seconds), "1" if hand_over else "0", told)

    def abandon(self, request: str, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        asked = [list(pair) for pair in pairs]
        if not asked:
            return {}
        found = self._run(self._abandon, request, json.dumps(asked))
        return {(carrier, number): where.decode() for (carrier, number), where in zip(asked, found, strict=True)}

    def leave(
        self, request: str, pending: Iterable[tuple[str, str]], carriers: Iterable[str], *, lease_seconds: float
    ) -> None:
        pairs, leases = json.dumps([list(pair) for pair in pending]), json.dumps(sorted(carriers))
        self._run(self._leave, request, pairs, leases, _ms(lease_seconds))
