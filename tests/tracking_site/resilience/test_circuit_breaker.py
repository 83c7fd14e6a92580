"""The carrier circuit breaker's states, with an injected clock, counting carrier calls (never wall time)."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis
from django.conf import settings
from prometheus_client import REGISTRY

from carriers.model import CarrierFailure, FailureReason, Found, NotFound
from tests.clocks import FakeClock
from tests.conftest import tune
from tests.tracking_site.conftest import make_parcel
from tests.tracking_site.resilience.conftest import unused_port
from tracking_site.resilience.circuit_breaker import (
    BREAKER,
    CLOSED,
    BreakerPolicy,
    BreakerRecord,
    BreakerState,
    CircuitBreaker,
    LocalBreakerStore,
    Permission,
    RedisBreakerStore,
    SharedBreakerStore,
    call_failed,
    decode,
    encode,
)
from tracking_site.resilience.redis_outage import RedisOutage
from tracking_site.resilience.shared_or_local import SharedOrLocal

POLICY = BreakerPolicy(failures=3, window_seconds=30.0, open_seconds=20.0, probe_seconds=15.0)
CARRIER = "nzpost"


class Carrier:
    """A carrier call that counts itself and fails while `failing`."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False

    def __call__(self) -> dict:
        self.calls += 1
        number = "CL092594238NZ"
        if self.failing:
            return {number: CarrierFailure(CARRIER, number, FailureReason.TIMEOUT)}
        return {number: Found(make_parcel(CARRIER, number))}


def redis_store(clock: FakeClock) -> RedisBreakerStore:
    client = redis.Redis.from_url(settings.REDIS_URL)
    return RedisBreakerStore(client, prefix=f"test:breaker:{uuid.uuid4().hex}:", clock=clock)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def store_kind(request):
    return request.param


@pytest.fixture
def breaker(store_kind, clock):
    store = LocalBreakerStore(clock) if store_kind == "local" else redis_store(clock)
    return CircuitBreaker(store, POLICY)


@pytest.fixture
def carrier():
    return Carrier()


def ask(breaker: CircuitBreaker, carrier: Carrier):
    return breaker.call(CARRIER, carrier, failed=call_failed)


def fail_times(breaker, carrier, count):
    carrier.failing = True
    for _ in range(count):
        ask(breaker, carrier)


def test_a_closed_breaker_lets_every_call_through(breaker, carrier):
    answers = [ask(breaker, carrier) for _ in range(5)]
    assert carrier.calls == 5
    assert not any(isinstance(answer, Permission) for answer in answers)
    assert breaker.state(CARRIER) is BreakerState.CLOSED


def test_fewer_failures_in_a_row_than_the_policy_keep_it_closed(breaker, carrier):
    fail_times(breaker, carrier, 2)
    assert breaker.state(CARRIER) is BreakerState.CLOSED


def test_a_success_between_failures_starts_the_count_again(breaker, carrier):
    fail_times(breaker, carrier, 2)
    carrier.failing = False
    ask(breaker, carrier)
    fail_times(breaker, carrier, 2)
    assert breaker.state(CARRIER) is BreakerState.CLOSED


def test_failures_further_apart_than_the_window_do_not_open_it(breaker, carrier, clock):
    for _ in range(4):
        fail_times(breaker, carrier, 1)
        clock.now += 16.0  # the oldest of any three is more than 30 s old
    assert breaker.state(CARRIER) is BreakerState.CLOSED


def test_repeated_failures_within_the_window_open_it(breaker, carrier, clock):
    fail_times(breaker, carrier, 2)
    clock.now += 29.0
    fail_times(breaker, carrier, 1)
    assert breaker.state(CARRIER) is BreakerState.OPEN


def test_an_open_breaker_answers_at_once_without_calling_the_carrier(breaker, carrier, clock):
    fail_times(breaker, carrier, 3)
    clock.now += 5.0
    answers = [ask(breaker, carrier) for _ in range(10)]
    assert carrier.calls == 3
    assert all(isinstance(a, Permission) and not a.allowed and a.state is BreakerState.OPEN for a in answers)
    assert answers[0].retry_after == pytest.approx(15.0)


def test_an_exception_in_the_call_counts_as_a_failure(breaker):
    def hangs_up():
        raise TimeoutError("the carrier hung up")

    for _ in range(3):
        with pytest.raises(TimeoutError):
            breaker.call(CARRIER, hangs_up, failed=call_failed)
    assert breaker.state(CARRIER) is BreakerState.OPEN


