"""The go-live check (`manage.py check_carriers`): each carrier reached, signed in to and read as it really answers.

For every carrier client it is given it fetches a token (DHL eCommerce, NZ Post) or makes one cheap authorised call
(PostPlus's event-code list), then looks the numbers up one at a time, so that whatever the parsers did not
understand (carriers/drift.py) is told per number. It reports the public model only (statuses, events, their dates
and zones, the fields that were read) and the paths of fields not understood with the JSON type seen there: never a
raw answer, a key, a token or a private field, which the clients never hand over.

The clients are the site's own (the command passes `get_carriers()`), so the check uses the site's addresses,
credentials and call budget; tests pass clients over fake carriers, broken ones included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from carriers.base import UNEXPECTED_SHAPE, CarrierClient, CarrierUnavailable, InvalidNumber
from carriers.detect import DHL_ECOMMERCE, NZPOST, POSTPLUS, candidate_carriers, normalize_number
from carriers.drift import Drift, collected
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, Parcel, TrackingResult
from carriers.oauth import ClientCredentials
from carriers.postplus import PostPlusClient

# The numbers the carriers' own published samples use (tests/fixtures/README.md): what a test host may know. PostPlus's
# get-many reference names its parcel "string", a placeholder rather than a number, so it is not here.
PUBLISHED_NUMBERS: Mapping[str, tuple[str, ...]] = {
    POSTPLUS: ("PARCEL-NR-1", "PARCEL-NR-2"),
    DHL_ECOMMERCE: ("V4-TEST-1581367640092",),
    NZPOST: ("CL092594238NZ", "3616060010051511AKL005AS", "3616060010051512AKL005AS", "3616060010051513AKL005AS"),
}
# Calls a second each carrier publishes as its limit; DHL eCommerce Americas publishes none (shared/CARRIERS.md).
PUBLISHED_RATES: Mapping[str, int] = {POSTPLUS: 5, NZPOST: 15}
# Where a parser reports an answer that is not the carrier's shape at all (the answer itself).
WHOLE_ANSWER = "$"


def rate_setting(slug: str) -> str:
    """The environment variable that sets a carrier's calls a second (`CARRIER_RATE_DHL_ECOMMERCE`)."""
    return "CARRIER_RATE_" + slug.upper().replace("-", "_")


@dataclass(frozen=True)
class Access:
    """Whether the carrier answered at all, and whether it let us in (None: it answered, but not whether)."""

    reachable: bool
    authorised: bool | None
    how: str  # what proved it: "token fetched", "event codes read (14)"
    problem: str = ""


@dataclass(frozen=True)
class NumberCheck:
    """One number looked up: the result in the public model and what the parser did not understand."""

    number: str
    result: TrackingResult
    drift: tuple[Drift, ...] = ()

    @property
    def shape_recognised(self) -> bool:
        failed = isinstance(self.result, CarrierFailure) and self.result.reason is FailureReason.BAD_RESPONSE
        return not failed and all(report.path != WHOLE_ANSWER for report in self.drift)


@dataclass(frozen=True)
class CarrierCheck:
    """Everything the check learned of one carrier."""

    slug: str
    name: str
    host: str
    access: Access
    numbers: tuple[NumberCheck, ...]
    drift: tuple[Drift, ...]  # reported while proving access (PostPlus's event-code list)
    calls: int
    calls_per_second: int

    @property
    def problems(self) -> list[str]:
        """What is off, in words; empty when the carrier is ready."""
        problems = []
        if not self.access.reachable:
            problems.append(f"not reachable: {self.access.problem}")
        elif self.access.authorised is None:
            problems.append(f"could not tell whether we are authorised: {self.access.problem}")
        elif not self.access.authorised:
            problems.append(f"not authorised: {self.access.problem}")
        published = PUBLISHED_RATES.get(self.slug)
        if self.calls_per_second <= 0:
            problems.append(f"no call budget: {rate_setting(self.slug)} is 0, so the site would call without limit")
        elif published is not None and self.calls_per_second > published:
            problems.append(
                f"call budget {self.calls_per_second} a second is above the {published} {self.name} publishes"
            )
        for check in self.numbers:
            if isinstance(check.result, CarrierFailure):
                problems.append(f"{check.number}: {describe_failure(check.result.reason)}")
            elif not check.shape_recognised:
                problems.append(f"{check.number}: answer shape not recognised")
        for report in not_understood(self):
            problems.append(f"field not understood: {report.path} (a JSON {report.seen})")
        return problems


