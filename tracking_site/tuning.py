"""Tuning: the site's named defaults, each declared beside the code that uses it, overridable in one setting.

A section is a frozen dataclass of defaults with a name (`gather`, `breaker`, ...). An operator overrides any of
them through one variable, `TRACKING_TUNING="gather.linger_seconds=0.2 breaker.failures=5"`, which settings.py
reads into `settings.TRACKING_TUNING` ({"gather": {"linger_seconds": "0.2"}, ...}); code reads a section's values
with `SECTION.current()`, typed and checked. Tests override them the same way (`settings.TRACKING_TUNING`).
A name, key or value the site does not know stops it at start (checks.py), never at the first request.

The sections Django's own settings are built from (the database, Redis, HTTPS, the queue, email) are declared
here, since settings.py uses them; the others live with their code. checks.py names every section.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge, Le
from django.conf import settings
from pydantic import AfterValidator, TypeAdapter, ValidationError

T = TypeVar("T")

Seconds = Annotated[float, Ge(0)]
Count = Annotated[int, Ge(0)]
Share = Annotated[float, Ge(0), Le(1)]

# django-ratelimit's rates: "30/m", "300/h", "5/10s".
RATE = re.compile(r"^\d+/\d*[smhd]$")


def _rate(value: str) -> str:
    if not RATE.match(value):
        raise ValueError("a rate is a count per period, e.g. 30/m, 300/h, 3/d")
    return value


Rate = Annotated[str, AfterValidator(_rate)]


class Section(Generic[T]):
    """One named section of defaults (a frozen dataclass), with the overrides `settings.TRACKING_TUNING` holds."""

    def __init__(self, name: str, defaults: type[T]) -> None:
        self.name = name
        self.defaults = defaults
        self.keys = tuple(field.name for field in dataclasses.fields(defaults))  # type: ignore[arg-type]
        self._adapter = TypeAdapter(defaults)
        self._read: tuple[object, T] | None = None

    def current(self) -> T:
        """The section's values now: its defaults, with the overrides settings hold (read once per settings)."""
        overrides = settings.TRACKING_TUNING
        read = self._read
        if read is not None and read[0] is overrides:
            return read[1]
        values = self.read(overrides.get(self.name, {}))
        self._read = (overrides, values)
        return values

    def read(self, overrides: Mapping[str, object]) -> T:
        """The defaults with `overrides`; ValueError naming each key that is unknown or of the wrong kind."""
        problems = self.problems(overrides)
        if problems:
            raise ValueError("; ".join(problems))
        return self._adapter.validate_python(dict(overrides))

    def read_or_defaults(self, overrides: Mapping[str, object]) -> T:
        """`read`, or the defaults when an override is wrong (settings.py: the checks then say what is wrong)."""
        try:
            return self.read(overrides)
        except ValueError:
            return self._adapter.validate_python({})

    def problems(self, overrides: Mapping[str, object]) -> list[str]:
        """What is wrong with `overrides`, one sentence each, naming `section.key`."""
        unknown = [key for key in overrides if key not in self.keys]
        problems = [
            f"{self.name}.{key} is not a tuning value{_did_you_mean(key, self.keys, self.name)}" for key in unknown
        ]
        try:
            self._adapter.validate_python({key: value for key, value in overrides.items() if key in self.keys})
        except ValidationError as exc:
            for error in exc.errors(include_input=False, include_url=False):
                key = ".".join(str(part) for part in error["loc"])
                problems.append(f"{self.name}.{key}: {error['msg']}")
        return problems


def tuning_problems(tuning: Mapping[str, Mapping[str, object]], sections: Sequence[Section[Any]]) -> list[str]:
    """What is wrong with a whole TRACKING_TUNING: unknown sections, unknown keys, values of the wrong kind."""
    by_name = {section.name: section for section in sections}
    problems: list[str] = []
    for name, overrides in tuning.items():
        section = by_name.get(name)
        if section is None:
            problems.append(f"{name} is not a tuning section{_did_you_mean(name, list(by_name), '')}")
        else:
            problems.extend(section.problems(overrides))
    return problems


def _did_you_mean(name: str, known: Any, section: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if not close:
        return ""
    return f" (did you mean {section + '.' if section else ''}{close[0]}?)"


# --- The sections Django's own settings are built from ----------------------------------------------------------


@dataclass(frozen=True)
class DatabaseTuning:
    """How the site holds and waits for PostgreSQL: a failing database costs a request seconds, never minutes."""

    # Seconds to open a connection (libpq's floor is 2); also how long sent data may go unacknowledged before the
    # kernel drops the connection (tcp_user_timeout: a network partition).
    connect_timeout_seconds: Annotated[int, Ge(1)] = 3
    statement_timeout_seconds: Seconds = 10.0  # PostgreSQL stops a statement after this; 0: never (a long migration)
    conn_max_age_seconds: Count = 60  # a connection is reused this long (SQLite; PostgreSQL pools below)
    # PostgreSQL connections per process, pooled (Django's psycopg pool); 0: one per thread that uses one. Off by
    # default: the database fault tests move the server's address under live connections, which a pool would not see.
    pool_size: Count = 0
    retry_after_seconds: Annotated[int, Ge(1)] = 30  # the Retry-After of every 503 a failing database causes
    # /healthz gives the database and the cache this long each (in parallel); staff pages ask the database as quickly.
    health_check_seconds: Seconds = 1.0
    # A staff page's query still unanswered after this long is cut off (a hanging network); default: the statement
    # timeout plus 2 s (15 s without one), so PostgreSQL's own timeout ends slow queries first.
    staff_query_seconds: Seconds | None = None

    @property
    def staff_query_deadline(self) -> float:
        if self.staff_query_seconds is not None:
            return self.staff_query_seconds
        return self.statement_timeout_seconds + 2 if self.statement_timeout_seconds else 15.0


@dataclass(frozen=True)
class RedisTuning:
    """A paused or unreachable Redis costs a caller at most these timeouts; then nobody in the process asks it for
    `retry_seconds` (one caller tries again after that). Meanwhile caches are skipped and counters kept locally."""

    connect_timeout_seconds: Seconds = 0.5
    socket_timeout_seconds: Seconds = 0.5
    retry_seconds: Seconds = 5.0


@dataclass(frozen=True)
class SecurityTuning:
    """HTTPS in production (DJANGO_DEBUG off): the redirect, and HSTS."""

    ssl_redirect: bool = True  # off only where no TLS-terminating proxy is in front
    hsts_seconds: Count = 31_536_000
    hsts_include_subdomains: bool = True
    hsts_preload: bool = True


@dataclass(frozen=True)
class QueueTuning:
    """The Huey queue: SQLite beside the demo's database without REDIS_URL, Redis with it."""

    sqlite_path: str = ""  # the queue's file without REDIS_URL; default: huey.sqlite3 in the project folder
    workers: Annotated[int, Ge(1)] = 2  # worker threads per `run_huey` consumer
    log_level: str = "WARNING"  # INFO logs a line per task run


@dataclass(frozen=True)
class EmailTuning:
    timeout_seconds: Seconds = 10.0  # a mail server that hangs costs a worker at most this


DATABASE = Section("database", DatabaseTuning)
REDIS = Section("redis", RedisTuning)
SECURITY = Section("security", SecurityTuning)
QUEUE = Section("queue", QueueTuning)
EMAIL = Section("email", EmailTuning)