def test_after_the_open_time_exactly_one_probe_goes_through(breaker, carrier, clock):
    fail_times(breaker, carrier, 3)
    clock.now += 20.0
    first = breaker.allow(CARRIER)
    others = [breaker.allow(CARRIER) for _ in range(5)]
    assert first.allowed and first.probe and first.state is BreakerState.HALF_OPEN
    assert [o.allowed for o in others] == [False] * 5
    assert all(o.state is BreakerState.HALF_OPEN for o in others)


def test_a_successful_probe_closes_it(breaker, carrier, clock):
    fail_times(breaker, carrier, 3)
    clock.now += 20.0
    carrier.failing = False
    ask(breaker, carrier)  # the probe
    assert breaker.state(CARRIER) is BreakerState.CLOSED
    [ask(breaker, carrier) for _ in range(3)]
    assert carrier.calls == 3 + 1 + 3


def test_a_failed_probe_opens_it_again_for_the_open_time(breaker, carrier, clock):
    fail_times(breaker, carrier, 3)
    clock.now += 20.0
    ask(breaker, carrier)  # the probe fails
    assert breaker.state(CARRIER) is BreakerState.OPEN
    clock.now += 19.0
    ask(breaker, carrier)
    assert carrier.calls == 4
    clock.now += 1.0
    ask(breaker, carrier)  # the next probe
    assert carrier.calls == 5


def test_a_probe_that_never_reports_frees_the_way_for_another_after_the_probe_time(breaker, carrier, clock):
    fail_times(breaker, carrier, 3)
    clock.now += 20.0
    lost = breaker.allow(CARRIER)  # its worker dies mid-call
    clock.now += 14.0
    assert not breaker.allow(CARRIER).allowed
    clock.now += 1.0
    second = breaker.allow(CARRIER)
    assert second.allowed and second.probe != lost.probe
    breaker.record(CARRIER, lost, ok=True)  # the lost one reports after all: it is no longer the probe
    assert breaker.state(CARRIER) is BreakerState.HALF_OPEN
    breaker.record(CARRIER, second, ok=True)
    assert breaker.state(CARRIER) is BreakerState.CLOSED


def test_a_call_that_began_before_the_breaker_opened_does_not_close_it(breaker, carrier):
    early = breaker.allow(CARRIER)
    fail_times(breaker, carrier, 3)
    breaker.record(CARRIER, early, ok=True)
    assert breaker.state(CARRIER) is BreakerState.OPEN


def test_the_breaker_state_is_exported_as_a_gauge(breaker, carrier, clock):
    def gauge() -> float | None:
        return REGISTRY.get_sample_value("tracking_carrier_breaker_state", {"carrier": CARRIER})

    ask(breaker, carrier)
    assert gauge() == 0
    fail_times(breaker, carrier, 3)
    assert gauge() == 2
    clock.now += 20.0
    breaker.allow(CARRIER)
    assert gauge() == 1


@pytest.mark.parametrize(
    ("result", "counts"),
    [
        (CarrierFailure(CARRIER, "N", FailureReason.TIMEOUT), True),
        (CarrierFailure(CARRIER, "N", FailureReason.UNAVAILABLE), True),
        (CarrierFailure(CARRIER, "N", FailureReason.BAD_RESPONSE), True),
        (CarrierFailure(CARRIER, "N", FailureReason.AUTH), True),
        (CarrierFailure(CARRIER, "N", FailureReason.RATE_LIMITED), False),
        (CarrierFailure(CARRIER, "N", FailureReason.PARTIAL), False),
        (NotFound(CARRIER, "N"), False),
    ],
)
def test_which_call_results_count_against_the_breaker(result, counts):
    assert call_failed({"N": result}) is counts


def test_records_survive_the_round_trip_and_garbage_reads_as_closed():
    record = BreakerRecord(BreakerState.HALF_OPEN, (1.5, 2.5), 3.0, "token", 4.0)
    assert decode(encode(record)) == record
    assert decode(None) == CLOSED
    assert decode(b"not json") == CLOSED
    assert decode(b'{"state": 9}') == CLOSED