@dataclass(frozen=True)
class Report:
    """The whole check: one entry per carrier, and the numbers no carrier checked could have issued."""

    carriers: tuple[CarrierCheck, ...]
    unrouted: tuple[str, ...] = ()  # invalid, or of a shape no checked carrier issues

    @property
    def not_found(self) -> list[str]:
        """Numbers every carrier asked said it does not know (a carrier that failed is a problem of its own)."""
        results: dict[str, list[TrackingResult]] = {}
        for carrier in self.carriers:
            for check in carrier.numbers:
                results.setdefault(check.number, []).append(check.result)
        return [number for number, answers in results.items() if all(isinstance(a, NotFound) for a in answers)]

    @property
    def problems(self) -> list[str]:
        problems = [f"{carrier.name}: {problem}" for carrier in self.carriers for problem in carrier.problems]
        problems += [f"{number}: not found by any carrier asked" for number in self.not_found]
        problems += [f"{number}: no carrier checked issues numbers of this shape" for number in self.unrouted]
        if not self.carriers:
            problems.append("no carrier is configured")
        return problems


def describe_failure(reason: FailureReason) -> str:
    return {
        FailureReason.TIMEOUT: "the carrier did not answer in time",
        FailureReason.UNAVAILABLE: "the carrier could not be reached or answered with an error",
        FailureReason.BAD_RESPONSE: "answer shape not recognised",
        FailureReason.AUTH: "not authorised",
        FailureReason.RATE_LIMITED: "rate limited (by the carrier, or our budget was spent)",
        FailureReason.PARTIAL: "the carrier answered for only some of its systems",
    }[reason]


def not_understood(carrier: CarrierCheck) -> list[Drift]:
    """Every distinct field path not understood, in the order first met."""
    reports = [*carrier.drift, *(report for check in carrier.numbers for report in check.drift)]
    return list(dict.fromkeys(reports))


def route_numbers(
    numbers: Sequence[str], slugs: Sequence[str], *, published: bool = False
) -> tuple[dict[str, list[str]], list[str]]:
    """The numbers to ask each carrier (each given number of every carrier that could have issued it, and with
    `published` each carrier's own published sample numbers), and the numbers no carrier in `slugs` could have."""
    asked: dict[str, list[str]] = {slug: [] for slug in slugs}
    unrouted = []
    for raw in numbers:
        try:
            number = normalize_number(raw)
        except InvalidNumber:
            unrouted.append(raw)
            continue
        carriers = [slug for slug in candidate_carriers(number) if slug in asked]
        if not carriers:
            unrouted.append(number)
        for slug in carriers:
            asked[slug].append(number)
    if published:
        for slug in slugs:
            asked[slug].extend(PUBLISHED_NUMBERS.get(slug, ()))
    return {slug: list(dict.fromkeys(wanted)) for slug, wanted in asked.items()}, unrouted


def check_carriers(
    carriers: Mapping[str, CarrierClient],
    numbers: Sequence[str] = (),
    *,
    rates: Mapping[str, int],
    published: bool = False,
) -> Report:
    """Check every carrier in `carriers`: access, then each number routed to it; `rates` are calls a second."""
    asked, unrouted = route_numbers(numbers, list(carriers), published=published)
    checks = tuple(
        check_carrier(client, asked[slug], calls_per_second=int(rates.get(slug, 0)))
        for slug, client in carriers.items()
    )
    return Report(carriers=checks, unrouted=tuple(unrouted))


class CallCount:
    """The requests a client sent and the answers that came back (an answer of any status: the host is there)."""

    def __init__(self) -> None:
        self.requests = 0
        self.answers = 0

    def request(self, request: httpx.Request) -> None:
        self.requests += 1

    def response(self, response: httpx.Response) -> None:
        self.answers += 1


@contextmanager
def counted(http: httpx.Client) -> Iterator[CallCount]:
    """Count `http`'s requests and answers inside the block (event hooks, taken off again after it)."""
    count = CallCount()
    hooks = http.event_hooks
    http.event_hooks = {
        "request": [*hooks.get("request", []), count.request],
        "response": [*hooks.get("response", []), count.response],
    }
    try:
        yield count
    finally:
        http.event_hooks = hooks


def check_carrier(client: CarrierClient, numbers: Sequence[str], *, calls_per_second: int) -> CarrierCheck:
    """Prove access, then look each number up on its own (one number's drift is told apart from another's)."""
    with counted(client.http) as count:
        with collected() as access_drift:
            access = prove_access(client, count)
        looked_up = []
        # Unreachable, every lookup would fail the same way after its own timeout.
        for number in numbers if access.reachable else ():
            with collected() as drift:
                result = client.track(number)
            looked_up.append(NumberCheck(number, result, tuple(drift)))
    return CarrierCheck(
        slug=client.slug,
        name=client.name,
        host=httpx.URL(str(getattr(client, "base_url", ""))).host,
        access=access,
        numbers=tuple(looked_up),
        drift=tuple(access_drift),
        calls=count.requests,
        calls_per_second=calls_per_second,
    )


def prove_access(client: CarrierClient, count: CallCount) -> Access:
    """A new token fetched, or PostPlus's event-code list read (PostPlus has no token: its key goes on every call)."""
    try:
        how = sign_in(client)
    except CarrierUnavailable as exc:
        problem = exc.detail or describe_failure(exc.reason)
        authorised = False if exc.reason is FailureReason.AUTH else None
        return Access(reachable=count.answers > 0, authorised=authorised, how="", problem=problem)
    except UNEXPECTED_SHAPE as exc:
        return Access(reachable=True, authorised=None, how="", problem=f"unreadable answer ({type(exc).__name__})")
    return Access(reachable=True, authorised=True, how=how)


