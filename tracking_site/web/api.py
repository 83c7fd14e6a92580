"""The JSON API: the public model of one parcel, and errors as {"error": {"code", "message"}}.

Described, errors included, by the OpenAPI document at /api/v1/openapi.json (web/openapi.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from carriers.model import CarrierFailure, Found
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.service import lookup_parcels
from tracking_site.presentation.failures import FAILURES, failure_words, seconds_to_retry
from tracking_site.presentation.not_found import not_found_message
from tracking_site.presentation.parcel_json import parcel_to_json
from tracking_site.protection.rate_limits import charge_numbers, rate_limited
from tracking_site.web import answer_cache
from tracking_site.web.errors import api_error
from tracking_site.web.http_caching import conditional_parcel_response, errors_not_cached
from tracking_site.web.views import parse_permalink


# Read-only and cookie-free: a POST is answered 405 (with Allow), not refused for want of a CSRF token.
@csrf_exempt
@require_safe
@errors_not_cached
@rate_limited("api", as_json=True)
def parcel_api(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The public model of one parcel as JSON."""
    if carrier not in get_carriers():
        return api_error(404, "unknown_carrier", "No such carrier on this site.")
    normalized, error = parse_permalink(carrier, number)
    if error:
        return api_error(400, "invalid_number", error)
    charge_numbers(request, 1)
    if kept := answer_cache.kept_response(request, "api"):
        return kept
    outcome = lookup_parcels([normalized], carrier)[0]
    result = outcome.result
    if isinstance(result, Found):
        body = {
            "parcel": parcel_to_json(result.parcel),
            "stale": outcome.stale,
            "incomplete": result.incomplete,
            "fetched_at": outcome.fetched_at.isoformat() if outcome.fetched_at else None,
        }
        return answer_cache.keep(
            request, "api", outcome, conditional_parcel_response(request, outcome, "api", lambda: JsonResponse(body))
        )
    if isinstance(result, CarrierFailure):
        return api_error(
            FAILURES[result.reason].http_status,
            result.reason.value,
            failure_words(result),
            retry_after=seconds_to_retry(result),
        )
    return api_error(404, "not_found", not_found_message(carrier, normalized))
