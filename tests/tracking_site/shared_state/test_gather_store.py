"""The gather store's rules, the same in this process and in Redis: queues, the lease and its hand-over, done
markers, wake-ups, identifier kinds queued again, and requests that stop waiting."""

from __future__ import annotations

import pytest

from carriers.throttle import Priority
from tests.tracking_site.lookup.gather_harness import ManualClock
from tracking_site.shared_state.gather_store import (
    DONE,
    FULL,
    LEAD,
    REFUSED,
    Joining,
    LocalGatherStore,
    Marker,
    Message,
    Settled,
    Wanted,
    lead_id,
)
from tracking_site.shared_state.gather_store_redis import PREFIX, RedisGatherStore, decode, encode
from tracking_site.shared_state.redis_client import blocking_redis, shared_redis

PP = "postplus"
LEASE = 3.0


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def store(request):
    clock = ManualClock()
    if request.param == "local":
        made = LocalGatherStore(clock)
    else:
        client = shared_redis()
        stale = list(client.scan_iter(match=PREFIX + "*", count=1000))
        if stale:
            client.delete(*stale)
        made = RedisGatherStore(client, blocking_redis(), clock=clock.now)
    made.test_clock = clock
    return made


def join(store, request, numbers, priority=Priority.VISITOR, carrier=PP, kind="", batch=50, answered_since=0.0):
    wanted = [Wanted(carrier, number, kind) for number in numbers]
    joining = Joining(request, wanted, priority, 20.0, batch_sizes={carrier: batch}, answered_since=answered_since)
    return store.join(joining, lease_seconds=LEASE)


def settle(store, answers, stored=None, requeue=None):
    return store.settle(PP, Settled(answers, stored or {}, requeue or {}), lease_seconds=LEASE)


def inbox(store, name):
    return store.receive(name, 0)


def take(store, request, own=(), limit=50, kind="", carrier=PP):
    return store.take(carrier, lead_id(request, carrier), kind, list(own), limit, lease_seconds=LEASE)


def test_the_first_request_takes_the_lease_and_the_next_ones_wait(store):
    assert join(store, "r1", ["A"]).leads == (PP,)
    assert join(store, "r2", ["B"]).leads == ()
    assert join(store, "r3", ["A"]).leads == ()  # already queued: a second waiter, nothing queued twice
    view = store.view(PP, lead_id("r1", PP), ["A"])
    assert (view.kind, view.visitors, view.background, view.others) == ("", 2, 0, 1)


def test_the_leader_takes_its_own_numbers_first_then_the_oldest_visitors_then_background(store):
    join(store, "r1", ["B1", "B2"], Priority.BACKGROUND)
    join(store, "r2", ["V1"])
    join(store, "r3", ["V2"])
    join(store, "lead", ["OWN"])  # the lease is r1's
    store.step_down(PP, lead_id("r1", PP), lease_seconds=LEASE, hand_over=False)
    assert join(store, "lead", ["OWN"]).leads == (PP,)

    taken = take(store, "lead", own=["OWN"], limit=4)

    assert taken.numbers == ("OWN", "V1", "V2", "B1")
    assert not taken.keep_lead  # nothing of its own is left: the lease goes on


def test_a_background_leader_takes_every_visitors_number_before_its_own(store):
    """The lease can pass to a background request (it also waits for a visitor's number): visitors still go first."""
    join(store, "bg", ["B1", "B2"], Priority.BACKGROUND)
    join(store, "v1", ["V1"])
    join(store, "v2", ["V2"])

    taken = take(store, "bg", own=["B1", "B2", "V1"], limit=3)

    assert taken.numbers == ("V1", "V2", "B1")
    assert take(store, "bg", own=["B2"], limit=3).numbers == ("B2",)


