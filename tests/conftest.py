"""Shared fixtures: every test starts with an empty cache and fresh demo carriers."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from tracking_site.estimates.figures import local_figures
from tracking_site.lookup.clients import install_carriers
from tracking_site.web.answer_cache import local_copies


@pytest.fixture(autouse=True)
def _no_rate_limits_unless_asked(settings):
    """Rate limits are off in tests; tests of the limits themselves switch them on."""
    settings.RATELIMIT_ENABLE = False


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

    run_log_sweep_last(items)
    if settings.REDIS_URL and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if "services" not in item.keywords]
    deselected = [item for item in items if "services" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


class SuiteLogSweep(logging.Handler):
    """Keeps every log line the whole suite produces, for tests/test_log_sweep.py to check at the end."""

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
def _sweep_logs(django_test_environment):
    """Attached after Django configured logging (dictConfig would drop an earlier root handler)."""
    root = logging.getLogger()
    root.addHandler(LOG_SWEEP)
    yield LOG_SWEEP
    root.removeHandler(LOG_SWEEP)


def run_log_sweep_last(items):
    """The log sweep runs after every other test, so it sees the whole suite's logs."""
    sweep = [item for item in items if item.nodeid.endswith("test_log_sweep.py::test_no_log_line_of_the_suite_leaks")]
    items[:] = [item for item in items if item not in sweep] + sweep
