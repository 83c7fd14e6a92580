"""A stand-in for NZ Post's OAuth server and ParcelTrack v4 API, for demo mode, tests and benchmarks.

One plain WSGI app answers both hosts: the token endpoint (/as/token.oauth2) and the API. It holds raw
ParcelTrack results, private fields and all (courier names, signatures, coordinates), exactly as NZ Post
sends them, so tests can check that the client drops them. It answers in the shapes of NZ Post's published
samples (tests/fixtures/nzpost/, sources in the fixtures' README), and serves those samples themselves under
the documents' own references (`PUBLISHED_NUMBERS`) beside the demo parcels' stories (`DEMO_NUMBERS`).
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

DEMO_CLIENT_ID = "demo-nzpost-client"
DEMO_CLIENT_SECRET = "demo-nzpost-secret"  # noqa: S105 - the demo's published credential, not a secret

OAUTH_PATH = "/as/token.oauth2"
PARCELS_PATH = "/parceltrack/v4/parcels"
PARTIAL_MATCH_PREFIX = "/parceltrack/v4/partialmatch/"
# Partial matches are counted under the route, not under each reference asked.
PARTIAL_MATCH_ROUTE = PARTIAL_MATCH_PREFIX + "{partial_reference}"

# NZ Post's published token answer (its Authentication page) gives `"expires_in": 86399`.
TOKEN_LIFETIME_SECONDS = 86399
MAX_REFERENCES_PER_CALL = 10

ERROR_MESSAGES = {
    "200001": "Partial results returned, not all system(s) have responded",
    "200002": "All sources responded, data may be incomplete",
    "400001": "Parameter(s) missing",
    "400002": "Invalid parameter(s)",
    "400003": "Non mutually exclusive parameters detected",
    "401001": "Unauthorised access, please contact administrator",
    "500001": "General Exception",
    "500002": "System(s) offline",
}
# Codes that still come with whatever events the sources that did answer gave.
CODES_WITH_EVENTS = frozenset({"200001", "200002"})

HTTP_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

StartResponse = Callable[..., Any]
Record = dict[str, Any]

# --- Demo parcels ------------------------------------------------------------------------------------------------

INFO_RECEIVED_TICKET = "7720419836500214AKL003CP"
IN_TRANSIT_S10 = "LZ410287366NZ"
OUT_FOR_DELIVERY_TICKET = "5521903774100836AKL011AS"
DELIVERED_PACE_JOB = "482913"
DELIVERY_FAILED_S10 = "CP583102644NZ"
AWAITING_PICKUP_S10 = "RN277193855NZ"
RETURNED_TICKET = "6640213398700152AKL007CP"

DEMO_NUMBERS: list[tuple[str, str]] = [
    (INFO_RECEIVED_TICKET, "CourierPost ticket: the sender says it is ready to send"),
    (IN_TRANSIT_S10, "NZ Post parcel in transit between depots"),
    (OUT_FOR_DELIVERY_TICKET, "CourierPost ticket: with the courier for delivery today"),
    (DELIVERED_PACE_JOB, "Pace job: delivered and signed for"),
    (DELIVERY_FAILED_S10, "NZ Post parcel: delivery attempted, card left"),
    (AWAITING_PICKUP_S10, "NZ Post parcel: ready to collect from a PostShop"),
    (RETURNED_TICKET, "CourierPost ticket: returned to the sender"),
]

# A signature as NZ Post sends it: a string form of the binary signature data (this one is made up).
DEMO_SIGNATURE = "/3Ie/zFJMkYyRDNBMz8zPTQ7NDg0NjkXORk6HDoeOyI7JDsmPCg8Kj0tPS89Mj40PjY/OT87QD1AP0FDQkZD"


def _scan(
    at: datetime,
    edifact_code: str,
    status: str,
    description: str,
    depot: str,
    *,
    run: str = "",
    courier: tuple[str, str] = ("", ""),
    where: tuple[float, float] | None = None,
    signer: str = "",
    seqref: str = "",
    source: str = "CME",
    spaced_time: bool = False,
) -> Record:
    """One raw ParcelTrack event with the fields of the published sample (and, like it, the private ones)."""
    # The document shows date_time both as "2015-03-23T17:04:08Z" and as "2016-01-29 11:00:00Z".
    moment = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ" if spaced_time else "%Y-%m-%dT%H:%M:%SZ")
    event: Record = {
        "date_time": moment,
        "status": status,
        "description": description,
        "source": source,
        "seqref": seqref or str(2631897000 + int(at.timestamp()) % 1000),
        "edifact_code": edifact_code,
        "depot_name": depot,
    }
    if run:
        event["run_name"] = run
    if courier[0]:
        event["courier_first_name"] = courier[0]
        event["courier_full_name"] = f"{courier[0]} {courier[1]}"
    if where:
        event["location"] = {"latitude": where[0], "longitude": where[1]}
    if signer:
        event["signed_by"] = {"name": signer, "signature": DEMO_SIGNATURE}
    return event


def demo_records(now: datetime) -> list[Record]:
    """The demo parcels as raw ParcelTrack results, their scans placed relative to `now`."""

    def ago(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    return [
        {
            "tracking_reference": INFO_RECEIVED_TICKET,
            "tracking_events": [
                _scan(
                    ago(3),
                    "997",
                    "Ready to send",
                    "The sender has told us your item is ready to send.",
                    "Auckland Central Fleet",
                ),
            ],
        },
        {
            "tracking_reference": IN_TRANSIT_S10,
            "tracking_events": [
                _scan(
                    ago(30),
                    "13",
                    "Picked up",
                    "Your item has been picked up by NZ Post.",
                    "Hamilton Fleet",
                    run="Hamilton East",
                    courier=("Aroha", "Ngata"),
                    where=(-37.7870, 175.2793),
                ),
                _scan(
                    ago(24),
                    "8",
                    "Processing at depot",
                    "Your item is being processed at our Hamilton depot.",
                    "Hamilton Processing Centre",
                    spaced_time=True,
                ),
                _scan(
                    ago(6),
                    "85",
                    "In transit to depot",
                    "Your item is on its way to our Christchurch depot.",
                    "Auckland Processing Centre",
                    spaced_time=True,
                ),
            ],
        },
        {
            "tracking_reference": OUT_FOR_DELIVERY_TICKET,
            "tracking_events": [
                _scan(
                    ago(40),
                    "13",
                    "Picked up",
                    "Your item has been picked up by CourierPost.",
                    "Wellington Fleet",
                    run="Te Aro",
                    courier=("Sam", "Tuilagi"),
                    where=(-41.2924, 174.7787),
                ),
                _scan(
                    ago(28),
                    "85",
                    "In transit to depot",
                    "Your item is on its way to our Auckland depot.",
                    "Wellington Processing Centre",
                ),
                _scan(
                    ago(8),
                    "56",
                    "Item at depot",
                    "Your item has arrived at our Auckland depot.",
                    "Auckland Central Fleet",
                ),
                _scan(
                    ago(2),
                    "32",
                    "With courier for delivery",
                    "Your item is with our courier for delivery today.",
                    "Auckland Central Fleet",
                    run="Auckland CBD",
                    courier=("Joe", "Bloggs"),
                ),
            ],
        },
        {
            "tracking_reference": DELIVERED_PACE_JOB,
            "tracking_events": [
                _scan(
                    ago(5),
                    "13",
                    "Picked up",
                    "Your item has been picked up by our Pace courier.",
                    "Pace Auckland",
                    courier=("Mere", "Walker"),
                    where=(-36.8485, 174.7633),
                    source="PSG",
                ),
                _scan(
                    ago(1.5),
                    "22",
                    "Delivered",
                    "Your item has been delivered and signed for.",
                    "Pace Auckland",
                    run="Auckland CBD",
                    courier=("Mere", "Walker"),
                    where=(-36.8523, 174.7691),
                    signer="Lee Child",
                    source="PSG",
                ),
            ],
        },
        {
            "tracking_reference": DELIVERY_FAILED_S10,
            "tracking_events": [
                _scan(ago(50), "13", "Picked up", "Your item has been picked up by NZ Post.", "Dunedin Fleet"),
                _scan(
                    ago(26),
                    "56",
                    "Item at depot",
                    "Your item has arrived at our Christchurch depot.",
                    "Christchurch Mail Centre",
                ),
                _scan(
                    ago(4),
                    "42",
                    "Delivery attempted",
                    # NZ Post's descriptions may carry HTML links (a public capture says so; its form is our guess).
                    "We tried to deliver your item but no one was available to sign for it. We've left a card "
                    'with <a href="https://www.nzpost.co.nz/tools/tracking">details of what to do next</a>.',
                    "Christchurch Fleet",
                    run="Riccarton",
                    courier=("Tama", "Kereama"),
                    where=(-43.5309, 172.5986),
                ),
            ],
        },
        {
            "tracking_reference": AWAITING_PICKUP_S10,
            "tracking_events": [
                _scan(ago(70), "13", "Picked up", "Your item has been picked up by NZ Post.", "Tauranga Fleet"),
                _scan(
                    ago(48),
                    "42",
                    "Delivery attempted",
                    "We tried to deliver your item but couldn't. We've left a card with details of what to do next.",
                    "Wellington Fleet",
                    run="Kelburn",
                    courier=("Ana", "Lopesi"),
                ),
                _scan(
                    ago(20),
                    "141",
                    "Ready to collect",
                    "Your item is ready to collect from PostShop Lambton Quay. Bring photo ID and your card.",
                    "PostShop Lambton Quay",
                    source="ParcelStore",
                ),
            ],
        },
        {
            "tracking_reference": RETURNED_TICKET,
            "tracking_events": [
                _scan(ago(200), "13", "Picked up", "Your item has been picked up by CourierPost.", "Nelson Fleet"),
                _scan(
                    ago(150),
                    "42",
                    "Delivery attempted",
                    "We tried to deliver your item but the address could not be found.",
                    "Invercargill Fleet",
                    run="Invercargill North",
                    courier=("Hemi", "Parata"),
                ),
                _scan(
                    ago(120),
                    "54",
                    "Processing delay",
                    "Your item is delayed while we check the delivery address.",
                    "Invercargill Fleet",
                ),
                _scan(
                    ago(10),
                    "67",
                    "Arrived at Return Address",
                    "Your item has been returned to the sender.",
                    "Nelson Fleet",
                    courier=("Lee", "Morgan"),
                    where=(-41.2706, 173.2840),
                ),
            ],
        },
    ]


# --- NZ Post's published samples ---------------------------------------------------------------------------------

# The one event of NZ Post's ParcelTrack v4 sample answers (the "Partial Match" page: the same event under
# CL092594238NZ and three CourierPost tickets), as published: tests check it equals the verbatim fixtures.
PUBLISHED_SAMPLE_EVENT: Record = {
    "date_time": "2015-03-23T17:04:08Z",
    "status": "Ready for pickup",
    "description": "CourierPost were advised that your item is ready to be picked up.",
    "source": "CME",
    "seqref": "2631897613",
    "edifact_code": "13",
    "depot_name": "Auckland Central Fleet",
    "run_name": "Auckland CBD",
    "courier_first_name": "Joe",
    "courier_full_name": "Joe Bloggs",
    "location": {"latitude": -36.9406304, "longitude": 174.8775616},
    "signed_by": {
        "name": "Lee Child",
        "signature": (
            "/3Ie/zFJMkYyRDNBMz8zPTQ7NDg0NjkXORk6HDoeOyI7JDsmPCg8Kj0tPS89Mj40PjY/OT87QD1AP0FDQkZDSERKOkM4QjVB"
            "MD8wPTE7Mzk1Nzc0OTM6MTwwPS5AK0EpRCVGIkcgSB5JHEoZShdLFUsTSxFJE0gVSBhIG0geSCJJJUkoSSpKLEouSzFLM0w1"
            "TDdRRVJHU0pVSFVGVkRXQlhAWT5bPF05XzdgNWEzYzBkLWYrZilmJmUkYyNhJWAnXypfLF8uYDFhM2I2YzhmOmg7ajxtPG87"
            "cTtzOnY4dzZ5NHkxei96LXoreil6J3olfCd/KYEqgyyFLYcuiS+LMI0xjzKSM5QzlTCVLpUslSqVKJUmlSOVIZUflR2UH5Mh"
            "kiORJZAnjyqOLI0uizGLM4k2iTiIO4c9hj8="
        ),
    },
}
PUBLISHED_S10 = "CL092594238NZ"
PUBLISHED_PARTIAL_MATCHES = ("3616060010051511AKL005AS", "3616060010051512AKL005AS", "3616060010051513AKL005AS")

PUBLISHED_NUMBERS: list[tuple[str, str]] = [
    (PUBLISHED_S10, "NZ Post's published sample answer: ready for pickup, 23 March 2015"),
    *((ticket, "NZ Post's published partial-match sample (36160600100515)") for ticket in PUBLISHED_PARTIAL_MATCHES),
]


def published_records() -> list[Record]:
    """NZ Post's published sample results, each under its own reference (fresh copies: callers may change them)."""
    return [
        {"tracking_reference": number, "tracking_events": [copy.deepcopy(PUBLISHED_SAMPLE_EVENT)]}
        for number, _ in PUBLISHED_NUMBERS
    ]