def test_the_lease_goes_to_a_waiter_of_the_oldest_queued_number(store):
    join(store, "r1", ["A"])
    join(store, "r2", ["B"])
    join(store, "r3", ["C"])

    taken = take(store, "r1", own=["A"], limit=1)

    assert taken.numbers == ("A",) and not taken.keep_lead
    assert inbox(store, "r2") == [Message(LEAD, PP)]
    assert inbox(store, "r3") == []
    assert take(store, "r1", own=[], limit=1).numbers == ()  # r1 no longer leads
    assert take(store, "r2", own=["B"], limit=5).numbers == ("B", "C")


def test_a_leader_with_numbers_still_queued_keeps_the_lease(store):
    join(store, "r1", [f"N{i}" for i in range(12)], batch=10)
    first = take(store, "r1", own=[f"N{i}" for i in range(12)], limit=10)
    assert len(first.numbers) == 10 and first.keep_lead
    assert (first.next_view.kind, first.next_view.visitors, first.next_view.others) == ("", 2, 0)
    second = take(store, "r1", own=["N10", "N11"], limit=10)
    assert second.numbers == ("N10", "N11") and not second.keep_lead


def test_a_leader_hears_when_a_whole_batch_is_waiting(store):
    join(store, "leader", ["A"], batch=3)
    join(store, "r2", ["B"], batch=3)
    assert inbox(store, lead_id("leader", PP)) == []
    join(store, "r3", ["C"], batch=3)
    assert inbox(store, lead_id("leader", PP)) == [Message(FULL, PP)]


def test_settling_wakes_every_waiter_and_leaves_a_done_marker_for_stored_answers(store):
    join(store, "r1", ["A", "B"])
    join(store, "r2", ["A"])
    take(store, "r1", own=["A", "B"])

    settle(store, {"A": "answer A", "B": "failure B"}, stored={"A": Marker(2.0, 100.0)})

    assert sorted(inbox(store, "r1"), key=lambda m: m.number) == [
        Message(DONE, PP, "A", "answer A"),
        Message(DONE, PP, "B", "failure B"),
    ]
    assert inbox(store, "r2") == [Message(DONE, PP, "A", "answer A")]
    late = join(store, "r3", ["A", "B"], answered_since=99.0)
    assert late.settled == {(PP, "A"): "answer A"}  # B failed: not kept, so r3 asks again
    assert late.leads == (PP,)


def test_a_done_marker_older_than_the_requests_cache_read_does_not_count(store):
    join(store, "r1", ["A"])
    take(store, "r1", own=["A"])
    settle(store, {"A": "answer"}, stored={"A": Marker(2.0, 100.0)})

    # r2 read the parcel cache after the answer was stored there, and missed it: it was dropped since.
    late = join(store, "r2", ["A"], answered_since=100.5)

    assert late.settled == {} and late.leads == (PP,)


def test_a_done_marker_lapses(store):
    join(store, "r1", ["A"])
    take(store, "r1", own=["A"])
    settle(store, {"A": "answer"}, stored={"A": Marker(2.0, 100.0)})
    if isinstance(store, RedisGatherStore):  # Redis expires keys on its own clock
        assert 1000 < shared_redis().pttl(PREFIX + "d:postplus:A") <= 2000
        return
    store.test_clock.advance(2.5)
    assert join(store, "r2", ["A"]).settled == {}


def test_a_number_not_found_by_one_kind_is_queued_under_the_next_with_its_waiters(store):
    join(store, "r1", ["N1"], kind="packageId")
    join(store, "r2", ["N2"], kind="packageId")
    taken = take(store, "r1", own=["N1"], kind="packageId")
    assert taken.numbers == ("N1", "N2")

    settle(store, {}, requeue={"N1": "dhlPackageId", "N2": "dhlPackageId"})

    assert inbox(store, "r1") == [Message(LEAD, PP)]  # the lease was free: the oldest waiter leads again
    view = store.view(PP, lead_id("r1", PP), ["N1"])
    assert (view.kind, view.visitors) == ("dhlPackageId", 2)
    assert take(store, "r1", own=["N1"], kind="dhlPackageId").numbers == ("N1", "N2")


