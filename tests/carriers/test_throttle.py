"""The carrier rate limit: sliding-window slots, and the transport that gates every upstream call on them."""

from __future__ import annotations

import threading

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.fakes.dhl_ecommerce import DELIVERED_SIGNED, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, FakeDhlEcommerce
from carriers.model import CarrierFailure, FailureReason, Found
from carriers.registry import CarrierConfig, build_carriers
from carriers.throttle import JITTER_MARGIN_SECONDS, LocalSlots, RateLimit, ThrottledTransport, next_slot
from tests.clocks import FakeClock


def test_per_second_limit_keeps_a_margin_for_network_jitter():
    assert RateLimit.per_second(5) == RateLimit(calls=5, window_seconds=1.0 + JITTER_MARGIN_SECONDS)


@pytest.mark.parametrize(
    ("recent", "now", "expected"),
    [
        ([], 10.0, 10.0),
        ([10.0, 10.0], 10.0, 10.0),  # under the limit: a burst may go at once
        ([10.0, 10.0, 10.0], 10.0, 11.0),  # full window: one window after the oldest of the last three
        ([10.0, 10.5, 10.7], 10.8, 11.0),
        ([10.0, 10.5, 10.7], 12.0, 12.0),  # the window has passed
        ([12.5], 12.0, 12.5),  # never before a slot already handed out
    ],
)
def test_next_slot(recent, now, expected):
    assert next_slot(recent, now, RateLimit(calls=3, window_seconds=1.0)) == pytest.approx(expected)


def test_local_slots_let_a_burst_through_then_space_calls_one_window_apart():
    clock = FakeClock()
    slots = LocalSlots({"postplus": RateLimit(calls=5, window_seconds=1.0)}, max_wait_seconds=2.5, clock=clock)
    waits = [slots.reserve("postplus") for _ in range(12)]
    assert waits[:5] == [0.0] * 5
    assert waits[5:10] == [pytest.approx(1.0)] * 5
    assert waits[10:] == [pytest.approx(2.0)] * 2


def test_local_slots_refuse_when_the_wait_would_be_too_long():
    clock = FakeClock()
    slots = LocalSlots({"nzpost": RateLimit(calls=2, window_seconds=1.0)}, max_wait_seconds=0.5, clock=clock)
    assert [slots.reserve("nzpost") for _ in range(3)] == [0.0, 0.0, None]
    clock.now += 0.6
    assert slots.reserve("nzpost") == pytest.approx(0.4)


def test_a_refused_call_takes_no_slot():
    clock = FakeClock()
    slots = LocalSlots({"nzpost": RateLimit(calls=1, window_seconds=1.0)}, max_wait_seconds=0.0, clock=clock)
    assert slots.reserve("nzpost") == 0.0
    assert slots.reserve("nzpost") is None
    clock.now += 1.0
    assert slots.reserve("nzpost") == 0.0


def test_carriers_without_a_limit_are_not_throttled():
    slots = LocalSlots({}, max_wait_seconds=0.0, clock=FakeClock())
    assert [slots.reserve("dhl-ecommerce") for _ in range(100)] == [0.0] * 100


def test_local_slots_hold_the_limit_under_concurrent_reservations():
    clock = FakeClock()
    limit = RateLimit(calls=4, window_seconds=1.0)
    slots = LocalSlots({"postplus": limit}, max_wait_seconds=100.0, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def reserve_many() -> None:
        for _ in range(25):
            wait = slots.reserve("postplus")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=reserve_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reserved = sorted(clock.now + wait for wait in waits)
    assert len(reserved) == 200
    # Any `calls + 1` consecutive slots span at least one window: never more than `calls` in a window.
    spans = [later - earlier for earlier, later in zip(reserved, reserved[4:], strict=False)]
    assert min(spans) >= limit.window_seconds - 1e-9


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def test_transport_waits_for_its_slot_before_sending():
    sent: list[str] = []
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return _ok(request)

    transport = ThrottledTransport(
        httpx.MockTransport(handler), carrier="postplus", reserve=lambda carrier: 0.25, sleep=slept.append
    )
    with httpx.Client(transport=transport) as http:
        assert http.get("http://carrier.test/a").status_code == 200
    assert slept == [0.25]
    assert sent == ["/a"]


def test_transport_refuses_without_calling_when_the_budget_is_spent():
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return _ok(request)

    transport = ThrottledTransport(httpx.MockTransport(handler), carrier="postplus", reserve=lambda carrier: None)
    with httpx.Client(transport=transport) as http, pytest.raises(CarrierUnavailable) as raised:
        http.get("http://carrier.test/a")
    assert raised.value.reason is FailureReason.RATE_LIMITED
    assert sent == []


def _dhl_config() -> CarrierConfig:
    return CarrierConfig(dhl_client_id=DEMO_CLIENT_ID, dhl_client_secret=DEMO_CLIENT_SECRET)


def test_every_upstream_call_is_gated_token_fetches_included():
    fake = FakeDhlEcommerce()
    asked: list[str] = []

    def reserve(carrier: str) -> float:
        asked.append(carrier)
        return 0.0

    carriers = build_carriers(
        _dhl_config(), transports={"dhl-ecommerce": httpx.WSGITransport(app=fake)}, reserve=reserve
    )
    result = carriers["dhl-ecommerce"].track(DELIVERED_SIGNED)
    assert isinstance(result, Found)
    assert sum(fake.calls.values()) == 2  # the token, then the lookup
    assert asked == ["dhl-ecommerce", "dhl-ecommerce"]


def test_a_carrier_over_budget_fails_its_numbers_as_rate_limited():
    fake = FakeDhlEcommerce()
    carriers = build_carriers(
        _dhl_config(), transports={"dhl-ecommerce": httpx.WSGITransport(app=fake)}, reserve=lambda carrier: None
    )
    result = carriers["dhl-ecommerce"].track(DELIVERED_SIGNED)
    assert result == CarrierFailure("dhl-ecommerce", DELIVERED_SIGNED, FailureReason.RATE_LIMITED)
    assert sum(fake.calls.values()) == 0