@pytest.mark.services
def test_across_workers_exactly_one_of_many_callers_gets_the_probe(clock, carrier):
    prefix = f"test:breaker:{uuid.uuid4().hex}:"
    # Each "worker" has its own connection and its own CircuitBreaker over the same Redis records.
    workers = [
        CircuitBreaker(RedisBreakerStore(redis.Redis.from_url(settings.REDIS_URL), prefix=prefix, clock=clock), POLICY)
        for _ in range(12)
    ]
    fail_times(workers[0], carrier, 3)
    assert workers[5].state(CARRIER) is BreakerState.OPEN
    clock.now += 20.0
    start = threading.Barrier(len(workers))
    permissions: list[Permission] = []

    def race(worker: CircuitBreaker) -> None:
        start.wait()
        permissions.append(worker.allow(CARRIER))

    threads = [threading.Thread(target=race, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(p.allowed for p in permissions) == 1


def shared_breaker(prefix: str, clock: FakeClock) -> CircuitBreaker:
    """One worker's breaker over the shared records under `prefix`, on a connection of its own."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    return CircuitBreaker(RedisBreakerStore(client, prefix=prefix, clock=clock), POLICY)


class CountingReads:
    """A redis-py client that counts the plain GETs a breaker store makes."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.gets = 0

    def get(self, key: str) -> object:
        self.gets += 1
        return self.client.get(key)

    def pipeline(self) -> object:
        return self.client.pipeline()


@pytest.mark.services
def test_a_closed_breaker_is_read_once_a_second_and_another_workers_opening_is_seen_within_it(clock, carrier):
    prefix = f"test:breaker:{uuid.uuid4().hex}:"
    here = CountingReads(redis.Redis.from_url(settings.REDIS_URL))
    store = RedisBreakerStore(here, prefix=prefix, clock=clock, closed_recheck_seconds=1.0)  # type: ignore[arg-type]
    breaker = CircuitBreaker(store, POLICY)
    other = shared_breaker(prefix, clock)

    for _ in range(5):
        assert breaker.refusal(CARRIER) is None
        ask(breaker, carrier)
    assert here.gets == 1 and carrier.calls == 5

    fail_times(other, carrier, 3)  # another worker opens it
    assert breaker.allow(CARRIER).allowed  # not seen yet: remembered closed ...
    clock.now += 1.0
    assert breaker.refusal(CARRIER) is not None  # ... and seen a second later
    assert not breaker.allow(CARRIER).allowed and here.gets == 3


@pytest.mark.services
def test_this_workers_own_failures_always_reach_the_shared_record(clock, carrier):
    prefix = f"test:breaker:{uuid.uuid4().hex}:"
    breaker, other = shared_breaker(prefix, clock), shared_breaker(prefix, clock)
    ask(breaker, carrier)  # read closed, remembered
    fail_times(breaker, carrier, 3)

    assert other.state(CARRIER) is BreakerState.OPEN
    assert isinstance(ask(breaker, carrier), Permission) and carrier.calls == 4


def test_with_redis_dead_each_process_keeps_a_breaker_of_its_own(clock, carrier):
    dead = redis.Redis.from_url(f"redis://127.0.0.1:{unused_port()}/0", socket_connect_timeout=0.5)
    outage = RedisOutage("dead", clock=clock)
    store = SharedBreakerStore(SharedOrLocal(RedisBreakerStore(dead, clock=clock), LocalBreakerStore(clock), outage))
    breaker = CircuitBreaker(store, POLICY)
    fail_times(breaker, carrier, 3)
    assert breaker.state(CARRIER) is BreakerState.OPEN
    assert isinstance(ask(breaker, carrier), Permission)
    assert carrier.calls == 3
    assert outage.down


def test_the_breaker_from_settings_opens_after_the_configured_failures(settings, carrier):
    from tracking_site.resilience.circuit_breaker import breaker_from_settings

    tune(settings, breaker={"failures": 2})
    breaker = breaker_from_settings(None)
    fail_times(breaker, carrier, 2)
    assert breaker.state(CARRIER) is BreakerState.OPEN
    assert breaker.policy.open_seconds == BREAKER.current().open_seconds


def test_the_breaker_from_settings_over_a_dead_redis_answers_from_this_process(settings, carrier, dead_redis_url):
    from tracking_site.resilience.circuit_breaker import breaker_from_settings

    settings.REDIS_URL = dead_redis_url
    breaker = breaker_from_settings(redis.Redis.from_url(dead_redis_url, socket_connect_timeout=0.5))
    fail_times(breaker, carrier, BREAKER.current().failures)
    assert breaker.state(CARRIER) is BreakerState.OPEN
