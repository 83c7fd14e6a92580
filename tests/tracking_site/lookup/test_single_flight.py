"""Single flight: concurrent requests for one uncached parcel make one carrier call, in-process and across workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from carriers.fakes import postplus as fake_postplus
from carriers.fakes.loopback import LoopbackServer
from carriers.model import CarrierFailure, FailureReason, Found, Status
from tests.clocks import FakeClock
from tests.tracking_site.conftest import InMemoryCarrier, make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.lookup.single_flight import SingleFlight

NUMBER = "CL092594238NZ"
WORKER = Path(__file__).with_name("single_flight_worker.py")


def fake_flights(clock: FakeClock, wait_seconds: float = 2.0) -> SingleFlight:
    return SingleFlight(cache, wait_seconds=wait_seconds, lock_seconds=30, clock=clock, sleep=clock.sleep)


# --- The mechanism --------------------------------------------------------------------------------------------


def test_only_the_first_caller_gets_the_lease():
    flights = fake_flights(FakeClock())
    assert flights.begin("parcel:x") is not None
    assert flights.begin("parcel:x") is None
    assert flights.begin("parcel:y") is not None


def test_a_finished_flight_frees_the_lease_for_the_next_request():
    flights = fake_flights(FakeClock())
    lease = flights.begin("parcel:x")
    flights.finish(lease, "answer")
    assert flights.begin("parcel:x") is not None


def test_waiters_get_the_result_the_leader_publishes():
    clock = FakeClock()
    flights = fake_flights(clock)
    lease = flights.begin("parcel:x")
    # The leader finishes while the waiter sleeps between two polls.
    flights.sleep = lambda seconds: flights.finish(lease, "answer")
    assert flights.wait(["parcel:x"]) == {"parcel:x": "answer"}


def test_waiting_is_bounded_when_the_leader_never_answers():
    clock = FakeClock()
    flights = fake_flights(clock, wait_seconds=2.0)
    flights.begin("parcel:x")
    assert flights.wait(["parcel:x"]) == {}
    assert 1.5 < sum(clock.slept) <= 2.0


def test_a_leader_gone_without_a_result_ends_the_wait_at_once():
    clock = FakeClock()
    flights = fake_flights(clock)
    flights.begin("parcel:x")
    flights.sleep = lambda seconds: cache.delete("flight:v1:parcel:x")  # its lock expired, say
    assert flights.wait(["parcel:x"]) == {}


def test_finishing_never_frees_a_lease_someone_else_now_holds():
    flights = fake_flights(FakeClock())
    old = flights.begin("parcel:x")
    cache.delete("flight:v1:parcel:x")  # the old lease expired ...
    assert flights.begin("parcel:x") is not None  # ... and another request took over
    flights.finish(old, "late answer")
    assert flights.begin("parcel:x") is None


# --- The lookup service under concurrent requests ---------------------------------------------------------------


class BlockingCarrier(InMemoryCarrier):
    """Holds every call until the test releases it, so the test decides when the leader answers."""

    def __init__(self, slug, parcels=(), failure=None) -> None:
        super().__init__(slug, parcels, failure)
        self.release = threading.Event()

    def track_batch(self, numbers, kind=""):
        assert self.release.wait(10), "the test never released the carrier"
        return super().track_batch(numbers, kind)


class ObservedWaiting:
    """A SingleFlight sleep that tells the test which threads are waiting for a leader."""

    def __init__(self) -> None:
        self.waiting: set[int] = set()
        self.changed = threading.Condition()

    def sleep(self, seconds: float) -> None:
        with self.changed:
            self.waiting.add(threading.get_ident())
            self.changed.notify_all()
        time.sleep(min(seconds, 0.005))  # pacing only: no outcome depends on how long this takes

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.waiting) >= count, timeout=10)


def run_concurrently(count: int, carrier: BlockingCarrier, flights: SingleFlight, observed: ObservedWaiting):
    outcomes: list = [None] * count

    def lookup(index: int) -> None:
        outcomes[index] = lookup_parcels([NUMBER], "postplus", flights=flights)[0]

    threads = [threading.Thread(target=lookup, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    observed.wait_for(count - 1)  # everyone but the leader is waiting for the leader's answer
    carrier.release.set()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_twenty_concurrent_requests_for_one_parcel_make_one_carrier_call():
    carrier = BlockingCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})
    observed = ObservedWaiting()
    flights = SingleFlight(cache, wait_seconds=10, lock_seconds=30, sleep=observed.sleep)

    outcomes = run_concurrently(20, carrier, flights, observed)

    assert carrier.batches == [[NUMBER]]
    assert all(isinstance(outcome.result, Found) for outcome in outcomes)
    assert len({outcome.fetched_at for outcome in outcomes}) == 1


def test_waiters_read_the_leaders_answer_from_the_parcel_cache_and_never_call_it_stale(settings):
    settings.PARCEL_CACHE_FRESH_SECONDS = 0  # the answer is past "fresh" the moment it is stored
    carrier = BlockingCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})
    observed = ObservedWaiting()
    published: list[object] = []

    class PublishedSpy(SingleFlight):
        def finish_many(self, finished):
            published.extend(result for _, result in finished)
            super().finish_many(finished)

    flights = PublishedSpy(cache, wait_seconds=10, lock_seconds=30, sleep=observed.sleep)

    outcomes = run_concurrently(5, carrier, flights, observed)

    assert carrier.batches == [[NUMBER]]
    assert all(isinstance(outcome.result, Found) and not outcome.stale for outcome in outcomes)
    assert published == ["in-parcel-cache"]  # a reference to the parcel cache, not the parcel a second time


def test_a_failing_carrier_is_asked_once_and_every_waiter_hears_of_the_failure():
    carrier = BlockingCarrier("postplus", failure=FailureReason.TIMEOUT)
    install_carriers({"postplus": carrier})
    observed = ObservedWaiting()
    flights = SingleFlight(cache, wait_seconds=10, lock_seconds=30, sleep=observed.sleep)

    outcomes = run_concurrently(12, carrier, flights, observed)

    assert carrier.batches == [[NUMBER]]
    assert [outcome.result for outcome in outcomes] == [CarrierFailure("postplus", NUMBER, FailureReason.TIMEOUT)] * 12


def test_a_request_after_a_failed_flight_asks_the_carrier_again():
    carrier = InMemoryCarrier("postplus", failure=FailureReason.UNAVAILABLE)
    install_carriers({"postplus": carrier})
    lookup_parcels([NUMBER], "postplus")
    lookup_parcels([NUMBER], "postplus")
    assert carrier.batches == [[NUMBER], [NUMBER]]


def test_a_waiter_whose_leader_never_answers_fetches_for_itself():
    carrier = InMemoryCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})
    clock = FakeClock()
    flights = fake_flights(clock)
    flights.begin(parcel_cache.cache_key("postplus", NUMBER))  # a leader that hangs

    outcome = lookup_parcels([NUMBER], "postplus", flights=flights)[0]

    assert isinstance(outcome.result, Found)
    assert carrier.batches == [[NUMBER]]
    assert sum(clock.slept) <= flights.wait_seconds


def test_a_waiter_whose_leader_is_slow_shows_the_last_good_answer_instead():
    parcel = make_parcel("postplus", NUMBER, Status.OUT_FOR_DELIVERY)
    carrier = InMemoryCarrier("postplus", {NUMBER: parcel})
    install_carriers({"postplus": carrier})
    entry = parcel_cache.put("postplus", Found(parcel))
    # The entry's fresh time has passed (it is kept for the stale window).
    cache.set(
        parcel_cache.cache_key("postplus", NUMBER),
        parcel_cache.CachedResult(entry.result, entry.fetched_at, entry.fetched_at),
    )
    flights = fake_flights(FakeClock())
    flights.begin(parcel_cache.cache_key("postplus", NUMBER))

    outcome = lookup_parcels([NUMBER], "postplus", flights=flights)[0]

    assert outcome.result == Found(parcel)
    assert outcome.stale
    assert carrier.batches == []


# --- Across worker processes, with Redis ------------------------------------------------------------------------


@pytest.mark.services
def test_concurrent_requests_in_several_worker_processes_make_one_carrier_call():
    number = fake_postplus.DEMO_NUMBERS[0][0]
    cache.clear()
    with LoopbackServer(fake_postplus.FakePostPlus(latency_seconds=1.0)) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(settings.BASE_DIR),
            "TRACKING_DEMO": "0",
            "POSTPLUS_API_KEY": fake_postplus.DEMO_API_KEY,
            "POSTPLUS_BASE_URL": server.url,
        }
        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), number, "5"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=settings.BASE_DIR,
            )
            for _ in range(3)
        ]
        for worker in workers:  # every process is set up before any of them asks
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        printed = [worker.communicate(timeout=60)[0].split() for worker in workers]
        lookups = [path for _, path in server.log.calls if path.endswith("/get-many")]

    assert [word for words in printed for word in words] == ["found"] * 15
    assert len(lookups) == 1


def test_a_leader_that_finished_just_before_our_lease_is_not_asked_again():
    """Read the cache, miss; another request's leader stores and frees its lock; we take the lease: no call."""
    parcel = make_parcel("postplus", NUMBER)
    carrier = InMemoryCarrier("postplus", {NUMBER: parcel})
    install_carriers({"postplus": carrier})

    class OtherLeaderFinishesFirst(SingleFlight):
        def begin_many(self, keys):
            parcel_cache.put("postplus", Found(parcel))  # the other leader's answer lands now
            return super().begin_many(keys)

    flights = OtherLeaderFinishesFirst(cache, wait_seconds=1, lock_seconds=30)
    outcome = lookup_parcels([NUMBER], "postplus", flights=flights)[0]

    assert outcome.result == Found(parcel) and not outcome.stale
    assert carrier.batches == []
    assert flights.begin(parcel_cache.cache_key("postplus", NUMBER)) is not None  # and our lease was freed
