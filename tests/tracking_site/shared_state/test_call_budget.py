"""The carriers' rate limits as the site wires them: from settings, shared through Redis, stale answers when over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.cache import caches

from carriers.fakes import postplus as fake_postplus
from carriers.model import CarrierFailure, FailureReason, Found
from carriers.registry import CarrierConfig, build_carriers
from carriers.throttle import RateLimit, ThrottledTransport
from tests.tracking_site.conftest import make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import get_carriers, install_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.shared_state.call_budget import RedisSlots, reserve_from_settings

WORKER = Path(__file__).with_name("throttle_worker.py")
NUMBER = fake_postplus.DEMO_NUMBERS[0][0]


def test_settings_set_each_carriers_budget(settings):
    settings.CARRIER_RATE_LIMITS = {"postplus": 2, "nzpost": 0}
    settings.CARRIER_RATE_MAX_WAIT_SECONDS = 0
    reserve = reserve_from_settings()
    assert [reserve("postplus") for _ in range(3)] == [0.0, 0.0, None]
    assert [reserve("nzpost") for _ in range(20)] == [0.0] * 20  # 0 switches the limit off


def test_real_carriers_are_throttled_and_demo_fakes_are_not(settings):
    settings.TRACKING_DEMO = False
    settings.POSTPLUS_API_KEY = "a-key"
    assert isinstance(get_carriers()["postplus"].http._transport, ThrottledTransport)
    settings.TRACKING_DEMO = True
    assert not isinstance(get_carriers()["postplus"].http._transport, ThrottledTransport)


def _postplus_over_budget() -> fake_postplus.FakePostPlus:
    fake = fake_postplus.FakePostPlus()
    config = CarrierConfig(postplus_api_key=fake_postplus.DEMO_API_KEY, postplus_base_url="http://postplus.test")
    transports = {"postplus": httpx.WSGITransport(app=fake)}
    install_carriers(build_carriers(config, transports=transports, reserve=lambda carrier: None))
    return fake


def test_over_budget_the_last_good_answer_is_shown_marked_stale():
    fake = _postplus_over_budget()
    entry = parcel_cache.CachedResult.now(Found(make_parcel("postplus", NUMBER)))
    caches["default"].set(parcel_cache.cache_key("postplus", NUMBER), entry)

    outcome = lookup_parcels([NUMBER], "postplus")[0]

    assert outcome.stale and outcome.result == entry.result
    assert sum(fake.calls.values()) == 0


def test_over_budget_without_an_old_answer_the_api_says_rate_limited(client):
    _postplus_over_budget()
    assert lookup_parcels([NUMBER], "postplus")[0].result == CarrierFailure(
        "postplus", NUMBER, FailureReason.RATE_LIMITED
    )
    response = client.get(f"/api/v1/parcels/postplus/{NUMBER}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "carrier_rate_limited"


# --- Redis: one budget for every worker ----------------------------------------------------------------------------


@pytest.mark.services
def test_redis_slots_burst_then_space_calls_on_the_given_clock():
    now = [5000.0]
    store = caches["default"]
    store.clear()
    slots = RedisSlots(store, {"postplus": RateLimit(3, 1.0)}, max_wait_seconds=1.5, clock=lambda: now[0])
    assert [slots.reserve("postplus") for _ in range(7)] == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, None]
    now[0] += 1.25
    assert slots.reserve("postplus") == pytest.approx(0.75)


@pytest.mark.services
def test_two_worker_processes_never_reserve_more_than_the_limit_in_a_window():
    caches["default"].clear()
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "postplus", "10", "25"],
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
