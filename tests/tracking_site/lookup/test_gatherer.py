"""The gatherer on a clock the test moves: calls leave full or at their slot, requests share them, deadlines give
"busy" only when no call could carry a number in time, background work rides on headroom, DHL's identifier kinds
fall back in shared batches."""

from __future__ import annotations

import pytest

from carriers.model import CarrierFailure, FailureReason, Found, NotFound
from carriers.throttle import PREPAID_SLOT, PrepaidSlot, Priority, RateLimit
from tests.tracking_site.lookup.gather_harness import Harness, RecordingCarrier
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.gatherer import Gatherer, Linger, Timing
from tracking_site.shared_state.call_budget import LocalBudget
from tracking_site.shared_state.gather_store import LocalGatherStore

PP = "postplus"


@pytest.fixture
def h():
    return Harness()


def gatherer(h: Harness, carriers, limits=None, **timing) -> Gatherer:
    return Gatherer(
        {carrier.slug: carrier for carrier in carriers},
        LocalGatherStore(h.clock),
        LocalBudget(limits or {}, clock=h.clock.now),
        parcel_cache.put_many,
        timing=Timing(**timing),
        clock=h.clock,
        run=h.spawn,
    )


def numbers(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{index:03d}" for index in range(count)]


def spend_the_budget(h: Harness, g: Gatherer, carrier: RecordingCarrier) -> None:
    """One lone lookup: it leaves at once and uses the window's only call."""
    assert h.request(g, [(carrier.slug, "SPENT")]).done
    assert carrier.numbers_called() == [["SPENT"]]


# --- When a call leaves -----------------------------------------------------------------------------------------


def test_a_lone_lookup_leaves_at_once(h):
    carrier = RecordingCarrier(PP, ["A"])
    g = gatherer(h, [carrier], {PP: RateLimit(5, 1.1)})

    asked = h.request(g, [(PP, "A")])

    assert asked.done and isinstance(asked.result(PP, "A"), Found)
    assert carrier.numbers_called() == [["A"]]


def test_one_search_on_an_idle_site_sends_all_its_batches_at_once(h):
    wanted = numbers("N", 25)
    carrier = RecordingCarrier("nzpost", wanted, batch_size=10)
    g = gatherer(h, [carrier], {"nzpost": RateLimit(15, 1.1)})

    asked = h.request(g, [("nzpost", number) for number in wanted])

    assert asked.done
    assert carrier.numbers_called() == [wanted[:10], wanted[10:20], wanted[20:]]


def test_numbers_from_different_requests_share_the_next_slots_call(h):
    carrier = RecordingCarrier(PP, ["SPENT", "A", "B", "C"])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)})
    spend_the_budget(h, g, carrier)

    asked = [h.request(g, [(PP, number)]) for number in ("A", "B", "C")]
    assert carrier.numbers_called() == [["SPENT"]]  # gathering while the budget is spent
    assert not any(request.done for request in asked)

    h.advance(1.0)

    assert carrier.numbers_called() == [["SPENT"], ["A", "B", "C"]]
    assert all(isinstance(request.result(PP, number), Found) for request, number in zip(asked, "ABC", strict=True))


def test_a_full_batch_leaves_at_once_without_waiting_for_quiet(h):
    carrier = RecordingCarrier(PP, ["SPENT", "A", "B", "C"], batch_size=3)
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)})
    spend_the_budget(h, g, carrier)
    first = h.request(g, [(PP, "A")])
    h.advance(0.999)
    second = h.request(g, [(PP, "B")])  # joins just before the slot: a burst is arriving
    h.advance(0.001)
    assert carrier.numbers_called() == [["SPENT"]]  # at the slot, lingering

    third = h.request(g, [(PP, "C")])  # the batch is full: it leaves without the clock moving

    assert carrier.numbers_called() == [["SPENT"], ["A", "B", "C"]]
    assert first.done and second.done and third.done


def test_a_partial_batch_leaves_once_the_burst_has_gone_quiet(h):
    carrier = RecordingCarrier(PP, ["SPENT", "A", "B"])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)}, linger=Linger(quiet_seconds=0.02, max_seconds=0.1))
    spend_the_budget(h, g, carrier)
    h.request(g, [(PP, "A")])
    h.advance(0.999)
    h.request(g, [(PP, "B")])
    h.advance(0.001)
    h.advance(0.018)
    assert carrier.numbers_called() == [["SPENT"]]

    h.advance(0.001)  # 0.02 s since B joined

    assert carrier.numbers_called() == [["SPENT"], ["A", "B"]]


