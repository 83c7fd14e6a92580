"""Database calls a hanging network would never end are cut off at their deadline (SQLite here; PostgreSQL
through a proxy that stops forwarding in test_database_deadline_services.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from tracking_site.web.database_deadline import Watchdog, query_deadline

pytestmark = pytest.mark.django_db

# Counts to a billion: minutes of work, so only the deadline can end it.
ENDLESS_QUERY = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT max(i) FROM n"
)


def test_the_watchdog_fires_once_when_the_block_outlives_it():
    fired = threading.Event()
    calls = []
    with Watchdog(0.01, lambda: (calls.append(1), fired.set())) as watchdog:
        assert fired.wait(timeout=5)
    assert watchdog.expired and calls == [1]


def test_the_watchdog_never_fires_after_its_block_ended():
    calls = []
    with Watchdog(5, lambda: calls.append(1)) as watchdog:
        pass
    watchdog._timer.join(timeout=5)
    assert not watchdog.expired and calls == []


def test_a_query_past_its_deadline_fails_with_operational_error():
    with query_deadline(0.1), pytest.raises(OperationalError, match="within 0.1 s"):
        with connection.cursor() as cursor:
            cursor.execute(ENDLESS_QUERY)


def test_queries_within_their_deadline_are_untouched():
    with query_deadline(5):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            assert cursor.fetchone() == (42,)
    with connection.cursor() as cursor:  # the connection is still good afterwards
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
