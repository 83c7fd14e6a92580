"""The gatherer behind each carrier's guard, on a clock the test moves: an open breaker answers at once without a
call, one probe decides, bulkheads turn the next visitor or call away at once, and a search's deadline leaves
numbers in flight to finish into the parcel cache. Calls are counted; wall time is never read."""

from __future__ import annotations

import math

import pytest

from carriers.model import CarrierFailure, FailureReason, Found
from tests.tracking_site.conftest import places_in_use
from tests.tracking_site.lookup.gather_harness import Asked, Harness, RecordingCarrier
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.gatherer import Gatherer, Timing
from tracking_site.resilience.bulkhead import Bulkhead
from tracking_site.resilience.carrier_guard import CarrierGuard
from tracking_site.resilience.circuit_breaker import BreakerPolicy, BreakerState, CircuitBreaker, LocalBreakerStore
from tracking_site.shared_state.call_budget import LocalBudget
from tracking_site.shared_state.gather_store import LocalGatherStore

NZ = "nzpost"
POLICY = BreakerPolicy(failures=3, window_seconds=60.0, open_seconds=30.0, probe_seconds=15.0)


@pytest.fixture
def h():
    return Harness()


def guard(h: Harness, *, calls: int = 16, waiters: int = 48) -> CarrierGuard:
    breaker = CircuitBreaker(LocalBreakerStore(h.clock.now), POLICY)
    return CarrierGuard(breaker, Bulkhead(calls), Bulkhead(waiters), slow_seconds=3.0, clock=h.clock.now)


def gatherer(h: Harness, carriers, carrier_guard: CarrierGuard, **timing) -> Gatherer:
    return Gatherer(
        {carrier.slug: carrier for carrier in carriers},
        LocalGatherStore(h.clock),
        LocalBudget({}, clock=h.clock.now),
        parcel_cache.put_many,
        timing=Timing(**timing),
        clock=h.clock,
        run=h.spawn,
        guard=carrier_guard,
    )


def search(h: Harness, g: Gatherer, pairs, *, answer_within: float) -> Asked:
    asked = Asked()
    h.spawn(lambda: asked.set(g.gather(pairs, answer_within=answer_within)))
    h.settle()
    return asked


def open_the_breaker(h: Harness, g: Gatherer, carrier: RecordingCarrier) -> None:
    for number in ("F1", "F2", "F3"):
        assert h.request(g, [(NZ, number)]).result(NZ, number).reason is carrier.failure
    assert len(carrier.calls) == 3


# --- The breaker ---------------------------------------------------------------------------------------------------


def test_after_three_failed_calls_the_next_lookups_answer_at_once_without_a_call(h):
    carrier = RecordingCarrier(NZ, failure=FailureReason.TIMEOUT)
    carrier_guard = guard(h)
    g = gatherer(h, [carrier], carrier_guard)
    open_the_breaker(h, g, carrier)

    later = [h.request(g, [(NZ, f"N{index}")]) for index in range(5)]

    assert all(asked.done for asked in later)  # without the clock moving
    assert {asked.result(NZ, f"N{i}").reason for i, asked in enumerate(later)} == {FailureReason.UNAVAILABLE}
    # Visitors are told to come back when the breaker lets its probe go, not the failure table's minute.
    open_for = carrier_guard.breaker.policy.open_seconds
    assert {asked.result(NZ, f"N{i}").retry_after_seconds for i, asked in enumerate(later)} == {math.ceil(open_for)}
    assert len(carrier.calls) == 3
    assert carrier_guard.breaker.state(NZ) is BreakerState.OPEN


def test_other_carriers_are_still_called_while_one_breaker_is_open(h):
    failing = RecordingCarrier(NZ, failure=FailureReason.TIMEOUT)
    healthy = RecordingCarrier("postplus", ["P1"])
    g = gatherer(h, [failing, healthy], guard(h))
    open_the_breaker(h, g, failing)

    asked = h.request(g, [(NZ, "N1"), ("postplus", "P1")])

    assert isinstance(asked.result("postplus", "P1"), Found)
    assert asked.result(NZ, "N1").reason is FailureReason.UNAVAILABLE
    assert healthy.numbers_called() == [["P1"]] and len(failing.calls) == 3


def test_after_the_open_time_one_probe_call_goes_and_its_success_closes_the_breaker(h):
    carrier = RecordingCarrier(NZ, ["N1", "N2", "N3"], failure=FailureReason.TIMEOUT, clock=h.clock)
    carrier_guard = guard(h)
    g = gatherer(h, [carrier], carrier_guard)
    open_the_breaker(h, g, carrier)
    h.advance(30.0)
    carrier.failure = None  # the carrier has recovered
    carrier.hold()

    probe = h.request(g, [(NZ, "N1")])
    others = [h.request(g, [(NZ, number)]) for number in ("N2", "N3")]  # while the probe is in flight

    assert [asked.result(NZ, n).reason for asked, n in zip(others, ("N2", "N3"), strict=True)] == [
        FailureReason.UNAVAILABLE
    ] * 2
    assert carrier.numbers_called()[3:] == [["N1"]]
    carrier.release()
    h.settle()
    assert isinstance(probe.result(NZ, "N1"), Found)
    assert carrier_guard.breaker.state(NZ) is BreakerState.CLOSED

    assert isinstance(h.request(g, [(NZ, "N2")]).result(NZ, "N2"), Found)
    assert carrier.numbers_called()[3:] == [["N1"], ["N2"]]


