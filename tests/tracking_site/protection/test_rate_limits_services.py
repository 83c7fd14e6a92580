"""Tests against the real PostgreSQL and Redis (run by `make test-services`, deselected elsewhere)."""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = [pytest.mark.services, pytest.mark.django_db]

WORKER = Path(__file__).with_name("rate_limit_worker.py")


def test_database_is_postgresql_and_cache_is_redis():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "tracking_site.resilience.redis_cache.ResilientRedisCache"


def test_healthz_is_ok_on_postgresql_and_redis(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_two_worker_processes_together_hold_one_rate_limit():
    # A documentation address, only a rate-limit key here; a day-long window cannot roll over mid-test.
    ip = f"198.51.100.{random.randint(1, 254)}"
    cache.clear()
    env = {
        **os.environ,
        "TRACKING_TUNING": "rate_limits.enabled=1 rate_limits.api=10/d rate_limits.numbers=1000/d",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), ip, "8"], stdout=subprocess.PIPE, text=True, env=env, cwd=settings.BASE_DIR
        )
        for _ in range(2)
    ]
    statuses = [int(code) for worker in workers for code in worker.communicate(timeout=60)[0].split()]
    assert len(statuses) == 16
    assert statuses.count(429) == 6, statuses
