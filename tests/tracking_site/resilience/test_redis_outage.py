"""RedisOutage: after a failure nobody asks Redis for a while, one caller tries again, and it is logged rarely."""

import logging

import pytest
import redis

from tests.clocks import FakeClock
from tracking_site.resilience.redis_outage import RedisOutage


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def outage(clock):
    return RedisOutage("test", retry_seconds=5.0, notice_seconds=60.0, clock=clock)


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "tracking_site.resilience"]


def test_redis_is_asked_while_it_is_up(outage):
    assert all(outage.should_ask() for _ in range(3))
    assert not outage.down


def test_after_a_failure_nobody_asks_until_the_retry_time(outage, clock):
    outage.failed(redis.ConnectionError("refused"))
    assert outage.down
    clock.now += 4.9
    assert [outage.should_ask() for _ in range(5)] == [False] * 5


def test_after_the_retry_time_exactly_one_caller_tries_again(outage, clock):
    outage.failed(redis.TimeoutError("paused"))
    clock.now += 5.0
    assert [outage.should_ask() for _ in range(4)] == [True, False, False, False]


def test_a_failed_trial_waits_another_retry_time(outage, clock):
    outage.failed(redis.TimeoutError("paused"))
    clock.now += 5.0
    assert outage.should_ask()
    outage.failed(redis.TimeoutError("still paused"))
    clock.now += 4.0
    assert not outage.should_ask()
    clock.now += 1.0
    assert outage.should_ask()


def test_a_success_ends_the_outage_for_every_caller(outage, clock):
    outage.failed(redis.ConnectionError("refused"))
    clock.now += 5.0
    assert outage.should_ask()
    outage.succeeded()
    assert not outage.down
    assert all(outage.should_ask() for _ in range(3))


def test_an_outage_is_logged_once_a_minute_not_per_failure(outage, clock, caplog):
    caplog.set_level(logging.INFO, logger="tracking_site.resilience")
    for _ in range(100):
        outage.failed(redis.ConnectionError("refused"))
        clock.now += 0.5  # 100 failures over 50 s
    assert len(warnings(caplog)) == 1
    assert "outcome=unavailable error=ConnectionError errors=1 " in warnings(caplog)[0]
    clock.now += 10.0
    outage.failed(redis.ConnectionError("refused"))
    assert len(warnings(caplog)) == 2
    assert "errors=100 " in warnings(caplog)[1]


def test_recovery_is_logged_once(outage, clock, caplog):
    caplog.set_level(logging.INFO, logger="tracking_site.resilience")
    outage.failed(redis.ConnectionError("refused"))
    clock.now += 30.0
    outage.succeeded()
    outage.succeeded()
    assert warnings(caplog)[1:] == ["shared_store=test outcome=recovered down_seconds=30"]


def test_guard_answers_from_the_fallback_when_redis_fails_and_while_it_is_down(outage):
    calls = []

    def failing():
        calls.append("redis")
        raise redis.ConnectionError("refused")

    assert outage.guard(failing, lambda: "local") == "local"
    assert outage.guard(failing, lambda: "local") == "local"
    assert calls == ["redis"]  # the second call did not ask


def test_guard_lets_other_errors_through(outage):
    def broken():
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        outage.guard(broken, lambda: "local")
    assert not outage.down