def test_a_failed_probe_keeps_answering_at_once_for_another_open_time(h):
    carrier = RecordingCarrier(NZ, failure=FailureReason.UNAVAILABLE)
    carrier_guard = guard(h)
    g = gatherer(h, [carrier], carrier_guard)
    open_the_breaker(h, g, carrier)
    h.advance(30.0)

    assert h.request(g, [(NZ, "PROBE")]).result(NZ, "PROBE").reason is FailureReason.UNAVAILABLE
    assert len(carrier.calls) == 4
    h.advance(29.0)
    assert h.request(g, [(NZ, "N1")]).done
    assert len(carrier.calls) == 4
    assert carrier_guard.breaker.state(NZ) is BreakerState.OPEN


def test_made_up_numbers_do_not_open_the_breaker(h):
    carrier = RecordingCarrier(NZ, [])  # answers every number "not found"
    carrier_guard = guard(h)
    g = gatherer(h, [carrier], carrier_guard)

    for index in range(50):
        h.request(g, [(NZ, f"MADEUP{index}")])

    assert len(carrier.calls) == 50
    assert carrier_guard.breaker.state(NZ) is BreakerState.CLOSED


# --- Bulkheads -----------------------------------------------------------------------------------------------------


def test_while_a_carrier_is_slow_a_visitor_beyond_the_waiters_bulkhead_hears_busy_at_once_and_joins_nothing(h):
    carrier = RecordingCarrier(NZ, ["A", "B", "C"], clock=h.clock)
    carrier.hold()
    carrier_guard = guard(h, waiters=2)
    g = gatherer(h, [carrier], carrier_guard, deadline_seconds=30.0)
    waiting = [h.request(g, [(NZ, number)]) for number in ("A", "B")]
    h.advance(3.0)  # the call in flight has taken the slow time
    assert carrier_guard.is_slow(NZ)

    turned_away = h.request(g, [(NZ, "C")])

    assert turned_away.result(NZ, "C") == CarrierFailure(NZ, "C", FailureReason.RATE_LIMITED)
    assert not any(asked.done for asked in waiting)
    assert places_in_use(carrier_guard.waiters, NZ) == 2
    carrier.release()
    h.settle()
    assert places_in_use(carrier_guard.waiters, NZ) == 0  # places freed on the way out
    assert not carrier_guard.is_slow(NZ)
    assert "C" not in [number for call in carrier.numbers_called() for number in call]
    assert isinstance(h.request(g, [(NZ, "C")]).result(NZ, "C"), Found)


def test_a_healthy_carriers_burst_is_never_turned_away_by_the_waiters_bulkhead(h):
    wanted = [f"N{index:02d}" for index in range(10)]
    carrier = RecordingCarrier(NZ, wanted, clock=h.clock)
    carrier.hold()
    carrier_guard = guard(h, waiters=2, calls=16)
    g = gatherer(h, [carrier], carrier_guard)

    burst = [h.request(g, [(NZ, number)]) for number in wanted]  # the first call is in flight, not yet slow
    carrier.release()
    h.settle()

    assert all(isinstance(asked.result(NZ, number), Found) for asked, number in zip(burst, wanted, strict=True))


def test_waiting_on_one_carrier_does_not_count_against_another(h):
    hanging = RecordingCarrier(NZ, ["A"], clock=h.clock)
    hanging.hold()
    healthy = RecordingCarrier("dhl-ecommerce", ["D"])
    g = gatherer(h, [hanging, healthy], guard(h, waiters=1))
    h.request(g, [(NZ, "A")])

    assert isinstance(h.request(g, [("dhl-ecommerce", "D")]).result("dhl-ecommerce", "D"), Found)
    hanging.release()
    h.settle()


def test_a_call_beyond_the_calls_bulkhead_is_busy_at_once(h):
    carrier = RecordingCarrier(NZ, ["A", "B"], batch_size=1, clock=h.clock)
    carrier.hold()
    carrier_guard = guard(h, calls=1)
    g = gatherer(h, [carrier], carrier_guard)

    first = h.request(g, [(NZ, "A")])
    second = h.request(g, [(NZ, "B")])  # its own call: the batch in flight is full

    assert second.result(NZ, "B") == CarrierFailure(NZ, "B", FailureReason.RATE_LIMITED)
    assert carrier.numbers_called() == [["A"]]
    carrier.release()
    h.settle()
    assert isinstance(first.result(NZ, "A"), Found)
    assert places_in_use(carrier_guard.calls, NZ) == 0


# --- A search's deadline -------------------------------------------------------------------------------------------


def test_a_search_answers_at_its_deadline_and_the_call_in_flight_finishes_into_the_parcel_cache(h):
    hanging = RecordingCarrier(NZ, ["A"], clock=h.clock)
    hanging.hold()
    healthy = RecordingCarrier("postplus", ["P"])
    g = gatherer(h, [hanging, healthy], guard(h))

    asked = search(h, g, [("postplus", "P"), (NZ, "A")], answer_within=3.0)
    assert not asked.done
    h.advance(3.0)

    assert asked.done
    assert set(asked.answers) == {("postplus", "P")}  # NZ Post's number: still being asked
    assert parcel_cache.get(NZ, "A") is None
    hanging.release()
    h.settle()
    assert isinstance(parcel_cache.get(NZ, "A").result, Found)
    assert hanging.numbers_called() == [["A"]]


def test_without_a_deadline_of_its_own_a_lookup_waits_for_the_call_in_flight(h):
    hanging = RecordingCarrier(NZ, ["A"], clock=h.clock)
    hanging.hold()
    g = gatherer(h, [hanging], guard(h))
    asked = h.request(g, [(NZ, "A")])

    h.advance(3.0)
    assert not asked.done
    hanging.release()
    h.settle()

    assert isinstance(asked.result(NZ, "A"), Found)
