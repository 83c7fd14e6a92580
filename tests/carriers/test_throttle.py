"""The transport that gates every upstream call on the call budget, and what travels to it with each request: its
priority and its prepaid slot. (How slots are counted: tests/tracking_site/shared_state/test_call_budget.py.)"""

from __future__ import annotations

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.fakes.dhl_ecommerce import DELIVERED_SIGNED, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, FakeDhlEcommerce
from carriers.model import CarrierFailure, FailureReason, Found
from carriers.registry import CarrierConfig, build_carriers
from carriers.throttle import PREPAID_SLOT, PRIORITY, PrepaidSlot, Priority, ThrottledTransport


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def over_budget(carrier: str, priority: Priority) -> None:
    return None


def test_transport_waits_for_its_slot_before_sending():
    sent: list[str] = []
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return _ok(request)

    transport = ThrottledTransport(
        httpx.MockTransport(handler), carrier="postplus", reserve=lambda carrier, priority: 0.25, sleep=slept.append
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

    transport = ThrottledTransport(httpx.MockTransport(handler), carrier="postplus", reserve=over_budget)
    with httpx.Client(transport=transport) as http, pytest.raises(CarrierUnavailable) as raised:
        http.get("http://carrier.test/a")
    assert raised.value.reason is FailureReason.RATE_LIMITED
    assert sent == []


def recording_transport(granted: int) -> tuple[ThrottledTransport, list[Priority], list[str]]:
    """A transport over a budget of `granted` slots, recording each reservation's priority and each request sent."""
    asked: list[Priority] = []
    sent: list[str] = []

    def reserve(carrier: str, priority: Priority) -> float | None:
        asked.append(priority)
        return 0.0 if len(asked) <= granted else None

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return _ok(request)

    return ThrottledTransport(httpx.MockTransport(handler), carrier="postplus", reserve=reserve), asked, sent


def test_a_prepaid_slot_pays_for_the_first_request_carrying_it_only():
    transport, asked, sent = recording_transport(granted=1)
    with httpx.Client(transport=transport) as http:
        slot = PrepaidSlot()
        http.get("http://carrier.test/call", extensions={PREPAID_SLOT: slot})
        assert asked == []  # the caller reserved it: nothing new reserved
        http.get("http://carrier.test/next-page", extensions={PREPAID_SLOT: slot})
        assert asked == [Priority.VISITOR]  # a later request of the same call: a slot of its own
        with pytest.raises(CarrierUnavailable):
            http.get("http://carrier.test/other")  # no prepaid slot: the budget's only one is spent
    assert sent == ["/call", "/next-page"]


def test_a_request_asks_for_a_slot_of_its_own_priority():
    transport, asked, _ = recording_transport(granted=2)
    with httpx.Client(transport=transport) as http:
        http.get("http://carrier.test/feed", extensions={PRIORITY: Priority.BACKGROUND})
        http.get("http://carrier.test/parcels")
    assert asked == [Priority.BACKGROUND, Priority.VISITOR]  # without the extension: a visitor's


def _dhl_config() -> CarrierConfig:
    return CarrierConfig(dhl_client_id=DEMO_CLIENT_ID, dhl_client_secret=DEMO_CLIENT_SECRET)


def test_every_upstream_call_is_gated_token_fetches_included():
    fake = FakeDhlEcommerce()
    asked: list[str] = []

    def reserve(carrier: str, priority: Priority) -> float:
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
        _dhl_config(), transports={"dhl-ecommerce": httpx.WSGITransport(app=fake)}, reserve=over_budget
    )
    result = carriers["dhl-ecommerce"].track(DELIVERED_SIGNED)
    assert result == CarrierFailure("dhl-ecommerce", DELIVERED_SIGNED, FailureReason.RATE_LIMITED)
    assert sum(fake.calls.values()) == 0


def test_a_client_with_extensions_sends_them_with_every_request_and_leaves_the_original_as_it_was():
    fake = FakeDhlEcommerce()
    seen: list[tuple[str, object]] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.extensions.get(PRIORITY)))
        return httpx.WSGITransport(app=fake).handle_request(request)

    carriers = build_carriers(_dhl_config(), transports={"dhl-ecommerce": httpx.MockTransport(recording)})
    original = carriers["dhl-ecommerce"]
    background = original.with_extensions({PRIORITY: Priority.BACKGROUND})

    assert isinstance(background.track(DELIVERED_SIGNED), Found)
    assert isinstance(original.track(DELIVERED_SIGNED), Found)
    token, *lookups = seen
    assert token[1] is None  # the token is the credentials' own request: none of the caller's extensions
    assert [priority for _, priority in lookups] == [Priority.BACKGROUND, None]
    assert background.credentials is original.credentials and background.http.headers is original.http.headers