def test_lingering_never_outlasts_its_cap_while_numbers_keep_coming(h):
    arriving = numbers("K", 30)
    carrier = RecordingCarrier(PP, ["SPENT", "A", *arriving])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)}, linger=Linger(quiet_seconds=0.02, max_seconds=0.1))
    spend_the_budget(h, g, carrier)
    h.request(g, [(PP, "A")])
    h.advance(0.99)
    for number in arriving:  # one every 10 ms, from 10 ms before the slot: never 20 ms of quiet
        h.request(g, [(PP, number)])
        h.advance(0.01)
        if len(carrier.calls) > 1:
            break

    assert carrier.numbers_called()[1] == ["A", *arriving[:11]]  # left 0.1 s after its slot


# --- Deadlines: busy only when no call could carry the number in time --------------------------------------------


def test_a_number_no_slot_can_carry_before_its_deadline_is_busy_at_once(h):
    carrier = RecordingCarrier(PP, ["SPENT", "A"])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)}, wait_seconds=0.5)
    spend_the_budget(h, g, carrier)

    asked = h.request(g, [(PP, "A")])

    assert asked.done
    assert asked.result(PP, "A") == CarrierFailure(PP, "A", FailureReason.RATE_LIMITED)
    assert asked.result(PP, "A").retry_after_seconds == 1  # the budget's next slot, a second after the spent one
    assert carrier.numbers_called() == [["SPENT"]]


def test_never_busy_while_a_later_call_within_the_deadline_can_carry_it(h):
    wanted = numbers("W", 60)
    carrier = RecordingCarrier(PP, ["SPENT", *wanted])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)}, wait_seconds=2.5)
    spend_the_budget(h, g, carrier)
    asked = [h.request(g, [(PP, number)]) for number in wanted]

    h.advance(1.0)
    h.advance(1.0)

    assert carrier.numbers_called() == [["SPENT"], wanted[:50], wanted[50:]]
    assert all(isinstance(request.result(PP, number), Found) for request, number in zip(asked, wanted, strict=True))


def test_a_number_in_flight_at_the_deadline_is_still_waited_for(h):
    carrier = RecordingCarrier(PP, ["A"], clock=h.clock)
    carrier.hold()
    g = gatherer(h, [carrier], wait_seconds=2.0, deadline_seconds=15.0)
    asked = h.request(g, [(PP, "A")])

    h.advance(5.0)
    assert not asked.done
    carrier.release()
    h.settle()

    assert isinstance(asked.result(PP, "A"), Found)


def test_a_call_that_never_ends_is_a_timeout_at_the_deadline(h):
    carrier = RecordingCarrier(PP, ["A"], clock=h.clock)
    carrier.hold()
    g = gatherer(h, [carrier], wait_seconds=2.0, deadline_seconds=15.0)
    asked = h.request(g, [(PP, "A")])

    h.advance(15.0)

    assert asked.result(PP, "A") == CarrierFailure(PP, "A", FailureReason.TIMEOUT)
    carrier.release()
    h.settle()


def test_each_call_goes_out_with_the_slot_its_leader_reserved_for_it(h):
    carrier = RecordingCarrier(PP, ["SPENT", "A"])
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)})
    spend_the_budget(h, g, carrier)
    asked = h.request(g, [(PP, "A")])
    h.advance(1.0)

    assert asked.done and carrier.numbers_called() == [["SPENT"], ["A"]]
    slots = [extensions[PREPAID_SLOT] for extensions in carrier.extensions]
    assert len(slots) == 2 and slots[0] is not slots[1]
    assert all(isinstance(slot, PrepaidSlot) and slot.use() for slot in slots)  # none used before the transport


# --- Sharing -------------------------------------------------------------------------------------------------------


def test_two_hundred_requests_for_one_parcel_make_one_call(h):
    carrier = RecordingCarrier(PP, ["A"], clock=h.clock)
    carrier.hold()
    g = gatherer(h, [carrier], {PP: RateLimit(5, 1.1)})
    asked = [h.request(g, [(PP, "A")]) for _ in range(200)]

    carrier.release()
    h.settle()

    assert carrier.numbers_called() == [["A"]]
    assert len({request.answers[(PP, "A")].fetched_at for request in asked}) == 1


