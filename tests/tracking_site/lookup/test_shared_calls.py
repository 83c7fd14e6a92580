"""Requests share carrier calls through the lookup service: in one process, and across worker processes with Redis
(where the carriers' budget holds across them too)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from carriers.fakes import postplus as fake_postplus
from carriers.fakes.loopback import LoopbackServer
from carriers.model import CarrierFailure, FailureReason, Found, Status
from carriers.throttle import RateLimit
from tests.tracking_site.conftest import InMemoryCarrier, make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import get_gatherer, install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.shared_state.call_budget import LocalBudget
from tracking_site.shared_state.gather_store import LocalGatherStore, Marker, Settled
from tracking_site.shared_state.gather_store_redis import PREFIX
from tracking_site.shared_state.redis_client import shared_redis

NUMBER = "CL092594238NZ"
WORKER = Path(__file__).with_name("gather_worker.py")


class BlockingCarrier(InMemoryCarrier):
    """Holds every call until the test releases it, so the test decides when the answer comes."""

    def __init__(self, slug, parcels=(), failure=None) -> None:
        super().__init__(slug, parcels, failure)
        self.release = threading.Event()
        self.called = threading.Event()

    def track_batch(self, numbers, kind=""):
        self.called.set()
        assert self.release.wait(10), "the test never released the carrier"
        return super().track_batch(numbers, kind)


class CountingStore(LocalGatherStore):
    """The process's gather store, telling the test how many requests have joined."""

    def __init__(self) -> None:
        super().__init__()
        self.joined = 0
        self.counted = threading.Condition()

    def join(self, *args, **kwargs):
        joined = super().join(*args, **kwargs)
        with self.counted:
            self.joined += 1
            self.counted.notify_all()
        return joined

    def wait_for(self, count: int) -> None:
        with self.counted:
            assert self.counted.wait_for(lambda: self.joined >= count, timeout=10)


def run_concurrently(count: int, carrier: BlockingCarrier) -> list:
    store = CountingStore()
    get_gatherer().store = store
    outcomes: list = [None] * count

    def lookup(index: int) -> None:
        outcomes[index] = lookup_parcels([NUMBER], "postplus")[0]

    threads = [threading.Thread(target=lookup, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    store.wait_for(count)  # every request is waiting for the one call in flight
    assert carrier.called.wait(10)
    carrier.release.set()
    for thread in threads:
        thread.join(10)
    return outcomes


def test_twenty_concurrent_requests_for_one_parcel_make_one_carrier_call():
    carrier = BlockingCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})

    outcomes = run_concurrently(20, carrier)

    assert carrier.batches == [[NUMBER]]
    assert all(isinstance(outcome.result, Found) and not outcome.stale for outcome in outcomes)
    assert len({outcome.fetched_at for outcome in outcomes}) == 1


def test_waiters_get_the_answer_even_when_it_is_no_longer_fresh(settings):
    settings.PARCEL_CACHE_FRESH_SECONDS = 0  # the answer is past "fresh" the moment it is stored
    carrier = BlockingCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})

    outcomes = run_concurrently(5, carrier)

    assert carrier.batches == [[NUMBER]]
    assert all(isinstance(outcome.result, Found) and not outcome.stale for outcome in outcomes)


def test_a_failing_carrier_is_asked_once_and_every_waiter_hears_of_the_failure():
    carrier = BlockingCarrier("postplus", failure=FailureReason.TIMEOUT)
    install_carriers({"postplus": carrier})

    outcomes = run_concurrently(12, carrier)

    assert carrier.batches == [[NUMBER]]
    assert [outcome.result for outcome in outcomes] == [CarrierFailure("postplus", NUMBER, FailureReason.TIMEOUT)] * 12


def test_a_request_after_a_failed_call_asks_the_carrier_again():
    carrier = InMemoryCarrier("postplus", failure=FailureReason.UNAVAILABLE)
    install_carriers({"postplus": carrier})
    lookup_parcels([NUMBER], "postplus")
    lookup_parcels([NUMBER], "postplus")
    assert carrier.batches == [[NUMBER], [NUMBER]]


def test_a_failed_call_shows_the_last_good_answer_marked_stale():
    parcel = make_parcel("postplus", NUMBER, Status.OUT_FOR_DELIVERY)
    install_carriers({"postplus": InMemoryCarrier("postplus", failure=FailureReason.UNAVAILABLE)})
    parcel_cache.put("postplus", Found(parcel), now=lambda: timezone.now() - timedelta(hours=1))  # past fresh

    outcome = lookup_parcels([NUMBER], "postplus")[0]

    assert outcome.result == Found(parcel) and outcome.stale


