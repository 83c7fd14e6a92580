"""/healthz: the database and the cache each get a short deadline; a hanging one is "error" (503), at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import tune
from tracking_site.web import health
from tracking_site.web.health import DeadlineProbe

pytestmark = pytest.mark.django_db


class HangingCheck:
    """A check that blocks until released, counting its calls."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, deadline: float) -> None:
        self.calls += 1
        self.release.wait(timeout=30)


@pytest.fixture
def hanging():
    check = HangingCheck()
    yield check
    check.release.set()


@pytest.fixture
def short_deadline(settings):
    tune(settings, database={"health_check_seconds": 0.2})


def test_both_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_a_hanging_cache_is_an_error_not_a_held_probe(client, hanging, short_deadline, monkeypatch):
    monkeypatch.setattr(health, "PROBES", (health.database_probe, DeadlineProbe("cache", hanging)))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}
    assert int(response["Retry-After"]) >= 1


def test_a_database_that_cannot_be_opened_is_an_error(client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/folder/db.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_the_database_check_leaves_the_requests_own_connection_alone(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    assert len(queries) == 0  # the check asked on a connection of its own


def test_probes_arriving_while_one_runs_share_it(hanging):
    probe = DeadlineProbe("cache", hanging)
    answers = [probe.answers(0.05) for _ in range(5)]
    assert answers == [False] * 5
    assert hanging.calls == 1  # one thread held by the hanging dependency, not five
    hanging.release.set()
    probe.start(1).result(timeout=5)
    assert probe.answers(1) is True and hanging.calls == 2  # the next probe is a fresh one


def test_a_failing_check_is_a_no_and_is_logged_without_details(caplog):
    def refuses(deadline: float) -> None:
        raise ConnectionRefusedError("secret-host:5432 refused")

    assert DeadlineProbe("database", refuses).answers(1) is False
    assert "health database error=ConnectionRefusedError" in caplog.text
    assert "secret-host" not in caplog.text
