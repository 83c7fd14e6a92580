"""Shared fixtures: every test starts with an empty cache and fresh demo carriers."""

from __future__ import annotations

import logging
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tracking_site.estimates.figures import local_figures
from tracking_site.lookup.clients import install_carriers
from tracking_site.web.answer_cache import local_copies

# The TCP proxies between the site and the real PostgreSQL or Redis, for the tests marked `services`.
pytest_plugins = ["tests.support.service_proxies"]

# `make test` (and CI) run the full example count; HYPOTHESIS_PROFILE=quick is for quick local runs.
hypothesis_settings.register_profile("full", max_examples=150)
hypothesis_settings.register_profile("quick", max_examples=15)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))


def tune(settings, **sections: dict[str, object]) -> None:
    """Override tuning values as an operator does (TRACKING_TUNING), for one test: `tune(settings, gather={...})`.

    `settings` is pytest-django's fixture, so the overrides end with the test; each call adds to the last.
    """
    merged = {name: dict(values) for name, values in settings.TRACKING_TUNING.items()}
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    settings.TRACKING_TUNING = merged


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request leaves its own active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clean_cache_and_carriers():
    cache.clear()
    local_copies.clear()
    local_figures.forget()
    install_carriers(None)
    yield
    install_carriers(None)
    local_copies.clear()
    local_figures.forget()
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


class SuiteLogSweep(logging.Handler):
    """Keeps the log lines of the test that is running, for the sweep at its teardown (tests/log_sweep.py)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, record.getMessage()))
        except Exception:  # a malformed log call is itself worth seeing
            self.lines.append((record.name, repr(record.msg)))


LOG_SWEEP = SuiteLogSweep()


@pytest.fixture(scope="session", autouse=True)
def _log_sweep_handler(django_test_environment):
    """Attached after Django configured logging (dictConfig would drop an earlier root handler)."""
    root = logging.getLogger()
    root.addHandler(LOG_SWEEP)
    yield LOG_SWEEP
    root.removeHandler(LOG_SWEEP)


@pytest.fixture(autouse=True)
def _sweep_this_tests_logs(_log_sweep_handler):
    """Every log line a test produces is checked at its teardown, whatever order the tests run in."""
    from tests.log_sweep import leaks

    _log_sweep_handler.lines.clear()
    yield
    leaked = leaks(_log_sweep_handler.lines)
    _log_sweep_handler.lines.clear()
    if leaked:
        pytest.fail(f"log lines leak: {leaked[:3]}", pytrace=False)