def sign_in(client: CarrierClient) -> str:
    """What proved access, in words; CarrierUnavailable when it could not be proved."""
    if isinstance(client, PostPlusClient):
        return f"event codes read: {len(client.fetch_event_codes())}"
    credentials = getattr(client, "credentials", None)
    if isinstance(credentials, ClientCredentials):
        return f"token fetched, lives {credentials.fetch_new():.0f} s"
    raise CarrierUnavailable(FailureReason.AUTH, "this client has no sign-in the check knows")


# --- What the check prints ---


def printable(text: str) -> str:
    """Carrier text safe for a terminal: characters that are not printable shown as escapes."""
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def report_lines(report: Report) -> list[str]:
    """The report as lines of text: the public model only."""
    lines = []
    for carrier in report.carriers:
        lines += carrier_lines(carrier)
    problems = report.problems
    if problems:
        lines.append(f"{len(problems)} problem(s):")
        lines += [f"  - {printable(problem)}" for problem in problems]
    else:
        lines.append(f"All {len(report.carriers)} carrier(s) checked are ready.")
    return lines


def access_lines(access: Access) -> list[str]:
    if not access.reachable:
        return [f"  reachable: no ({printable(access.problem)})", "  authorised: not known"]
    if access.authorised:
        return ["  reachable: yes", f"  authorised: yes ({access.how})"]
    authorised = "not known" if access.authorised is None else "no"
    return ["  reachable: yes", f"  authorised: {authorised} ({printable(access.problem)})"]


def carrier_lines(carrier: CarrierCheck) -> list[str]:
    published = PUBLISHED_RATES.get(carrier.slug)
    budget = f"{carrier.calls_per_second} calls a second ({rate_setting(carrier.slug)}"
    budget += f"; {carrier.name} publishes {published})" if published else "; no published limit)"
    lines = [f"{carrier.name} at {carrier.host or 'no address'}", *access_lines(carrier.access)]
    lines.append(f"  call budget: {budget}")
    for check in carrier.numbers:
        lines += number_lines(check)
    drift = not_understood(carrier)
    lines.append(f"  fields not understood: {', '.join(f'{d.path} ({d.seen})' for d in drift) or 'none'}")
    lines.append(f"  calls made: {carrier.calls}")
    lines.append(f"  {'ready' if not carrier.problems else 'NOT READY'}")
    return lines


def number_lines(check: NumberCheck) -> list[str]:
    result = check.result
    shape = "answer shape recognised" if check.shape_recognised else "answer shape NOT recognised"
    if isinstance(result, CarrierFailure):
        return [f"  {check.number}: {describe_failure(result.reason)}"]
    if not isinstance(result, Found):
        return [f"  {check.number}: not found ({shape})"]
    incomplete = "; the carrier says its data may be incomplete" if result.incomplete else ""
    lines = [f"  {check.number}: found ({shape}){incomplete}", *parcel_lines(result.parcel)]
    if check.drift:
        lines.append("    not understood: " + ", ".join(f"{d.path} ({d.seen})" for d in check.drift))
    return lines


def parcel_lines(parcel: Parcel) -> list[str]:
    """A parcel in the public model: what was read, then every event with its date and zone."""
    last_mile = parcel.last_mile
    facts = {
        "status": parcel.status.value,
        "expected_delivery": parcel.expected_delivery.isoformat() if parcel.expected_delivery else "",
        "delivered_at": parcel.delivered_at.isoformat() if parcel.delivered_at else "",
        "service": parcel.service,
        "destination_country": parcel.destination_country,
        "last_mile": f"{last_mile.carrier} {last_mile.number}".strip() if last_mile else "",
        "signed": "yes" if parcel.signed else "",
    }
    read = [name for name, value in facts.items() if value]
    event_fields = {
        "occurred_at": True,
        "code": any(event.code for event in parcel.events),
        "description": any(event.description for event in parcel.events),
        "place": any(event.place for event in parcel.events),
    }
    if parcel.events:
        read.append("events[]." + ", events[].".join(name for name, present in event_fields.items() if present))
    lines = [
        "    " + " · ".join(f"{name}: {printable(value)}" for name, value in facts.items() if value),
        f"    fields read: {', '.join(read)}",
        f"    events: {len(parcel.events)}, dates and zones read:" if parcel.events else "    events: none",
    ]
    for event in parcel.events:
        parts = [
            f"{event.occurred_at.isoformat()} {event.occurred_at.tzname() or ''}".strip(),
            event.status.value,
            f"code {event.code}" if event.code else "",
            f'"{event.description}"' if event.description else "",
            event.place.label,
        ]
        lines.append("      " + printable(" · ".join(part for part in parts if part)))
    return lines
