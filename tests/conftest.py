"""Shared fixtures: every test starts with an empty cache and fresh demo carriers."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tracking_site.carrier_registry import install_carriers


@pytest.fixture(autouse=True)
def _clean_cache_and_carriers():
    cache.clear()
    install_carriers(None)
    yield
    install_carriers(None)
    cache.clear()