def test_a_number_no_call_can_carry_in_time_shows_its_last_good_answer_marked_stale(settings):
    settings.CARRIER_RATE_MAX_WAIT_SECONDS = 1
    parcel = make_parcel("postplus", NUMBER, Status.OUT_FOR_DELIVERY)
    carrier = InMemoryCarrier("postplus", {NUMBER: parcel})
    install_carriers({"postplus": carrier})
    get_gatherer().budget = LocalBudget({"postplus": RateLimit(1, 60.0)})
    parcel_cache.put("postplus", Found(parcel), now=lambda: timezone.now() - timedelta(hours=1))  # past fresh
    lookup_parcels(["LB000000001EE"], "postplus")  # spends the only call of the minute

    outcome = lookup_parcels([NUMBER], "postplus")[0]

    assert outcome.result == Found(parcel) and outcome.stale
    assert carrier.batches == [["LB000000001EE"]]


def test_an_answer_stored_between_our_cache_read_and_our_join_is_not_asked_again():
    """Read the cache, miss; another request's call ends and stores its answer; we join: no call."""
    parcel = make_parcel("postplus", NUMBER)
    carrier = InMemoryCarrier("postplus", {NUMBER: parcel})
    install_carriers({"postplus": carrier})

    class OtherCallEndsFirst(LocalGatherStore):
        def join(self, joining, **kwargs):
            entry = parcel_cache.put("postplus", Found(parcel))  # the other request's answer lands now
            marker = Marker(2.0, entry.fetched_at.timestamp())
            self.settle("postplus", Settled({NUMBER: entry}, stored={NUMBER: marker}), lease_seconds=3)
            return super().join(joining, **kwargs)

    get_gatherer().store = OtherCallEndsFirst()
    outcome = lookup_parcels([NUMBER], "postplus")[0]

    assert outcome.result == Found(parcel) and not outcome.stale
    assert carrier.batches == []


def test_an_answer_dropped_from_the_parcel_cache_is_asked_again_even_right_after_its_call():
    carrier = InMemoryCarrier("postplus", {NUMBER: make_parcel("postplus", NUMBER)})
    install_carriers({"postplus": carrier})
    lookup_parcels([NUMBER], "postplus")
    cache.clear()  # evicted, or cleared by an operator

    lookup_parcels([NUMBER], "postplus")

    assert carrier.batches == [[NUMBER], [NUMBER]]


# --- Across worker processes, with Redis ------------------------------------------------------------------------


class NumbersPerCall:
    """WSGI middleware: the numbers each PostPlus tracking call carried, and when it arrived."""

    def __init__(self, app) -> None:
        self.app = app
        self.calls: list[tuple[float, list[str]]] = []

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/get-many"):
            query = parse_qs(environ.get("QUERY_STRING", ""))
            numbers = [n for value in query.get("ParcelNrs", []) for n in value.split(",")]
            self.calls.append((time.monotonic(), numbers))
        return self.app(environ, start_response)


@pytest.mark.services
def test_two_worker_processes_share_calls_and_their_budget():
    client = shared_redis()
    for found in client.scan_iter(match="tracking:*", count=1000):
        client.delete(found)
    own = {name: [f"{prefix}{index:09d}EE" for index in range(20)] for name, prefix in (("one", "LA"), ("two", "LB"))}
    recorder = NumbersPerCall(fake_postplus.FakePostPlus(latency_seconds=0.2))
    with LoopbackServer(recorder) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(settings.BASE_DIR),
            "TRACKING_DEMO": "0",
            "POSTPLUS_API_KEY": fake_postplus.DEMO_API_KEY,
            "POSTPLUS_BASE_URL": server.url,
            "CARRIER_RATE_POSTPLUS": "1",  # one call per window, for both processes together
            "CARRIER_RATE_MAX_WAIT_SECONDS": "3",
        }
        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), *numbers],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=settings.BASE_DIR,
            )
            for numbers in own.values()
        ]
        for worker in workers:  # every process is set up before any of them asks
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        printed = [worker.communicate(timeout=60)[0].split() for worker in workers]

    assert printed == [["notfound"] * 20, ["notfound"] * 20]  # every number answered (none of them exists)
    carried = [numbers for _, numbers in recorder.calls]
    assert sorted(n for numbers in carried for n in numbers) == sorted(own["one"] + own["two"])  # each asked once
    assert len(carried) <= 3  # 40 numbers from 40 requests in two processes
    shared = [numbers for numbers in carried if {n[:2] for n in numbers} == {"LA", "LB"}]
    assert shared, carried  # a call carried numbers of both processes
    times = [at for at, _ in recorder.calls]
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:], strict=False))  # one per window
    assert not list(client.scan_iter(match=PREFIX + "q:*"))  # nothing left queued
