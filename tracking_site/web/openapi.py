"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

Written by hand, but its lists come from the code that answers: the carriers this site has on, the statuses
of the public model, the languages, and the carrier failures with their HTTP statuses (presentation/failures).
Every answer the API gives is in it, errors included; tests/tracking_site/web/test_openapi.py runs
schemathesis against the live site to hold both to it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from carriers.detect import MAX_LENGTH, MIN_LENGTH
from carriers.model import Status
from tracking_site.brand.current import site_name
from tracking_site.estimates.figures import MIN_OBSERVATIONS
from tracking_site.lookup.clients import get_carriers
from tracking_site.presentation.failures import FAILURES
from tracking_site.presentation.links import site_url
from tracking_site.web.errors import DATABASE_UNAVAILABLE, GENERIC_API_ERRORS

PARCEL_PATH = "/api/v1/parcels/{carrier}/{number}"
# As carriers.detect reads a number after folding look-alikes and upper-casing: letters, digits, `-` and `_`
# inside, a letter or digit at each end.
NUMBER_PATTERN = f"^[A-Za-z0-9][A-Za-z0-9_-]{{{MIN_LENGTH - 2},{MAX_LENGTH - 2}}}[A-Za-z0-9]$"
# The sample the document offers when no demo parcel is there to name: an NZ Post S10 number's shape.
SAMPLE_NUMBER = "CL092594238NZ"
DOCUMENT_MAX_AGE_SECONDS = 300


@csrf_exempt
@require_safe
def openapi_document(request: HttpRequest) -> JsonResponse:
    """The document, for programs and for people reading it in a viewer."""
    response = JsonResponse(build_document(), json_dumps_params={"indent": 1})
    response["Cache-Control"] = f"public, max-age={DOCUMENT_MAX_AGE_SECONDS}"
    return response


def build_document() -> dict[str, Any]:
    carriers = sorted(get_carriers())
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": site_name("en"),  # the document is written in English
            "version": "1",
            "description": (
                "The public model of one parcel: what its carrier says, with nothing personal in it (no names, "
                'addresses, signatures). Errors are `{"error": {"code", "message"}}` with a machine-readable '
                "code; every 429, 502, 503 and 504 says when to come back (`Retry-After`, seconds). Times are ISO "
                "8601 with their offset. `status_label` follows the visitor's language (Accept-Language, or the "
                "`django_language` cookie); `labels_language` names it. Found parcels carry an ETag and "
                "Last-Modified: revalidate with If-None-Match or If-Modified-Since for a 304. Every number asked "
                "costs the same share of the client's budget, found or not. Methods other than GET and HEAD are "
                "answered 405 with `Allow`, as a JSON error."
            ),
        },
        "paths": {
            PARCEL_PATH: {"get": _parcel_operation(carriers)},
            "/healthz": {"get": _health_operation()},
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI 3.1 document of this site's JSON API.",
                            "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
                            "content": {"application/json": {"schema": {"type": "object", "required": ["openapi"]}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": _schemas(carriers), "headers": _headers()},
    }
    if url := site_url():
        document["servers"] = [{"url": url}]
    return document


def _parcel_operation(carriers: list[str]) -> dict[str, Any]:
    example_carrier, example_number = _example(carriers)
    return {
        "operationId": "getParcel",
        "summary": "One parcel's status and timeline",
        "parameters": [
            {
                "name": "carrier",
                "in": "path",
                "required": True,
                "description": "The carrier's slug: only these carriers are on here.",
                "schema": {"type": "string", "enum": carriers},
                "example": example_carrier,
            },
            {
                "name": "number",
                "in": "path",
                "required": True,
                "description": (
                    f"The tracking number: {MIN_LENGTH} to {MAX_LENGTH} letters, digits, hyphens or underscores "
                    "(full-width look-alikes are folded, lower case is read as upper case)."
                ),
                "schema": {"type": "string", "pattern": NUMBER_PATTERN},
                "example": example_number,
            },
            {
                "name": "Accept-Language",
                "in": "header",
                "required": False,
                "description": "Chooses the language of `status_label` and of the messages of carrier failures.",
                "schema": {"type": "string"},
            },
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "An ETag this site gave: 304 while the answer is still that one.",
                "schema": {"type": "string"},
            },
        ],
        "responses": {
            "200": {
                "description": "Found. `stale`: the carrier failed and this is the last answer we had.",
                "headers": {
                    "ETag": {"$ref": "#/components/headers/ETag"},
                    "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
                    "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
                },
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ParcelAnswer"}}},
            },
            "304": {
                "description": "Not modified: the ETag or date the client sent is still current.",
                "headers": {
                    "ETag": {"$ref": "#/components/headers/ETag"},
                    "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
                },
            },
            **_error_responses(),
        },
    }


def _error_responses() -> dict[str, Any]:
    """Each status the parcel operation answers with an error, with the codes it may carry."""
    codes: dict[int, list[str]] = defaultdict(list)
    codes[400] += ["invalid_number", GENERIC_API_ERRORS[400][0]]
    codes[404] += ["unknown_carrier", "not_found"]
    codes[429].append("rate_limited")
    codes[500].append(GENERIC_API_ERRORS[500][0])
    codes[503].append(DATABASE_UNAVAILABLE[0])
    for reason, failure in FAILURES.items():
        codes[failure.http_status].append(reason.value)
    meanings = {
        400: "Not a tracking number (or not a request this site can read).",
        404: "No such carrier here, or the carrier has no parcel with this number.",
        429: "Over this client's budget of requests or numbers.",
        500: "A fault of ours.",
        502: "The carrier answered, but not in a way we could use.",
        503: "The carrier (or our database) cannot answer right now.",
        504: "The carrier did not answer in time.",
    }
    retry_says = {429, 502, 503, 504}
    responses: dict[str, Any] = {}
    for status in sorted(codes):
        schema = {"$ref": "#/components/schemas/RateLimited"} if status == 429 else _error_schema(codes[status])
        response: dict[str, Any] = {
            "description": meanings[status],
            "content": {"application/json": {"schema": schema}},
        }
        if status in retry_says:
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        responses[str(status)] = response
    return responses


def _error_schema(codes: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted(set(codes))},
                    "message": {"type": "string", "description": "A sentence for people, in English."},
                },
            }
        },
    }