# --- The fake API ------------------------------------------------------------------------------------------------


class FakeNzPost:
    """NZ Post's token endpoint and ParcelTrack v4 API as one WSGI app, with fault injection."""

    def __init__(
        self,
        records: Iterable[Record] | None = None,
        *,
        latency_seconds: float = 0.0,
        clock: Callable[[], float] = time.time,
        fail_with: int | None = None,
        malformed: bool = False,
        error_for: Mapping[str, str] | None = None,
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Without records the demo set is rebuilt per call, so a long-running demo always shows recent scans; the
        # published samples are served beside it.
        self.records: list[Record] | None = list(records) if records is not None else None
        self.latency_seconds = latency_seconds
        self.clock = clock
        self.fail_with = fail_with
        self.malformed = malformed
        self.error_for = {reference.upper(): str(code) for reference, code in (error_for or {}).items()}
        self.client_id = client_id
        self.client_secret = client_secret
        self.sleep = sleep
        self.calls: Counter[str] = Counter()
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        self._count(PARTIAL_MATCH_ROUTE if path.startswith(PARTIAL_MATCH_PREFIX) else path)
        if self.latency_seconds > 0:
            self.sleep(self.latency_seconds)
        status, body = self._answer(environ, path)
        return _respond(start_response, status, body)

    def revoke_tokens(self) -> None:
        """Forget every token issued, as if they had expired: the next API call answers 401."""
        with self._lock:
            self._tokens.clear()

    def _count(self, key: str) -> None:
        with self._lock:
            self.calls[key] += 1

    def _answer(self, environ: Mapping[str, Any], path: str) -> tuple[int, bytes | dict[str, Any]]:
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        if path == OAUTH_PATH:
            if method != "POST":
                return 405, {"error": "invalid_request", "error_description": "Use POST."}
            return self._issue_token(environ)
        if path != PARCELS_PATH and not path.startswith(PARTIAL_MATCH_PREFIX):
            return 404, {"error": "not_found"}
        if method != "GET":
            return 405, _failure("400001", "Use GET")
        if not self._authorized(environ):
            return 401, _failure("401001", "Invalid or missing access token or client_id")
        if self.fail_with is not None:
            return self.fail_with, _failure(_code_for_http(self.fail_with), "Injected failure")
        if self.malformed:
            return 200, b'{"success": true, "message_id": "3c1f", "status_code": 1, "results": [{"tracking_refer'
        if path == PARCELS_PATH:
            return self._parcels(str(environ.get("QUERY_STRING") or ""))
        return self._partial_match(path[len(PARTIAL_MATCH_PREFIX) :])

    def _issue_token(self, environ: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        form = parse_qs(_read_body(environ).decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials",
            }
        given_id = form.get("client_id", [""])[0]
        given_secret = form.get("client_secret", [""])[0]
        if not (
            secrets.compare_digest(given_id, self.client_id)
            and secrets.compare_digest(given_secret, self.client_secret)
        ):
            return 401, {"error": "invalid_client", "error_description": "Invalid client or client credentials."}
        token = f"demo-nzpost-token-{secrets.token_hex(8)}"
        with self._lock:
            self._tokens[token] = self.clock() + TOKEN_LIFETIME_SECONDS
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}

    def _authorized(self, environ: Mapping[str, Any]) -> bool:
        authorization = str(environ.get("HTTP_AUTHORIZATION") or "")
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            expires_at = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        # WSGI servers turn the `client_id` header into HTTP_CLIENT_ID.
        client_id = str(environ.get("HTTP_CLIENT_ID") or "")
        return expires_at is not None and expires_at > self.clock() and client_id == self.client_id

    def _current_records(self) -> dict[str, Record]:
        if self.records is not None:
            records = self.records
        else:
            records = demo_records(datetime.fromtimestamp(self.clock(), UTC)) + published_records()
        by_reference: dict[str, Record] = {}
        for record in records:
            by_reference.setdefault(str(record.get("tracking_reference", "")).upper(), record)
        return by_reference

    def _parcels(self, query: str) -> tuple[int, dict[str, Any]]:
        asked = [ref.strip() for ref in parse_qs(query, keep_blank_values=True).get("tracking_reference", [])]
        references = list(dict.fromkeys(ref for ref in asked if ref))
        if not references:
            return 400, _failure("400001", "tracking_reference is required")
        # What NZ Post answers to more than ten references is not published; refusing them catches a client
        # that sends more.
        if len(references) > MAX_REFERENCES_PER_CALL:
            return 400, _failure("400002", f"At most {MAX_REFERENCES_PER_CALL} tracking references per request")
        records = self._current_records()
        return 200, _answer([self._result(reference, records.get(reference.upper())) for reference in references])

    def _partial_match(self, partial: str) -> tuple[int, dict[str, Any]]:
        if not partial:
            return 400, _failure("400001", "partial_reference is required")
        wanted = partial.upper()
        records = self._current_records()
        matches = [reference for reference in records if wanted in reference]
        if not matches:
            return 200, _answer([self._result(partial, None)])
        return 200, _answer([self._result(reference, records[reference]) for reference in matches])

    def _result(self, reference: str, record: Record | None) -> dict[str, Any]:
        code = self.error_for.get(reference.upper())
        events = (record or {}).get("tracking_events") or []
        result: dict[str, Any] = {"tracking_reference": reference}
        if code is None and events:
            result["tracking_events"] = events
        elif code is None:
            result["errors"] = [_error("400002", "No events for this ticket")]
        else:
            if code in CODES_WITH_EVENTS and events:
                result["tracking_events"] = events
            result["errors"] = [_error(code, ERROR_MESSAGES.get(code, "Error"))]
        return result


def _answer(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A ParcelTrack answer; status_code 1 when no result carries errors, 2 when all do, 3 when mixed."""
    with_errors = sum(1 for result in results if result.get("errors"))
    status_code = 1 if with_errors == 0 else 2 if with_errors == len(results) else 3
    return {"message_id": str(uuid.uuid4()), "success": True, "status_code": status_code, "results": results}


def _error(code: str, details: str) -> dict[str, str]:
    return {"code": code, "message": ERROR_MESSAGES.get(code, "Error"), "details": details}


def _failure(code: str, details: str) -> dict[str, Any]:
    # The shape of a whole-call error is not published for v4 (v3's published one has `errors` as one object);
    # this one follows the result errors' fields.
    return {"message_id": str(uuid.uuid4()), "success": False, "status_code": 2, "errors": [_error(code, details)]}


def _code_for_http(status: int) -> str:
    if status == 401:
        return "401001"
    if status == 503:
        return "500002"
    if status >= 500:
        return "500001"
    return "400002"


def _read_body(environ: Mapping[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _respond(start_response: StartResponse, status: int, body: bytes | dict[str, Any]) -> list[bytes]:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    start_response(
        f"{status} {HTTP_REASONS.get(status, 'Error')}",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
