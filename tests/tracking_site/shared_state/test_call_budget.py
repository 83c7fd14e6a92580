"""Carrier call budgets: one slot per upstream call in a sliding window, the same rule in local memory and in Redis
(every test taking `budget_on` runs against both), the gatherer's slots prepaid at the transport, background work
only on headroom, stale answers when over."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command

from carriers.base import CarrierUnavailable
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import postplus as fake_postplus
from carriers.model import CarrierFailure, FailureReason, Found
from carriers.registry import CarrierConfig, build_carriers
from carriers.throttle import PREPAID_SLOT, PrepaidSlot, Priority, RateLimit, ThrottledTransport
from tests.clocks import FakeClock
from tests.tracking_site.conftest import make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import get_carriers, install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.shared_state.call_budget import (
    LocalBudget,
    RedisBudget,
    budget_from_settings,
    rate_limits_from_settings,
    transport_reserve,
)
from tracking_site.shared_state.redis_client import key, shared_redis

WORKER = Path(__file__).with_name("throttle_worker.py")
DHL_NUMBER = fake_dhl.DELIVERED_SIGNED


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def budget_on(request):
    """A budget factory over local memory or Redis, both on an injected clock."""

    def make(limits, clock):
        if request.param == "local":
            return LocalBudget(limits, clock=clock)
        client = shared_redis()
        client.delete(*[key("budget", "v2", carrier) for carrier in limits])
        return RedisBudget(client, limits, clock=clock)

    return make


def waits(budget, count, carrier="postplus", max_wait=1.5, keep_free=0):
    return [
        (r.granted, round(r.wait_seconds, 6))
        for r in (budget.reserve(carrier, max_wait, keep_free=keep_free) for _ in range(count))
    ]


def test_a_burst_goes_at_once_then_calls_are_spaced_a_window_apart(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(3, 1.0)}, clock)
    assert waits(budget, 7) == [(True, 0.0)] * 3 + [(True, 1.0)] * 3 + [(False, 2.0)]
    clock.now += 1.25
    assert waits(budget, 1) == [(True, 0.75)]


def test_calls_past_the_burst_wait_one_window_per_limits_worth(budget_on):
    budget = budget_on({"postplus": RateLimit(5, 1.0)}, FakeClock(5000.0))
    assert waits(budget, 12, max_wait=2.5) == [(True, 0.0)] * 5 + [(True, 1.0)] * 5 + [(True, 2.0)] * 2


@pytest.mark.parametrize(
    ("reserved_at", "now", "wait"),
    [
        ([], 10.0, 0.0),
        ([10.0, 10.0], 10.0, 0.0),  # under the limit: a burst may go at once
        ([10.0, 10.0, 10.0], 10.0, 1.0),  # a full window: one window after the oldest of the last three
        ([10.0, 10.5, 10.7], 10.8, 0.2),
        ([10.0, 10.5, 10.7], 12.0, 0.0),  # the window has passed
        ([10.0, 10.0, 10.0, 10.0], 10.5, 0.5),  # never before a slot already handed out (the fourth's, at 11.0)
    ],
)
def test_the_next_slot_is_a_window_after_the_last_limits_worth(budget_on, reserved_at, now, wait):
    clock = FakeClock(reserved_at[0] if reserved_at else now)
    budget = budget_on({"postplus": RateLimit(3, 1.0)}, clock)
    for moment in reserved_at:
        clock.now = moment
        assert budget.reserve("postplus", 5.0).granted
    clock.now = now
    assert waits(budget, 1, max_wait=5.0) == [(True, wait)]


def test_a_call_that_would_wait_too_long_is_refused_and_takes_no_slot(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"nzpost": RateLimit(2, 1.0)}, clock)
    assert waits(budget, 3, carrier="nzpost", max_wait=0.5) == [(True, 0.0), (True, 0.0), (False, 1.0)]
    clock.now += 0.6
    assert waits(budget, 1, carrier="nzpost", max_wait=0.5) == [(True, 0.4)]  # the refused call took nothing


def test_concurrent_reservations_never_put_more_than_the_limit_in_a_window(budget_on):
    clock = FakeClock(5000.0)
    limit = RateLimit(4, 1.0)
    budget = budget_on({"postplus": limit}, clock)
    slots: list[float] = []
    lock = threading.Lock()

    def reserve_many() -> None:
        for _ in range(25):
            reservation = budget.reserve("postplus", 100.0)
            with lock:
                slots.append(clock.now + reservation.wait_seconds)

    threads = [threading.Thread(target=reserve_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reserved = sorted(slots)
    assert len(reserved) == 200
    # Any `calls + 1` consecutive slots span at least one window: never more than `calls` in a window.
    spans = [later - earlier for earlier, later in zip(reserved, reserved[4:], strict=False)]
    assert min(spans) >= limit.window_seconds - 1e-6


def test_background_gets_a_slot_only_at_once_and_only_with_headroom(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(4, 1.0)}, clock)
    # Of 4 calls a window, background may use what leaves 2 unused: 2 calls.
    assert waits(budget, 3, keep_free=2) == [(True, 0.0), (True, 0.0), (False, 1.0)]
    assert waits(budget, 2) == [(True, 0.0), (True, 0.0)]  # visitors still have the rest
    clock.now += 1.0
    assert waits(budget, 1, keep_free=2) == [(True, 0.0)]  # the window moved on


def test_background_never_waits_for_a_spent_budget(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(2, 1.0)}, clock)
    waits(budget, 2)
    granted, wait = waits(budget, 1, keep_free=1)[0]
    assert not granted and wait == 1.0


def test_a_peek_says_when_the_slot_would_be_and_reserves_nothing(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(2, 1.0)}, clock)
    waits(budget, 2)
    peeked = [budget.reserve("postplus", 5.0, peek=True) for _ in range(3)]
    assert [(r.granted, r.wait_seconds) for r in peeked] == [(True, 1.0)] * 3
    clock.now += 1.0
    assert waits(budget, 3) == [(True, 0.0), (True, 0.0), (True, 1.0)]  # the peeks took none of them


def test_an_unlimited_carrier_always_goes_at_once(budget_on):
    budget = budget_on({"postplus": RateLimit(1, 1.0)}, FakeClock())
    assert waits(budget, 5, carrier="nzpost") == [(True, 0.0)] * 5


def test_settings_set_each_carriers_budget(settings):
    settings.TRACKING_DEMO = False
    settings.CARRIER_RATE_LIMITS = {"postplus": 2, "nzpost": 0}
    budget = budget_from_settings()
    assert [r.granted for r in (budget.reserve("postplus", 0) for _ in range(3))] == [True, True, False]
    assert all(budget.reserve("nzpost", 0).granted for _ in range(20))  # 0 switches the limit off


def test_calls_are_spaced_by_a_window_stretched_for_jitter(settings):
    settings.CARRIER_RATE_LIMITS = {"postplus": 5, "nzpost": 0}
    settings.CARRIER_RATE_MARGIN_SECONDS = 0.2
    assert rate_limits_from_settings() == {"postplus": RateLimit(5, 1.2)}


def test_the_demo_fakes_have_no_budget(settings):
    settings.TRACKING_DEMO = True
    budget = budget_from_settings()
    assert all(budget.reserve("postplus", 0).granted for _ in range(50))


def test_a_prepaid_slot_pays_for_one_request_and_every_other_request_for_its_own(budget_on):
    budget = budget_on({"postplus": RateLimit(2, 1.0)}, FakeClock(5000.0))
    sent: list[str] = []

    def carrier(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(200)

    gate = ThrottledTransport(httpx.MockTransport(carrier), carrier="postplus", reserve=transport_reserve(budget, 0))
    with httpx.Client(transport=gate) as http:
        slot = PrepaidSlot()
        http.get("http://carrier.test/batch", extensions={PREPAID_SLOT: slot})  # the gatherer's slot
        http.get("http://carrier.test/next-page", extensions={PREPAID_SLOT: slot})  # a slot of its own
        http.get("http://carrier.test/token")  # another of its own
        with pytest.raises(CarrierUnavailable):
            http.get("http://carrier.test/one-too-many")
    assert sent == ["/batch", "/next-page", "/token"]  # two slots reserved in all, the budget's two


def test_background_requests_wait_for_headroom_and_leave_it_to_visitors(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(4, 1.0)}, clock)
    reserve = transport_reserve(
        budget, max_wait_seconds=0, background_wait_seconds=5, keep_free_share=0.5, clock=clock, sleep=clock.sleep
    )
    assert [reserve("postplus", Priority.BACKGROUND) for _ in range(2)] == [0.0, 0.0]  # 2 of 4: 2 for visitors
    assert clock.slept == []
    assert reserve("postplus", Priority.BACKGROUND) == 0.0  # the third waited for the window to move on
    assert sum(clock.slept) == pytest.approx(1.0)
    assert [reserve("postplus", Priority.VISITOR) for _ in range(4)] == [0.0, 0.0, 0.0, None]  # the window's rest


def test_background_requests_give_up_when_no_headroom_comes_in_time(budget_on):
    clock = FakeClock(5000.0)
    budget = budget_on({"postplus": RateLimit(2, 10.0)}, clock)
    reserve = transport_reserve(budget, max_wait_seconds=0, background_wait_seconds=3, clock=clock, sleep=clock.sleep)
    reserve("postplus", Priority.VISITOR)
    assert reserve("postplus", Priority.BACKGROUND) is None
    assert sum(clock.slept) == pytest.approx(3.0)


@pytest.mark.django_db
def test_the_feed_sync_asks_for_background_slots_only():
    asked: list[Priority] = []

    def reserve(carrier: str, priority: Priority) -> float:
        asked.append(priority)
        return 0.0

    config = CarrierConfig(postplus_api_key=fake_postplus.DEMO_API_KEY, postplus_base_url="http://postplus.test")
    transports = {"postplus": httpx.WSGITransport(app=fake_postplus.FakePostPlus())}
    install_carriers(build_carriers(config, transports=transports, reserve=reserve))
    call_command("sync_postplus_feed", "--since", "2025-01-13", "--page-size", "1", stdout=io.StringIO())
    assert len(asked) > 1 and set(asked) == {Priority.BACKGROUND}


def test_real_carriers_are_throttled_and_demo_fakes_are_not(settings):
    settings.TRACKING_DEMO = False
    settings.POSTPLUS_API_KEY = "a-key"
    assert isinstance(get_carriers()["postplus"].http._transport, ThrottledTransport)
    settings.TRACKING_DEMO = True
    assert not isinstance(get_carriers()["postplus"].http._transport, ThrottledTransport)


def _dhl_over_budget() -> fake_dhl.FakeDhlEcommerce:
    """DHL eCommerce with the transport's budget spent: a lookup's call is prepaid, its token fetch is refused."""
    fake = fake_dhl.FakeDhlEcommerce()
    config = CarrierConfig(dhl_client_id=fake_dhl.DEMO_CLIENT_ID, dhl_client_secret=fake_dhl.DEMO_CLIENT_SECRET)
    transports = {"dhl-ecommerce": httpx.WSGITransport(app=fake)}
    install_carriers(build_carriers(config, transports=transports, reserve=lambda carrier, priority: None))
    return fake


def test_over_budget_the_last_good_answer_is_shown_marked_stale():
    fake = _dhl_over_budget()
    entry = parcel_cache.CachedResult.now(Found(make_parcel("dhl-ecommerce", DHL_NUMBER)))
    caches["default"].set(parcel_cache.cache_key("dhl-ecommerce", DHL_NUMBER), entry)

    outcome = lookup_parcels([DHL_NUMBER], "dhl-ecommerce")[0]

    assert outcome.stale and outcome.result == entry.result
    assert sum(fake.calls.values()) == 0


def test_over_budget_without_an_old_answer_the_api_says_rate_limited(client):
    _dhl_over_budget()
    assert lookup_parcels([DHL_NUMBER], "dhl-ecommerce")[0].result == CarrierFailure(
        "dhl-ecommerce", DHL_NUMBER, FailureReason.RATE_LIMITED
    )
    response = client.get(f"/api/v1/parcels/dhl-ecommerce/{DHL_NUMBER}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "carrier_rate_limited"
    assert int(response["Retry-After"]) > 0


# --- Redis: one budget for every worker ----------------------------------------------------------------------------


@pytest.mark.services
def test_two_worker_processes_never_reserve_more_than_the_limit_in_a_window():
    shared_redis().delete(key("budget", "v2", "postplus"))
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "postplus", "10", "25", "7000.0"],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=settings.BASE_DIR,
        )
        for _ in range(2)
    ]
    slots = sorted(float(slot) for worker in workers for slot in worker.communicate(timeout=60)[0].split())
    assert len(slots) == 50
    # Any 11 consecutive slots span at least a window: never 11 calls in one.
    spans = [later - earlier for earlier, later in zip(slots, slots[10:], strict=False)]
    assert min(spans) >= 1.0 - 1e-6
    assert slots[:10] == [7000.0] * 10  # and the first ten went at once
