"""The carrier interface every client implements, its errors, and the HTTP plumbing they share."""

from __future__ import annotations

import abc
import copy
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Self

import httpx

from .model import CarrierFailure, FailureReason, NotFound, TrackingResult

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


def send(http: httpx.Client, request: httpx.Request, *, carrier: str, auth: httpx.Auth | None = None) -> httpx.Response:
    """Send one request (through `auth` when given), turning transport failures into CarrierUnavailable."""
    try:
        return http.send(request, auth=auth) if auth is not None else http.send(request)
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


def fetch_json(
    http: httpx.Client,
    url: httpx.URL | str,
    *,
    carrier: str,
    auth: httpx.Auth | None = None,
    nothing_found: tuple[int, ...] = (),
    extensions: Mapping[str, object] | None = None,
) -> Any:
    """One GET's JSON body; None for a status in `nothing_found` (a carrier's "no such parcel").

    `extensions` travel with the request (httpx's per-request extensions): the caller's priority and prepaid slot,
    which the throttling transport reads (carriers/throttle.py). CarrierUnavailable for anything else that carries
    no usable data (transport errors, error statuses, malformed JSON).
    """
    request = http.build_request("GET", url, headers={"Accept": "application/json"}, extensions=dict(extensions or {}))
    response = send(http, request, carrier=carrier, auth=auth)
    if response.status_code in nothing_found:
        return None
    check_status(response, carrier=carrier)
    return decode_json(response, carrier=carrier)


def as_dict(value: Any) -> dict[str, Any]:
    """Defensive parsing: anything that is not a JSON object reads as an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# What carrier text may not carry past the edge: C0 controls other than tab and newline (XML 1.0 refuses them,
# terminals obey them), the two non-characters XML refuses, and lone surrogates (they cannot be encoded). The
# controls that separate words (vertical tab, form feed, the information separators) become a space.
SPACING_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f]")
UNSAFE_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\r\x7f\ufffe\uffff]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Carrier text made safe to store, encode and put in XML: controls dropped, lone surrogates replaced."""
    return LONE_SURROGATE.sub("\ufffd", UNSAFE_CONTROLS.sub("", SPACING_CONTROLS.sub(" ", text)))


def as_text(value: Any) -> str:
    """A carrier string field, cleaned (`clean_text`), or "" for null, numbers-as-objects and other surprises."""
    if isinstance(value, str):
        return clean_text(value).strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


# What a parser raises on JSON of a shape it did not expect: the call fails as BAD_RESPONSE, never the page. A bug
# of another kind (a NameError, say) is not hidden behind it.
UNEXPECTED_SHAPE: tuple[type[Exception], ...] = (CarrierError, LookupError, TypeError, ValueError, AttributeError)


class CarrierClient(abc.ABC):
    """A carrier's tracking API: many numbers in, one result per number out, in few upstream calls.

    A carrier implements `track_batch` (one upstream call) and, where it has several kinds of identifier,
    `identifier_kinds`; this class owns the rest: chunking to `batch_size`, catching a failed call into
    per-number results, and the order of kinds (`first_kind`, `next_kind`) for the numbers one kind did not find.
    The site's gatherer (tracking_site/lookup/gatherer.py) uses `call_batch` and the kinds, and fills each batch
    from many requests; `track_many` is the same plan for one caller alone (scripts, the bench, tests).
    """

    slug: ClassVar[str]
    name: ClassVar[str]
    batch_size: ClassVar[int]

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        # What every request of this client carries to the transport (httpx's per-request extensions); each
        # carrier passes them where it builds its requests.
        self.extensions: Mapping[str, object] = {}

    def with_extensions(self, extensions: Mapping[str, object]) -> Self:
        """This client for one caller: every tracking request it sends carries `extensions` (what the transport
        reads: carriers/throttle.py's priority and prepaid slot). The copy shares the httpx client, its pool and
        credentials; token fetches are the credentials' own requests and carry none of them."""
        client = copy.copy(self)
        client.extensions = {**self.extensions, **extensions}
        return client

    def identifier_kinds(self, number: str) -> tuple[str, ...]:
        """The identifier kinds to try for `number`, in order (one upstream call per kind)."""
        return ("",)

    @abc.abstractmethod
    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        """Exactly one upstream call for at most `batch_size` distinct numbers of one kind.

        A number absent from the answer is not found by this kind. Raises CarrierUnavailable (or a parse
        error) when the call as a whole fails.
        """

    def call_batch(self, numbers: Sequence[str], kind: str = "") -> dict[str, TrackingResult]:
        """`track_batch` with a failed call caught: every number asked gets Found, NotFound or CarrierFailure."""
        asked = unique(numbers)
        try:
            answered = self.track_batch(asked, kind)
        except CarrierUnavailable as exc:
            logger.warning("carrier=%s outcome=%s numbers=%d", self.slug, exc.reason.value, len(asked))
            return self._failed(asked, exc.reason)
        except UNEXPECTED_SHAPE as exc:
            # JSON of a shape the parser did not expect: that call fails, the page still renders.
            logger.error("carrier=%s outcome=unexpected_shape error=%s", self.slug, type(exc).__name__)
            return self._failed(asked, FailureReason.BAD_RESPONSE)
        return {number: answered.get(number) or NotFound(self.slug, number) for number in asked}

    def _failed(self, numbers: Sequence[str], reason: FailureReason) -> dict[str, TrackingResult]:
        return {number: CarrierFailure(self.slug, number, reason) for number in numbers}

    def first_kind(self, number: str) -> str:
        """The identifier kind a number is asked by first."""
        return self._kinds(number)[0]

    def next_kind(self, number: str, kind: str) -> str | None:
        """The kind to try after `kind` did not find `number`, if any is left."""
        kinds = self._kinds(number)
        if kind not in kinds:
            return None
        position = kinds.index(kind)
        return kinds[position + 1] if position + 1 < len(kinds) else None

    def plan_batches(self, numbers: Sequence[str]) -> list[tuple[str, list[str]]]:
        """The first round of calls `track_many` would make, (kind, numbers) each, so they can run in parallel."""
        return self._batches({number: self.first_kind(number) for number in unique(numbers)})

    def _batches(self, kind_of: Mapping[str, str]) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = {}
        for number, kind in kind_of.items():
            groups.setdefault(kind, []).append(number)
        return [(kind, batch) for kind, group in groups.items() for batch in chunked(group, self.batch_size)]

    def _kinds(self, number: str) -> tuple[str, ...]:
        return self.identifier_kinds(number) or ("",)

    def track_many(self, numbers: Sequence[str]) -> list[TrackingResult]:
        """One result per distinct number, in order: chunks of `batch_size` per kind; numbers one kind did
        not find are tried with the next kind; a failed call fails only its own numbers (and is not retried)."""
        wanted = unique(numbers)
        results: dict[str, TrackingResult] = {}
        kind_of = {number: self.first_kind(number) for number in wanted}
        while kind_of:
            for kind, batch in self._batches(kind_of):
                results.update(self.call_batch(batch, kind))
            kind_of = {
                number: after
                for number, kind in kind_of.items()
                if isinstance(results[number], NotFound) and (after := self.next_kind(number, kind)) is not None
            }
        return [results[number] for number in wanted]

    def track(self, number: str) -> TrackingResult:
        return self.track_many([number])[0]