def _health_operation() -> dict[str, Any]:
    health = {"$ref": "#/components/schemas/Health"}
    return {
        "operationId": "getHealth",
        "summary": "Whether the database and the cache answer (each given a short deadline)",
        "responses": {
            "200": {"description": "Both answer.", "content": {"application/json": {"schema": health}}},
            "503": {
                "description": "One of them does not.",
                "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
                "content": {"application/json": {"schema": health}},
            },
        },
    }


def _schemas(carriers: list[str]) -> dict[str, Any]:
    statuses = [status.value for status in Status]
    languages = [code for code, _name in settings.LANGUAGES]
    text = {"type": "string"}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    ok_or_error = {"type": "string", "enum": ["ok", "error"]}
    return {
        "ParcelAnswer": _closed(
            {
                "parcel": {"$ref": "#/components/schemas/Parcel"},
                "stale": {"type": "boolean", "description": "The carrier failed: this is the last answer we had."},
                "incomplete": {"type": "boolean", "description": "Some of the carrier's systems did not answer."},
                "fetched_at": {**nullable_time, "description": "When we last asked the carrier."},
            }
        ),
        "Parcel": _closed(
            {
                "carrier": {"type": "string", "enum": carriers},
                "carrier_name": text,
                "tracking_number": text,
                "status": {"type": "string", "enum": statuses},
                "status_label": {**text, "description": "The status in words, in `labels_language`."},
                "labels_language": {"type": "string", "enum": languages},
                "delivered_at": nullable_time,
                "expected_delivery": {
                    "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ExpectedDelivery"}],
                    "description": "The carrier's date, else an estimate learned on the parcel's lane, else null.",
                },
                "signed": {"type": "boolean", "description": "Someone signed for it (who, we never say)."},
                "service": text,
                "destination_country": {**text, "description": "ISO 3166-1 alpha-2, or empty."},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
            }
        ),
        "ExpectedDelivery": _closed(
            {
                "source": {"type": "string", "enum": ["carrier", "estimate"]},
                "earliest": {"type": "string", "format": "date"},
                "latest": {
                    "type": "string",
                    "format": "date",
                    "description": "The same as earliest for a carrier's date.",
                },
                "based_on": {
                    "type": ["integer", "null"],
                    "minimum": MIN_OBSERVATIONS,
                    "description": "For an estimate: how many delivered parcels on this lane it rests on.",
                },
            }
        ),
        "Event": _closed(
            {
                "occurred_at": {"type": "string", "format": "date-time"},
                "status": {"type": "string", "enum": statuses},
                "description": {
                    **text,
                    "description": "The carrier's own words (in its language); the status in words where it sent none.",
                },
                "meaning": {
                    "type": ["string", "null"],
                    "description": "Our words for what the carrier's event code means, in `labels_language`; null "
                    "where we do not know the code.",
                },
                "place": {"$ref": "#/components/schemas/Place"},
            }
        ),
        "Place": _closed({"depot": text, "city": text, "region": text, "country": text, "label": text}),
        "RateLimited": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": _closed(
                    {
                        "code": {"type": "string", "enum": ["rate_limited"]},
                        "message": text,
                        "retry_after": {"type": "integer", "minimum": 1},
                    }
                )
            },
        },
        "Health": _closed({"status": ok_or_error, "database": ok_or_error, "cache": ok_or_error}),
    }


def _closed(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these properties: a field added to an answer must be added here too."""
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


def _headers() -> dict[str, Any]:
    return {
        "ETag": {"required": True, "schema": {"type": "string", "pattern": '^"[0-9a-f]{32}"$'}},
        "Last-Modified": {"required": False, "schema": {"type": "string"}},
        "Cache-Control": {"required": True, "schema": {"type": "string"}},
        "Retry-After": {
            "required": True,
            "description": "Seconds to wait before asking again.",
            "schema": {"type": "integer", "minimum": 1},
        },
    }


def _example(carriers: list[str]) -> tuple[str, str]:
    """A carrier and number that work here: a demo parcel in demo mode, else a sample number's shape."""
    if settings.TRACKING_DEMO:
        from carriers.demo import demo_numbers  # demo mode only: production never loads the fakes

        for carrier, numbers in demo_numbers().items():
            if carrier in carriers and numbers:
                return carrier, numbers[0][0]
    return (carriers[0] if carriers else "nzpost"), SAMPLE_NUMBER
