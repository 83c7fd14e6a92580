"""Queuing background work while the queue (Huey on Redis) may be unavailable.

A visitor's request that queues a task (a confirmation email) must not fail because Redis does: when the task
cannot be queued, it runs in the request instead. That costs the visitor the task's own time once, during an
outage, rather than an error page; while Redis is known to be down nobody waits for it first.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from huey.api import TaskWrapper

from tracking_site.resilience.redis_outage import outage_for

logger = logging.getLogger("tracking_site.resilience")


def enqueue_or_run_here(task: TaskWrapper, *args: Any) -> None:
    """Queue `task(*args)` for the consumer; run it in this thread when the queue cannot take it."""
    if not settings.REDIS_URL:
        task(*args)  # SQLite or in-memory queue: nothing of Redis's to fail
        return
    outage_for(settings.REDIS_URL).guard(lambda: task(*args), lambda: _run_here(task, *args))


def _run_here(task: TaskWrapper, *args: Any) -> None:
    logger.warning("task=%s outcome=run_in_request reason=queue_unavailable", task.name)
    try:
        task.call_local(*args)
    except Exception as exc:  # the consumer would have retried; the visitor's answer does not depend on it
        logger.warning("task=%s outcome=failed_in_request error=%s", task.name, type(exc).__name__)
