"""Shared fixtures: every test starts with an empty cache and fresh demo carriers."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tracking_site.carrier_registry import install_carriers


@pytest.fixture(autouse=True)
def _no_rate_limits_unless_asked(settings):
    """Rate limits are off in tests; tests of the limits themselves switch them on."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(autouse=True)
def _clean_cache_and_carriers():
    cache.clear()
    install_carriers(None)
    yield
    install_carriers(None)
    cache.clear()


def pytest_collection_modifyitems(config, items):
    """Service-backed tests run only where REDIS_URL and DATABASE_URL name real services (`make test-services`).

    They are deselected, not skipped, elsewhere: `make test` reports only what it ran.
    """
    from django.conf import settings

    if settings.REDIS_URL and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if "services" not in item.keywords]
    deselected = [item for item in items if "services" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