def test_a_request_past_its_deadline_stops_waiting_for_queued_numbers_only(store):
    join(store, "r1", ["FLYING", "QUEUED", "SHARED"])
    join(store, "r2", ["SHARED"])
    take(store, "r1", own=["FLYING"], limit=1)

    found = store.abandon("r1", [(PP, "FLYING"), (PP, "QUEUED"), (PP, "SHARED"), (PP, "NEVER")])

    assert found == {
        (PP, "FLYING"): "flying",
        (PP, "QUEUED"): "queued",
        (PP, "SHARED"): "queued",
        (PP, "NEVER"): "gone",
    }
    view = store.view(PP, lead_id("r2", PP), ["SHARED"])
    assert view.visitors == 1  # QUEUED had no other waiter and left the queue; SHARED stays for r2


def test_a_leaving_request_passes_the_lease_it_was_handed_on(store):
    join(store, "r1", ["A"])
    join(store, "r2", ["B"])
    join(store, "r3", ["C"])
    take(store, "r1", own=["A"], limit=1)  # the lease goes to r2 ...
    assert inbox(store, "r2") == [Message(LEAD, PP)]

    store.leave("r2", [(PP, "B")], [PP], lease_seconds=LEASE)  # ... which leaves without leading

    assert inbox(store, "r3") == [Message(LEAD, PP)]
    assert store.view(PP, lead_id("r3", PP), ["C"]).visitors == 1  # B left with r2


def test_a_refused_leader_steps_down_to_the_next_waiter_and_tells_its_own_request(store):
    join(store, "r1", ["A"])
    join(store, "r2", ["B"])

    store.step_down(PP, lead_id("r1", PP), lease_seconds=LEASE, hand_over=True, tell=Message(REFUSED, PP, payload=1.5))

    assert inbox(store, "r1") == [Message(REFUSED, PP, payload=1.5)]
    assert inbox(store, "r2") == [Message(LEAD, PP)]


def test_the_quiet_time_counts_only_other_requests_visitors(store):
    join(store, "r1", ["A"])
    store.test_clock.advance(0.5)
    join(store, "r1", ["A2"])  # its own second number
    join(store, "bg", ["B"], Priority.BACKGROUND)
    view = store.view(PP, lead_id("r1", PP), ["A", "A2"])
    assert view.others == 0 and view.quiet_seconds > 100  # nobody else's visitors, ever

    join(store, "r2", ["C"])
    store.test_clock.advance(0.25)
    view = store.view(PP, lead_id("r1", PP), ["A", "A2"])
    assert view.others == 1 and view.quiet_seconds == pytest.approx(0.25)


def test_a_visitor_wanting_a_queued_background_number_moves_it_ahead_as_old_as_it_is(store):
    join(store, "bg", ["OLD-BG", "B"], Priority.BACKGROUND)
    store.test_clock.advance(0.1)
    join(store, "visitor", ["V"])
    store.test_clock.advance(0.1)
    join(store, "visitor2", ["B"])
    store.step_down(PP, lead_id("bg", PP), lease_seconds=LEASE, hand_over=False)
    join(store, "leader", ["X"])
    assert take(store, "leader", own=[], limit=2).numbers == ("B", "V")


def test_messages_travel_through_redis_unchanged():
    for message in (
        Message(LEAD, PP),
        Message(FULL, "dhl-ecommerce"),
        Message(REFUSED, PP, payload=0.25),
        Message(DONE, "nzpost", "CL092594238NZ", {"any": ["pickled", 1]}),
    ):
        assert decode(encode(message)) == message


@pytest.mark.services
def test_waiting_less_than_a_millisecond_on_redis_never_blocks():
    # Redis reads a block shorter than a millisecond as "forever": the blocking client would time out instead.
    store = RedisGatherStore(shared_redis(), blocking_redis())
    assert store.receive("nobody", 0.0004) == []
