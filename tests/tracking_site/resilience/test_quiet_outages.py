"""The queue consumer's lines while Redis is down: one line each, no traceback; other errors keep theirs."""

from __future__ import annotations

import io
import logging

from redis.exceptions import ConnectionError as RedisConnectionError

from tracking_site.resilience.quiet_outages import RedisOutageWithoutTraceback


def logged(name: str, failure: Exception) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedisOutageWithoutTraceback())
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        try:
            raise failure
        except Exception:
            logger.exception("Error reading from %s", "queue")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_redis_outage_in_the_consumer_is_one_line():
    text = logged("huey.consumer.Worker", RedisConnectionError("Error 111 connecting to 127.0.0.1:6399."))
    assert text == "ERROR huey.consumer.Worker Error reading from queue (Redis unavailable: ConnectionError)\n"


def test_any_other_failure_keeps_its_traceback():
    assert "Traceback" in logged("huey.consumer.Worker", ValueError("a bug"))
    assert "Traceback" in logged("tracking_site.following", RedisConnectionError("not the consumer's"))


def test_the_site_logs_through_the_filter():
    from django.conf import settings

    assert "redis_outage_without_traceback" in settings.LOGGING["handlers"]["console"]["filters"]
