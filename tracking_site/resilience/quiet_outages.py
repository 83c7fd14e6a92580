"""The queue consumer's log while Redis is down: one line for each failed read, not a traceback.

Huey logs every failed read of its queue (about one a second) with the whole traceback of redis-py's
ConnectionError: a wall of text that hides the one fact an operator needs. The line keeps Huey's own words and
names the error; any other exception keeps its traceback.
"""

from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGES = (RedisConnectionError, RedisTimeoutError)


class RedisOutageWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        if record.name.startswith("huey") and isinstance(failure, OUTAGES):
            record.msg, record.args = f"{record.getMessage()} (Redis unavailable: {type(failure).__name__})", ()
            record.exc_info, record.exc_text = None, None
        return True
