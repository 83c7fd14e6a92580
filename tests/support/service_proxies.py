"""Fixtures that put a TcpProxy between the site and the real PostgreSQL or Redis (`make test-services`).

Registered for the whole suite in tests/conftest.py. A test moves the proxy to refuse() or hang() and sees
what the site does; every connection opened after the fixture starts goes through the proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.support.tcp_proxy import TcpProxy
from tracking_site.web.health import PROBES


def _checks_settled() -> None:
    """A check still waiting on the stopped proxy ends now (its sockets were reset); the next test must not
    share its answer."""
    for probe in PROBES:
        assert probe.idle(timeout=5), f"the {probe.name} check did not end"


@pytest.fixture
def postgres_proxy(transactional_db) -> Iterator[TcpProxy]:
    """New PostgreSQL connections (this thread's, other threads', the health check's) go through a proxy.

    Needs transactional_db: the test's own connection is closed and reopened through the proxy. The settings
    are put back by hand before transactional_db flushes the tables (monkeypatch may undo after that).
    """
    settings_dict = connection.settings_dict  # one dict shared by every thread's connection
    original = {key: settings_dict.get(key) for key in ("HOST", "PORT", "OPTIONS")}
    upstream = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    with TcpProxy(upstream) as proxy:
        connection.close()
        # libpq's floor: a connect that hangs costs the test 2 s of a background thread, no more.
        settings_dict.update(
            HOST="127.0.0.1", PORT=str(proxy.port), OPTIONS={**(original["OPTIONS"] or {}), "connect_timeout": 2}
        )
        try:
            yield proxy
        finally:
            connection.close()
            settings_dict.update(original)
    _checks_settled()


@pytest.fixture
def redis_proxy(settings) -> Iterator[TcpProxy]:
    """The Django cache (a new client in every thread) talks to Redis through a proxy."""
    location = urlsplit(settings.REDIS_URL)
    with TcpProxy((location.hostname or "127.0.0.1", location.port or 6379)) as proxy:
        proxied = location._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": proxied}}
        yield proxy
    _checks_settled()
