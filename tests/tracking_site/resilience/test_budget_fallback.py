"""Carrier budgets with Redis dead: this process's share of each budget, never an exception."""

from __future__ import annotations

import redis

from carriers.throttle import Priority, RateLimit
from tests.clocks import FakeClock
from tracking_site.resilience.budget_fallback import process_share
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.shared_state.call_budget import LocalBudget, RedisBudget, SharedOrLocalBudget, transport_reserve

LIMITS = {"postplus": RateLimit(5, 1.0), "nzpost": RateLimit(15, 1.0)}


def test_each_process_keeps_its_share_of_every_budget_and_at_least_one_call():
    assert process_share(LIMITS, 3) == {"postplus": RateLimit(1, 1.0), "nzpost": RateLimit(5, 1.0)}
    assert process_share(LIMITS, 10)["postplus"] == RateLimit(1, 1.0)
    assert process_share(LIMITS, 1) == LIMITS


def dead_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def test_with_redis_dead_calls_are_counted_against_this_processs_share(dead_redis_url):
    clock = FakeClock()
    shared = RedisBudget(dead_client(dead_redis_url), LIMITS)
    local = LocalBudget(process_share(LIMITS, 5), clock=clock)
    budget = SharedOrLocalBudget(shared, local, outage_for(dead_redis_url))
    assert [budget.reserve("postplus", 0.0).granted for _ in range(3)] == [True, False, False]  # one a second
    clock.now += 1.0
    assert budget.reserve("postplus", 0.0).granted
    assert outage_for(dead_redis_url).down
    assert budget.limit("postplus") == LIMITS["postplus"]  # background headroom still reckons with the whole


def test_the_transport_gate_over_a_dead_redis_budget_never_raises(dead_redis_url):
    clock = FakeClock()
    local = LocalBudget(process_share(LIMITS, 5), clock=clock)
    budget = SharedOrLocalBudget(RedisBudget(dead_client(dead_redis_url), LIMITS), local, outage_for(dead_redis_url))
    reserve = transport_reserve(budget, 0.0)
    assert [reserve("postplus", Priority.VISITOR) for _ in range(2)] == [0.0, None]
