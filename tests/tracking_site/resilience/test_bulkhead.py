"""The bulkhead: at most N on one carrier at once in a process; the next one hears "busy" at once."""

from __future__ import annotations

import threading

from prometheus_client import REGISTRY

from tests.tracking_site.conftest import places_in_use
from tracking_site.resilience.bulkhead import Bulkhead


def refusals(carrier: str) -> float:
    return REGISTRY.get_sample_value("tracking_carrier_bulkhead_refusals_total", {"carrier": carrier}) or 0.0


def test_places_beyond_the_size_are_refused_while_the_others_are_held():
    bulkhead = Bulkhead(2)
    assert bulkhead.try_enter("nzpost")
    assert bulkhead.try_enter("nzpost")
    assert not bulkhead.try_enter("nzpost")
    bulkhead.leave("nzpost")
    assert bulkhead.try_enter("nzpost")


def test_one_carrier_full_leaves_the_others_their_places():
    bulkhead = Bulkhead(1, {"postplus": 3})
    assert bulkhead.try_enter("nzpost")
    assert not bulkhead.try_enter("nzpost")
    assert bulkhead.try_enter("dhl-ecommerce")
    assert [bulkhead.try_enter("postplus") for _ in range(4)] == [True, True, True, False]


def test_threads_hanging_on_a_carrier_hold_only_its_places_and_the_rest_are_refused_at_once():
    bulkhead = Bulkhead(3)
    carrier_answers = threading.Event()  # the carrier hangs until the test lets it answer
    inside = threading.Semaphore(0)
    calls: list[str] = []
    outcomes: list[str] = []
    lock = threading.Lock()

    def visitor() -> None:
        with bulkhead.place("nzpost") as admitted:
            if not admitted:
                with lock:
                    outcomes.append("busy")
                return
            with lock:
                calls.append("nzpost")
            inside.release()
            carrier_answers.wait()
            with lock:
                outcomes.append("answered")

    before = refusals("nzpost")
    held = [threading.Thread(target=visitor) for _ in range(3)]
    for thread in held:
        thread.start()
    for _ in held:
        inside.acquire()  # all three are on the carrier now
    turned_away = [threading.Thread(target=visitor) for _ in range(7)]
    for thread in turned_away:
        thread.start()
    for thread in turned_away:
        thread.join()  # they end while the carrier still hangs: nobody waited for a place
    assert outcomes == ["busy"] * 7
    assert places_in_use(bulkhead, "nzpost") == 3
    assert refusals("nzpost") - before == 7
    carrier_answers.set()
    for thread in held:
        thread.join()
    assert len(calls) == 3
    assert outcomes.count("answered") == 3
    assert places_in_use(bulkhead, "nzpost") == 0


def test_a_place_is_freed_when_the_call_raises():
    bulkhead = Bulkhead(1)
    try:
        with bulkhead.place("nzpost") as admitted:
            assert admitted
            raise TimeoutError("the carrier hung up")
    except TimeoutError:
        pass
    assert places_in_use(bulkhead, "nzpost") == 0
    assert bulkhead.try_enter("nzpost")


def test_a_refused_place_is_not_given_back():
    bulkhead = Bulkhead(1)
    with bulkhead.place("nzpost") as first:
        with bulkhead.place("nzpost") as second:
            assert first and not second
        assert places_in_use(bulkhead, "nzpost") == 1
    assert places_in_use(bulkhead, "nzpost") == 0
