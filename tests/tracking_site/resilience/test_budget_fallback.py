"""Carrier budgets with Redis dead: this process's share of each budget, never an exception."""

from __future__ import annotations

from carriers.throttle import LocalSlots, RateLimit
from tests.clocks import FakeClock
from tests.tracking_site.resilience.test_redis_cache import backend
from tracking_site.resilience.budget_fallback import process_share, shared_or_local_reserve
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.shared_state.call_budget import RedisSlots

LIMITS = {"postplus": RateLimit(5, 1.0), "nzpost": RateLimit(15, 1.0)}


def test_each_process_keeps_its_share_of_every_budget_and_at_least_one_call():
    assert process_share(LIMITS, 3) == {"postplus": RateLimit(1, 1.0), "nzpost": RateLimit(5, 1.0)}
    assert process_share(LIMITS, 10)["postplus"] == RateLimit(1, 1.0)
    assert process_share(LIMITS, 1) == LIMITS


def test_with_redis_dead_calls_are_counted_against_this_processs_share(dead_redis_url):
    clock = FakeClock()
    shared = RedisSlots(backend(dead_redis_url), LIMITS, max_wait_seconds=0.0).reserve
    local = LocalSlots(process_share(LIMITS, 5), max_wait_seconds=0.0, clock=clock).reserve
    reserve = shared_or_local_reserve(shared, local, outage_for(dead_redis_url))
    assert [reserve("postplus") for _ in range(3)] == [0.0, None, None]  # one call a second is this process's
    clock.now += 1.0
    assert reserve("postplus") == 0.0
    assert outage_for(dead_redis_url).down
