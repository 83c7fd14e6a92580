"""The site against the real Redis behind a proxy that refuses, hangs (a paused server) and comes back."""

from __future__ import annotations

import logging
import threading

import pytest
from django.conf import settings
from django.core.cache import caches

from carriers.fakes import nzpost as fake_nzpost
from tests.clocks import FakeClock
from tests.conftest import tune
from tests.tracking_site.resilience.conftest import CountingConnection
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.tuning import REDIS

pytestmark = [pytest.mark.services, pytest.mark.django_db]

NZPOST = fake_nzpost.IN_TRANSIT_S10


def ended(task, limit: float = 10.0) -> bool:
    """Run `task` in a thread; whether it ended (a guard against a test that would hang, not a timing)."""
    thread = threading.Thread(target=task, daemon=True)
    thread.start()
    thread.join(limit)
    return not thread.is_alive()


def outage_clock() -> FakeClock:
    clock = FakeClock()
    outage_for(settings.REDIS_URL).clock = clock
    return clock


def test_a_paused_redis_is_a_miss_and_is_not_asked_again_until_the_retry_time(site_redis_proxy):
    caches["default"].set("parcel", "kept")
    assert caches["default"].get("parcel") == "kept"
    site_redis_proxy.hang()
    answers: list[object] = []
    assert ended(lambda: answers.append(caches["default"].get("parcel", "missed")))
    assert answers == ["missed"]
    attempts = CountingConnection.attempts
    assert [caches["default"].get("parcel", "missed") for _ in range(10)] == ["missed"] * 10
    assert CountingConnection.attempts == attempts
    assert outage_for(settings.REDIS_URL).down


def test_a_parcel_page_answers_while_redis_is_paused(client, site_redis_proxy, caplog):
    site_redis_proxy.hang()
    responses = []
    assert ended(lambda: responses.append(client.get(f"/track/nzpost/{NZPOST}/")))
    assert responses[0].status_code == 200
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_the_cache_recovers_by_itself_when_redis_is_back(client, site_redis_proxy, caplog):
    caplog.set_level(logging.INFO, logger="tracking_site.resilience")
    clock = outage_clock()
    site_redis_proxy.refuse()
    assert client.get(f"/track/nzpost/{NZPOST}/").status_code == 200
    caches["default"].set("after", "dropped")
    site_redis_proxy.forward()
    assert caches["default"].get("after") is None  # still within the retry time: Redis is not asked
    clock.now += REDIS.current().retry_seconds
    caches["default"].set("after", "kept")
    assert caches["default"].get("after") == "kept"
    assert not outage_for(settings.REDIS_URL).down
    assert any("outcome=recovered" in r.getMessage() for r in caplog.records)


def test_rate_limits_move_back_to_the_shared_counters_when_redis_is_back(client, site_redis_proxy, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"api": "2/m"})
    clock = outage_clock()
    url = f"/api/v1/parcels/nzpost/{NZPOST}"
    site_redis_proxy.refuse()
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]  # counted in this process
    site_redis_proxy.forward()
    clock.now += REDIS.current().retry_seconds
    # Shared counters again: Redis never saw the three above, so this client has its two requests anew.
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert caches["rate_limits"].outage.down is False
