"""A task queued while Redis (Huey's queue) is dead runs in the request instead; no exception reaches the view."""

from __future__ import annotations

import pytest
import redis
from huey import RedisHuey

from tests.tracking_site.resilience.conftest import CountingConnection
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.resilience.task_queue import enqueue_or_run_here


@pytest.fixture
def dead_queue(settings, dead_redis_url):
    settings.REDIS_URL = dead_redis_url
    pool = redis.ConnectionPool.from_url(
        dead_redis_url, socket_connect_timeout=0.5, connection_class=CountingConnection
    )
    return RedisHuey("resilience-test", connection_pool=pool, immediate=False)


def test_a_task_that_cannot_be_queued_runs_here(dead_queue, dead_redis_url):
    ran: list[int] = []

    @dead_queue.task()
    def confirm(subscription: int) -> None:
        ran.append(subscription)

    enqueue_or_run_here(confirm, 7)
    enqueue_or_run_here(confirm, 8)
    assert ran == [7, 8]
    assert CountingConnection.attempts == 1  # the second did not wait on Redis first
    assert outage_for(dead_redis_url).down


def test_a_task_failing_in_the_request_is_logged_not_raised(dead_queue, caplog):
    @dead_queue.task()
    def confirm(subscription: int) -> None:
        raise RuntimeError("the mail server said no")

    enqueue_or_run_here(confirm, 7)
    assert any("outcome=failed_in_request error=RuntimeError" in r.getMessage() for r in caplog.records)


@pytest.mark.services
def test_with_redis_up_the_task_is_queued_for_the_consumer_not_run_here(settings):
    queue = RedisHuey("resilience-test-queue", url=settings.REDIS_URL, immediate=False)
    queue.flush()
    ran: list[int] = []

    @queue.task()
    def confirm(subscription: int) -> None:
        ran.append(subscription)

    enqueue_or_run_here(confirm, 3)
    assert ran == []
    assert queue.pending_count() == 1
    queue.flush()
