"""/healthz against the real PostgreSQL and Redis, refusing and hanging behind a TCP proxy."""

from __future__ import annotations

import pytest

from tests.conftest import tune

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def short_deadline(settings):
    tune(settings, database={"health_check_seconds": 0.3})


def test_both_answer_through_the_proxies(client, postgres_proxy, redis_proxy):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert postgres_proxy.accepted == 1 and redis_proxy.accepted == 1  # both checks really went through


def test_postgresql_refusing_is_a_database_error(client, postgres_proxy):
    postgres_proxy.refuse()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
    assert int(response["Retry-After"]) >= 1


def test_postgresql_hanging_is_a_database_error_and_holds_one_probe_not_one_per_caller(client, postgres_proxy):
    postgres_proxy.hang()
    answers = [client.get("/healthz") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [503, 503, 503]
    assert all(answer.json()["database"] == "error" for answer in answers)
    assert postgres_proxy.accepted == 1  # the later probes shared the one still waiting


def test_postgresql_back_is_healthy_again(client, postgres_proxy):
    postgres_proxy.refuse()
    assert client.get("/healthz").status_code == 503
    postgres_proxy.forward()
    assert client.get("/healthz").json()["database"] == "ok"


def test_redis_refusing_is_a_cache_error(client, transactional_db, redis_proxy):
    redis_proxy.refuse()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_redis_hanging_is_a_cache_error_within_the_deadline(client, transactional_db, redis_proxy):
    redis_proxy.hang()
    answers = [client.get("/healthz") for _ in range(3)]
    assert [answer.json()["cache"] for answer in answers] == ["error"] * 3
    assert redis_proxy.accepted == 1  # one probe thread waits on the paused Redis, not three