def test_a_failed_call_tells_every_waiter_and_the_next_request_asks_again(h):
    carrier = RecordingCarrier(PP, failure=FailureReason.UNAVAILABLE, clock=h.clock)
    carrier.hold()
    g = gatherer(h, [carrier])
    asked = [h.request(g, [(PP, "A")]) for _ in range(5)]
    carrier.release()
    h.settle()
    assert [request.result(PP, "A") for request in asked] == [CarrierFailure(PP, "A", FailureReason.UNAVAILABLE)] * 5

    h.request(g, [(PP, "A")])

    assert carrier.numbers_called() == [["A"], ["A"]]


def test_a_found_answer_is_kept_in_the_parcel_cache_and_a_failure_is_not(h):
    found = RecordingCarrier(PP, ["A"])
    failing = RecordingCarrier("nzpost", failure=FailureReason.TIMEOUT)
    g = gatherer(h, [found, failing])

    h.request(g, [(PP, "A"), ("nzpost", "B")])

    assert isinstance(parcel_cache.get(PP, "A").result, Found)
    assert parcel_cache.get("nzpost", "B") is None


# --- Priorities ----------------------------------------------------------------------------------------------------


def test_visitor_numbers_fill_a_batch_before_background_ones(h):
    carrier = RecordingCarrier(PP, ["SPENT", "V1", "V2", "V3", *numbers("B", 5)], batch_size=4)
    g = gatherer(h, [carrier], {PP: RateLimit(1, 1.0)})
    spend_the_budget(h, g, carrier)
    background = h.request(g, [(PP, number) for number in numbers("B", 5)], Priority.BACKGROUND)
    visitors = [h.request(g, [(PP, number)]) for number in ("V1", "V2", "V3")]

    h.advance(1.0)

    assert carrier.numbers_called()[1] == ["V1", "V2", "V3", "B000"]  # the leftover seat goes to background
    assert all(request.done for request in visitors) and not background.done


def test_background_only_calls_leave_headroom_for_visitors(h):
    carrier = RecordingCarrier(PP, ["B1", "B2", "B3", "B4", "V1", "V2"])
    g = gatherer(h, [carrier], {PP: RateLimit(4, 1.0)}, background_keep_free=0.5)

    waiting = [h.request(g, [(PP, number)], Priority.BACKGROUND) for number in ("B1", "B2", "B3")]
    assert carrier.numbers_called() == [["B1"], ["B2"]]  # a third would leave fewer than 2 of 4 calls
    assert not waiting[2].done

    visitors = [h.request(g, [(PP, number)]) for number in ("V1", "V2")]
    assert carrier.numbers_called()[2:] == [["V1", "B3"], ["V2"]]  # B3 rides in a visitor call's free seat
    assert all(request.done for request in [*visitors, *waiting])

    later = h.request(g, [(PP, "B4")], Priority.BACKGROUND)
    assert len(carrier.calls) == 4 and not later.done  # the window is spent
    h.advance(1.0)  # it moves on: headroom again
    assert carrier.numbers_called()[-1] == ["B4"] and later.done


# --- Identifier kinds ----------------------------------------------------------------------------------------------


def test_numbers_one_kind_did_not_find_are_tried_with_the_next_in_shared_batches(h):
    kinds = ("packageId", "dhlPackageId", "trackingId")
    carrier = RecordingCarrier(
        "dhl-ecommerce",
        ["SPENT", "N1", "N2"],  # N3: no kind finds it
        batch_size=10,
        kinds=kinds,
        finds={"SPENT": "packageId", "N1": "dhlPackageId", "N2": "trackingId"},
    )
    g = gatherer(h, [carrier], {"dhl-ecommerce": RateLimit(1, 1.0)}, wait_seconds=5.0)
    spend_the_budget(h, g, carrier)
    asked = [h.request(g, [("dhl-ecommerce", number)]) for number in ("N1", "N2", "N3")]

    for _ in kinds:
        h.advance(1.0)

    assert carrier.calls[1:] == [
        ("packageId", ["N1", "N2", "N3"]),
        ("dhlPackageId", ["N1", "N2", "N3"]),
        ("trackingId", ["N2", "N3"]),
    ]
    results = [request.result("dhl-ecommerce", n) for request, n in zip(asked, ("N1", "N2", "N3"), strict=True)]
    assert [type(result) for result in results] == [Found, Found, NotFound]
