"""The carrier interface every client implements, its errors, and the HTTP plumbing they share."""

from __future__ import annotations

import abc
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import httpx

from .model import CarrierFailure, FailureReason, Found, NotFound, Parcel, TrackingResult

logger = logging.getLogger("carriers")

Clock = Callable[[], float]

# Connect fast or give up; a carrier that accepts the connection gets longer to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=3.0)


class CarrierError(Exception):
    """Base of the errors carrier modules raise; never carries secrets or personal data."""


class CarrierUnavailable(CarrierError):
    """The carrier could not give an answer (timeout, 5xx, malformed JSON, auth, rate limit)."""

    def __init__(self, reason: FailureReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


class InvalidNumber(CarrierError, ValueError):
    """The input is not something we would ever send to a carrier."""


def shorten_number(number: str) -> str:
    """The form of a tracking number that may appear in a log line: enough to correlate, not to look up."""
    if len(number) <= 6:
        return "*" * len(number)
    return f"{number[:3]}…{number[-2:]}"


def chunked(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def send(http: httpx.Client, request: httpx.Request, *, carrier: str) -> httpx.Response:
    """Send one request, turning transport failures into CarrierUnavailable."""
    try:
        return http.send(request)
    except httpx.TimeoutException as exc:
        logger.warning("carrier=%s outcome=timeout path=%s", carrier, request.url.path)
        raise CarrierUnavailable(FailureReason.TIMEOUT, "the carrier did not answer in time") from exc
    except httpx.HTTPError as exc:
        logger.warning("carrier=%s outcome=unreachable error=%s path=%s", carrier, type(exc).__name__, request.url.path)
        raise CarrierUnavailable(FailureReason.UNAVAILABLE, "could not reach the carrier") from exc


def check_status(response: httpx.Response, *, carrier: str, not_found_statuses: tuple[int, ...] = ()) -> None:
    """Raise CarrierUnavailable for answers that carry no usable data."""
    status = response.status_code
    if status < 400 or status in not_found_statuses:
        return
    if status == 429:
        reason = FailureReason.RATE_LIMITED
    elif status in (401, 403):
        reason = FailureReason.AUTH
    elif status >= 500:
        reason = FailureReason.UNAVAILABLE
    else:
        reason = FailureReason.BAD_RESPONSE
    logger.warning("carrier=%s outcome=http_%d path=%s", carrier, status, response.request.url.path)
    raise CarrierUnavailable(reason, f"HTTP {status}")


def decode_json(response: httpx.Response, *, carrier: str) -> Any:
    """The answer's JSON, or CarrierUnavailable when it is not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        logger.warning("carrier=%s outcome=malformed_json path=%s", carrier, response.request.url.path)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the carrier sent malformed JSON") from exc


def as_dict(value: Any) -> dict[str, Any]:
    """Defensive parsing: anything that is not a JSON object reads as an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    """A carrier string field, or "" for null, numbers-as-objects and other surprises."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


class CarrierClient(abc.ABC):
    """A carrier's tracking API: many numbers in, one result per number out, in few upstream calls."""

    slug: ClassVar[str]
    name: ClassVar[str]
    batch_size: ClassVar[int]

    def __init__(self, http: httpx.Client, *, clock: Clock = time.monotonic) -> None:
        self.http = http
        self.clock = clock

    def accepts(self, number: str) -> bool:
        """Whether this carrier could have issued a number of this shape (detect.py decides the rest)."""
        return True

    def plan_batches(self, numbers: Sequence[str]) -> list[list[str]]:
        """The upstream calls `track_many` would make, one list each, so a caller can run them in parallel."""
        return list(chunked(unique(numbers), self.batch_size))

    @abc.abstractmethod
    def fetch_batch(self, numbers: list[str]) -> Mapping[str, Parcel]:
        """Look up at most `batch_size` numbers; absent keys mean not found."""

    def track_many(self, numbers: Sequence[str]) -> list[TrackingResult]:
        """One result per distinct number, in the order given; a failed batch fails only its numbers."""
        wanted = unique(numbers)
        results: dict[str, TrackingResult] = {}
        for batch in chunked(wanted, self.batch_size):
            try:
                found = self.fetch_batch(batch)
            except CarrierUnavailable as exc:
                logger.warning("carrier=%s outcome=%s numbers=%d", self.slug, exc.reason.value, len(batch))
                for number in batch:
                    results[number] = CarrierFailure(self.slug, number, exc.reason)
                continue
            except (CarrierError, LookupError, TypeError, ValueError, AttributeError) as exc:
                # JSON of a shape the parser did not expect: that batch fails, the page still renders.
                logger.error("carrier=%s outcome=unexpected_shape error=%s", self.slug, type(exc).__name__)
                for number in batch:
                    results[number] = CarrierFailure(self.slug, number, FailureReason.BAD_RESPONSE)
                continue
            for number in batch:
                parcel = found.get(number)
                results[number] = Found(parcel) if parcel else NotFound(self.slug, number)
        return [results[number] for number in wanted]

    def track(self, number: str) -> TrackingResult:
        return self.track_many([number])[0]
